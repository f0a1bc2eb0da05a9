//! `/oauth2/*` endpoints.

mod authorize;
mod introspect;
mod refresh;
mod revoke;
mod token;
mod userinfo;
