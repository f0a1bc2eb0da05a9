//! Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): a browser
//! that has signed in to an account gets a cookie naming that account, signed with the cookie
//! key. Password attempts from it count against a limit of its own, so guesses from elsewhere,
//! which lock the account for unknown browsers, do not lock its owner out.

use axum::http::{HeaderMap, HeaderValue};
use signet_core::secret::ct_eq;
use signet_core::PlainToken;

use crate::http::{cookie, set_cookie};
use crate::state::AppState;

/// How long a browser stays known: a year, renewed at each sign-in.
const MAX_AGE: i64 = 60 * 60 * 24 * 365;

fn account(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The cookie for a browser that just signed in to `email`.
pub fn issue(state: &AppState, email: &str) -> HeaderValue {
    let nonce = PlainToken::generate("");
    let mac = crate::csrf::mac(state, "device", &format!("{}:{}", nonce.expose(), account(email)));
    set_cookie(state.cookies.device, &format!("{}.{mac}", nonce.expose()), MAX_AGE, state.cookies.secure)
}

/// The browser's device id if its cookie is valid for the account `email_input` names.
pub fn known(state: &AppState, headers: &HeaderMap, email_input: &str) -> Option<String> {
    known_value(state, cookie(headers, state.cookies.device), email_input)
}

/// The same, from the cookie's value (`ClientInfo::device`).
pub fn known_value(state: &AppState, value: Option<&str>, email_input: &str) -> Option<String> {
    let (nonce, mac) = value?.split_once('.')?;
    let expected = crate::csrf::mac(state, "device", &format!("{nonce}:{}", account(email_input)));
    ct_eq(expected.as_bytes(), mac.as_bytes()).then(|| nonce.to_owned())
}
