# Les pages de Signet, en français. Les mêmes clés que en.ftl (every_catalog_has_every_key).

## Shared
skip-to-content = Aller au contenu
nav-label = Compte
nav-account = Compte
nav-sign-out = Se déconnecter
footer-language = Langue
footer-support = Aide
footer-terms = Conditions d’utilisation
footer-privacy = Confidentialité
field-email = Adresse e-mail
field-password = Mot de passe
continue = Continuer
cancel = Annuler
allow = Autoriser
deny = Refuser
verify = Vérifier
remove = Supprimer
action = Action
actions = Actions
off = désactivée
back-to-account = Retour à votre compte
message-home = Aller à la page d’accueil
never = Jamais
just-now = à l’instant
minutes-ago = { $n ->
    [one] il y a { $n } minute
   *[other] il y a { $n } minutes
}
hours-ago = { $n ->
    [one] il y a { $n } heure
   *[other] il y a { $n } heures
}
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-seconds = { $n ->
    [one] { $n } seconde
   *[other] { $n } secondes
}
passkey-cancelled = La demande de clé d’accès a été annulée ou a expiré.
passkey-failed = Une erreur s’est produite. Réessayez.
passkey-sign-in-failed = La connexion avec la clé d’accès a échoué. Réessayez, ou connectez-vous autrement.
passkey-expired = Cette demande de clé d’accès a expiré. Réessayez.
passkey-not-registered = La clé d’accès n’a pas pu être enregistrée.
passkey-already-registered = Cette clé d’accès est déjà enregistrée.
passkey-password-first = Connectez-vous d’abord avec votre mot de passe.
passkey-none-on-account = Ce compte n’a pas de clé d’accès.
passkey-unavailable = Les clés d’accès ne sont pas disponibles sur ce serveur : son adresse n’est pas un nom de domaine.

## Sign in
login-title = Se connecter
login-continue-to = Connectez-vous pour continuer vers { $app }.
login-submit = Se connecter
login-or = ou
login-passkey = Se connecter avec une clé d’accès
login-new-here = Nouveau ici ?
login-create-account = Créer un compte
login-cant-sign-in = Impossible de vous connecter ?
login-locked-passkey = Vous pouvez toujours vous connecter avec une clé d’accès.
login-incorrect = Adresse e-mail ou mot de passe incorrect.
login-incorrect-left = { $n ->
    [one] Adresse e-mail ou mot de passe incorrect. Encore { $n } essai avant la suspension de la connexion.
   *[other] Adresse e-mail ou mot de passe incorrect. Encore { $n } essais avant la suspension de la connexion.
}
login-incorrect-paused = Adresse e-mail ou mot de passe incorrect. La connexion à ce compte est maintenant suspendue pour un moment.
login-locked = Trop de tentatives de connexion pour ce compte. Réessayez dans { $time }.
notice-signed-out = Vous êtes déconnecté.
notice-signed-out-everywhere = Vous êtes déconnecté sur tous vos appareils.
notice-mfa-expired = Cette connexion a pris trop de temps. Veuillez vous reconnecter.
notice-reauth = Pour votre sécurité, confirmez qu’il s’agit bien de vous.

## Sign-in help
help-title = Impossible de vous connecter ?
help-password-heading = Mot de passe oublié
help-password-body = Choisissez un nouveau mot de passe grâce à un lien envoyé à votre adresse e-mail. { $product } ne peut pas vous envoyer l’ancien : il n’est conservé que sous une forme que personne ne peut relire.
help-locked-heading = Connexion suspendue
help-locked-body = Après plusieurs mots de passe erronés, la connexion au compte est suspendue jusqu’à { $minutes } minutes, puis refonctionne d’elle-même. Le navigateur avec lequel vous vous connectez d’habitude n’est pas bloqué par des tentatives venues d’ailleurs.
help-locked-passkey = Une clé d’accès fonctionne même pendant la suspension.
help-factor-heading = Téléphone ou clé d’accès perdu
help-factor-body = Utilisez l’un de vos codes de secours sur la page de validation en deux étapes. S’il ne vous en reste aucun, les personnes qui gèrent ce service peuvent supprimer vos seconds facteurs après avoir vérifié votre identité.
help-operator-heading = Qui peut vous aider
help-operator-body = Les personnes qui gèrent ce service peuvent définir un nouveau mot de passe, réactiver un compte ou supprimer des seconds facteurs perdus.
help-contact-support = Contacter l’assistance
help-back-to-sign-in = Retour à la connexion

## Sign up
signup-title = Créer un compte
signup-submit = Créer le compte
signup-password-help = Au moins { $min } caractères. Une phrase de passe de quelques mots sans rapport fonctionne bien ; les mots de passe très courants sont refusés.
signup-have-account = Vous avez déjà un compte ?
signup-sign-in = Se connecter
signup-sign-in-instead = Se connecter plutôt.
signup-closed = L’inscription est fermée sur ce serveur. Demandez un compte à un administrateur.
signup-exists = Un compte existe déjà avec cette adresse e-mail.
signup-invalid-email = Saisissez une adresse e-mail valide, par exemple nom@example.com.

## Password
password-title = Changer le mot de passe
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-new-help = Au moins { $min } caractères. Le changer vous déconnecte de tous vos autres appareils.
password-submit = Changer le mot de passe
password-wrong-current = Votre mot de passe actuel est incorrect.
password-too-short = Le mot de passe doit comporter au moins { $min } caractères.
password-too-long = Le mot de passe doit comporter au plus { $max } caractères.
password-too-common = Ce mot de passe est trop courant et facile à deviner. Choisissez-en un autre.
password-same-as-email = Le mot de passe ne doit pas être votre adresse e-mail.

## Account
account-title = Votre compte
account-role = Rôle
account-role-admin = Administrateur
account-member-since = Membre depuis
account-backup-used = Un code de secours a été utilisé pour se connecter le { $when }.
account-review-security = Vérifiez vos paramètres de sécurité.
account-security-link = Validation en deux étapes et clés d’accès
notice-password-changed = Votre mot de passe a été changé. Toutes les autres sessions ont été déconnectées.
notice-session-revoked = Cette session a été déconnectée.
notice-app-revoked = L’accès de l’application a été retiré.
apps-heading = Applications connectées
apps-app = Application
apps-access = Accès
apps-allowed = Autorisée le
apps-remove = Retirer l’accès
apps-remove-label = Retirer l’accès de { $app }
apps-none = Aucune application n’a accès à votre compte.
apps-deleted = (application supprimée)
sessions-heading = Sessions actives
sessions-device = Appareil
sessions-ip = Adresse IP
sessions-signed-in = Connexion
sessions-last-seen = Dernière activité
sessions-this = Cette session
sessions-sign-out-this = Déconnecter cette session
sessions-sign-out-device = Déconnecter la session sur { $device }
sessions-sign-out-everywhere = Se déconnecter partout
device-unknown = Appareil inconnu
device-browser-on = { $browser } sous { $os }
device-browser-on-unknown = Navigateur sous { $os }

## Scopes, in plain words
scope-openid = Confirmer votre identité (l’identifiant de votre compte)
scope-profile = Voir votre profil de base
scope-email = Voir votre adresse e-mail
scope-offline_access = Rester connectée quand vous ne l’utilisez pas
scope-other = Accéder à « { $scope } »
scope-none = Savoir que vous avez un compte ici

## Consent
consent-homepage = Site web :
consent-title = Autoriser l’accès ?
consent-heading = Autoriser { $app } à accéder à votre compte ?
consent-signed-in-as = Connecté en tant que
consent-third-party = { $app } n’est pas géré par { $product }. Ne l’autorisez que si vous lui faites confiance.
consent-would-like = { $app } souhaite :
consent-return-to = Vous serez renvoyé vers { $host }. Vous pourrez retirer cet accès plus tard dans « Applications connectées » sur la page de votre compte.

## Sign out (asked by an app)
logout-title = Se déconnecter ?
logout-heading = Se déconnecter de { $product } ?
logout-signed-in-as = Vous êtes connecté en tant que
logout-asked = Une application a demandé à vous déconnecter.
logout-asked-by = { $app } a demandé à vous déconnecter.
logout-stay = Rester connecté
logout-done-title = Déconnecté
logout-done = Vous êtes déconnecté de { $product }.

## Devices (RFC 8628)
device-title = Connecter un appareil
device-code-label = Code affiché sur votre appareil
device-confirm-heading = Connecter { $app } ?
device-confirm-code = Ne continuez que si ce code s’affiche sur un appareil que vous utilisez en ce moment :
device-bad-code = Ce code n’est pas valide ou a expiré. Vérifiez le code sur votre appareil.
device-answered = Cette demande a déjà reçu une réponse.
device-connected-title = Appareil connecté
device-connected = { $app } est maintenant connecté. Vous pouvez retourner à votre appareil.
device-denied-title = Demande refusée
device-denied = { $app } n’a pas reçu d’accès.

## Two-step verification at sign-in
second-factor-title = Validation en deux étapes
second-factor-signing-in-as = Connexion en tant que
second-factor-passkey-intro = Utilisez votre clé d’accès (clé de sécurité, téléphone ou cet appareil).
second-factor-passkey = Utiliser une clé d’accès
second-factor-totp-label = Code de votre application d’authentification
second-factor-use-backup = Utiliser un code de secours
second-factor-backup-label = Code de secours
second-factor-backup-help = Chaque code de secours ne fonctionne qu’une fois.
second-factor-cancel = Annuler et se reconnecter
second-factor-replayed = Ce code a déjà été utilisé. Attendez le suivant et réessayez.
second-factor-bad-backup = Ce code de secours n’est pas valide ou a déjà été utilisé.
second-factor-bad-totp = Ce code est incorrect. Vérifiez votre application d’authentification et réessayez.

## Security settings
security-title = Sécurité
security-intro = La validation en deux étapes demande une seconde preuve après votre mot de passe : un mot de passe volé ne suffit plus à ouvrir votre compte.
security-backup-used = Un code de secours a été utilisé pour se connecter le { $when }. Il en reste { $left }. Si ce n’était pas vous, changez votre mot de passe.
notice-totp-on = La validation en deux étapes avec votre application d’authentification est activée.
notice-totp-off = Votre application d’authentification a été supprimée.
notice-passkey-added = Votre clé d’accès a été ajoutée.
notice-passkey-removed = La clé d’accès a été supprimée.
notice-passkey-renamed = La clé d’accès a été renommée.
notice-mfa-required = L’application à laquelle vous vous connectez exige la validation en deux étapes. Configurez-la pour continuer.
passkeys-heading = Clés d’accès
passkeys-intro = Connectez-vous avec votre empreinte, votre visage, le verrouillage de l’écran ou une clé de sécurité plutôt qu’avec un mot de passe.
passkeys-name = Nom
passkeys-added = Ajoutée le
passkeys-last-used = Dernière utilisation
passkeys-synced = Synchronisée
passkeys-new-name = Nouveau nom pour { $name }
passkeys-rename = Renommer
passkeys-remove-label = Supprimer la clé d’accès { $name }
passkeys-none = Vous n’avez aucune clé d’accès.
passkeys-add = Ajouter une clé d’accès
passkeys-need-js = L’ajout d’une clé d’accès nécessite JavaScript dans ce navigateur.
passkey-default-name = Clé d’accès
totp-heading = Application d’authentification
totp-on = Activée depuis le { $since }.
totp-on-used = Activée depuis le { $since }, dernière utilisation { $used }.
totp-off = Désactivée. Utilisez une application sur votre téléphone qui affiche un nouveau code à six chiffres toutes les 30 secondes.
totp-remove = Supprimer l’application d’authentification
totp-set-up = Configurer une application d’authentification
totp-setup-title = Configurer votre application d’authentification
totp-setup-step1 = Ouvrez une application d’authentification (par exemple Google Authenticator, Microsoft Authenticator, 1Password ou Aegis).
totp-setup-step2 = Scannez ce code, ou saisissez la clé ci-dessous à la main.
totp-setup-step3 = Saisissez le code à six chiffres affiché par l’application.
totp-setup-qr-alt = Code QR pour votre application d’authentification. Si vous ne pouvez pas le scanner, saisissez la clé affichée ci-dessous.
totp-setup-key = Clé :
totp-setup-link = Lien de configuration
totp-setup-open-app = Ouvrir dans une application d’authentification sur cet appareil
totp-setup-code-label = Code de l’application
totp-setup-submit = Activer
totp-setup-wrong = Ce code est incorrect. Vérifiez l’heure de votre téléphone et saisissez le code actuel.
factor-needed-first = Configurez d’abord une application d’authentification ou une clé d’accès.
backup-heading = Codes de secours
backup-remaining = Il vous reste { $left } codes de secours sur 10.
backup-none = Vous n’avez aucun code de secours. Obtenez-en, pour pouvoir vous connecter même si vous perdez votre téléphone ou votre clé d’accès.
backup-get = Obtenir des codes de secours
backup-get-new = Obtenir de nouveaux codes de secours
backup-replace = Les nouveaux codes remplacent tous les précédents.
backup-codes-title = Vos codes de secours
backup-codes-intro = Si vous perdez votre téléphone ou votre clé d’accès, chacun de ces codes vous connecte une fois. Conservez-les en lieu sûr, par exemple dans un gestionnaire de mots de passe.
backup-codes-once = Ils ne sont affichés que maintenant.
backup-codes-old-void = Les codes précédents ne fonctionnent plus.
backup-codes-download = Télécharger (.txt)
backup-codes-copy = Copier
backup-codes-copied = Copiés.
backup-codes-print = Imprimer
backup-codes-continue = Continuer
backup-codes-file-heading = Codes de secours { $product } pour { $email }. Chacun fonctionne une fois.

## Errors
error-bad-request = Requête invalide
error-forbidden = Interdit
error-not-found = Page introuvable
error-not-found-body = Il n’y a pas de page à cette adresse.
error-too-large = Requête trop volumineuse
error-too-large-body = Le formulaire envoyé était trop volumineux.
error-too-many = Trop de tentatives
error-too-many-body = Trop de tentatives. Réessayez dans { $time }.
error-busy = Serveur occupé
error-busy-body = Le serveur est occupé. Réessayez dans un instant.
error-unexpected = Une erreur s’est produite
error-unexpected-body = Une erreur inattendue s’est produite. Référence : { $id }
error-csrf = Ce formulaire a expiré ou n’a pas été envoyé depuis ce site. Revenez en arrière, rechargez la page et réessayez.
error-nul = Le lien contient un caractère NUL et ne peut pas être utilisé.
error-no-client-id = L’application n’a pas indiqué qui elle est (client_id manquant).
error-unknown-client = Cette application n’est pas enregistrée sur ce serveur.
error-no-redirect-uri = L’application n’a pas indiqué où revenir (redirect_uri manquant).
error-redirect-mismatch = L’adresse de retour ne correspond à aucune de celles enregistrées pour cette application.
error-localhost-redirect = L’adresse de retour de cette application (http://localhost) n’est autorisée que sur un serveur de développement.
error-request-expired = Cette demande de connexion a expiré. Revenez à l’application et recommencez.
error-request-other-session = Cette demande de connexion n’a pas été lancée dans cette session du navigateur. Revenez à l’application et recommencez.
error-bad-id-token-hint = La demande de déconnexion contient un jeton d’identité invalide.
error-post-logout-mismatch = L’adresse de retour n’est pas enregistrée pour cette application.
error-hint-client-mismatch = client_id ne correspond pas au jeton d’identité.
error-logout-needs-client = Une adresse de retour nécessite client_id ou id_token_hint pour savoir quelle application le demande.
form-post-title = Retour à l’application
form-post-noscript = Les scripts sont désactivés. Appuyez sur le bouton pour revenir à l’application.

## Mail
mail-footer = Ce message a été envoyé par { $product }. Vous ne pouvez pas y répondre.
mail-test-subject = Message de test de { $product }
mail-test-body = Si vous pouvez lire ceci, { $product } peut envoyer des e-mails : les vérifications, la récupération et les alertes de sécurité parviendront à vos utilisateurs.
mail-test-button = Ça marche

## Password recovery
login-forgot = Mot de passe oublié ?
notice-password-reset = Votre mot de passe a été changé et toutes les sessions ont été déconnectées. Connectez-vous avec le nouveau mot de passe.
recover-title = Réinitialiser votre mot de passe
recover-intro = Saisissez l’adresse e-mail de votre compte. Nous vous enverrons un lien pour choisir un nouveau mot de passe.
recover-send = Envoyer le lien
recover-sent-title = Consultez votre boîte de réception
recover-sent = S’il existe un compte pour { $email }, nous lui avons envoyé un lien pour choisir un nouveau mot de passe.
recover-sent-help = Le lien fonctionne une fois, pendant 15 minutes. Pas d’e-mail ? Regardez dans les indésirables, ou redemandez dans quelques minutes.
recover-reset-title = Choisir un nouveau mot de passe
recover-reset-for = Pour
recover-reset-help = Au moins { $min } caractères. Toutes les sessions de ce compte seront ensuite déconnectées.
recover-code-label = Code de votre application d’authentification, ou code de secours
recover-code-help = Ce compte utilise la validation en deux étapes : le lien seul ne suffit pas.
recover-bad-code = Ce code est incorrect.
recover-use-passkey = Ce compte se connecte avec une clé d’accès : connectez-vous avec elle, puis changez votre mot de passe sur la page de votre compte.
recover-reset-submit = Définir le nouveau mot de passe
recover-invalid-title = Ce lien ne fonctionne pas
recover-invalid = Le lien a expiré, a déjà été utilisé, ou le mot de passe a changé depuis son envoi.
recover-again = Demander un nouveau lien
mail-password-reset-subject = Réinitialiser votre mot de passe { $product }
mail-password-reset-body = Quelqu’un a demandé à réinitialiser le mot de passe du compte { $product } { $email }. Pour choisir un nouveau mot de passe, ouvrez ce lien :
mail-password-reset-button = Choisir un nouveau mot de passe
mail-password-reset-expiry = Le lien fonctionne une fois, pendant { $minutes } minutes.
mail-password-reset-ignore = Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.
mail-password-changed-subject = Votre mot de passe { $product } a été changé
mail-password-changed-body = Le mot de passe de votre compte { $product } a été changé le { $when } ({ $device }, { $ip }), et toutes les sessions ont été déconnectées.
mail-password-changed-not-you = Si ce n’était pas vous, réinitialisez votre mot de passe immédiatement et contactez les personnes qui gèrent ce service.

## Verifying an address
verify-title = Vérifiez votre adresse e-mail
verify-check-inbox = Consultez votre boîte de réception
verify-sent = Nous avons envoyé un message à { $email }. Ouvrez le lien qu’il contient ou saisissez ici son code.
verify-required = Avant de vous connecter, vérifiez votre adresse e-mail : ouvrez le lien que nous venons d’envoyer ou saisissez ici son code.
verify-intro = Saisissez l’adresse de votre compte et le code de notre message, ou ouvrez le lien qu’il contient.
verify-code-label = Code
verify-code-help = Les { $digits } chiffres du message. Il fonctionne une fois, pendant 24 heures.
verify-submit = Vérifier
verify-no-mail = Pas de message ?
verify-resend = Envoyer un nouveau code
verify-later = Vous pouvez aussi vérifier plus tard.
verify-bad-code = Ce code est incorrect ou a expiré.
verify-confirm-title = Confirmez votre adresse e-mail
verify-confirm = Confirmez que { $email } est votre adresse.
verify-confirm-submit = Confirmer
verify-invalid = Le lien a expiré ou a déjà été utilisé.
verify-ask-again = Demander un nouveau code
notice-email-verified = Votre adresse e-mail est vérifiée.
mail-verify-email-subject = Vérifiez votre adresse e-mail pour { $product }
mail-verify-email-body = Pour confirmer que { $email } est votre adresse, ouvrez le lien ci-dessous ou saisissez le code sur la page de vérification.
mail-verify-email-code = Votre code
mail-verify-email-button = Vérifier mon adresse
mail-verify-email-expiry = Le lien et le code fonctionnent une fois, pendant { $hours } heures.
mail-verify-email-ignore = Si vous n’avez pas créé de compte, ignorez ce message : votre adresse ne sera pas utilisée.
mail-signup-exists-subject = Quelqu’un a tenté de s’inscrire à { $product } avec votre adresse
mail-signup-exists-body = Quelqu’un a tenté de créer un nouveau compte avec { $email }, mais vous en avez déjà un.
mail-signup-exists-if-you = Si c’était vous, connectez-vous avec votre mot de passe, ou réinitialisez-le si vous l’avez oublié.
mail-signup-exists-button = Réinitialiser mon mot de passe
mail-signup-exists-ignore = Si ce n’était pas vous, ignorez ce message : rien n’a changé.

## Links from mails, new-device notice
link-invalid = Le lien a expiré ou a déjà été utilisé.
newdevice-title = Cette connexion n’était pas vous ?
newdevice-text = Ceci déconnecte tous les appareils et applications connectés à { $email } et envoie un lien pour choisir un nouveau mot de passe.
newdevice-submit = Tout déconnecter et réinitialiser mon mot de passe
newdevice-done-title = Tout est déconnecté
newdevice-done = Toutes les sessions et applications de ce compte ont été déconnectées.
mail-new-device-subject = Nouvelle connexion à votre compte { $product }
mail-new-device-body = Votre compte a été connecté le { $when } depuis { $device }, sur le réseau { $network }.
mail-new-device-if-you = Si c’était vous, il n’y a rien à faire. Sinon, déconnectez tout et choisissez un nouveau mot de passe :
mail-new-device-button = Ce n’était pas moi
mail-new-device-expiry = Le lien fonctionne une fois, pendant { $days } jours.

## Profile and address
profile-title = Profil
profile-intro = Les applications autorisées à voir votre profil reçoivent ces informations. Tous les champs sont facultatifs.
profile-save = Enregistrer le profil
profile-name = Nom complet
profile-name-help = Tel que vous voulez qu’il s’affiche, par ex. Anne Exemple.
profile-name-invalid = Le nom est trop long (100 caractères au plus) ou contient des retours à la ligne.
profile-given-name = Prénom
profile-given-name-help = Votre prénom.
profile-given-name-invalid = Le prénom est trop long (100 caractères au plus) ou contient des retours à la ligne.
profile-family-name = Nom de famille
profile-family-name-help = Votre nom de famille.
profile-family-name-invalid = Le nom de famille est trop long (100 caractères au plus) ou contient des retours à la ligne.
profile-nickname = Surnom
profile-nickname-help = Comment vous aimez être appelé.
profile-nickname-invalid = Le surnom est trop long (100 caractères au plus) ou contient des retours à la ligne.
profile-picture = URL de la photo
profile-picture-help = Une adresse https:// d’une image de vous.
profile-picture-invalid = Saisissez une adresse https://, par ex. https://example.com/moi.png.
profile-locale = Langue
profile-locale-help = Une étiquette de langue, par ex. en, de-CH ou fr-CA.
profile-locale-invalid = Saisissez une étiquette de langue, par ex. en, de-CH ou fr-CA.
profile-zoneinfo = Fuseau horaire
profile-zoneinfo-help = Le nom d’un fuseau horaire, par ex. Europe/Paris ou America/Montreal.
profile-zoneinfo-invalid = Saisissez le nom d’un fuseau horaire, par ex. Europe/Paris.
notice-profile-saved = Votre profil est enregistré.
email-verified = vérifiée
email-unverified = non vérifiée
email-verify-now = La vérifier maintenant
email-change-new = Nouvelle adresse e-mail
email-change-help = Nous envoyons un lien à la nouvelle adresse ; le changement a lieu quand vous l’ouvrez. Votre adresse actuelle est prévenue, avec un lien pour annuler.
email-change-submit = Changer d’adresse
email-change-same = C’est déjà votre adresse.
email-change-sent = Nous avons envoyé un lien de confirmation à { $email }. Votre adresse change quand vous l’ouvrez.
email-change-confirm-title = Confirmez votre nouvelle adresse
email-change-confirm = Changer l’adresse de votre compte de { $old } à { $new }.
email-change-taken = Cette adresse a été enregistrée entre-temps par un autre compte. Votre adresse reste inchangée.
notice-email-changed = Votre adresse e-mail a changé.
email-revert-title = Annuler le changement d’adresse
email-revert-text = Ceci remet l’adresse de votre compte de { $new } à { $old }, déconnecte tous les appareils et applications, et envoie un lien pour choisir un nouveau mot de passe.
email-revert-submit = Annuler et tout déconnecter
email-revert-done-title = Votre adresse est rétablie
email-revert-done = Toutes les sessions et applications de ce compte ont été déconnectées.
mail-email-change-subject = Confirmez votre nouvelle adresse pour { $product }
mail-email-change-body = Une personne connectée au compte { $old } a demandé à utiliser désormais { $new } comme adresse. Pour confirmer, ouvrez ce lien :
mail-email-change-button = Confirmer la nouvelle adresse
mail-email-change-ignore = Si vous n’avez rien demandé, ignorez ce message : rien ne changera.
mail-email-changed-subject = L’adresse de votre compte { $product } a changé
mail-email-changed-body = Le { $when }, l’adresse de votre compte est passée de { $old } à { $new }.
mail-email-changed-not-you = Si ce n’était pas vous, annulez : votre adresse revient, toutes les sessions sont déconnectées et vous pouvez choisir un nouveau mot de passe.
mail-email-changed-button = Annuler ce changement
mail-email-changed-expiry = Le lien fonctionne une fois, pendant { $days } jours.

## Deletion and export
account-data-heading = Vos données
delete-title = Supprimer le compte
delete-intro = Supprimer { $email } signifie :
delete-what-signout = Tous les appareils et applications sont déconnectés immédiatement.
delete-what-grace = Le compte attend { $days } jours ; en vous connectant pendant ce temps, vous pouvez annuler.
delete-what-erase = Ensuite, votre compte et vos données personnelles sont effacés définitivement.
delete-export-first = Vous voudrez peut-être d’abord une copie de vos données.
delete-export = Télécharger mes données (JSON)
delete-submit = Supprimer mon compte
delete-scheduled = Ce compte sera supprimé le { $when }.
delete-cancel = Annuler la suppression
notice-deletion-scheduled = Votre compte sera supprimé après le délai d’attente. Connectez-vous avant pour annuler.
notice-deletion-cancelled = La suppression est annulée ; votre compte est conservé.
mail-deletion-subject = Votre compte { $product } va être supprimé
mail-deletion-body = Le compte { $email } sera supprimé le { $when }, avec ses données personnelles.
mail-deletion-cancel = Pour le garder, connectez-vous avant cette date et annulez la suppression.
mail-deletion-button = Se connecter
recover-passkey-help = Ce compte a une clé d’accès : après avoir choisi le nouveau mot de passe, confirmez avec elle.
recover-passkey-submit = Confirmer avec ma clé d’accès et définir le mot de passe
recover-passkey-needed = Confirmez d’abord avec votre clé d’accès.

## Organizations
invite-title = Invitation
invite-what = Vous êtes invité à rejoindre { $org } en tant que { $role }.
invite-roles = Avec les rôles :
invite-accept = Accepter l’invitation
invite-other = Cette invitation est destinée à { $email }. Déconnectez-vous, rouvrez le lien et connectez-vous avec cette adresse.
invite-signin = { $email } a déjà un compte : connectez-vous pour accepter.
invite-create = Choisissez un mot de passe pour votre nouveau compte { $email }.
invite-create-submit = Créer le compte et rejoindre
invite-invalid = L’invitation a expiré, a déjà été utilisée ou est destinée à une autre adresse.
notice-org-joined = Vous avez rejoint l’organisation.
mail-invite-subject = Vous êtes invité dans une organisation sur { $product }
mail-invite-body = { $inviter } vous invite à rejoindre { $org }.
mail-invite-button = Voir l’invitation
mail-invite-expiry = Le lien fonctionne une fois, pendant { $days } jours.
mail-invite-ignore = Si vous ne connaissez pas cette organisation, ignorez ce message.
org-role-owner = propriétaire
org-role-admin = administrateur
org-role-member = membre
pick-org-title = Choisir une organisation
pick-org-intro = { $app } fonctionne dans l’une de vos organisations. Laquelle ?
orgs-title = Organisations
orgs-name = Organisation
orgs-role = Votre rôle
orgs-leave = Quitter
orgs-leave-label = Quitter { $org }
orgs-none = Vous n’appartenez à aucune organisation.
orgs-last-owner = Vous en êtes le dernier propriétaire : nommez d’abord quelqu’un d’autre propriétaire.
notice-org-left = Vous avez quitté l’organisation.
org-members = Membres
org-roles = Rôles
org-groups = Groupes
org-sections = Rubriques de l’organisation
org-you-are = Vous êtes { $role } de cette organisation.
org-you = vous
org-builtin-role = Rôle dans l’organisation
org-builtin-role-of = Rôle de { $who } dans l’organisation
org-no-roles = Aucun rôle
org-revoke-label = Retirer le rôle { $role } à { $who }
org-change = Modifier
org-grant-to = Rôle à donner à { $who }
org-grant = Donner le rôle
org-remove = Retirer
org-remove-label = Retirer { $who } de l’organisation
org-invite = Inviter quelqu’un
org-invite-help = La personne reçoit par e-mail un lien valable une fois, pendant 7 jours.
org-invite-submit = Envoyer l’invitation
org-roles-help = Un rôle est un ensemble d’autorisations sur une API. Les rôles de cette organisation ne valent qu’ici ; les rôles globaux partout.
org-role-name = Rôle
org-role-where = S’applique
org-role-own = Dans cette organisation
org-role-global = Partout
org-permissions = Autorisations
org-define-role = Définir un rôle
org-name-help = Lettres, chiffres et - _ . : (64 au plus).
org-api = API
org-permissions-help = Noms d’autorisations de cette API, séparés par des espaces. Vous ne pouvez inclure que des autorisations que vous détenez. Disponibles :
org-define-submit = Définir le rôle
org-groups-help = Les membres d’un groupe détiennent les rôles du groupe dans cette organisation.
org-remove-from-label = Retirer { $who } de { $group }
org-no-members = Aucun membre
org-add-to = Membre à ajouter à { $group }
org-add = Ajouter
org-delete-group = Supprimer le groupe
org-delete-group-label = Supprimer le groupe { $group }
org-no-groups = Aucun groupe pour l’instant.
org-new-group = Nouveau groupe
org-group-name = Nom du groupe
org-group-description = Description (facultative)
org-new-group-submit = Créer le groupe
org-error-not-manager = Seuls les propriétaires et les administrateurs peuvent modifier cette organisation.
org-error-own-roles = Personne ne peut modifier ses propres rôles : demandez à un autre propriétaire ou administrateur.
org-error-escalation = Les administrateurs ne peuvent ni nommer ni modifier de propriétaires.
org-error-last-owner = L’organisation a besoin d’au moins un propriétaire : nommez d’abord quelqu’un d’autre propriétaire.
org-error-permission = Vous ne pouvez donner que des autorisations que vous détenez.
org-error-invalid = Cela n’a pas été accepté : vérifiez le nom, l’adresse ou les autorisations.
org-error-exists = Ce nom est déjà pris dans cette organisation.
org-error-not-found = Introuvable dans cette organisation.
notice-org-saved = Enregistré.
notice-org-invited = L’invitation est en route.
consent-organization = Dans l’organisation { $org }.
consent-withheld = Non accordées, car vos rôles ne les comprennent pas : { $scopes }

# Upstream identity providers (issue 21)
login-with = Continuer avec { $provider }
upstream-error-title = Problème avec le service de connexion
upstream-unreachable = { $provider } est injoignable. Réessayez dans un instant ou connectez-vous autrement.
upstream-protocol = { $provider } a répondu de façon inattendue. Réessayez ou connectez-vous autrement.
upstream-invalid = La réponse de { $provider } n’a pas pu être vérifiée ; elle n’a pas été utilisée. Réessayez ou connectez-vous autrement.
upstream-state-mismatch = Cette connexion n’a pas été commencée dans ce navigateur, ou elle a déjà servi. Recommencez depuis la page de connexion.
upstream-expired = Cette connexion a expiré ou a déjà servi. Recommencez depuis la page de connexion.
upstream-no-code = Le service de connexion a renvoyé le navigateur sans résultat. Recommencez depuis la page de connexion.
upstream-cancelled = La connexion avec { $provider } a été annulée ou refusée.
upstream-claim-refused = Ce compte { $provider } n’est pas autorisé à se connecter ici.
upstream-linked-elsewhere = Ce compte { $provider } est déjà lié à un autre compte ici.
upstream-refuse-existing = Un compte existe déjà avec cette adresse e-mail. Connectez-vous avec votre mot de passe, puis liez { $provider } depuis la page de votre compte.
upstream-refuse-unknown = Aucun compte ici n’est lié à ce compte { $provider }, et aucun compte ne peut être créé de cette façon.
upstream-refuse-untrusted = { $provider } n’a pas confirmé d’adresse e-mail pour ce compte ; aucun compte ne peut être créé avec. Créez d’abord un compte, puis liez { $provider } depuis la page de votre compte.
upstream-account-disabled = Ce compte ne peut pas se connecter.
upstream-confirm-title = Lier { $provider } à votre compte
upstream-confirm-intro = Un compte existe déjà avec l’adresse { $email }. Pour vous connecter désormais avec { $provider }, prouvez que ce compte est le vôtre.
upstream-confirm-password = Mot de passe de { $email }
upstream-confirm-submit = Lier { $provider } et se connecter
upstream-confirm-no-password = Ce compte se connecte sans mot de passe. Connectez-vous comme d’habitude, puis liez { $provider } depuis la page de votre compte.
identities-title = Connexion avec d’autres services
identities-intro = Les comptes d’autres services qui peuvent se connecter à ce compte.
identities-provider = Service
identities-linked = Lié le
identities-last-used = Dernière utilisation
identities-unlink = Délier
identities-unlink-label = Délier { $provider } ({ $email })
identities-none = Aucun autre service n’est lié.
identities-link-heading = En lier un autre
identities-link = Lier { $provider }
identities-last = C’est le seul moyen de se connecter à ce compte : définissez un mot de passe ou ajoutez une clé d’accès avant de le délier.
notice-identity-linked = Le service a été lié.
notice-identity-unlinked = Le service a été délié ; les jetons conservés ont été supprimés.
