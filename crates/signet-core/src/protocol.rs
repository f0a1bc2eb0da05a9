//! The one table of protocol error codes. Every error Signet sends to an OAuth/OIDC client —
//! authorization redirects (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6), the token, revocation,
//! introspection and device endpoints (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8628 §3.5, RFC 8707
//! §2), bearer-token challenges (RFC 6750 §3.1) and client registration (RFC 7591 §3.2.2) —
//! names its code here; nothing else spells one. `Display` and serialisation give the
//! registered string.

use std::fmt;

use serde::{Serialize, Serializer};

/// A registered OAuth 2.0 / OpenID Connect error code (IANA "OAuth Extensions Error Registry").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // RFC 6749 §4.1.2.1 and §5.2.
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    /// RFC 7009 §2.2.1.
    UnsupportedTokenType,
    /// RFC 8628 §3.5.
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    /// RFC 8707 §2: a `resource` the client may not address.
    InvalidTarget,
    /// OIDC Core §3.1.2.6.
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    /// RFC 6750 §3.1.
    InvalidToken,
    InsufficientScope,
    /// RFC 7591 §3.2.2 (client registration).
    InvalidRedirectUri,
    InvalidClientMetadata,
}

impl ErrorCode {
    /// Every code, for tables and tests.
    pub const ALL: [ErrorCode; 24] = [
        Self::InvalidRequest,
        Self::InvalidClient,
        Self::InvalidGrant,
        Self::UnauthorizedClient,
        Self::UnsupportedGrantType,
        Self::UnsupportedResponseType,
        Self::InvalidScope,
        Self::AccessDenied,
        Self::ServerError,
        Self::TemporarilyUnavailable,
        Self::UnsupportedTokenType,
        Self::AuthorizationPending,
        Self::SlowDown,
        Self::ExpiredToken,
        Self::InvalidTarget,
        Self::LoginRequired,
        Self::ConsentRequired,
        Self::InteractionRequired,
        Self::RequestNotSupported,
        Self::RequestUriNotSupported,
        Self::InvalidToken,
        Self::InsufficientScope,
        Self::InvalidRedirectUri,
        Self::InvalidClientMetadata,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::InvalidTarget => "invalid_target",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An RFC 6750 §3 / RFC 7235 auth-param value: `error_description` and `scope` may hold only
/// %x20-21 / %x23-5B / %x5D-7E, so anything else (quotes, backslashes, control and non-ASCII
/// characters) is replaced rather than sent.
pub fn challenge_param(value: &str) -> String {
    value.chars().map(|c| if matches!(c, ' ' | '!' | '#'..='[' | ']'..='~') { c } else { '?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code as the registries spell it (RFC 6749 §4.1.2.1/§5.2, RFC 7009 §2.2.1,
    /// RFC 8628 §3.5, RFC 8707 §2, OIDC Core §3.1.2.6, RFC 6750 §3.1, RFC 7591 §3.2.2), written out here rather
    /// than derived from the names so that a typo in `as_str` fails.
    #[test]
    fn protocol_errors_use_rfc_codes() {
        let registered = [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "unsupported_response_type",
            "invalid_scope",
            "access_denied",
            "server_error",
            "temporarily_unavailable",
            "unsupported_token_type",
            "authorization_pending",
            "slow_down",
            "expired_token",
            "invalid_target",
            "login_required",
            "consent_required",
            "interaction_required",
            "request_not_supported",
            "request_uri_not_supported",
            "invalid_token",
            "insufficient_scope",
            "invalid_redirect_uri",
            "invalid_client_metadata",
        ];
        let ours: Vec<String> = ErrorCode::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(ours, registered);
        let json: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
            .collect();
        assert_eq!(json, registered);
    }

    #[test]
    fn challenge_params_never_break_the_header() {
        assert_eq!(challenge_param("the token \"x\" is bad\\"), "the token ?x? is bad?");
        assert_eq!(challenge_param("line\r\nbreak é"), "line??break ?");
        assert_eq!(challenge_param("openid profile"), "openid profile");
    }
}
