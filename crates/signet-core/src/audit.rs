//! Audit event kinds. Stored as their snake_case names.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    LoginSuccess,
    LoginFailure,
    Logout,
    LogoutEverywhere,
    PasswordChange,
    SessionRevoke,
    Lockout,
    UserCreate,
    UserDisable,
    UserEnable,
    PasswordRehash,
    UserImport,
    RefreshTokenReuseDetected,
    ClientCreate,
    ClientDelete,
    ClientSecretRotate,
    KeyRotate,
    KeyRevoke,
    AuthorizationCodeReplay,
    ConsentGrant,
    ConsentRevoke,
    MfaEnroll,
    MfaRemove,
    BackupCodesRegenerate,
    BackupCodeUsed,
    PasskeyRegister,
    PasskeyRemove,
    PasskeyRename,
    /// A passkey's signature counter went backwards: possibly a cloned authenticator.
    PasskeyCounterRegression,
    DeviceApprove,
    DeviceDeny,
    /// A client revoked a token (RFC 7009).
    TokenRevoke,
    /// A recovery link was mailed to an account (requests for unknown addresses leave nothing).
    PasswordResetRequest,
    /// A password was set through a recovery link.
    PasswordReset,
    /// An address was proven (link or code).
    EmailVerified,
    /// Someone tried to sign up with a registered address (its owner was told).
    SignupExisting,
    /// Profile claims changed.
    ProfileUpdate,
    /// A change of address was asked for (a link went to the new address).
    EmailChangeRequest,
    /// The address changed (confirmed at the new address).
    EmailChange,
    /// A change of address was undone from the old address; every session ended.
    EmailChangeRevert,
    /// A sign-in from a new browser on a new network was mailed to the owner.
    NewDeviceNotice,
    /// The owner said a sign-in was not theirs: every session ended, recovery started.
    NotMe,
    /// The owner asked for the account to be deleted (after the grace period).
    DeletionRequest,
    /// A scheduled deletion was cancelled.
    DeletionCancel,
    /// An account was erased after its grace period.
    UserErase,
    /// The owner downloaded their data.
    DataExport,
    /// An organization was created.
    OrgCreate,
    /// An organization was deleted.
    OrgDelete,
    /// A member was added to an organization or their built-in role changed.
    OrgMemberSet,
    /// A member left or was removed from an organization.
    OrgMemberRemove,
    /// An API (resource server) was registered.
    ApiCreate,
    /// An API got a new permission.
    ApiPermissionAdd,
    /// A role was defined.
    RoleCreate,
    /// A user was given a role.
    RoleGrant,
    /// A user's role was taken away.
    RoleRevoke,
    /// A role was deleted (and with it every assignment of it).
    RoleDelete,
    /// A client was granted API permissions for its own tokens.
    ClientGrant,
    /// Someone was invited to an organization.
    OrgInvite,
    /// A group was created in an organization.
    GroupCreate,
    /// A group was deleted.
    GroupDelete,
    /// A member was added to or removed from a group.
    GroupMemberSet,
    /// A group was given a role or had one taken away.
    GroupRoleSet,
    /// An organization's settings changed (its verified domains).
    OrgUpdate,
    /// An upstream identity provider was added (detail: slug, preset, issuer).
    IdpAdd,
    /// An upstream identity provider was removed.
    IdpRemove,
    /// An upstream identity was linked to an account (detail: provider, how).
    IdentityLink,
    /// An upstream identity was unlinked (its stored upstream tokens forgotten).
    IdentityUnlink,
    /// A sign-in through an upstream identity provider was refused (detail: provider, why).
    UpstreamRefused,
    /// A client obtained an upstream access token from the vault (RFC 8693 token exchange).
    UpstreamTokenExchange,
    /// An administrator changed an account's flags (detail: target and before/after).
    UserUpdate,
    /// An administrator changed a client's registration (detail: target and before/after).
    ClientUpdate,
    /// A replaced client secret's overlap ended: it no longer authenticates.
    ClientSecretExpire,
    /// The admin API answered a read (detail: the operator's target, the path and query).
    AdminRead,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSuccess => "login_success",
            Self::LoginFailure => "login_failure",
            Self::Logout => "logout",
            Self::LogoutEverywhere => "logout_everywhere",
            Self::PasswordChange => "password_change",
            Self::SessionRevoke => "session_revoke",
            Self::Lockout => "lockout",
            Self::UserCreate => "user_create",
            Self::UserDisable => "user_disable",
            Self::UserEnable => "user_enable",
            Self::PasswordRehash => "password_rehash",
            Self::UserImport => "user_import",
            Self::RefreshTokenReuseDetected => "refresh_token_reuse_detected",
            Self::ClientCreate => "client_create",
            Self::ClientDelete => "client_delete",
            Self::ClientSecretRotate => "client_secret_rotate",
            Self::KeyRotate => "key_rotate",
            Self::KeyRevoke => "key_revoke",
            Self::AuthorizationCodeReplay => "authorization_code_replay",
            Self::ConsentGrant => "consent_grant",
            Self::ConsentRevoke => "consent_revoke",
            Self::MfaEnroll => "mfa_enroll",
            Self::MfaRemove => "mfa_remove",
            Self::BackupCodesRegenerate => "backup_codes_regenerate",
            Self::BackupCodeUsed => "backup_code_used",
            Self::PasskeyRegister => "passkey_register",
            Self::PasskeyRemove => "passkey_remove",
            Self::PasskeyRename => "passkey_rename",
            Self::PasskeyCounterRegression => "passkey_counter_regression",
            Self::DeviceApprove => "device_approve",
            Self::DeviceDeny => "device_deny",
            Self::TokenRevoke => "token_revoke",
            Self::PasswordResetRequest => "password_reset_request",
            Self::PasswordReset => "password_reset",
            Self::EmailVerified => "email_verified",
            Self::SignupExisting => "signup_existing",
            Self::ProfileUpdate => "profile_update",
            Self::EmailChangeRequest => "email_change_request",
            Self::EmailChange => "email_change",
            Self::EmailChangeRevert => "email_change_revert",
            Self::NewDeviceNotice => "new_device_notice",
            Self::NotMe => "not_me",
            Self::DeletionRequest => "deletion_request",
            Self::DeletionCancel => "deletion_cancel",
            Self::UserErase => "user_erase",
            Self::DataExport => "data_export",
            Self::OrgCreate => "org_create",
            Self::OrgDelete => "org_delete",
            Self::OrgMemberSet => "org_member_set",
            Self::OrgMemberRemove => "org_member_remove",
            Self::ApiCreate => "api_create",
            Self::ApiPermissionAdd => "api_permission_add",
            Self::RoleCreate => "role_create",
            Self::RoleGrant => "role_grant",
            Self::RoleRevoke => "role_revoke",
            Self::RoleDelete => "role_delete",
            Self::ClientGrant => "client_grant",
            Self::OrgInvite => "org_invite",
            Self::GroupCreate => "group_create",
            Self::GroupDelete => "group_delete",
            Self::GroupMemberSet => "group_member_set",
            Self::GroupRoleSet => "group_role_set",
            Self::OrgUpdate => "org_update",
            Self::IdpAdd => "idp_add",
            Self::IdpRemove => "idp_remove",
            Self::IdentityLink => "identity_link",
            Self::IdentityUnlink => "identity_unlink",
            Self::UpstreamRefused => "upstream_refused",
            Self::UpstreamTokenExchange => "upstream_token_exchange",
            Self::UserUpdate => "user_update",
            Self::ClientUpdate => "client_update",
            Self::ClientSecretExpire => "client_secret_expire",
            Self::AdminRead => "admin_read",
        }
    }
}

/// Why a login failed, recorded in the audit log (never the password itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    UnknownUser,
    BadPassword,
    Disabled,
    RateLimited,
    BadSecondFactor,
    ReplayedSecondFactor,
}

impl LoginFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown_user",
            Self::BadPassword => "bad_password",
            Self::Disabled => "disabled",
            Self::RateLimited => "rate_limited",
            Self::BadSecondFactor => "bad_second_factor",
            Self::ReplayedSecondFactor => "replayed_second_factor",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are stored in the audit log and read by operators' tooling: they never change
    /// and never collide.
    #[test]
    fn audit_names_are_stable() {
        use AuditKind::*;
        let kinds = [
            (LoginSuccess, "login_success"),
            (LoginFailure, "login_failure"),
            (Logout, "logout"),
            (LogoutEverywhere, "logout_everywhere"),
            (PasswordChange, "password_change"),
            (SessionRevoke, "session_revoke"),
            (Lockout, "lockout"),
            (UserCreate, "user_create"),
            (UserDisable, "user_disable"),
            (UserEnable, "user_enable"),
            (PasswordRehash, "password_rehash"),
            (UserImport, "user_import"),
            (RefreshTokenReuseDetected, "refresh_token_reuse_detected"),
            (ClientCreate, "client_create"),
            (ClientDelete, "client_delete"),
            (ClientSecretRotate, "client_secret_rotate"),
            (KeyRotate, "key_rotate"),
            (KeyRevoke, "key_revoke"),
            (AuthorizationCodeReplay, "authorization_code_replay"),
            (ConsentGrant, "consent_grant"),
            (ConsentRevoke, "consent_revoke"),
            (MfaEnroll, "mfa_enroll"),
            (MfaRemove, "mfa_remove"),
            (BackupCodesRegenerate, "backup_codes_regenerate"),
            (BackupCodeUsed, "backup_code_used"),
            (PasskeyRegister, "passkey_register"),
            (PasskeyRemove, "passkey_remove"),
            (PasskeyRename, "passkey_rename"),
            (PasskeyCounterRegression, "passkey_counter_regression"),
            (DeviceApprove, "device_approve"),
            (DeviceDeny, "device_deny"),
            (TokenRevoke, "token_revoke"),
            (PasswordResetRequest, "password_reset_request"),
            (PasswordReset, "password_reset"),
            (EmailVerified, "email_verified"),
            (SignupExisting, "signup_existing"),
            (ProfileUpdate, "profile_update"),
            (EmailChangeRequest, "email_change_request"),
            (EmailChange, "email_change"),
            (EmailChangeRevert, "email_change_revert"),
            (NewDeviceNotice, "new_device_notice"),
            (NotMe, "not_me"),
            (DeletionRequest, "deletion_request"),
            (DeletionCancel, "deletion_cancel"),
            (UserErase, "user_erase"),
            (DataExport, "data_export"),
            (OrgCreate, "org_create"),
            (OrgDelete, "org_delete"),
            (OrgMemberSet, "org_member_set"),
            (OrgMemberRemove, "org_member_remove"),
            (ApiCreate, "api_create"),
            (ApiPermissionAdd, "api_permission_add"),
            (RoleCreate, "role_create"),
            (RoleGrant, "role_grant"),
            (RoleRevoke, "role_revoke"),
            (RoleDelete, "role_delete"),
            (ClientGrant, "client_grant"),
            (OrgInvite, "org_invite"),
            (GroupCreate, "group_create"),
            (GroupDelete, "group_delete"),
            (GroupMemberSet, "group_member_set"),
            (GroupRoleSet, "group_role_set"),
            (OrgUpdate, "org_update"),
            (IdpAdd, "idp_add"),
            (IdpRemove, "idp_remove"),
            (IdentityLink, "identity_link"),
            (IdentityUnlink, "identity_unlink"),
            (UpstreamRefused, "upstream_refused"),
            (UpstreamTokenExchange, "upstream_token_exchange"),
            (UserUpdate, "user_update"),
            (ClientUpdate, "client_update"),
            (ClientSecretExpire, "client_secret_expire"),
            (AdminRead, "admin_read"),
        ];
        for (kind, name) in kinds {
            assert_eq!(kind.as_str(), name);
        }
        let failures = [
            (super::LoginFailure::UnknownUser, "unknown_user"),
            (super::LoginFailure::BadPassword, "bad_password"),
            (super::LoginFailure::Disabled, "disabled"),
            (super::LoginFailure::RateLimited, "rate_limited"),
            (super::LoginFailure::BadSecondFactor, "bad_second_factor"),
            (super::LoginFailure::ReplayedSecondFactor, "replayed_second_factor"),
        ];
        for (f, name) in failures {
            assert_eq!(f.as_str(), name);
        }
    }
}

/// Who did it, and the account it concerned. The stored `actor` is `user:ID`, `anonymous`,
/// `client:ID`, `cli` or `system`.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A signed-in user, or one completing a sign-in, acting on their own account.
    User { id: i64, email: Option<&'a str> },
    /// Someone not signed in; the attempt may name an account (the typed email, the user id).
    Anonymous { user_id: Option<i64>, email: Option<&'a str> },
    /// A client with its own credentials, acting on a user's tokens or its own.
    Client { client_id: &'a str, user_id: Option<i64> },
    /// The operator at the command line.
    Cli,
    /// Signet itself (scheduled work such as key rotation).
    System,
}

impl<'a> Actor<'a> {
    /// The stored `actor` column.
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Anonymous { .. } => "anonymous".into(),
            Actor::Client { client_id, .. } => format!("client:{client_id}"),
            Actor::Cli => "cli".into(),
            Actor::System => "system".into(),
        }
    }

    /// The account the event concerns.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::Anonymous { user_id, .. } | Actor::Client { user_id, .. } => *user_id,
            Actor::Cli | Actor::System => None,
        }
    }

    /// The email the event names, as given (the caller normalises it before storing).
    pub fn email(&self) -> Option<&'a str> {
        match self {
            Actor::User { email, .. } | Actor::Anonymous { email, .. } => *email,
            _ => None,
        }
    }
}
