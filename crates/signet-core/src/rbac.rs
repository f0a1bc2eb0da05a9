//! Organizations and roles: the rules, without storage.
//!
//! - A member holds one built-in [`OrgRole`] (who may manage the organization) and any number of
//!   roles, each a named set of API permissions.
//! - Issued scope = requested ∩ assigned for API permissions ([`grant_scope`]); protocol scopes
//!   (`openid`, `profile`, …) pass through as before. What was asked for and not granted is
//!   reported, never silently dropped.
//! - Nobody grants what they do not hold, nobody changes their own standing, and the last owner
//!   stays ([`may_set_org_role`], [`may_assign_role`], [`may_define_role`]).

use std::collections::BTreeSet;

/// The built-in organization roles, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgRole {
    Owner,
    Admin,
    Member,
}

impl OrgRole {
    pub const ALL: [OrgRole; 3] = [OrgRole::Owner, OrgRole::Admin, OrgRole::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Owner => "owner",
            OrgRole::Admin => "admin",
            OrgRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Owners and admins manage members, roles, invitations and groups.
    pub fn manages(self) -> bool {
        self <= OrgRole::Admin
    }
}

/// A slug: 2–63 of `a-z0-9-`, not starting or ending with `-` (it goes into URLs and claims).
pub fn valid_slug(s: &str) -> bool {
    (2..=63).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A permission name as a scope token: `read:docs`, `docs.write` (RFC 6749 §3.3 scope-token
/// characters, no spaces, 1–100 long).
pub fn valid_permission(s: &str) -> bool {
    (1..=100).contains(&s.len())
        && s.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// A role's name: 1–64 of letters, digits, `-`, `_`, `.`, `:`.
pub fn valid_role_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// What a request for API permissions yields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Granted {
    /// Requested and held.
    pub granted: BTreeSet<String>,
    /// Requested, and permissions of the API, but not held: left out, and said so.
    pub withheld: BTreeSet<String>,
}

/// Requested ∩ held, for the permission scopes of one API (`api_permissions`): requested tokens
/// that are not permissions of the API are not this function's business and are left out of
/// both sets.
pub fn grant_scope<'a>(
    requested: impl IntoIterator<Item = &'a str>,
    api_permissions: &BTreeSet<String>,
    held: &BTreeSet<String>,
) -> Granted {
    let mut g = Granted::default();
    for s in requested.into_iter().filter(|s| api_permissions.contains(*s)) {
        if held.contains(s) {
            g.granted.insert(s.to_owned());
        } else {
            g.withheld.insert(s.to_owned());
        }
    }
    g
}

/// The scope a user token gets: the API's own permissions narrowed to those `held`, any other
/// token kept. The same rule as [`grant_scope`] without building its sets (introspection and
/// refresh run it on every call).
pub fn narrow_scope(
    scope: &crate::Scope,
    api_permissions: &BTreeSet<String>,
    held: Option<&BTreeSet<String>>,
) -> crate::Scope {
    scope.filter(|t| !api_permissions.contains(t) || held.is_some_and(|h| h.contains(t)))
}

/// [`narrow_scope`] on a space-separated scope string, keeping its order.
pub fn narrow_scope_str(scope: &str, api_permissions: &BTreeSet<String>, held: Option<&BTreeSet<String>>) -> String {
    let mut out = String::with_capacity(scope.len());
    for t in scope.split(' ').filter(|t| !t.is_empty()) {
        if !api_permissions.contains(t) || held.is_some_and(|h| h.contains(t)) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    out
}

/// Why a change to someone's standing in an organization is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only owners and admins manage an organization")]
    NotAManager,
    #[error("nobody changes their own roles")]
    OwnStanding,
    #[error("you cannot grant a role stronger than your own")]
    Escalation,
    #[error("an organization keeps at least one owner")]
    LastOwner,
    #[error("you cannot grant permissions you do not hold")]
    PermissionNotHeld,
}

/// Sets `target`'s built-in role from `from` (`None`: not a member yet) to `to` (`None`:
/// removed). `actor` acts with `actor_role`; `owners` is how many owners there are now.
pub fn may_set_org_role(
    actor: i64,
    actor_role: OrgRole,
    target: i64,
    from: Option<OrgRole>,
    to: Option<OrgRole>,
    owners: usize,
) -> Result<(), Refused> {
    // Leaving is everyone's right, except for the last owner.
    if actor == target {
        return match (from, to) {
            (Some(OrgRole::Owner), None) if owners <= 1 => Err(Refused::LastOwner),
            (Some(_), None) => Ok(()),
            _ => Err(Refused::OwnStanding),
        };
    }
    if !actor_role.manages() {
        return Err(Refused::NotAManager);
    }
    // Admins neither make nor touch owners.
    let strongest = [from, to].into_iter().flatten().min();
    if strongest.is_some_and(|r| r < actor_role) {
        return Err(Refused::Escalation);
    }
    if from == Some(OrgRole::Owner) && to != Some(OrgRole::Owner) && owners <= 1 {
        return Err(Refused::LastOwner);
    }
    Ok(())
}

/// Assigns (or removes) a role whose permissions are `role_permissions`: the actor must manage
/// the organization, must not be the target, and must hold every permission of the role.
pub fn may_assign_role(
    actor: i64,
    actor_role: OrgRole,
    actor_permissions: &BTreeSet<String>,
    target: i64,
    role_permissions: &BTreeSet<String>,
) -> Result<(), Refused> {
    if !actor_role.manages() {
        return Err(Refused::NotAManager);
    }
    if actor == target {
        return Err(Refused::OwnStanding);
    }
    if !role_permissions.is_subset(actor_permissions) {
        return Err(Refused::PermissionNotHeld);
    }
    Ok(())
}

/// Defines or edits a role to hold `permissions`: only within what the editor holds.
pub fn may_define_role(
    actor_role: OrgRole,
    actor_permissions: &BTreeSet<String>,
    permissions: &BTreeSet<String>,
) -> Result<(), Refused> {
    if !actor_role.manages() {
        return Err(Refused::NotAManager);
    }
    if !permissions.is_subset(actor_permissions) {
        return Err(Refused::PermissionNotHeld);
    }
    Ok(())
}

/// Changes what a group confers (gives it a role, takes one, or deletes the group): that changes
/// the roles of every member at once, so the actor must manage the organization, must not be in
/// the group (nobody changes their own roles), and must hold every permission involved.
pub fn may_change_group(
    actor: i64,
    actor_role: OrgRole,
    actor_permissions: &BTreeSet<String>,
    group_members: &[i64],
    permissions: &BTreeSet<String>,
) -> Result<(), Refused> {
    if !actor_role.manages() {
        return Err(Refused::NotAManager);
    }
    if group_members.contains(&actor) {
        return Err(Refused::OwnStanding);
    }
    if !permissions.is_subset(actor_permissions) {
        return Err(Refused::PermissionNotHeld);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgRole::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scope_is_requested_intersect_held_and_says_what_was_withheld() {
        let api = set(&["read:docs", "write:docs", "delete:docs"]);
        let g = grant_scope(["openid", "read:docs", "write:docs", "other"], &api, &set(&["read:docs", "delete:docs"]));
        assert_eq!(g.granted, set(&["read:docs"]));
        assert_eq!(g.withheld, set(&["write:docs"]));
    }

    #[test]
    fn org_role_rules() {
        // Owners manage everyone; the last owner stays.
        assert_eq!(may_set_org_role(1, Owner, 2, Some(Member), Some(Admin), 1), Ok(()));
        assert_eq!(may_set_org_role(1, Owner, 2, Some(Owner), Some(Admin), 2), Ok(()));
        assert_eq!(may_set_org_role(1, Owner, 2, Some(Owner), None, 1), Err(Refused::LastOwner));
        // Admins cannot make or touch owners.
        assert_eq!(may_set_org_role(1, Admin, 2, Some(Member), Some(Owner), 1), Err(Refused::Escalation));
        assert_eq!(may_set_org_role(1, Admin, 2, Some(Owner), None, 2), Err(Refused::Escalation));
        assert_eq!(may_set_org_role(1, Admin, 2, None, Some(Member), 1), Ok(()));
        // Members manage nobody; nobody promotes themselves; anyone but the last owner leaves.
        assert_eq!(may_set_org_role(1, Member, 2, Some(Member), None, 1), Err(Refused::NotAManager));
        assert_eq!(may_set_org_role(1, Admin, 1, Some(Admin), Some(Owner), 1), Err(Refused::OwnStanding));
        assert_eq!(may_set_org_role(1, Member, 1, Some(Member), None, 1), Ok(()));
        assert_eq!(may_set_org_role(1, Owner, 1, Some(Owner), None, 1), Err(Refused::LastOwner));
        assert_eq!(may_set_org_role(1, Owner, 1, Some(Owner), None, 2), Ok(()));
    }

    #[test]
    fn roles_only_within_what_one_holds() {
        let mine = set(&["read:docs"]);
        assert_eq!(may_assign_role(1, Admin, &mine, 2, &set(&["read:docs"])), Ok(()));
        assert_eq!(may_assign_role(1, Admin, &mine, 2, &set(&["write:docs"])), Err(Refused::PermissionNotHeld));
        assert_eq!(may_assign_role(1, Admin, &mine, 1, &set(&[])), Err(Refused::OwnStanding));
        assert_eq!(may_assign_role(1, Member, &mine, 2, &set(&[])), Err(Refused::NotAManager));
        assert_eq!(may_define_role(Owner, &mine, &set(&["read:docs", "write:docs"])), Err(Refused::PermissionNotHeld));
        assert_eq!(may_define_role(Owner, &mine, &set(&["read:docs"])), Ok(()));
    }

    #[test]
    fn names() {
        assert!(valid_slug("acme-corp") && !valid_slug("-acme") && !valid_slug("Acme") && !valid_slug("a"));
        assert!(valid_permission("read:docs") && !valid_permission("read docs") && !valid_permission("a\"b"));
        assert!(valid_role_name("editor") && !valid_role_name("editor role"));
    }

    #[test]
    fn group_changes_follow_the_role_rules() {
        let held = set(&["api read", "api write"]);
        assert_eq!(may_change_group(1, Admin, &held, &[2, 3], &set(&["api read"])), Ok(()));
        assert_eq!(may_change_group(1, Member, &held, &[2], &set(&[])), Err(Refused::NotAManager));
        assert_eq!(may_change_group(1, Owner, &held, &[1, 2], &set(&[])), Err(Refused::OwnStanding));
        assert_eq!(may_change_group(1, Owner, &held, &[2], &set(&["api admin"])), Err(Refused::PermissionNotHeld));
    }

    #[test]
    fn narrowing_matches_grant_scope() {
        let api = set(&["read:docs", "write:docs", "delete:docs"]);
        let scope = crate::Scope::parse("openid organization:org_1 read:docs write:docs other").expect("scope");
        for held in [set(&[]), set(&["read:docs"]), set(&["read:docs", "write:docs", "delete:docs"])] {
            let g = grant_scope(scope.iter(), &api, &held);
            let narrowed = narrow_scope(&scope, &api, Some(&held));
            let expected = scope.filter(|t| !api.contains(t) || g.granted.contains(t));
            assert_eq!(narrowed, expected, "{held:?}");
            assert_eq!(narrow_scope_str(&scope.to_string(), &api, Some(&held)), narrowed.to_string());
            assert!(g.withheld.iter().all(|w| !narrowed.contains(w)));
        }
        assert_eq!(narrow_scope(&scope, &api, None).to_string(), "openid organization:org_1 other");
    }
}
