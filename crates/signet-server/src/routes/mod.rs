//! One module per endpoint.

pub mod account;
pub mod admin_api;
pub mod admin_console;
pub mod admin_console_clients;
pub mod admin_console_orgs;
pub mod admin_groups;
pub mod admin_orgs;
pub mod admin_rbac;
pub mod admin_users;
pub mod api;
pub mod authorize;
pub mod authz_api;
pub mod authzen;
pub mod deletion;
pub mod device;
pub mod end_session;
pub mod health;
pub mod help;
pub mod introspect;
pub mod invite;
pub mod jwks;
pub mod language;
pub mod login;
pub mod logout;
pub mod not_me;
pub mod org_admin;
pub mod org_groups_api;
pub mod organizations;
pub mod orgs_api;
pub mod passkeys;
pub mod password;
pub mod profile;
pub mod recover;
pub mod revoke;
pub mod second_factor;
pub mod security;
pub mod signup;
pub mod token;
pub mod upstream;
pub mod userinfo;
pub mod verify;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post, put, MethodRouter};

pub use crate::http::see_other;
use crate::state::AppState;

/// How a route protects its state-changing requests from cross-site forgery. Every route is
/// listed in [`table`] with its guard, and the test `every_state_changing_route_requires_csrf`
/// walks the table (ARCHITECTURE.md, "Invariants").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// No state-changing method (GET only): a POST is 405.
    ReadOnly,
    /// A signed-in user's form (`csrf::SessionForm`) or script (`X-CSRF-Token`): the session's token.
    Session,
    /// A form or script before a session exists (sign-in, sign-up, second factor): the token of
    /// the pre-session cookie.
    PreSession,
    /// OAuth/OIDC endpoints authenticated by what the request carries (client credentials, a
    /// bearer token, a device code), never by the browser's cookies.
    Credentials,
    /// Protocol requests a client's page sends to the browser by design (the authorization
    /// request, RFC 6749 §3.1; RP-initiated logout, OIDC RP-Initiated Logout §2): they change
    /// nothing by themselves, and the step that does has its own token.
    ProtocolRequest,
}

/// A route: its path, its handlers, and its guard.
pub struct Route {
    pub path: &'static str,
    pub methods: MethodRouter<AppState>,
    pub guard: Guard,
}

fn route(path: &'static str, guard: Guard, methods: MethodRouter<AppState>) -> Route {
    Route { path, methods, guard }
}

/// Every route Signet serves (paths under `/api/v1` are nested into the JSON API's router).
pub fn table() -> Vec<Route> {
    use Guard::*;
    vec![
        route("/", ReadOnly, get(|| async { Redirect::to("/account") })),
        route("/healthz", ReadOnly, get(health::healthz)),
        route("/readyz", ReadOnly, get(health::readyz)),
        route("/static/{name}", ReadOnly, get(static_file)),
        route("/favicon.ico", ReadOnly, get(favicon)),
        route("/language/{lang}", ReadOnly, get(language::choose)),
        route("/help/sign-in", ReadOnly, get(help::sign_in)),
        route("/recover", PreSession, get(recover::show).post(recover::submit)),
        route("/recover/{token}", PreSession, get(recover::show_reset).post(recover::submit_reset)),
        route("/verify-email", PreSession, get(verify::show).post(verify::submit_code)),
        route("/verify-email/resend", PreSession, post(verify::resend)),
        route("/verify-email/{token}", PreSession, get(verify::show_link).post(verify::submit_link)),
        route("/not-me/{token}", PreSession, get(not_me::show).post(not_me::submit)),
        route("/signup", PreSession, get(signup::show).post(signup::submit)),
        route("/login", PreSession, get(login::show).post(login::submit)),
        route("/logout", Session, post(logout::submit)),
        route("/account", ReadOnly, get(account::show)),
        route("/account/sessions/{id}/revoke", Session, post(account::revoke_session)),
        route("/account/logout-everywhere", Session, post(account::logout_everywhere)),
        route("/account/profile", Session, get(profile::show).post(profile::submit)),
        route("/account/email", Session, post(profile::change_email)),
        route("/account/email/confirm/{token}", PreSession, get(profile::show_confirm).post(profile::submit_confirm)),
        route("/account/email/revert/{token}", PreSession, get(profile::show_revert).post(profile::submit_revert)),
        route("/account/delete", Session, get(deletion::show).post(deletion::submit)),
        route("/account/delete/cancel", Session, post(deletion::cancel)),
        route("/account/export", ReadOnly, get(deletion::export)),
        route("/account/organizations", ReadOnly, get(organizations::show)),
        route("/account/organizations/{org}/leave", Session, post(organizations::leave)),
        route("/org/{org}", ReadOnly, get(org_admin::home)),
        route("/org/{org}/members", ReadOnly, get(org_admin::members)),
        route("/org/{org}/members/{sub}", Session, post(org_admin::member)),
        route("/org/{org}/invitations", Session, post(org_admin::invite)),
        route("/org/{org}/roles", Session, get(org_admin::roles).post(org_admin::define_role)),
        route("/org/{org}/groups", Session, get(org_admin::groups_page).post(org_admin::create_group)),
        route("/org/{org}/groups/{group}", Session, post(org_admin::group)),
        route("/account/password", Session, get(password::show).post(password::submit)),
        route("/account/security", ReadOnly, get(security::show)),
        route("/account/security/totp", Session, get(security::totp_setup).post(security::totp_start)),
        route("/account/security/totp/confirm", Session, post(security::totp_confirm)),
        route("/account/security/totp/remove", Session, post(security::totp_remove)),
        route("/account/security/backup-codes", Session, post(security::backup_regenerate)),
        route("/login/idp/confirm", PreSession, get(upstream::confirm_show).post(upstream::confirm_submit)),
        route("/login/idp/{slug}", PreSession, post(upstream::start)),
        route("/login/idp/{slug}/callback", Credentials, get(upstream::callback_get).post(upstream::callback_post)),
        route("/account/identities", ReadOnly, get(upstream::show)),
        route("/account/identities/link/{slug}", Session, post(upstream::link_start)),
        route("/account/identities/{id}/unlink", Session, post(upstream::unlink)),
        route("/login/second-factor", PreSession, get(second_factor::show).post(second_factor::submit)),
        route("/login/passkey/start", PreSession, post(passkeys::login_start)),
        route("/login/passkey/finish", PreSession, post(passkeys::login_finish)),
        route("/account/security/passkeys/register/start", Session, post(passkeys::register_start)),
        route("/account/security/passkeys/register/finish", Session, post(passkeys::register_finish)),
        route("/account/security/passkeys/{id}/rename", Session, post(passkeys::rename)),
        route("/account/security/passkeys/{id}/delete", Session, post(passkeys::delete)),
        route("/account/apps/{client_id}/revoke", Session, post(account::revoke_app)),
        route("/oauth2/token", Credentials, post(token::token)),
        route("/oauth2/revoke", Credentials, post(revoke::revoke)),
        route("/oauth2/introspect", Credentials, post(introspect::introspect)),
        route("/oauth2/device_authorization", Credentials, post(device::authorization)),
        route("/oauth2/userinfo", Credentials, get(userinfo::userinfo).post(userinfo::userinfo)),
        route("/jwks", ReadOnly, get(jwks::jwks)),
        route("/.well-known/oauth-authorization-server", ReadOnly, get(jwks::metadata)),
        route("/.well-known/openid-configuration", ReadOnly, get(jwks::metadata)),
        route("/.well-known/authzen-configuration", ReadOnly, get(authzen::configuration)),
        route("/access/v1/evaluation", Credentials, post(authzen::evaluation)),
        route("/access/v1/evaluations", Credentials, post(authzen::evaluations)),
        route("/access/v1/search/subject", Credentials, post(authzen::search_subject)),
        route("/access/v1/search/resource", Credentials, post(authzen::search_resource)),
        route("/access/v1/search/action", Credentials, post(authzen::search_action)),
        route("/api/v1/authz/schema", Credentials, get(authz_api::get_schema).put(authz_api::put_schema)),
        route("/api/v1/authz/tuples", Credentials, get(authz_api::read_tuples).post(authz_api::write_tuples)),
        route("/api/v1/authz/check", Credentials, post(authz_api::check)),
        route("/api/v1/authz/explain", Credentials, post(authz_api::explain)),
        route("/api/v1/authz/list-objects", Credentials, post(authz_api::list_objects)),
        route("/api/v1/authz/list-subjects", Credentials, post(authz_api::list_subjects)),
        route("/oauth2/authorize", ProtocolRequest, get(authorize::authorize).post(authorize::authorize)),
        route("/oauth2/authorize/continue", ReadOnly, get(authorize::resume)),
        route("/oauth2/consent", Session, post(authorize::consent)),
        route("/oauth2/authorize/organization", Session, post(authorize::pick_organization)),
        route("/oauth2/logout", ProtocolRequest, get(end_session::end_session).post(end_session::end_session)),
        route("/oauth2/logout/confirm", Session, post(end_session::confirm)),
        route("/device", Session, get(device::show).post(device::submit)),
        route("/api/v1/me", ReadOnly, get(api::me)),
        route("/admin", ReadOnly, get(admin_console::dashboard)),
        route("/admin/users", ReadOnly, get(admin_console::users)),
        route("/admin/users/{id}", Session, get(admin_console::user).post(admin_console::user_action)),
        route(
            "/admin/clients",
            Session,
            get(admin_console_clients::clients_page).post(admin_console_clients::create_client),
        ),
        route(
            "/admin/clients/{client_id}",
            Session,
            get(admin_console_clients::client_page).post(admin_console_clients::client_action),
        ),
        route("/admin/organizations", Session, get(admin_console_orgs::orgs_page).post(admin_console_orgs::create_org)),
        route("/admin/organizations/{org}", Session, post(admin_console_orgs::org_action)),
        route("/admin/roles", Session, get(admin_console_orgs::roles_page).post(admin_console_orgs::roles_action)),
        route("/admin/keys", Session, get(admin_console_clients::keys_page).post(admin_console_clients::keys_action)),
        route("/admin/audit", ReadOnly, get(admin_console_clients::audit_page)),
        route("/admin/audit/{format}", ReadOnly, get(admin_console_clients::audit_export)),
        route("/api/v1/openapi.json", ReadOnly, get(openapi_json)),
        route("/api/v1/admin/users", Session, get(admin_users::list).post(admin_users::create)),
        route("/api/v1/admin/users/{id}", Session, get(admin_users::get).patch(admin_users::update)),
        route("/api/v1/admin/users/{id}/password", Session, put(admin_users::set_password)),
        route("/api/v1/admin/users/{id}/mfa", Session, delete(admin_users::reset_mfa)),
        route(
            "/api/v1/admin/users/{id}/sessions",
            Session,
            get(admin_users::sessions).delete(admin_users::end_sessions),
        ),
        route("/api/v1/admin/users/{id}/identities", ReadOnly, get(admin_users::identities)),
        route("/api/v1/admin/users/{id}/consents", ReadOnly, get(admin_users::consents)),
        route("/api/v1/admin/users/{id}/consents/{client_id}", Session, delete(admin_users::revoke_consent)),
        route("/api/v1/admin/clients", Session, get(admin_api::list_clients).post(admin_api::create_client)),
        route(
            "/api/v1/admin/clients/{client_id}",
            Session,
            get(admin_api::get_client).patch(admin_api::update_client).delete(admin_api::delete_client),
        ),
        route("/api/v1/admin/clients/{client_id}/secret", Session, post(admin_api::rotate_secret)),
        route("/api/v1/admin/organizations", Session, get(admin_orgs::list).post(admin_orgs::create)),
        route("/api/v1/admin/organizations/{org}", Session, get(admin_orgs::get).delete(admin_orgs::delete)),
        route("/api/v1/admin/organizations/{org}/members", ReadOnly, get(admin_orgs::members)),
        route(
            "/api/v1/admin/organizations/{org}/members/{sub}",
            Session,
            put(admin_orgs::set_member).delete(admin_orgs::remove_member),
        ),
        route(
            "/api/v1/admin/organizations/{org}/members/{sub}/roles/{role}",
            Session,
            put(admin_rbac::grant_member_role).delete(admin_rbac::revoke_member_role),
        ),
        route(
            "/api/v1/admin/organizations/{org}/roles",
            Session,
            get(admin_rbac::list_org_roles).post(admin_rbac::create_org_role),
        ),
        route("/api/v1/admin/organizations/{org}/roles/{role}", Session, delete(admin_rbac::delete_org_role)),
        route("/api/v1/admin/organizations/{org}/groups", Session, get(admin_groups::list).post(admin_groups::create)),
        route(
            "/api/v1/admin/organizations/{org}/groups/{group}",
            Session,
            get(admin_groups::get).delete(admin_groups::delete),
        ),
        route(
            "/api/v1/admin/organizations/{org}/groups/{group}/members/{sub}",
            Session,
            put(admin_groups::add_member).delete(admin_groups::remove_member),
        ),
        route(
            "/api/v1/admin/organizations/{org}/groups/{group}/roles/{role}",
            Session,
            put(admin_groups::grant_role).delete(admin_groups::revoke_role),
        ),
        route("/api/v1/admin/apis", Session, get(admin_rbac::list_apis).post(admin_rbac::create_api)),
        route("/api/v1/admin/apis/{api}", ReadOnly, get(admin_rbac::get_api)),
        route("/api/v1/admin/apis/{api}/permissions", Session, post(admin_rbac::add_permission)),
        route("/api/v1/admin/roles", Session, get(admin_rbac::list_roles).post(admin_rbac::create_role)),
        route("/api/v1/admin/roles/{role}", Session, delete(admin_rbac::delete_role)),
        route(
            "/api/v1/admin/users/{id}/roles/{role}",
            Session,
            put(admin_rbac::grant_user_role).delete(admin_rbac::revoke_user_role),
        ),
        route("/api/v1/admin/keys", ReadOnly, get(admin_api::list_keys)),
        route("/api/v1/admin/keys/rotate", Session, post(admin_api::rotate_keys)),
        route("/api/v1/admin/keys/{kid}/revoke", Session, post(admin_api::revoke_key)),
        route("/api/v1/admin/audit", ReadOnly, get(admin_api::audit)),
        route("/api/v1/admin/audit/export", ReadOnly, get(admin_api::audit_export)),
        route("/api/v1/orgs", ReadOnly, get(orgs_api::list)),
        route("/api/v1/orgs/{org}/members", ReadOnly, get(orgs_api::members)),
        route("/api/v1/orgs/{org}/members/{sub}", Session, put(orgs_api::set_member).delete(orgs_api::remove_member)),
        route(
            "/api/v1/orgs/{org}/members/{sub}/roles/{role}",
            Session,
            put(orgs_api::grant_role).delete(orgs_api::revoke_role),
        ),
        route("/api/v1/orgs/{org}/roles", Session, get(orgs_api::roles).post(orgs_api::create_role)),
        route("/api/v1/orgs/{org}/invitations", Session, post(orgs_api::invite)),
        route("/api/v1/orgs/{org}/groups", Session, get(org_groups_api::list).post(org_groups_api::create)),
        route("/api/v1/orgs/{org}/groups/{group}", Session, delete(org_groups_api::delete)),
        route("/api/v1/orgs/{org}/groups/{group}/members", ReadOnly, get(org_groups_api::members)),
        route(
            "/api/v1/orgs/{org}/groups/{group}/members/{sub}",
            Session,
            put(org_groups_api::add_member).delete(org_groups_api::remove_member),
        ),
        route(
            "/api/v1/orgs/{org}/groups/{group}/roles/{role}",
            Session,
            put(org_groups_api::grant_role).delete(org_groups_api::revoke_role),
        ),
        route("/invite/{token}", PreSession, get(invite::show).post(invite::accept)),
    ]
}

/// The admin API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
/// annotations and the types they take and return.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Signet admin API", description = "Administration of a Signet identity server: accounts, organizations, APIs, roles and groups, clients, signing keys, the audit log. Authenticate with an access token for the audience urn:signet:admin (client credentials) carrying signet:admin or a narrower scope, or an administrator's session (state changes then need X-CSRF-Token)."),
    paths(
        admin_users::list, admin_users::create, admin_users::get, admin_users::update, admin_users::set_password,
        admin_users::reset_mfa, admin_users::sessions, admin_users::end_sessions, admin_users::identities,
        admin_users::consents, admin_users::revoke_consent,
        admin_api::list_clients, admin_api::create_client, admin_api::get_client, admin_api::update_client,
        admin_api::delete_client, admin_api::rotate_secret, admin_api::list_keys, admin_api::rotate_keys,
        admin_api::revoke_key, admin_api::audit, admin_api::audit_export,
        admin_orgs::list, admin_orgs::create, admin_orgs::get, admin_orgs::delete, admin_orgs::members,
        admin_orgs::set_member, admin_orgs::remove_member,
        admin_rbac::list_apis, admin_rbac::create_api, admin_rbac::get_api, admin_rbac::add_permission,
        admin_rbac::list_roles, admin_rbac::create_role, admin_rbac::list_org_roles, admin_rbac::create_org_role,
        admin_rbac::grant_user_role, admin_rbac::revoke_user_role, admin_rbac::grant_member_role,
        admin_rbac::revoke_member_role, admin_rbac::delete_role, admin_rbac::delete_org_role,
        admin_groups::list, admin_groups::create, admin_groups::get, admin_groups::delete, admin_groups::add_member,
        admin_groups::remove_member, admin_groups::grant_role, admin_groups::revoke_role,
    ),
    modifiers(&SecuritySchemes)
)]
pub struct AdminApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("__Host-signet_session"))),
        );
    }
}

/// `GET /api/v1/openapi.json`
async fn openapi_json() -> Response {
    use utoipa::OpenApi;
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOC.get_or_init(|| AdminApiDoc::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.as_str()).into_response()
}

/// `/static/NAME`: the built-in stylesheet, script and icon, or the operator's replacements
/// and additions (`branding.static_dir`).
async fn static_file(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.pages.static_file(&name) {
        Some(f) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(f.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            f.bytes.to_vec(),
        )
            .into_response(),
        None => crate::error::PageError::NotFound.into_response(),
    }
}

/// Browsers ask for `/favicon.ico` whatever the page says: the configured icon.
async fn favicon(State(state): State<AppState>) -> Response {
    let name = state.pages.brand().favicon.trim_start_matches("/static/").to_owned();
    static_file(State(state), Path(name)).await
}
