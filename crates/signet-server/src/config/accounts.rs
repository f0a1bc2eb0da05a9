//! `[accounts]`: the account lifecycle's switches.

use serde::Deserialize;
use time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// Refuse to sign in an account whose address is not verified (it gets a new code instead).
    /// Off by default: a new user may sign in at once and verify later.
    pub require_verified_email: bool,
    /// How long a self-service deletion waits (signing in meanwhile offers to cancel it).
    #[serde(deserialize_with = "super::de_duration")]
    pub deletion_grace: Duration,
    /// Mail a notice when an account signs in from a new browser on a new network.
    pub new_device_notice: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self { require_verified_email: false, deletion_grace: Duration::days(7), new_device_notice: true }
    }
}
