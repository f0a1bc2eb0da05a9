//! Conditions on tuples (ABAC) and the context a check brings.
//!
//! A tuple may hold only until a time, only from some networks, only during a daily window,
//! only for a sign-in of a given `acr`, or only when attributes of the request have given
//! values. A condition that cannot be decided because the context lacks a value is neither a
//! yes nor a no: the check answers "conditional" and names what it needs (a step-up to an
//! `acr`, the client's address, an attribute), so the application can ask for it instead of
//! showing a plain refusal.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// When a tuple holds. Every part given must hold (an empty condition always holds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Condition {
    /// Unix time (seconds) from which the tuple no longer holds.
    pub expires_at: Option<i64>,
    /// The request's address must be in one of these networks.
    pub ip_ranges: Vec<IpNet>,
    /// Minutes after midnight UTC: from (inclusive), until (exclusive); wraps past midnight.
    pub time_window: Option<(u16, u16)>,
    /// The sign-in's Authentication Context Class Reference must be this one.
    pub acr: Option<String>,
    /// Attributes passed with the check must have these values.
    pub attributes: BTreeMap<String, String>,
    /// The tuple holds unless an attribute passed with the check has one of these values (an
    /// attribute not passed does not stop it: "writers, unless the record is archived").
    pub unless_attributes: BTreeMap<String, String>,
}

/// What a check knows about the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Unix time (seconds) of the check.
    pub now: i64,
    pub ip: Option<IpAddr>,
    pub acr: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

impl Context {
    /// A context with nothing but the time.
    pub fn at(now: i64) -> Self {
        Context { now, ..Context::default() }
    }
}

/// A value a conditional answer needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// A sign-in with this `acr` (a step-up).
    Acr(String),
    /// The client's address.
    Ip,
    /// The attribute of that name.
    Attribute(String),
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Acr(a) => write!(f, "acr={a}"),
            Need::Ip => f.write_str("ip"),
            Need::Attribute(a) => write!(f, "attribute {a}"),
        }
    }
}

/// Three-valued: holds, does not, or would with more context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    Yes,
    No,
    Needs(BTreeSet<Need>),
}

impl Truth {
    /// `self` or `other` (evaluated only when `self` is not already a yes).
    pub fn or<E>(self, other: impl FnOnce() -> Result<Truth, E>) -> Result<Truth, E> {
        if self == Truth::Yes {
            return Ok(Truth::Yes);
        }
        Ok(match (self, other()?) {
            (_, Truth::Yes) => Truth::Yes,
            (Truth::No, o) => o,
            (s, Truth::No) => s,
            (Truth::Needs(mut a), Truth::Needs(b)) => {
                a.extend(b);
                Truth::Needs(a)
            }
            (Truth::Yes, _) => Truth::Yes,
        })
    }

    /// `self` and `other` (evaluated only when `self` is not already a no).
    pub fn and<E>(self, other: impl FnOnce() -> Result<Truth, E>) -> Result<Truth, E> {
        if self == Truth::No {
            return Ok(Truth::No);
        }
        Ok(match (self, other()?) {
            (_, Truth::No) => Truth::No,
            (Truth::Yes, o) => o,
            (s, Truth::Yes) => s,
            (Truth::Needs(mut a), Truth::Needs(b)) => {
                a.extend(b);
                Truth::Needs(a)
            }
            (Truth::No, _) => Truth::No,
        })
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            n => n,
        }
    }
}

impl Condition {
    pub fn is_empty(&self) -> bool {
        *self == Condition::default()
    }

    /// Does the condition hold in `ctx`? Known-false parts win over missing values: an expired
    /// tuple or an address outside the networks is a plain no, whatever else is missing.
    pub fn eval(&self, ctx: &Context) -> Truth {
        if self.expires_at.is_some_and(|t| ctx.now >= t) {
            return Truth::No;
        }
        if let Some((from, until)) = self.time_window {
            let minute = (ctx.now.rem_euclid(86_400) / 60) as u16;
            let inside =
                if from <= until { from <= minute && minute < until } else { minute >= from || minute < until };
            if !inside {
                return Truth::No;
            }
        }
        let mut needs = BTreeSet::new();
        if !self.ip_ranges.is_empty() {
            match ctx.ip {
                Some(ip) if self.ip_ranges.iter().any(|n| n.contains(&ip)) => {}
                Some(_) => return Truth::No,
                None => {
                    needs.insert(Need::Ip);
                }
            }
        }
        if self.unless_attributes.iter().any(|(k, v)| ctx.attributes.get(k) == Some(v)) {
            return Truth::No;
        }
        for (k, v) in &self.attributes {
            match ctx.attributes.get(k) {
                Some(have) if have == v => {}
                Some(_) => return Truth::No,
                None => {
                    needs.insert(Need::Attribute(k.clone()));
                }
            }
        }
        // A sign-in of another class can step up: that is a need, not a no.
        if let Some(acr) = &self.acr {
            if ctx.acr.as_deref() != Some(acr.as_str()) {
                needs.insert(Need::Acr(acr.clone()));
            }
        }
        if needs.is_empty() {
            Truth::Yes
        } else {
            Truth::Needs(needs)
        }
    }
}

impl fmt::Display for Condition {
    /// `expires_at=…, ip in …, time …-…, acr=…, attr.k=v`, for proofs and listings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(t) = self.expires_at {
            parts.push(format!("expires_at={t}"));
        }
        if !self.ip_ranges.is_empty() {
            let nets: Vec<String> = self.ip_ranges.iter().map(ToString::to_string).collect();
            parts.push(format!("ip in {}", nets.join("|")));
        }
        if let Some((a, b)) = self.time_window {
            parts.push(format!("time {:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60));
        }
        if let Some(a) = &self.acr {
            parts.push(format!("acr={a}"));
        }
        for (k, v) in &self.attributes {
            parts.push(format!("attr.{k}={v}"));
        }
        for (k, v) in &self.unless_attributes {
            parts.push(format!("attr.{k}!={v}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_tables() {
        let n = || Truth::Needs(BTreeSet::from([Need::Ip]));
        let ok = |t: Truth| Ok::<_, ()>(t);
        assert_eq!(Truth::No.or(|| ok(n())), Ok(n()));
        assert_eq!(n().or(|| ok(Truth::Yes)), Ok(Truth::Yes));
        assert_eq!(n().and(|| ok(Truth::No)), Ok(Truth::No));
        assert_eq!(Truth::Yes.and(|| ok(n())), Ok(n()));
        assert_eq!(!n(), n());
        // Short-circuits: the other side is not evaluated.
        assert_eq!(Truth::Yes.or(|| Err(())), Ok(Truth::Yes));
        assert_eq!(Truth::No.and(|| Err(())), Ok(Truth::No));
    }

    #[test]
    fn conditions_decide_or_name_their_needs() {
        let c = Condition { time_window: Some((22 * 60, 6 * 60)), ..Condition::default() };
        assert_eq!(c.eval(&Context::at(23 * 3600)), Truth::Yes, "wraps past midnight");
        assert_eq!(c.eval(&Context::at(5 * 3600 + 59 * 60)), Truth::Yes);
        assert_eq!(c.eval(&Context::at(6 * 3600)), Truth::No, "until is exclusive");
        let c = Condition {
            attributes: BTreeMap::from([("dept".into(), "sales".into())]),
            acr: Some("mfa".into()),
            ..Condition::default()
        };
        assert_eq!(
            c.eval(&Context::at(0)),
            Truth::Needs(BTreeSet::from([Need::Attribute("dept".into()), Need::Acr("mfa".into())]))
        );
        let mut ctx = Context::at(0);
        ctx.attributes.insert("dept".into(), "ops".into());
        assert_eq!(c.eval(&ctx), Truth::No, "a known wrong value is a no");
        ctx.attributes.insert("dept".into(), "sales".into());
        ctx.acr = Some("mfa".into());
        assert_eq!(c.eval(&ctx), Truth::Yes);
        assert_eq!(c.to_string(), "acr=mfa, attr.dept=sales");
        let c = Condition {
            unless_attributes: BTreeMap::from([("status".into(), "archived".into())]),
            ..Condition::default()
        };
        assert_eq!(c.eval(&Context::at(0)), Truth::Yes, "an attribute not passed does not stop it");
        ctx.attributes.insert("status".into(), "active".into());
        assert_eq!(c.eval(&ctx), Truth::Yes);
        ctx.attributes.insert("status".into(), "archived".into());
        assert_eq!(c.eval(&ctx), Truth::No);
        assert_eq!(c.to_string(), "attr.status!=archived");
    }
}
