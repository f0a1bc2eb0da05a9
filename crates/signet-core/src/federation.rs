//! Signing in through another identity provider (an "upstream"): who the person is at the
//! upstream, which of its e-mail claims can be trusted, and what happens to an identity met for
//! the first time. The server validates the upstream's tokens and gathers the facts; these
//! rules decide.
//!
//! - An identity is **(provider, issuer, subject)**, never an e-mail address: an address is a
//!   claim the upstream may not have checked (Google: `email_verified`; Microsoft Entra ID's
//!   `email` is not proof of ownership at all — the "nOAuth" takeover), and addresses change
//!   hands.
//! - An e-mail is *trusted* only when the upstream says it is verified, and the userinfo
//!   endpoint does not contradict the ID token.
//! - A first sign-in whose address belongs to a local account links only on proof: the local
//!   account's password (`confirm`), or — `automatic` — when the provider is authoritative for
//!   its addresses, the upstream says verified, *and* the local address was verified too (an
//!   unverified local account may be an attacker's pre-registration: "pre-account hijacking",
//!   Sudhodanan & Paverd, USENIX Security 2022).

use std::collections::BTreeMap;

use serde_json::Value;

/// A provider's kind: how its answers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Any OpenID Provider (discovery, ID token).
    Oidc,
    /// Google: OIDC; `email_verified` must be true; `hd` names a Workspace domain.
    Google,
    /// GitHub: OAuth 2 only. The subject is the numeric `id`; the address is the primary,
    /// verified one of `/user/emails`.
    Github,
    /// Sign in with Apple: OIDC with `response_mode=form_post`; `email_verified` may be the
    /// string "true"; the name arrives once, on the first authorization.
    Apple,
    /// Microsoft Entra ID: the identity is the tenant (`tid`, in the issuer) and the object id
    /// (`oid`); `email` is never trusted.
    Microsoft,
}

impl Preset {
    pub const ALL: [&'static str; 5] = ["oidc", "google", "github", "apple", "microsoft"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "oidc" => Preset::Oidc,
            "google" => Preset::Google,
            "github" => Preset::Github,
            "apple" => Preset::Apple,
            "microsoft" => Preset::Microsoft,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Oidc => "oidc",
            Preset::Google => "google",
            Preset::Github => "github",
            Preset::Apple => "apple",
            Preset::Microsoft => "microsoft",
        }
    }

    /// The issuer when none is configured.
    pub fn default_issuer(self) -> Option<&'static str> {
        match self {
            Preset::Google => Some("https://accounts.google.com"),
            Preset::Github => Some("https://github.com"),
            Preset::Apple => Some("https://appleid.apple.com"),
            Preset::Microsoft => Some("https://login.microsoftonline.com/common/v2.0"),
            Preset::Oidc => None,
        }
    }

    pub fn default_scopes(self) -> &'static str {
        match self {
            Preset::Github => "read:user user:email",
            Preset::Apple => "name email",
            _ => "openid email profile",
        }
    }

    /// OpenID Connect (an ID token), or plain OAuth 2.
    pub fn is_oidc(self) -> bool {
        self != Preset::Github
    }
}

/// How a first sign-in with an address that belongs to a local account is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPolicy {
    /// Never: the person signs in the old way and links from their account page.
    Deny,
    /// The person proves the local account (its password) first. The default.
    Confirm,
    /// Linked without asking, only when the provider is authoritative for its addresses, says
    /// this one is verified, and the local address is verified; otherwise as `Confirm`.
    Automatic,
}

impl LinkPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "deny" => LinkPolicy::Deny,
            "confirm" => LinkPolicy::Confirm,
            "automatic" => LinkPolicy::Automatic,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LinkPolicy::Deny => "deny",
            LinkPolicy::Confirm => "confirm",
            LinkPolicy::Automatic => "automatic",
        }
    }
}

/// Who the upstream says signed in, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub issuer: String,
    pub subject: String,
    /// The address as the upstream gave it (trimmed).
    pub email: Option<String>,
    /// The address may be trusted as the person's own (see the module comment).
    pub email_trusted: bool,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("the upstream named no subject")]
    NoSubject,
    #[error("Microsoft Entra ID named no tenant and object id (tid, oid)")]
    NoObjectId,
    #[error("the userinfo response is for another subject than the ID token")]
    UserinfoSubjectMismatch,
    #[error("the claim {0} is not one this provider accepts")]
    RequiredClaim(String),
}

/// Which claims hold the address, its verification and the name: a generic provider may use
/// others (`mail`, `displayName`). The subject is never mapped — always `sub` (Entra: `oid`) —
/// so no setting can key identities by a claim the upstream lets people change.
#[derive(Debug, Clone, Copy)]
pub struct ClaimNames<'a> {
    pub email: &'a str,
    pub email_verified: &'a str,
    pub name: &'a str,
}

impl Default for ClaimNames<'_> {
    fn default() -> Self {
        Self { email: "email", email_verified: "email_verified", name: "name" }
    }
}

fn text(v: &Value, name: &str) -> Option<String> {
    match v.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `email_verified` as a boolean, or Apple's string "true" (Sign in with Apple's REST API
/// documents the claim as a string).
fn verified(v: &Value, claim: &str) -> bool {
    matches!(v.get(claim), Some(Value::Bool(true))) || v.get(claim) == Some(&Value::from("true"))
}

/// The person from a validated ID token's claims (`iss` checked by the caller), and the
/// userinfo response when it was fetched.
pub fn from_oidc(
    preset: Preset,
    names: &ClaimNames<'_>,
    id: &Value,
    userinfo: Option<&Value>,
) -> Result<Upstream, ClaimError> {
    let issuer = text(id, "iss").ok_or(ClaimError::NoSubject)?;
    let sub = text(id, "sub").ok_or(ClaimError::NoSubject)?;
    let subject = if preset == Preset::Microsoft {
        // Microsoft identity platform: `sub` is pairwise per application; `oid` within the
        // tenant `tid` is the person. The issuer carries the tenant, so (issuer, oid) is unique.
        text(id, "tid").and(text(id, "oid")).ok_or(ClaimError::NoObjectId)?
    } else {
        sub.clone()
    };
    let mut email = text(id, names.email);
    let mut email_trusted = email.is_some()
        && if preset == Preset::Microsoft {
            // nOAuth: Entra ID lets a tenant's admin set any `email`, unverified. Microsoft's fix
            // is the `xms_edov` claim: the address's domain is verified by the tenant owning it.
            id.get("xms_edov") == Some(&Value::Bool(true))
        } else {
            verified(id, names.email_verified)
        };
    if let Some(info) = userinfo {
        // OIDC Core §5.3.2: the userinfo `sub` must equal the ID token's, or the response is
        // not used at all.
        if text(info, "sub").as_deref() != Some(sub.as_str()) {
            return Err(ClaimError::UserinfoSubjectMismatch);
        }
        match (&email, text(info, names.email)) {
            (None, Some(e)) => {
                email_trusted = verified(info, names.email_verified) && preset != Preset::Microsoft;
                email = Some(e);
            }
            // Two answers for one person: neither is trusted.
            (Some(a), Some(b)) if !a.eq_ignore_ascii_case(&b) => email_trusted = false,
            _ => {}
        }
    }
    let name = text(id, names.name).or_else(|| userinfo.and_then(|u| text(u, names.name))).or_else(|| {
        let given = text(id, "given_name").unwrap_or_default();
        let family = text(id, "family_name").unwrap_or_default();
        let full = format!("{given} {family}").trim().to_owned();
        (!full.is_empty()).then_some(full)
    });
    Ok(Upstream { issuer, subject, email, email_trusted, name })
}

/// The person from GitHub's `GET /user` and `GET /user/emails` (REST API docs: users, emails):
/// the numeric `id` is immutable (`login` can be renamed and re-registered by someone else);
/// the address is the primary one, and only if GitHub verified it.
pub fn from_github(issuer: &str, user: &Value, emails: &Value) -> Result<Upstream, ClaimError> {
    let subject = match user.get("id") {
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        _ => return Err(ClaimError::NoSubject),
    };
    let primary = emails.as_array().into_iter().flatten().find(|e| e.get("primary") == Some(&Value::Bool(true)));
    let email = primary.filter(|e| e.get("verified") == Some(&Value::Bool(true))).and_then(|e| text(e, "email"));
    let name = text(user, "name").or_else(|| text(user, "login"));
    Ok(Upstream { issuer: issuer.to_owned(), subject, email_trusted: email.is_some(), email, name })
}

/// Required-claims rules (`hd = ["example.com"]`): each named claim must be present and equal
/// one of the listed values; otherwise the sign-in is refused, naming the claim.
pub fn required_claims_hold(rules: &BTreeMap<String, Vec<String>>, claims: &Value) -> Result<(), ClaimError> {
    for (name, allowed) in rules {
        let value = match claims.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(ClaimError::RequiredClaim(name.clone())),
        };
        if !allowed.contains(&value) {
            return Err(ClaimError::RequiredClaim(name.clone()));
        }
    }
    Ok(())
}

/// The facts about an identity signing in for the first time.
#[derive(Debug, Clone, Copy)]
pub struct FirstSeen {
    pub policy: LinkPolicy,
    /// The operator marked the provider authoritative for its addresses.
    pub authoritative: bool,
    /// The upstream address is trusted ([`Upstream::email_trusted`]).
    pub email_trusted: bool,
    /// A local account holds the upstream's address: is that address verified?
    pub local_verified: Option<bool>,
    /// Just-in-time account creation is on for the provider.
    pub create: bool,
}

/// What a first sign-in does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstStep {
    /// Link to the local account with the address, and sign in.
    Link,
    /// Ask for proof of the local account before linking.
    Confirm,
    /// Create an account (its address verified: only a trusted address makes one) and sign in.
    Create,
    /// No account, and the upstream gave no trusted address to make one with: an untrusted
    /// address would let anyone squat it (and keep a way in after its owner recovers it).
    RefuseUntrusted,
    /// An account has the address, and this provider never links: sign in the old way.
    RefuseExisting,
    /// No account, and none is created here.
    RefuseUnknown,
}

pub fn first_seen(f: &FirstSeen) -> FirstStep {
    match f.local_verified {
        Some(_) if f.policy == LinkPolicy::Deny => FirstStep::RefuseExisting,
        Some(local_verified) => {
            if f.policy == LinkPolicy::Automatic && f.authoritative && f.email_trusted && local_verified {
                FirstStep::Link
            } else {
                FirstStep::Confirm
            }
        }
        None if !f.create => FirstStep::RefuseUnknown,
        None if !f.email_trusted => FirstStep::RefuseUntrusted,
        None => FirstStep::Create,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seen(policy: LinkPolicy, authoritative: bool, trusted: bool, local: Option<bool>) -> FirstStep {
        first_seen(&FirstSeen { policy, authoritative, email_trusted: trusted, local_verified: local, create: true })
    }

    #[test]
    fn automatic_needs_all_three() {
        use FirstStep as S;
        use LinkPolicy as P;
        assert_eq!(seen(P::Automatic, true, true, Some(true)), S::Link);
        assert_eq!(seen(P::Automatic, false, true, Some(true)), S::Confirm, "not authoritative");
        assert_eq!(seen(P::Automatic, true, false, Some(true)), S::Confirm, "upstream unverified");
        assert_eq!(seen(P::Automatic, true, true, Some(false)), S::Confirm, "local unverified: pre-hijack");
        assert_eq!(seen(P::Confirm, true, true, Some(true)), S::Confirm);
        assert_eq!(seen(P::Deny, true, true, Some(true)), S::RefuseExisting);
        assert_eq!(seen(P::Confirm, true, false, None), S::RefuseUntrusted, "no account from an untrusted address");
        assert_eq!(seen(P::Confirm, false, true, None), S::Create);
        let no_create = FirstSeen {
            policy: P::Confirm,
            authoritative: true,
            email_trusted: true,
            local_verified: None,
            create: false,
        };
        assert_eq!(first_seen(&no_create), S::RefuseUnknown);
    }

    #[test]
    fn apple_string_true_and_userinfo_disagreement() {
        let id = json!({"iss": "https://appleid.apple.com", "sub": "001", "email": "a@privaterelay.appleid.com", "email_verified": "true"});
        let u = from_oidc(Preset::Apple, &ClaimNames::default(), &id, None).expect("claims");
        assert!(u.email_trusted);
        let id = json!({"iss": "i", "sub": "s", "email": "a@x.test", "email_verified": true});
        let u = from_oidc(
            Preset::Oidc,
            &ClaimNames::default(),
            &id,
            Some(&json!({"sub": "s", "email": "b@x.test", "email_verified": true})),
        )
        .expect("claims");
        assert!(!u.email_trusted, "two answers: neither trusted");
        assert_eq!(
            from_oidc(Preset::Oidc, &ClaimNames::default(), &id, Some(&json!({"sub": "other"}))),
            Err(ClaimError::UserinfoSubjectMismatch)
        );
        let id = json!({"iss": "i", "sub": "s", "email": "a@x.test", "email_verified": "yes"});
        assert!(!from_oidc(Preset::Oidc, &ClaimNames::default(), &id, None).expect("claims").email_trusted);
    }

    #[test]
    fn mapped_claims() {
        let names = ClaimNames { email: "mail", email_verified: "mail_ok", name: "displayName" };
        let id = json!({"iss": "i", "sub": "s", "mail": "a@x.test", "mail_ok": true, "displayName": "A",
            "email": "other@x.test", "email_verified": true});
        let u = from_oidc(Preset::Oidc, &names, &id, None).expect("claims");
        assert_eq!((u.email.as_deref(), u.email_trusted, u.name.as_deref()), (Some("a@x.test"), true, Some("A")));
        assert_eq!(u.subject, "s", "the subject is never mapped");
    }

    #[test]
    fn microsoft_is_oid_never_email() {
        let id = json!({"iss": "https://login.microsoftonline.com/t1/v2.0", "sub": "pairwise", "tid": "t1", "oid": "o1",
            "email": "ceo@victim.test", "email_verified": true});
        let u = from_oidc(Preset::Microsoft, &ClaimNames::default(), &id, None).expect("claims");
        assert_eq!((u.subject.as_str(), u.email_trusted), ("o1", false));
        let mut edov = id.clone();
        edov["xms_edov"] = json!(true);
        assert!(
            from_oidc(Preset::Microsoft, &ClaimNames::default(), &edov, None).expect("claims").email_trusted,
            "domain owner verified"
        );
        let no_oid = json!({"iss": "i", "sub": "s"});
        assert_eq!(from_oidc(Preset::Microsoft, &ClaimNames::default(), &no_oid, None), Err(ClaimError::NoObjectId));
    }

    #[test]
    fn github_primary_verified_only() {
        let user = json!({"id": 42, "login": "octo"});
        let emails = json!([{"email": "old@x.test", "primary": false, "verified": true},
            {"email": "main@x.test", "primary": true, "verified": false}]);
        let u = from_github("https://github.com", &user, &emails).expect("claims");
        assert_eq!((u.subject.as_str(), u.email.as_deref(), u.name.as_deref()), ("42", None, Some("octo")));
        let emails = json!([{"email": "main@x.test", "primary": true, "verified": true}]);
        assert_eq!(from_github("g", &user, &emails).expect("claims").email.as_deref(), Some("main@x.test"));
        assert_eq!(from_github("g", &json!({"login": "octo"}), &emails), Err(ClaimError::NoSubject));
    }

    #[test]
    fn required_claims() {
        let rules = BTreeMap::from([("hd".to_owned(), vec!["example.com".to_owned()])]);
        assert!(required_claims_hold(&rules, &json!({"hd": "example.com"})).is_ok());
        assert!(required_claims_hold(&rules, &json!({"hd": "evil.com"})).is_err());
        assert!(required_claims_hold(&rules, &json!({})).is_err());
    }
}
