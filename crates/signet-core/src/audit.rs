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
