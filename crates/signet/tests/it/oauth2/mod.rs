//! `/oauth2/*` endpoints.

mod authorize;
mod consent;
mod device;
mod end_session;
mod introspect;
mod refresh;
mod revoke;
mod token;
mod userinfo;
