//! Signet's domain: types, rules and state machines.
//!
//! Nothing here does I/O or reads the clock: time comes in as an argument (`now`), so
//! expiry and rotation rules are tested without sleeping.

pub mod audit;
pub mod authorize;
pub mod client;
pub mod device;
pub mod email;
pub mod federation;
pub mod locale;
pub mod mfa;
pub mod network;
pub mod password;
pub mod pkce;
pub mod policy;
pub mod profile;
pub mod protocol;
pub mod rbac;
pub mod redirect_uri;
pub mod refresh;
pub mod return_to;
pub mod scope;
pub mod secret;
pub mod session;
pub mod subject;
pub mod totp;

pub use email::Email;
pub use password::{HashMemory, HashParams, PasswordHasher, PasswordRecord, Pepper, Verified};
pub use pkce::PkceChallenge;
pub use policy::{PasswordPolicy, PolicyViolation};
pub use profile::Profile;
pub use return_to::ReturnTo;
pub use scope::Scope;
pub use secret::{Password, PlainToken, TokenHash};
pub use time::OffsetDateTime;

/// A source of the current time. Core never calls it itself; the server passes `now` down.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
