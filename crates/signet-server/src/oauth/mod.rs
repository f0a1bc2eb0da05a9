//! OAuth protocol plumbing shared by the endpoints: the error table, client authentication,
//! form parsing.

pub mod api_token;
pub mod bearer;
pub mod client_auth;
pub mod client_cache;
pub mod error;

pub use bearer::BearerError;
pub use client_auth::authenticate_client;
pub use error::OAuthError;

use axum::extract::{FromRequest, Request};

use crate::forms::FormError;

/// `application/x-www-form-urlencoded` body for OAuth endpoints. Malformed bodies, repeated
/// parameters (RFC 6749 §3.2: "MUST NOT be included more than once") and parameters in the
/// query string (credentials must travel in the body, RFC 6749 §2.3.1 / RFC 6750 §2.3) are
/// `invalid_request`; too large is 413.
pub struct OAuthForm<T>(pub T);

impl<T, S> FromRequest<S> for OAuthForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.uri().query().is_some_and(|q| !q.is_empty()) {
            return Err(OAuthError::InvalidRequest(
                "parameters must be sent in the request body, not the query string".into(),
            ));
        }
        match crate::forms::read_form(req, state).await {
            Ok(v) => Ok(Self(v)),
            Err(FormError::TooLarge) => Err(OAuthError::PayloadTooLarge),
            Err(FormError::Nul) => Err(OAuthError::InvalidRequest("a parameter contains a NUL character".into())),
            Err(FormError::Malformed(m)) => Err(OAuthError::InvalidRequest(format!("malformed request body: {m}"))),
        }
    }
}
