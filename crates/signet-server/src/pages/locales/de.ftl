# Signets Seiten, Deutsch. Dieselben Schlüssel wie en.ftl (every_catalog_has_every_key).

## Shared
skip-to-content = Zum Inhalt springen
nav-label = Konto
nav-account = Konto
nav-sign-out = Abmelden
footer-language = Sprache
footer-support = Hilfe
footer-terms = Nutzungsbedingungen
footer-privacy = Datenschutz
field-email = E-Mail
field-password = Passwort
continue = Weiter
cancel = Abbrechen
allow = Erlauben
deny = Ablehnen
verify = Bestätigen
remove = Entfernen
action = Aktion
actions = Aktionen
off = aus
back-to-account = Zurück zu Ihrem Konto
message-home = Zur Startseite
never = Nie
just-now = gerade eben
minutes-ago = { $n ->
    [one] vor 1 Minute
   *[other] vor { $n } Minuten
}
hours-ago = { $n ->
    [one] vor 1 Stunde
   *[other] vor { $n } Stunden
}
duration-minutes = { $n ->
    [one] 1 Minute
   *[other] { $n } Minuten
}
duration-seconds = { $n ->
    [one] 1 Sekunde
   *[other] { $n } Sekunden
}
passkey-cancelled = Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.
passkey-failed = Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.
passkey-sign-in-failed = Die Anmeldung mit dem Passkey ist fehlgeschlagen. Versuchen Sie es erneut oder melden Sie sich anders an.
passkey-expired = Diese Passkey-Anfrage ist abgelaufen. Bitte versuchen Sie es erneut.
passkey-not-registered = Der Passkey konnte nicht gespeichert werden.
passkey-already-registered = Dieser Passkey ist bereits gespeichert.
passkey-password-first = Melden Sie sich zuerst mit Ihrem Passwort an.
passkey-none-on-account = Für dieses Konto gibt es keinen Passkey.
passkey-unavailable = Passkeys sind auf diesem Server nicht verfügbar: Seine Adresse ist kein Domainname.

## Sign in
login-title = Anmelden
login-continue-to = Melden Sie sich an, um zu { $app } zu gelangen.
login-submit = Anmelden
login-or = oder
login-passkey = Mit einem Passkey anmelden
login-new-here = Neu hier?
login-create-account = Konto erstellen
login-cant-sign-in = Anmeldung klappt nicht?
login-locked-passkey = Mit einem Passkey können Sie sich weiterhin anmelden.
login-incorrect = E-Mail-Adresse oder Passwort ist falsch.
login-incorrect-left = { $n ->
    [one] E-Mail-Adresse oder Passwort ist falsch. Noch 1 Versuch, bevor die Anmeldung pausiert wird.
   *[other] E-Mail-Adresse oder Passwort ist falsch. Noch { $n } Versuche, bevor die Anmeldung pausiert wird.
}
login-incorrect-paused = E-Mail-Adresse oder Passwort ist falsch. Die Anmeldung für dieses Konto ist jetzt für eine Weile pausiert.
login-locked = Zu viele Anmeldeversuche für dieses Konto. Versuchen Sie es in { $time } erneut.
notice-signed-out = Sie haben sich abgemeldet.
notice-signed-out-everywhere = Sie haben sich auf allen Geräten abgemeldet.
notice-mfa-expired = Die Anmeldung hat zu lange gedauert. Bitte melden Sie sich erneut an.
notice-reauth = Bestätigen Sie zu Ihrer Sicherheit, dass Sie es sind.

## Sign-in help
help-title = Anmeldung klappt nicht?
help-password-heading = Passwort vergessen
help-password-body = Wählen Sie ein neues Passwort über einen Link, den wir an Ihre E-Mail-Adresse senden. { $product } kann Ihnen das alte nicht schicken: Es wird nur in einer Form gespeichert, die niemand zurücklesen kann.
help-locked-heading = Anmeldung pausiert
help-locked-body = Nach mehreren falschen Passwörtern wird die Anmeldung für das Konto für bis zu { $minutes } Minuten pausiert und funktioniert danach von selbst wieder. Der Browser, mit dem Sie sich sonst anmelden, wird durch fremde Rateversuche nicht gesperrt.
help-locked-passkey = Ein Passkey funktioniert auch, während die Anmeldung pausiert ist.
help-factor-heading = Telefon oder Passkey verloren
help-factor-body = Verwenden Sie auf der Seite der Zwei-Schritt-Verifizierung einen Ihrer Backup-Codes. Wenn keiner mehr übrig ist, können die Betreiber dieses Dienstes Ihre zweiten Faktoren entfernen, nachdem sie geprüft haben, wer Sie sind.
help-operator-heading = Wer helfen kann
help-operator-body = Die Betreiber dieses Dienstes können ein neues Passwort festlegen, ein Konto wieder freischalten oder verlorene zweite Faktoren entfernen.
help-contact-support = Support kontaktieren
help-back-to-sign-in = Zurück zur Anmeldung

## Sign up
signup-title = Konto erstellen
signup-submit = Konto erstellen
signup-password-help = Mindestens { $min } Zeichen. Eine Passphrase aus einigen zusammenhanglosen Wörtern funktioniert gut; sehr häufige Passwörter werden abgelehnt.
signup-have-account = Sie haben bereits ein Konto?
signup-sign-in = Anmelden
signup-sign-in-instead = Stattdessen anmelden.
signup-closed = Die Registrierung ist auf diesem Server geschlossen. Bitten Sie einen Administrator um ein Konto.
signup-exists = Es gibt bereits ein Konto mit dieser E-Mail-Adresse.
signup-invalid-email = Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.

## Password
password-title = Passwort ändern
password-current = Aktuelles Passwort
password-new = Neues Passwort
password-new-help = Mindestens { $min } Zeichen. Eine Änderung meldet Sie auf allen anderen Geräten ab.
password-submit = Passwort ändern
password-wrong-current = Ihr aktuelles Passwort ist falsch.
password-too-short = Das Passwort muss mindestens { $min } Zeichen lang sein.
password-too-long = Das Passwort darf höchstens { $max } Zeichen lang sein.
password-too-common = Dieses Passwort ist zu häufig und leicht zu erraten. Wählen Sie ein anderes.
password-same-as-email = Das Passwort darf nicht Ihre E-Mail-Adresse sein.

## Account
account-title = Ihr Konto
account-role = Rolle
account-role-admin = Administrator
account-member-since = Mitglied seit
account-backup-used = Am { $when } wurde ein Backup-Code zur Anmeldung verwendet.
account-review-security = Prüfen Sie Ihre Sicherheitseinstellungen.
account-security-link = Zwei-Schritt-Verifizierung und Passkeys
notice-password-changed = Ihr Passwort wurde geändert. Alle anderen Sitzungen wurden abgemeldet.
notice-session-revoked = Diese Sitzung wurde abgemeldet.
notice-app-revoked = Der Zugriff der App wurde entzogen.
apps-heading = Verbundene Apps
apps-app = App
apps-access = Zugriff
apps-allowed = Erlaubt
apps-remove = Zugriff entziehen
apps-remove-label = Zugriff entziehen: { $app }
apps-none = Keine App hat Zugriff auf Ihr Konto.
apps-deleted = (gelöschte App)
sessions-heading = Aktive Sitzungen
sessions-device = Gerät
sessions-ip = IP-Adresse
sessions-signed-in = Angemeldet
sessions-last-seen = Zuletzt aktiv
sessions-this = Diese Sitzung
sessions-sign-out-this = Diese Sitzung abmelden
sessions-sign-out-device = Sitzung auf { $device } abmelden
sessions-sign-out-everywhere = Überall abmelden
device-unknown = Unbekanntes Gerät
device-browser-on = { $browser } unter { $os }
device-browser-on-unknown = Browser unter { $os }

## Scopes, in plain words
scope-openid = Bestätigen, wer Sie sind (Ihre Konto-ID)
scope-profile = Ihr Basisprofil sehen
scope-email = Ihre E-Mail-Adresse sehen
scope-offline_access = Verbunden bleiben, auch wenn Sie die App nicht verwenden
scope-other = Zugriff auf „{ $scope }“
scope-none = Wissen, dass Sie hier ein Konto haben

## Consent
consent-homepage = Website:
consent-title = Zugriff erlauben?
consent-heading = { $app } Zugriff auf Ihr Konto erlauben?
consent-signed-in-as = Angemeldet als
consent-third-party = { $app } wird nicht von { $product } betrieben. Erlauben Sie den Zugriff nur, wenn Sie der App vertrauen.
consent-would-like = { $app } möchte:
consent-return-to = Sie werden zu { $host } zurückgeleitet. Sie können den Zugriff später unter „Verbundene Apps“ auf Ihrer Kontoseite entziehen.

## Sign out (asked by an app)
logout-title = Abmelden?
logout-heading = Von { $product } abmelden?
logout-signed-in-as = Sie sind angemeldet als
logout-asked = Eine Anwendung hat darum gebeten, Sie abzumelden.
logout-asked-by = { $app } hat darum gebeten, Sie abzumelden.
logout-stay = Angemeldet bleiben
logout-done-title = Abgemeldet
logout-done = Sie haben sich von { $product } abgemeldet.

## Devices (RFC 8628)
device-title = Gerät verbinden
device-code-label = Code auf Ihrem Gerät
device-confirm-heading = { $app } verbinden?
device-confirm-code = Fahren Sie nur fort, wenn dieser Code auf einem Gerät angezeigt wird, das Sie gerade benutzen:
device-bad-code = Dieser Code ist ungültig oder abgelaufen. Prüfen Sie den Code auf Ihrem Gerät.
device-answered = Diese Anfrage wurde bereits beantwortet.
device-connected-title = Gerät verbunden
device-connected = { $app } ist jetzt verbunden. Sie können zu Ihrem Gerät zurückkehren.
device-denied-title = Anfrage abgelehnt
device-denied = { $app } hat keinen Zugriff erhalten.

## Two-step verification at sign-in
second-factor-title = Zwei-Schritt-Verifizierung
second-factor-signing-in-as = Anmeldung als
second-factor-passkey-intro = Verwenden Sie Ihren Passkey (Sicherheitsschlüssel, Telefon oder dieses Gerät).
second-factor-passkey = Passkey verwenden
second-factor-totp-label = Code aus Ihrer Authenticator-App
second-factor-use-backup = Backup-Code verwenden
second-factor-backup-label = Backup-Code
second-factor-backup-help = Jeder Backup-Code funktioniert nur einmal.
second-factor-cancel = Abbrechen und neu anmelden
second-factor-replayed = Dieser Code wurde bereits verwendet. Warten Sie auf den nächsten und versuchen Sie es erneut.
second-factor-bad-backup = Dieser Backup-Code ist ungültig oder wurde bereits verwendet.
second-factor-bad-totp = Dieser Code ist falsch. Prüfen Sie Ihre Authenticator-App und versuchen Sie es erneut.

## Security settings
security-title = Sicherheit
security-intro = Die Zwei-Schritt-Verifizierung verlangt nach dem Passwort einen zweiten Nachweis, sodass ein gestohlenes Passwort allein Ihr Konto nicht öffnet.
security-backup-used = Am { $when } wurde ein Backup-Code zur Anmeldung verwendet. Noch { $left } übrig. Wenn Sie das nicht waren, ändern Sie Ihr Passwort.
notice-totp-on = Die Zwei-Schritt-Verifizierung mit Ihrer Authenticator-App ist eingeschaltet.
notice-totp-off = Ihre Authenticator-App wurde entfernt.
notice-passkey-added = Ihr Passkey wurde hinzugefügt.
notice-passkey-removed = Der Passkey wurde entfernt.
notice-passkey-renamed = Der Passkey wurde umbenannt.
notice-mfa-required = Die App, bei der Sie sich anmelden, verlangt eine Zwei-Schritt-Verifizierung. Richten Sie sie ein, um fortzufahren.
passkeys-heading = Passkeys
passkeys-intro = Melden Sie sich mit Fingerabdruck, Gesicht, Bildschirmsperre oder Sicherheitsschlüssel statt mit einem Passwort an.
passkeys-name = Name
passkeys-added = Hinzugefügt
passkeys-last-used = Zuletzt verwendet
passkeys-synced = Synchronisiert
passkeys-new-name = Neuer Name für { $name }
passkeys-rename = Umbenennen
passkeys-remove-label = Passkey { $name } entfernen
passkeys-none = Sie haben keine Passkeys.
passkeys-add = Passkey hinzufügen
passkeys-need-js = Zum Hinzufügen eines Passkeys wird in diesem Browser JavaScript benötigt.
passkey-default-name = Passkey
totp-heading = Authenticator-App
totp-on = Eingeschaltet seit { $since }.
totp-on-used = Eingeschaltet seit { $since }, zuletzt verwendet { $used }.
totp-off = Aus. Verwenden Sie eine App auf Ihrem Telefon, die alle 30 Sekunden einen neuen sechsstelligen Code anzeigt.
totp-remove = Authenticator-App entfernen
totp-set-up = Authenticator-App einrichten
totp-setup-title = Authenticator-App einrichten
totp-setup-step1 = Öffnen Sie eine Authenticator-App (zum Beispiel Google Authenticator, Microsoft Authenticator, 1Password oder Aegis).
totp-setup-step2 = Scannen Sie diesen Code oder geben Sie den Schlüssel unten von Hand ein.
totp-setup-step3 = Geben Sie den sechsstelligen Code ein, den die App anzeigt.
totp-setup-qr-alt = QR-Code für Ihre Authenticator-App. Wenn Sie ihn nicht scannen können, geben Sie den Schlüssel unten ein.
totp-setup-key = Schlüssel:
totp-setup-link = Einrichtungslink
totp-setup-open-app = In einer Authenticator-App auf diesem Gerät öffnen
totp-setup-code-label = Code aus der App
totp-setup-submit = Einschalten
totp-setup-wrong = Dieser Code ist falsch. Prüfen Sie die Uhrzeit auf Ihrem Telefon und geben Sie den aktuellen Code ein.
factor-needed-first = Richten Sie zuerst eine Authenticator-App oder einen Passkey ein.
backup-heading = Backup-Codes
backup-remaining = Noch { $left } von 10 Backup-Codes übrig.
backup-none = Sie haben keine Backup-Codes. Holen Sie sich welche, damit Sie sich auch ohne Telefon oder Passkey anmelden können.
backup-get = Backup-Codes erstellen
backup-get-new = Neue Backup-Codes erstellen
backup-replace = Neue Codes ersetzen alle bisherigen.
backup-codes-title = Ihre Backup-Codes
backup-codes-intro = Wenn Sie Ihr Telefon oder Ihren Passkey verlieren, meldet Sie jeder dieser Codes einmal an. Bewahren Sie sie sicher auf, etwa in einem Passwortmanager.
backup-codes-once = Sie werden nur jetzt angezeigt.
backup-codes-old-void = Frühere Codes gelten nicht mehr.
backup-codes-download = Herunterladen (.txt)
backup-codes-copy = Kopieren
backup-codes-copied = Kopiert.
backup-codes-print = Drucken
backup-codes-continue = Weiter
backup-codes-file-heading = { $product }-Backup-Codes für { $email }. Jeder funktioniert einmal.

## Errors
error-bad-request = Ungültige Anfrage
error-forbidden = Nicht erlaubt
error-not-found = Nicht gefunden
error-not-found-body = Unter dieser Adresse gibt es keine Seite.
error-too-large = Anfrage zu groß
error-too-large-body = Das gesendete Formular war zu groß.
error-too-many = Zu viele Versuche
error-too-many-body = Zu viele Versuche. Versuchen Sie es in { $time } erneut.
error-busy = Ausgelastet
error-busy-body = Der Server ist ausgelastet. Bitte versuchen Sie es gleich noch einmal.
error-unexpected = Etwas ist schiefgegangen
error-unexpected-body = Ein unerwarteter Fehler ist aufgetreten. Referenz: { $id }
error-csrf = Dieses Formular ist abgelaufen oder wurde nicht von dieser Website gesendet. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-nul = Der Link enthält ein NUL-Zeichen und kann nicht verwendet werden.
error-no-client-id = Die Anwendung hat nicht angegeben, wer sie ist (client_id fehlt).
error-unknown-client = Diese Anwendung ist bei diesem Server nicht registriert.
error-no-redirect-uri = Die Anwendung hat nicht angegeben, wohin zurückgeleitet werden soll (redirect_uri fehlt).
error-redirect-mismatch = Die Rücksprungadresse stimmt mit keiner der für diese Anwendung registrierten überein.
error-localhost-redirect = Die Rücksprungadresse dieser Anwendung (http://localhost) ist nur auf einem Entwicklungsserver erlaubt.
error-request-expired = Diese Anmeldeanfrage ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-request-other-session = Diese Anmeldeanfrage wurde nicht in dieser Browsersitzung gestartet. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-bad-id-token-hint = Die Abmeldeanfrage enthält ein ungültiges ID-Token.
error-post-logout-mismatch = Die Rücksprungadresse ist für diese Anwendung nicht registriert.
error-hint-client-mismatch = client_id passt nicht zum ID-Token.
error-logout-needs-client = Eine Rücksprungadresse braucht client_id oder id_token_hint, damit klar ist, welche Anwendung fragt.
form-post-title = Zurück zur Anwendung
form-post-noscript = Skripte sind deaktiviert. Klicken Sie auf die Schaltfläche, um zur Anwendung zurückzukehren.

## Mail
mail-footer = Diese Nachricht wurde von { $product } gesendet. Sie können nicht darauf antworten.
mail-test-subject = Testnachricht von { $product }
mail-test-body = Wenn Sie dies lesen können, kann { $product } E-Mails senden: Bestätigungen, Wiederherstellung und Sicherheitshinweise erreichen Ihre Nutzer.
mail-test-button = Es funktioniert

## Password recovery
login-forgot = Passwort vergessen?
notice-password-reset = Ihr Passwort wurde geändert, und alle Sitzungen wurden abgemeldet. Melden Sie sich mit dem neuen Passwort an.
recover-title = Passwort zurücksetzen
recover-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
recover-send = Link senden
recover-sent-title = Sehen Sie in Ihr Postfach
recover-sent = Falls es ein Konto für { $email } gibt, haben wir einen Link zum Festlegen eines neuen Passworts gesendet.
recover-sent-help = Der Link funktioniert einmal und 15 Minuten lang. Keine E-Mail? Sehen Sie im Spam-Ordner nach oder fragen Sie in ein paar Minuten erneut.
recover-reset-title = Neues Passwort wählen
recover-reset-for = Für
recover-reset-help = Mindestens { $min } Zeichen. Danach werden alle Sitzungen dieses Kontos abgemeldet.
recover-code-label = Code aus Ihrer Authenticator-App oder ein Backup-Code
recover-code-help = Dieses Konto nutzt die Zwei-Schritt-Verifizierung: Der Link allein genügt nicht.
recover-bad-code = Dieser Code ist falsch.
recover-use-passkey = Dieses Konto meldet sich mit einem Passkey an: Melden Sie sich damit an und ändern Sie dann Ihr Passwort auf Ihrer Kontoseite.
recover-reset-submit = Neues Passwort festlegen
recover-invalid-title = Dieser Link funktioniert nicht
recover-invalid = Der Link ist abgelaufen, wurde schon verwendet, oder das Passwort wurde seit dem Versand geändert.
recover-again = Neuen Link anfordern
mail-password-reset-subject = Ihr { $product }-Passwort zurücksetzen
mail-password-reset-body = Jemand hat angefordert, das Passwort des { $product }-Kontos { $email } zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie diesen Link:
mail-password-reset-button = Neues Passwort wählen
mail-password-reset-expiry = Der Link funktioniert einmal und { $minutes } Minuten lang.
mail-password-reset-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt, wie es ist.
mail-password-changed-subject = Ihr { $product }-Passwort wurde geändert
mail-password-changed-body = Das Passwort Ihres { $product }-Kontos wurde am { $when } geändert ({ $device }, { $ip }), und alle Sitzungen wurden abgemeldet.
mail-password-changed-not-you = Wenn Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück und wenden Sie sich an die Betreiber dieses Dienstes.

## Verifying an address
verify-title = E-Mail-Adresse bestätigen
verify-check-inbox = Sehen Sie in Ihr Postfach
verify-sent = Wir haben eine Nachricht an { $email } geschickt. Öffnen Sie den Link darin oder geben Sie hier den Code ein.
verify-required = Bevor Sie sich anmelden können, bestätigen Sie Ihre E-Mail-Adresse: Öffnen Sie den Link aus der Nachricht, die wir soeben geschickt haben, oder geben Sie hier den Code ein.
verify-intro = Geben Sie die Adresse Ihres Kontos und den Code aus unserer Nachricht ein, oder öffnen Sie den Link darin.
verify-code-label = Code
verify-code-help = Die { $digits } Ziffern aus der Nachricht. Er gilt einmal, 24 Stunden lang.
verify-submit = Bestätigen
verify-no-mail = Keine Nachricht erhalten?
verify-resend = Neuen Code senden
verify-later = Sie können die Adresse auch später bestätigen.
verify-bad-code = Dieser Code ist nicht richtig oder abgelaufen.
verify-confirm-title = E-Mail-Adresse bestätigen
verify-confirm = Bestätigen Sie, dass { $email } Ihre Adresse ist.
verify-confirm-submit = Bestätigen
verify-invalid = Der Link ist abgelaufen oder wurde schon verwendet.
verify-ask-again = Neuen Code anfordern
notice-email-verified = Ihre E-Mail-Adresse ist bestätigt.
mail-verify-email-subject = Bestätigen Sie Ihre E-Mail-Adresse bei { $product }
mail-verify-email-body = Um zu bestätigen, dass { $email } Ihre Adresse ist, öffnen Sie den Link unten oder geben Sie den Code auf der Bestätigungsseite ein.
mail-verify-email-code = Ihr Code
mail-verify-email-button = Adresse bestätigen
mail-verify-email-expiry = Link und Code gelten einmal, { $hours } Stunden lang.
mail-verify-email-ignore = Wenn Sie kein Konto angelegt haben, ignorieren Sie diese Nachricht: Mit Ihrer Adresse geschieht nichts.
mail-signup-exists-subject = Jemand wollte sich mit Ihrer Adresse bei { $product } registrieren
mail-signup-exists-body = Jemand wollte ein neues Konto mit { $email } anlegen, aber Sie haben bereits eines.
mail-signup-exists-if-you = Wenn Sie das waren, melden Sie sich mit Ihrem Passwort an, oder setzen Sie es zurück, falls Sie es vergessen haben.
mail-signup-exists-button = Passwort zurücksetzen
mail-signup-exists-ignore = Wenn Sie es nicht waren, ignorieren Sie diese Nachricht: Es hat sich nichts geändert.

## Links from mails, new-device notice
link-invalid = Der Link ist abgelaufen oder wurde schon verwendet.
newdevice-title = Diese Anmeldung waren nicht Sie?
newdevice-text = Damit werden alle Geräte und Apps abgemeldet, die bei { $email } angemeldet sind, und Sie erhalten einen Link, um ein neues Passwort zu wählen.
newdevice-submit = Überall abmelden und Passwort zurücksetzen
newdevice-done-title = Alles ist abgemeldet
newdevice-done = Alle Sitzungen und Apps dieses Kontos wurden abgemeldet.
mail-new-device-subject = Neue Anmeldung bei Ihrem { $product }-Konto
mail-new-device-body = Ihr Konto wurde am { $when } von { $device } im Netz { $network } angemeldet.
mail-new-device-if-you = Wenn Sie das waren, ist nichts zu tun. Wenn nicht, melden Sie sich überall ab und wählen Sie ein neues Passwort:
mail-new-device-button = Das war ich nicht
mail-new-device-expiry = Der Link gilt einmal, { $days } Tage lang.

## Profile and address
profile-title = Profil
profile-intro = Apps, denen Sie Ihr Profil freigeben, erhalten diese Angaben. Alle Felder sind freiwillig.
profile-save = Profil speichern
profile-name = Vollständiger Name
profile-name-help = So, wie er angezeigt werden soll, z. B. Anna Beispiel.
profile-name-invalid = Der Name ist zu lang (höchstens 100 Zeichen) oder enthält Zeilenumbrüche.
profile-given-name = Vorname
profile-given-name-help = Ihr Vorname.
profile-given-name-invalid = Der Vorname ist zu lang (höchstens 100 Zeichen) oder enthält Zeilenumbrüche.
profile-family-name = Nachname
profile-family-name-help = Ihr Familienname.
profile-family-name-invalid = Der Nachname ist zu lang (höchstens 100 Zeichen) oder enthält Zeilenumbrüche.
profile-nickname = Spitzname
profile-nickname-help = Wie Sie gern genannt werden.
profile-nickname-invalid = Der Spitzname ist zu lang (höchstens 100 Zeichen) oder enthält Zeilenumbrüche.
profile-picture = Bild-URL
profile-picture-help = Eine https://-Adresse eines Bildes von Ihnen.
profile-picture-invalid = Geben Sie eine https://-Adresse ein, z. B. https://example.com/ich.png.
profile-locale = Sprache
profile-locale-help = Ein Sprach-Tag, z. B. en, de-CH oder fr-CA.
profile-locale-invalid = Geben Sie ein Sprach-Tag ein, z. B. en, de-CH oder fr-CA.
profile-zoneinfo = Zeitzone
profile-zoneinfo-help = Der Name einer Zeitzone, z. B. Europe/Berlin oder America/New_York.
profile-zoneinfo-invalid = Geben Sie den Namen einer Zeitzone ein, z. B. Europe/Berlin.
notice-profile-saved = Ihr Profil ist gespeichert.
email-verified = bestätigt
email-unverified = nicht bestätigt
email-verify-now = Jetzt bestätigen
email-change-new = Neue E-Mail-Adresse
email-change-help = Wir schicken einen Link an die neue Adresse; die Änderung gilt, sobald Sie ihn öffnen. Ihre bisherige Adresse wird benachrichtigt, mit einem Link zum Rückgängigmachen.
email-change-submit = Adresse ändern
email-change-same = Das ist bereits Ihre Adresse.
email-change-sent = Wir haben einen Bestätigungslink an { $email } geschickt. Ihre Adresse ändert sich, sobald Sie ihn öffnen.
email-change-confirm-title = Neue Adresse bestätigen
email-change-confirm = Die Adresse Ihres Kontos von { $old } zu { $new } ändern.
email-change-taken = Diese Adresse wurde inzwischen von einem anderen Konto registriert. Ihre Adresse bleibt unverändert.
notice-email-changed = Ihre E-Mail-Adresse wurde geändert.
email-revert-title = Adressänderung rückgängig machen
email-revert-text = Damit wird die Adresse Ihres Kontos von { $new } wieder auf { $old } gesetzt, alle Geräte und Apps werden abgemeldet, und Sie erhalten einen Link, um ein neues Passwort zu wählen.
email-revert-submit = Rückgängig machen und überall abmelden
email-revert-done-title = Ihre Adresse ist wiederhergestellt
email-revert-done = Alle Sitzungen und Apps dieses Kontos wurden abgemeldet.
mail-email-change-subject = Bestätigen Sie Ihre neue Adresse bei { $product }
mail-email-change-body = Jemand, der beim Konto { $old } angemeldet ist, möchte künftig { $new } als Adresse verwenden. Zum Bestätigen öffnen Sie diesen Link:
mail-email-change-button = Neue Adresse bestätigen
mail-email-change-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Es ändert sich nichts.
mail-email-changed-subject = Die Adresse Ihres { $product }-Kontos wurde geändert
mail-email-changed-body = Am { $when } wurde die Adresse Ihres Kontos von { $old } zu { $new } geändert.
mail-email-changed-not-you = Wenn Sie das nicht waren, machen Sie es rückgängig: Ihre Adresse wird wiederhergestellt, alle Sitzungen werden abgemeldet, und Sie können ein neues Passwort wählen.
mail-email-changed-button = Änderung rückgängig machen
mail-email-changed-expiry = Der Link gilt einmal, { $days } Tage lang.

## Deletion and export
account-data-heading = Ihre Daten
delete-title = Konto löschen
delete-intro = Wenn Sie { $email } löschen:
delete-what-signout = Alle Geräte und Apps werden sofort abgemeldet.
delete-what-grace = Das Konto wartet { $days } Tage; wenn Sie sich in dieser Zeit anmelden, können Sie die Löschung abbrechen.
delete-what-erase = Danach werden Ihr Konto und Ihre persönlichen Daten endgültig gelöscht.
delete-export-first = Vielleicht möchten Sie vorher eine Kopie Ihrer Daten.
delete-export = Meine Daten herunterladen (JSON)
delete-submit = Mein Konto löschen
delete-scheduled = Dieses Konto wird am { $when } gelöscht.
delete-cancel = Löschung abbrechen
notice-deletion-scheduled = Ihr Konto wird nach der Wartezeit gelöscht. Melden Sie sich vorher an, um das abzubrechen.
notice-deletion-cancelled = Die Löschung ist abgebrochen; Ihr Konto bleibt bestehen.
mail-deletion-subject = Ihr { $product }-Konto wird gelöscht
mail-deletion-body = Das Konto { $email } wird am { $when } mit seinen persönlichen Daten gelöscht.
mail-deletion-cancel = Um es zu behalten, melden Sie sich vorher an und brechen Sie die Löschung ab.
mail-deletion-button = Anmelden
recover-passkey-help = Dieses Konto hat einen Passkey: Bestätigen Sie das neue Passwort damit.
recover-passkey-submit = Mit meinem Passkey bestätigen und Passwort setzen
recover-passkey-needed = Bestätigen Sie zuerst mit Ihrem Passkey.

## Organizations
invite-title = Einladung
invite-what = Sie sind eingeladen, { $org } als { $role } beizutreten.
invite-roles = Mit den Rollen:
invite-accept = Einladung annehmen
invite-other = Diese Einladung gilt für { $email }. Melden Sie sich ab, öffnen Sie den Link erneut und melden Sie sich mit dieser Adresse an.
invite-signin = Für { $email } gibt es ein Konto: Melden Sie sich an, um anzunehmen.
invite-create = Wählen Sie ein Passwort für Ihr neues Konto { $email }.
invite-create-submit = Konto anlegen und beitreten
invite-invalid = Die Einladung ist abgelaufen, wurde schon verwendet oder gilt für eine andere Adresse.
notice-org-joined = Sie sind der Organisation beigetreten.
mail-invite-subject = Sie sind zu einer Organisation bei { $product } eingeladen
mail-invite-body = { $inviter } lädt Sie ein, { $org } beizutreten.
mail-invite-button = Einladung ansehen
mail-invite-expiry = Der Link gilt einmal, { $days } Tage lang.
mail-invite-ignore = Wenn Sie diese Organisation nicht kennen, ignorieren Sie diese Nachricht.
org-role-owner = Inhaber
org-role-admin = Administrator
org-role-member = Mitglied
pick-org-title = Organisation wählen
pick-org-intro = { $app } arbeitet in einer Ihrer Organisationen. In welcher?
orgs-title = Organisationen
orgs-name = Organisation
orgs-role = Ihre Rolle
orgs-leave = Verlassen
orgs-leave-label = { $org } verlassen
orgs-none = Sie gehören keiner Organisation an.
orgs-last-owner = Sie sind der letzte Inhaber: Machen Sie zuerst jemand anderen zum Inhaber.
notice-org-left = Sie haben die Organisation verlassen.
org-members = Mitglieder
org-roles = Rollen
org-groups = Gruppen
org-sections = Bereiche der Organisation
org-you-are = Sie sind { $role } dieser Organisation.
org-you = Sie
org-builtin-role = Rolle in der Organisation
org-builtin-role-of = Rolle von { $who } in der Organisation
org-no-roles = Keine Rollen
org-revoke-label = { $who } die Rolle { $role } entziehen
org-change = Ändern
org-grant-to = Rolle für { $who }
org-grant = Rolle vergeben
org-remove = Entfernen
org-remove-label = { $who } aus der Organisation entfernen
org-invite = Jemanden einladen
org-invite-help = Die Person erhält per E-Mail einen Link, der einmal und 7 Tage lang gilt.
org-invite-submit = Einladung senden
org-roles-help = Eine Rolle ist eine Menge von Berechtigungen für eine API. Rollen dieser Organisation gelten nur hier; globale Rollen überall.
org-role-name = Rolle
org-role-where = Gilt
org-role-own = In dieser Organisation
org-role-global = Überall
org-permissions = Berechtigungen
org-define-role = Rolle festlegen
org-name-help = Buchstaben, Ziffern und - _ . : (höchstens 64).
org-api = API
org-permissions-help = Namen von Berechtigungen dieser API, durch Leerzeichen getrennt. Sie können nur Berechtigungen aufnehmen, die Sie selbst haben. Verfügbar:
org-define-submit = Rolle festlegen
org-groups-help = Mitglieder einer Gruppe haben die Rollen der Gruppe in dieser Organisation.
org-remove-from-label = { $who } aus { $group } entfernen
org-no-members = Keine Mitglieder
org-add-to = Mitglied für { $group }
org-add = Hinzufügen
org-delete-group = Gruppe löschen
org-delete-group-label = Gruppe löschen: { $group }
org-no-groups = Noch keine Gruppen.
org-new-group = Neue Gruppe
org-group-name = Name der Gruppe
org-group-description = Beschreibung (optional)
org-new-group-submit = Gruppe anlegen
org-error-not-manager = Nur Inhaber und Administratoren können diese Organisation ändern.
org-error-own-roles = Niemand kann die eigenen Rollen ändern: Bitten Sie einen anderen Inhaber oder Administrator.
org-error-escalation = Administratoren können keine Inhaber ernennen oder ändern.
org-error-last-owner = Die Organisation braucht mindestens einen Inhaber: Machen Sie zuerst jemand anderen zum Inhaber.
org-error-permission = Sie können nur Berechtigungen vergeben, die Sie selbst haben.
org-error-invalid = Das wurde nicht angenommen: Prüfen Sie den Namen, die Adresse oder die Berechtigungen.
org-error-exists = Dieser Name ist in dieser Organisation schon vergeben.
org-error-not-found = In dieser Organisation nicht gefunden.
notice-org-saved = Gespeichert.
notice-org-invited = Die Einladung ist unterwegs.
consent-organization = In der Organisation { $org }.
consent-withheld = Nicht gewährt, weil Ihre Rollen sie nicht enthalten: { $scopes }

# Upstream identity providers (issue 21)
login-with = Weiter mit { $provider }
upstream-error-title = Problem beim Anmeldedienst
upstream-unreachable = { $provider } ist nicht erreichbar. Versuchen Sie es gleich noch einmal oder melden Sie sich anders an.
upstream-protocol = { $provider } hat unerwartet geantwortet. Versuchen Sie es noch einmal oder melden Sie sich anders an.
upstream-invalid = Die Antwort von { $provider } konnte nicht geprüft werden und wurde nicht verwendet. Versuchen Sie es noch einmal oder melden Sie sich anders an.
upstream-state-mismatch = Diese Anmeldung wurde nicht in diesem Browser begonnen oder schon verwendet. Beginnen Sie erneut auf der Anmeldeseite.
upstream-expired = Diese Anmeldung ist abgelaufen oder wurde schon verwendet. Beginnen Sie erneut auf der Anmeldeseite.
upstream-no-code = Der Anmeldedienst hat den Browser ohne Ergebnis zurückgeschickt. Beginnen Sie erneut auf der Anmeldeseite.
upstream-cancelled = Die Anmeldung mit { $provider } wurde abgebrochen oder abgelehnt.
upstream-claim-refused = Dieses { $provider }-Konto darf sich hier nicht anmelden.
upstream-linked-elsewhere = Dieses { $provider }-Konto ist hier schon mit einem anderen Konto verknüpft.
upstream-refuse-existing = Es gibt schon ein Konto mit dieser E-Mail-Adresse. Melden Sie sich mit Ihrem Passwort an und verknüpfen Sie { $provider } dann auf Ihrer Kontoseite.
upstream-refuse-unknown = Kein Konto hier ist mit diesem { $provider }-Konto verknüpft, und auf diesem Weg können keine neuen Konten angelegt werden.
upstream-refuse-untrusted = { $provider } hat für dieses Konto keine E-Mail-Adresse bestätigt, daher kann damit kein Konto angelegt werden. Legen Sie zuerst ein Konto an und verknüpfen Sie { $provider } dann auf Ihrer Kontoseite.
upstream-account-disabled = Dieses Konto kann sich nicht anmelden.
upstream-confirm-title = { $provider } mit Ihrem Konto verknüpfen
upstream-confirm-intro = Es gibt schon ein Konto mit der Adresse { $email }. Um sich künftig mit { $provider } anzumelden, bestätigen Sie, dass dieses Konto Ihnen gehört.
upstream-confirm-password = Passwort für { $email }
upstream-confirm-submit = { $provider } verknüpfen und anmelden
upstream-confirm-no-password = Dieses Konto meldet sich ohne Passwort an. Melden Sie sich wie gewohnt an und verknüpfen Sie { $provider } dann auf Ihrer Kontoseite.
identities-title = Anmeldung über andere Dienste
identities-intro = Konten bei anderen Diensten, die sich bei diesem Konto anmelden können.
identities-provider = Dienst
identities-linked = Verknüpft
identities-last-used = Zuletzt verwendet
identities-unlink = Trennen
identities-unlink-label = { $provider } ({ $email }) trennen
identities-none = Keine anderen Dienste verknüpft.
identities-link-heading = Weiteren verknüpfen
identities-link = { $provider } verknüpfen
identities-last = Das ist der einzige Weg, sich bei diesem Konto anzumelden: Legen Sie zuerst ein Passwort oder einen Passkey an.
notice-identity-linked = Der Dienst wurde verknüpft.
notice-identity-unlinked = Der Dienst wurde getrennt; von ihm aufbewahrte Tokens wurden gelöscht.
