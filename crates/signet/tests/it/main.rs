//! Signet's one integration-test binary. Modules mirror URL paths.

mod harness;

mod account;
mod admin_api;
mod admin_console;
mod api;
mod authz;
mod authzen;
mod backup;
mod cli;
mod email_verify;
mod federation;
mod federation_tokens;
mod health;
mod housekeeping;
mod jwks;
mod lifecycle;
mod login;
mod logs;
mod mail;
mod metrics;
mod mfa;
mod oauth2;
mod org_groups;
mod org_pages;
mod orgs;
mod orgs_api;
mod pages;
mod passkeys;
mod recover;
mod redis;
mod routes;
mod scale;
mod schema;
mod signup;
mod verify;
