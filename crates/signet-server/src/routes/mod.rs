//! One module per endpoint.

pub mod account;
pub mod api;
pub mod authorize;
pub mod device;
pub mod end_session;
pub mod health;
pub mod introspect;
pub mod jwks;
pub mod login;
pub mod logout;
pub mod passkeys;
pub mod password;
pub mod revoke;
pub mod second_factor;
pub mod security;
pub mod signup;
pub mod token;
pub mod token_code;
pub mod userinfo;

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};

use crate::session::with_cookies;

/// 303 See Other (the right status after a POST) with optional `Set-Cookie` headers.
pub fn see_other(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    with_cookies(Redirect::to(to).into_response(), cookies)
}
