//! Invitations to an organization: an owner or admin invites an address with a built-in role and
//! roles they could grant themselves; a single-use link valid 7 days goes out through the mail
//! outbox. Opening it changes nothing; accepting it (signed in as that address, or creating the
//! account for it there) adds the membership. The link proves the mailbox, so the address
//! counts as verified afterwards.

use serde::{Deserialize, Serialize};
use signet_core::audit::{Actor, AuditKind};
use signet_core::rbac::{self, OrgRole};
use signet_core::{Email, PlainToken, TokenHash};
use signet_store::{Org, User};
use time::Duration;

use super::orgs::{Ctx, OrgError};
use crate::http::ClientInfo;
use crate::pages::{tr, tr_args};
use crate::state::AppState;

const KIND: &str = "org_invite";
const PREFIX: &str = "sgn_iv_";
/// How long an invitation works.
pub const TTL: Duration = Duration::days(7);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    /// The organization's public id: a row id can be given to a new organization after this one
    /// is deleted (SQLite reuses the highest), and the link must not open the new one
    /// (`invitation_to_deleted_org_does_not_join_its_successor`).
    org: String,
    email: String,
    org_role: String,
    roles: Vec<String>,
    inviter: i64,
}

/// An invitation as its page shows it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub org: Org,
    pub email: String,
    pub org_role: OrgRole,
    pub roles: Vec<String>,
}

/// Invites `email` into `ctx.org` as `org_role` with `roles`: everything the inviter could grant
/// directly (`rbac`), checked now. Returns when the invitation expires.
pub async fn invite(
    state: &AppState,
    ctx: &Ctx,
    client: &ClientInfo,
    email: &str,
    org_role: OrgRole,
    roles: &[String],
) -> Result<time::OffsetDateTime, OrgError> {
    let email = Email::parse(email).map_err(|e| OrgError::Invalid(e.to_string()))?;
    let owners = state.store.count_owners(ctx.org.id).await? as usize;
    // The invitee is nobody yet (id 0): the same rules as adding them directly.
    rbac::may_set_org_role(ctx.user.id, ctx.role, 0, None, Some(org_role), owners)?;
    for name in roles {
        let role = super::orgs::role(state, ctx, name).await?;
        rbac::may_assign_role(ctx.user.id, ctx.role, &ctx.permissions, 0, &super::orgs::role_permissions(&role))?;
    }
    let token = PlainToken::generate(PREFIX);
    let stored = Stored {
        org: ctx.org.public_id.clone(),
        email: email.to_string(),
        org_role: org_role.as_str().to_owned(),
        roles: roles.to_vec(),
        inviter: ctx.user.id,
    };
    let expires = state.now() + TTL;
    let json = serde_json::to_string(&stored).map_err(|e| OrgError::Invalid(e.to_string()))?;
    state.store.put_challenge(&token.hash(), KIND, None, &json, expires).await?;
    let link = format!("{}/invite/{}", state.config.issuer_base(), token.expose());
    let args = [("inviter", ctx.user.email.clone().into()), ("org", ctx.org.name.clone().into())];
    let notice = crate::mail::Notice {
        paragraphs: vec![tr_args("mail-invite-body", &args)],
        notes: vec![tr_args("mail-invite-expiry", &[("days", TTL.whole_days().into())]), tr("mail-invite-ignore")],
        ..Default::default()
    }
    .button(tr("mail-invite-button"), link);
    if let Err(e) = crate::mail::compose(state, "invite", email.as_str(), notice).await {
        return Err(OrgError::Invalid(e.to_string()));
    }
    let detail = format!("org:{} invite role:{}", ctx.org.public_id, org_role.as_str());
    let actor = Actor::User { id: ctx.user.id, email: Some(&ctx.user.email) };
    crate::audit::record(state, AuditKind::OrgInvite, actor, client, &detail).await;
    Ok(expires)
}

fn well_formed(token: &str) -> bool {
    token.starts_with(PREFIX) && token.len() <= 64
}

/// The invitation behind a link, without using it up.
pub async fn peek(state: &AppState, token: &str) -> anyhow::Result<Option<Invitation>> {
    if !well_formed(token) {
        return Ok(None);
    }
    let Some(json) = state.store.peek_challenge(&TokenHash::of(token.as_bytes()), KIND, state.now()).await? else {
        return Ok(None);
    };
    // (An invitation stored before organizations were named by public id does not parse: it is
    // no longer valid, and the owner can invite again.)
    let Ok(s) = serde_json::from_str::<Stored>(&json) else { return Ok(None) };
    let Some(org) = state.store.org(&s.org).await?.filter(|o| o.public_id == s.org) else { return Ok(None) };
    let Some(org_role) = OrgRole::parse(&s.org_role) else { return Ok(None) };
    Ok(Some(Invitation { org, email: s.email, org_role, roles: s.roles }))
}

/// Accepts the invitation for `user` (whose address must be the invited one): uses the link up
/// and adds the membership and roles. `None` when the link is used, expired, or for another
/// address.
pub async fn accept(state: &AppState, token: &str, user: &User, client: &ClientInfo) -> anyhow::Result<Option<Org>> {
    let Some(inv) = peek(state, token).await? else { return Ok(None) };
    if inv.email != user.email {
        return Ok(None);
    }
    let now = state.now();
    if state.store.take_challenge(&TokenHash::of(token.as_bytes()), KIND, now).await?.is_none() {
        return Ok(None);
    }
    // An existing membership keeps the stronger built-in role.
    let current = state.store.member_role(inv.org.id, user.id).await?.and_then(|r| OrgRole::parse(&r));
    let role = current.map_or(inv.org_role, |c| c.min(inv.org_role));
    state.store.set_member(inv.org.id, user.id, role.as_str(), now).await?;
    for name in &inv.roles {
        if let Some(r) = state.store.role(inv.org.id, name).await? {
            state.store.assign_role(user.id, inv.org.id, r.id, now).await?;
        }
    }
    if !user.email_verified() {
        state.store.set_email_verified(user.id, &user.email, now).await?;
    }
    let detail = format!("org:{} accepted role:{}", inv.org.public_id, role.as_str());
    crate::audit::record(state, AuditKind::OrgMemberSet, crate::audit::user(user), client, &detail).await;
    Ok(Some(inv.org))
}
