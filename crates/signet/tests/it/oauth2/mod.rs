//! `/oauth2/*` endpoints.

mod introspect;
mod refresh;
mod revoke;
mod token;
