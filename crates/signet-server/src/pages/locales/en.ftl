# Signet's pages, English (the reference catalog: every other catalog has exactly these keys).

## Shared
skip-to-content = Skip to content
nav-label = Account
nav-account = Account
nav-sign-out = Sign out
footer-language = Language
footer-support = Help
footer-terms = Terms
footer-privacy = Privacy
field-email = Email
field-password = Password
continue = Continue
cancel = Cancel
allow = Allow
deny = Deny
verify = Verify
remove = Remove
action = Action
actions = Actions
off = off
back-to-account = Back to your account
message-home = Go to the start page
never = Never
just-now = just now
minutes-ago = { $n ->
    [one] 1 minute ago
   *[other] { $n } minutes ago
}
hours-ago = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
duration-minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
duration-seconds = { $n ->
    [one] 1 second
   *[other] { $n } seconds
}
passkey-cancelled = The passkey request was cancelled or timed out.
passkey-failed = Something went wrong. Try again.
passkey-sign-in-failed = Passkey sign-in failed. Try again, or use another way to sign in.
passkey-expired = This passkey request expired. Try again.
passkey-not-registered = The passkey could not be registered.
passkey-already-registered = This passkey is already registered.
passkey-password-first = Sign in with your password first.
passkey-none-on-account = This account has no passkey.
passkey-unavailable = Passkeys are not available on this server: its address is not a domain name.

## Sign in
login-title = Sign in
login-continue-to = Sign in to continue to { $app }.
login-submit = Sign in
login-or = or
login-passkey = Sign in with a passkey
login-new-here = New here?
login-create-account = Create an account
login-cant-sign-in = Can’t sign in?
login-locked-passkey = You can still sign in with a passkey.
login-incorrect = Incorrect email or password.
login-incorrect-left = { $n ->
    [one] Incorrect email or password. 1 attempt left before sign-in is paused.
   *[other] Incorrect email or password. { $n } attempts left before sign-in is paused.
}
login-incorrect-paused = Incorrect email or password. Sign-in for this account is now paused for a while.
login-locked = Too many sign-in attempts for this account. Try again in { $time }.
notice-signed-out = You have signed out.
notice-signed-out-everywhere = You have signed out on every device.
notice-mfa-expired = That sign-in took too long. Please sign in again.
notice-reauth = For your security, confirm it’s you to continue.

## Sign-in help
help-title = Can’t sign in?
help-password-heading = Forgot your password
help-password-body = Choose a new password with a link sent to your email address. { $product } cannot send you your old one: it is stored only in a form nobody can read back.
help-locked-heading = Sign-in paused
help-locked-body = After several wrong passwords, sign-in for the account pauses for up to { $minutes } minutes, then works again by itself. The browser you usually sign in with is not paused by guesses from elsewhere.
help-locked-passkey = A passkey still works while sign-in is paused.
help-factor-heading = Lost your phone or passkey
help-factor-body = Use one of your backup codes on the two-step verification page. If you have none left, the people who run this service can remove your second factors after checking who you are.
help-operator-heading = Who can help
help-operator-body = The people who run this service can set a new password, re-enable an account or remove lost second factors.
help-contact-support = Contact support
help-back-to-sign-in = Back to sign in

## Sign up
signup-title = Create an account
signup-submit = Create account
signup-password-help = At least { $min } characters. A passphrase of a few unrelated words works well; very common passwords are refused.
signup-have-account = Already have an account?
signup-sign-in = Sign in
signup-sign-in-instead = Sign in instead.
signup-closed = Sign-up is closed on this server. Ask an administrator for an account.
signup-exists = An account with this email already exists.
signup-invalid-email = Enter a valid email address, like name@example.com.

## Password
password-title = Change password
password-current = Current password
password-new = New password
password-new-help = At least { $min } characters. Changing it signs you out on every other device.
password-submit = Change password
password-wrong-current = Your current password is incorrect.
password-too-short = Password must be at least { $min } characters long.
password-too-long = Password must be at most { $max } characters long.
password-too-common = This password is too common and easy to guess. Choose another.
password-same-as-email = Password must not be the same as your email address.

## Account
account-title = Your account
account-role = Role
account-role-admin = Administrator
account-member-since = Member since
account-backup-used = A backup code was used to sign in on { $when }.
account-review-security = Review your security settings.
account-security-link = Two-step verification and passkeys
notice-password-changed = Your password was changed. Every other session was signed out.
notice-session-revoked = That session was signed out.
notice-app-revoked = The app’s access was withdrawn.
apps-heading = Connected apps
apps-app = App
apps-access = Access
apps-allowed = Allowed
apps-remove = Remove access
apps-remove-label = Remove access for { $app }
apps-none = No apps have access to your account.
apps-deleted = (deleted app)
sessions-heading = Active sessions
sessions-device = Device
sessions-ip = IP address
sessions-signed-in = Signed in
sessions-last-seen = Last seen
sessions-this = This session
sessions-sign-out-this = Sign out this session
sessions-sign-out-device = Sign out session on { $device }
sessions-sign-out-everywhere = Sign out everywhere
device-unknown = Unknown device
device-browser-on = { $browser } on { $os }
device-browser-on-unknown = Browser on { $os }

## Scopes, in plain words
scope-openid = Confirm who you are (your account id)
scope-profile = See your basic profile
scope-email = See your email address
scope-offline_access = Stay connected when you are not using it
scope-other = Access “{ $scope }”
scope-none = Know that you have an account here

## Consent
consent-homepage = Home page:
consent-title = Allow access?
consent-heading = Allow { $app } to access your account?
consent-signed-in-as = Signed in as
consent-third-party = { $app } is not run by { $product }. Allow it only if you trust it.
consent-would-like = { $app } would like to:
consent-return-to = You will be sent back to { $host }. You can withdraw access later under “Connected apps” on your account page.

## Sign out (asked by an app)
logout-title = Sign out?
logout-heading = Sign out of { $product }?
logout-signed-in-as = You are signed in as
logout-asked = An application asked to sign you out.
logout-asked-by = { $app } asked to sign you out.
logout-stay = Stay signed in
logout-done-title = Signed out
logout-done = You have signed out of { $product }.

## Devices (RFC 8628)
device-title = Connect a device
device-code-label = Code shown on your device
device-confirm-heading = Connect { $app }?
device-confirm-code = Only continue if this code is shown on a device you are using right now:
device-bad-code = That code is not valid or has expired. Check the code on your device.
device-answered = This request was already answered.
device-connected-title = Device connected
device-connected = { $app } is now connected. You can return to your device.
device-denied-title = Request denied
device-denied = { $app } was not given access.

## Two-step verification at sign-in
second-factor-title = Two-step verification
second-factor-signing-in-as = Signing in as
second-factor-passkey-intro = Use your passkey (security key, phone or this device).
second-factor-passkey = Use a passkey
second-factor-totp-label = Code from your authenticator app
second-factor-use-backup = Use a backup code
second-factor-backup-label = Backup code
second-factor-backup-help = Each backup code works once.
second-factor-cancel = Cancel and sign in again
second-factor-replayed = That code was already used. Wait for the next one and try again.
second-factor-bad-backup = That backup code is not valid or was already used.
second-factor-bad-totp = That code is not correct. Check your authenticator app and try again.

## Security settings
security-title = Security
security-intro = Two-step verification asks for a second proof after your password, so a stolen password alone cannot open your account.
security-backup-used = A backup code was used to sign in on { $when }. { $left } left. If this wasn’t you, change your password.
notice-totp-on = Two-step verification with your authenticator app is on.
notice-totp-off = Your authenticator app was removed.
notice-passkey-added = Your passkey was added.
notice-passkey-removed = The passkey was removed.
notice-passkey-renamed = The passkey was renamed.
notice-mfa-required = The app you are signing in to requires two-step verification. Set it up to continue.
passkeys-heading = Passkeys
passkeys-intro = Sign in with your fingerprint, face, screen lock or security key instead of a password.
passkeys-name = Name
passkeys-added = Added
passkeys-last-used = Last used
passkeys-synced = Synced
passkeys-new-name = New name for { $name }
passkeys-rename = Rename
passkeys-remove-label = Remove passkey { $name }
passkeys-none = You have no passkeys.
passkeys-add = Add a passkey
passkeys-need-js = Adding a passkey needs JavaScript in this browser.
passkey-default-name = Passkey
totp-heading = Authenticator app
totp-on = On since { $since }.
totp-on-used = On since { $since }, last used { $used }.
totp-off = Off. Use an app on your phone that shows a new six-digit code every 30 seconds.
totp-remove = Remove authenticator app
totp-set-up = Set up authenticator app
totp-setup-title = Set up your authenticator app
totp-setup-step1 = Open an authenticator app (for example Google Authenticator, Microsoft Authenticator, 1Password or Aegis).
totp-setup-step2 = Scan this code, or enter the key below by hand.
totp-setup-step3 = Enter the six-digit code the app shows.
totp-setup-qr-alt = QR code for your authenticator app. If you cannot scan it, enter the key shown below.
totp-setup-key = Key:
totp-setup-link = Setup link
totp-setup-open-app = Open in an authenticator app on this device
totp-setup-code-label = Code from the app
totp-setup-submit = Turn on
totp-setup-wrong = That code is not correct. Check the time on your phone and enter the current code.
factor-needed-first = Set up an authenticator app or a passkey first.
backup-heading = Backup codes
backup-remaining = { $left } of 10 backup codes left.
backup-none = You have no backup codes. Get a set, so you can still sign in if you lose your phone or passkey.
backup-get = Get backup codes
backup-get-new = Get new backup codes
backup-replace = New codes replace all earlier ones.
backup-codes-title = Your backup codes
backup-codes-intro = If you lose your phone or passkey, each of these codes signs you in once. Keep them somewhere safe, such as a password manager.
backup-codes-once = They are shown only now.
backup-codes-old-void = Any earlier codes no longer work.
backup-codes-download = Download (.txt)
backup-codes-copy = Copy
backup-codes-copied = Copied.
backup-codes-print = Print
backup-codes-continue = Continue
backup-codes-file-heading = { $product } backup codes for { $email }. Each works once.

## Errors
error-bad-request = Bad request
error-forbidden = Forbidden
error-not-found = Not found
error-not-found-body = There is no page at this address.
error-too-large = Request too large
error-too-large-body = The submitted form was too large.
error-too-many = Too many attempts
error-too-many-body = Too many attempts. Try again in { $time }.
error-busy = Busy
error-busy-body = The server is busy. Please try again in a moment.
error-unexpected = Something went wrong
error-unexpected-body = An unexpected error occurred. Reference: { $id }
error-csrf = This form has expired or was not sent from this site. Go back, reload the page and try again.
error-nul = The link contains a NUL character and cannot be used.
error-no-client-id = The application did not say who it is (client_id is missing).
error-unknown-client = This application is not registered with this server.
error-no-redirect-uri = The application did not say where to return (redirect_uri is missing).
error-redirect-mismatch = The return address does not match the ones registered for this application.
error-localhost-redirect = This application’s return address (http://localhost) is allowed only on a development server.
error-request-expired = This sign-in request has expired. Go back to the application and start again.
error-request-other-session = This sign-in request was not started in this browser session. Go back to the application and start again.
error-bad-id-token-hint = The sign-out request carries an invalid ID token.
error-post-logout-mismatch = The return address is not registered for this application.
error-hint-client-mismatch = client_id does not match the ID token.
error-logout-needs-client = A return address needs client_id or id_token_hint to say which application asks.
form-post-title = Returning to the application
form-post-noscript = Scripts are off. Press the button to return to the application.

## Mail
mail-footer = This message was sent by { $product }. You cannot reply to it.
mail-test-subject = Test message from { $product }
mail-test-body = If you can read this, { $product } can send mail: verification, recovery and security notices will reach your users.
mail-test-button = It works

## Password recovery
login-forgot = Forgot password?
notice-password-reset = Your password was changed, and every session was signed out. Sign in with the new password.
recover-title = Reset your password
recover-intro = Enter the email address of your account. We will send you a link to choose a new password.
recover-send = Send the link
recover-sent-title = Check your inbox
recover-sent = If an account exists for { $email }, we have sent it a link to choose a new password.
recover-sent-help = The link works once, for 15 minutes. No mail? Check your spam folder, or ask again in a few minutes.
recover-reset-title = Choose a new password
recover-reset-for = For
recover-reset-help = At least { $min } characters. Every session of this account is signed out afterwards.
recover-code-label = Code from your authenticator app, or a backup code
recover-code-help = This account has two-step verification: the link alone is not enough.
recover-bad-code = That code is not correct.
recover-use-passkey = This account signs in with a passkey: sign in with it, then change your password on your account page.
recover-reset-submit = Set the new password
recover-invalid-title = This link does not work
recover-invalid = The link has expired, was already used, or the password was changed since it was sent.
recover-again = Ask for a new link
mail-password-reset-subject = Reset your { $product } password
mail-password-reset-body = Someone asked to reset the password of the { $product } account { $email }. To choose a new password, open this link:
mail-password-reset-button = Choose a new password
mail-password-reset-expiry = The link works once, for { $minutes } minutes.
mail-password-reset-ignore = If you did not ask for this, ignore this message: your password stays as it is.
mail-password-changed-subject = Your { $product } password was changed
mail-password-changed-body = The password of your { $product } account was changed on { $when } ({ $device }, { $ip }), and every session was signed out.
mail-password-changed-not-you = If this was not you, reset your password at once and contact the people who run this service.

## Verifying an address
verify-title = Verify your email address
verify-check-inbox = Check your inbox
verify-sent = We have sent a message to { $email }. Open the link in it, or type its code here.
verify-required = Before you can sign in, verify your email address: open the link we have just sent, or type its code here.
verify-intro = Type the address of your account and the code from our message, or open the link in it.
verify-code-label = Code
verify-code-help = The { $digits } digits from the message. It works once, for 24 hours.
verify-submit = Verify
verify-no-mail = No message?
verify-resend = Send a new code
verify-later = You can also verify later.
verify-bad-code = That code is not correct, or it has expired.
verify-confirm-title = Confirm your email address
verify-confirm = Confirm that { $email } is your address.
verify-confirm-submit = Confirm
verify-invalid = The link has expired or was already used.
verify-ask-again = Ask for a new code
notice-email-verified = Your email address is verified.
mail-verify-email-subject = Verify your { $product } email address
mail-verify-email-body = To confirm that { $email } is your address, open the link below or type the code on the verification page.
mail-verify-email-code = Your code
mail-verify-email-button = Verify my address
mail-verify-email-expiry = The link and the code work once, for { $hours } hours.
mail-verify-email-ignore = If you did not create an account, ignore this message: nothing will be done with your address.
mail-signup-exists-subject = Someone tried to sign up to { $product } with your address
mail-signup-exists-body = Someone tried to create a new account with { $email }, but you already have one.
mail-signup-exists-if-you = If that was you, sign in with your password, or reset it if you have forgotten it.
mail-signup-exists-button = Reset my password
mail-signup-exists-ignore = If it was not you, ignore this message: nothing has changed.

## Links from mails, new-device notice
link-invalid = The link has expired or was already used.
newdevice-title = This sign-in was not you?
newdevice-text = This signs out every device and app signed in to { $email } and sends a link to choose a new password.
newdevice-submit = Sign out everywhere and reset my password
newdevice-done-title = Everything is signed out
newdevice-done = Every session and app of this account has been signed out.
mail-new-device-subject = New sign-in to your { $product } account
mail-new-device-body = Your account was signed in to on { $when } from { $device }, on the network { $network }.
mail-new-device-if-you = If this was you, there is nothing to do. If not, sign out everywhere and choose a new password:
mail-new-device-button = This wasn't me
mail-new-device-expiry = The link works once, for { $days } days.

## Profile and address
profile-title = Profile
profile-intro = Apps you allow to see your profile receive these details. Every field is optional.
profile-save = Save profile
profile-name = Full name
profile-name-help = As you want it shown, e.g. Ann Example.
profile-name-invalid = The name is too long (at most 100 characters) or has line breaks.
profile-given-name = Given name
profile-given-name-help = Your first name.
profile-given-name-invalid = The given name is too long (at most 100 characters) or has line breaks.
profile-family-name = Family name
profile-family-name-help = Your surname.
profile-family-name-invalid = The family name is too long (at most 100 characters) or has line breaks.
profile-nickname = Nickname
profile-nickname-help = What you like to be called.
profile-nickname-invalid = The nickname is too long (at most 100 characters) or has line breaks.
profile-picture = Picture URL
profile-picture-help = An https:// address of an image of you.
profile-picture-invalid = Enter an https:// address, like https://example.com/me.png.
profile-locale = Language
profile-locale-help = A language tag, like en, de-CH or fr-CA.
profile-locale-invalid = Enter a language tag, like en, de-CH or fr-CA.
profile-zoneinfo = Time zone
profile-zoneinfo-help = A time-zone name, like Europe/Paris or America/New_York.
profile-zoneinfo-invalid = Enter a time-zone name, like Europe/Paris.
notice-profile-saved = Your profile is saved.
email-verified = verified
email-unverified = not verified
email-verify-now = Verify it now
email-change-new = New email address
email-change-help = We send a link to the new address; the change happens when you open it. Your current address is told, with a link to undo it.
email-change-submit = Change address
email-change-same = That is already your address.
email-change-sent = We have sent a confirmation link to { $email }. Your address changes when you open it.
email-change-confirm-title = Confirm your new address
email-change-confirm = Change the address of your account from { $old } to { $new }.
email-change-taken = That address has been registered by another account in the meantime. Your address is unchanged.
notice-email-changed = Your email address has changed.
email-revert-title = Undo the change of address
email-revert-text = This changes the address of your account back from { $new } to { $old }, signs out every device and app, and sends a link to choose a new password.
email-revert-submit = Undo and sign out everywhere
email-revert-done-title = Your address is restored
email-revert-done = Every session and app of this account has been signed out.
mail-email-change-subject = Confirm your new { $product } address
mail-email-change-body = Someone signed in to the account { $old } asked to use { $new } as its address from now on. To confirm, open this link:
mail-email-change-button = Confirm the new address
mail-email-change-ignore = If you did not ask for this, ignore this message: nothing will change.
mail-email-changed-subject = The address of your { $product } account was changed
mail-email-changed-body = On { $when } the address of your account was changed from { $old } to { $new }.
mail-email-changed-not-you = If this was not you, undo it: your address comes back, every session is signed out, and you can choose a new password.
mail-email-changed-button = Undo this change
mail-email-changed-expiry = The link works once, for { $days } days.

## Deletion and export
account-data-heading = Your data
delete-title = Delete account
delete-intro = Deleting { $email } means:
delete-what-signout = Every device and app is signed out at once.
delete-what-grace = The account waits { $days } days; signing in during that time lets you cancel.
delete-what-erase = Then your account and personal data are erased for good.
delete-export-first = You may want a copy of your data first.
delete-export = Download my data (JSON)
delete-submit = Delete my account
delete-scheduled = This account will be deleted on { $when }.
delete-cancel = Cancel the deletion
notice-deletion-scheduled = Your account will be deleted after the waiting period. Sign in before then to cancel.
notice-deletion-cancelled = The deletion is cancelled; your account stays.
mail-deletion-subject = Your { $product } account will be deleted
mail-deletion-body = The account { $email } will be deleted on { $when }, with its personal data.
mail-deletion-cancel = To keep it, sign in before then and cancel the deletion.
mail-deletion-button = Sign in
recover-passkey-help = This account has a passkey: after choosing the new password, confirm with it.
recover-passkey-submit = Confirm with my passkey and set the password
recover-passkey-needed = Confirm with your passkey first.

## Organizations
invite-title = Invitation
invite-what = You are invited to join { $org } as { $role }.
invite-roles = With the roles:
invite-accept = Accept the invitation
invite-other = This invitation is for { $email }. Sign out, then open the link again and sign in with that address.
invite-signin = { $email } has an account: sign in to accept.
invite-create = Choose a password for your new account { $email }.
invite-create-submit = Create the account and join
invite-invalid = The invitation has expired, was already used, or is for another address.
notice-org-joined = You have joined the organization.
mail-invite-subject = You are invited to an organization on { $product }
mail-invite-body = { $inviter } invites you to join { $org }.
mail-invite-button = See the invitation
mail-invite-expiry = The link works once, for { $days } days.
mail-invite-ignore = If you do not know this organization, ignore this message.
org-role-owner = owner
org-role-admin = administrator
org-role-member = member
pick-org-title = Choose an organization
pick-org-intro = { $app } works inside one of your organizations. Which one?
orgs-title = Organizations
orgs-name = Organization
orgs-role = Your role
orgs-leave = Leave
orgs-leave-label = Leave { $org }
orgs-none = You do not belong to any organization.
orgs-last-owner = You are its last owner: make someone else an owner first.
notice-org-left = You have left the organization.
org-members = Members
org-roles = Roles
org-groups = Groups
org-sections = Organization sections
org-you-are = You are { $role } of this organization.
org-you = you
org-builtin-role = Organization role
org-builtin-role-of = Organization role of { $who }
org-no-roles = No roles
org-revoke-label = Take { $role } away from { $who }
org-change = Change
org-grant-to = Role to give { $who }
org-grant = Give role
org-remove = Remove
org-remove-label = Remove { $who } from the organization
org-invite = Invite someone
org-invite-help = They get a link by e-mail that works once, for 7 days.
org-invite-submit = Send the invitation
org-roles-help = A role is a set of permissions on an API. This organization's roles apply here only; global roles apply everywhere.
org-role-name = Role
org-role-where = Applies
org-role-own = In this organization
org-role-global = Everywhere
org-permissions = Permissions
org-define-role = Define a role
org-name-help = Letters, digits and - _ . : (at most 64).
org-api = API
org-permissions-help = Permission names of that API, separated by spaces. You can only include permissions you hold yourself. Available:
org-define-submit = Define the role
org-groups-help = Members of a group hold the group's roles in this organization.
org-remove-from-label = Remove { $who } from { $group }
org-no-members = No members
org-add-to = Member to add to { $group }
org-add = Add
org-delete-group = Delete the group
org-delete-group-label = Delete the group { $group }
org-no-groups = No groups yet.
org-new-group = New group
org-group-name = Group name
org-group-description = Description (optional)
org-new-group-submit = Create the group
org-error-not-manager = Only owners and administrators can change this organization.
org-error-own-roles = Nobody can change their own roles: ask another owner or administrator.
org-error-escalation = Administrators cannot make or change owners.
org-error-last-owner = The organization needs at least one owner: make someone else an owner first.
org-error-permission = You can only give permissions you hold yourself.
org-error-invalid = That was not accepted: check the name, the address or the permissions.
org-error-exists = That name is already taken in this organization.
org-error-not-found = Not found in this organization.
notice-org-saved = Saved.
notice-org-invited = The invitation is on its way.
consent-organization = In the organization { $org }.
consent-withheld = Not granted, because your roles do not include them: { $scopes }

# Upstream identity providers (issue 21)
login-with = Continue with { $provider }
upstream-error-title = Sign-in provider problem
upstream-unreachable = { $provider } could not be reached. Try again in a moment, or sign in another way.
upstream-protocol = { $provider } answered in a way this server does not understand. Try again, or sign in another way.
upstream-invalid = The answer from { $provider } could not be verified, so it was not used. Try again, or sign in another way.
upstream-state-mismatch = This sign-in was not started in this browser, or it was already used. Start again from the sign-in page.
upstream-expired = This sign-in has expired or was already used. Start again from the sign-in page.
upstream-no-code = The sign-in provider sent the browser back without a result. Start again from the sign-in page.
upstream-cancelled = Signing in with { $provider } was cancelled or refused.
upstream-claim-refused = This { $provider } account is not allowed to sign in here.
upstream-linked-elsewhere = This { $provider } account is already linked to another account here.
upstream-refuse-existing = An account with this e-mail address already exists. Sign in with your password, then link { $provider } from your account page.
upstream-refuse-unknown = No account here is linked to this { $provider } account, and new accounts cannot be created this way.
upstream-refuse-untrusted = { $provider } did not confirm an e-mail address for this account, so no account can be created with it. Create an account first, then link { $provider } from your account page.
upstream-account-disabled = This account cannot sign in.
upstream-confirm-title = Link { $provider } to your account
upstream-confirm-intro = An account with the address { $email } already exists. To sign in with { $provider } from now on, prove that this account is yours.
upstream-confirm-password = Password for { $email }
upstream-confirm-submit = Link { $provider } and sign in
upstream-confirm-no-password = This account signs in without a password. Sign in the way you usually do, then link { $provider } from your account page.
identities-title = Sign-in with other providers
identities-intro = Accounts at other providers that can sign in to this account.
identities-provider = Provider
identities-linked = Linked
identities-last-used = Last used
identities-unlink = Unlink
identities-unlink-label = Unlink { $provider } ({ $email })
identities-none = No other providers are linked.
identities-link-heading = Link another
identities-link = Link { $provider }
identities-last = This is the account’s only way to sign in: set a password or add a passkey before unlinking it.
notice-identity-linked = The provider was linked.
notice-identity-unlinked = The provider was unlinked, and any tokens kept from it were deleted.
