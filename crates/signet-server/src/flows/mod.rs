//! Multi-step flows, apart from the handlers that drive them: a handler parses, authenticates
//! and checks CSRF, then calls a flow, which carries out what `signet_core` decides.

pub mod authorize;
pub mod deletion;
pub mod email_change;
pub mod new_device;
pub mod recovery;
pub mod respond;
pub mod sign_in;
pub mod verify;
