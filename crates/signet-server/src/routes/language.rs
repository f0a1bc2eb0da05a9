//! `GET /language/{lang}?return_to=…`: the footer's language switcher. Links, so it works
//! without JavaScript; it sets only the `signet_lang` preference cookie.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use signet_core::ReturnTo;

use crate::error::PageError;
use crate::http::{query_param, see_other};
use crate::pages::i18n;
use crate::state::AppState;

pub async fn choose(State(state): State<AppState>, Path(lang): Path<String>, uri: Uri) -> Result<Response, PageError> {
    let Some((code, _)) = i18n::LANGUAGES.iter().find(|(c, _)| *c == lang) else {
        return Err(PageError::NotFound);
    };
    // Back to the page the link was on; only a path on this site (no open redirect).
    let back = query_param(&uri, "return_to").and_then(|r| ReturnTo::parse(&r)).unwrap_or_default();
    Ok(see_other(back.as_str(), [i18n::lang_cookie(code, state.cookies.secure)]))
}
