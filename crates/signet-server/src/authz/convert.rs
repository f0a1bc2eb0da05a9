//! Between the engine's types and what the store and the APIs hold: stored rows, conditions and
//! contexts as JSON, revision tokens, and signed listing cursors.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use signet_authz::{Condition, Context, Object, Subject, Tuple};
use signet_store::TupleRow;
use time::OffsetDateTime;

/// A condition as the APIs and the store write it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConditionJson {
    /// RFC 3339: from then on the tuple no longer holds.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Networks (`10.0.0.0/8`, `2001:db8::/32`) the request's address must be in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_ranges: Vec<String>,
    /// A daily UTC window, `HH:MM-HH:MM` (wraps past midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_window: Option<String>,
    /// The sign-in's `acr` must be this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Attributes the check must pass with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// …unless an attribute the check passes has this value (one not passed does not stop it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unless_attributes: BTreeMap<String, String>,
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.len() == 5).then_some(h * 60 + m)
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl ConditionJson {
    pub fn to_condition(&self) -> Result<Condition, String> {
        let ip_ranges = self
            .ip_ranges
            .iter()
            .map(|n| n.parse::<ipnet::IpNet>().map_err(|_| format!("{n:?} is not a network (10.0.0.0/8)")))
            .collect::<Result<Vec<_>, _>>()?;
        let time_window = match &self.time_window {
            None => None,
            Some(w) => {
                let bad = || format!("{w:?} is not a daily window (09:00-17:00)");
                let (a, b) = w.split_once('-').ok_or_else(bad)?;
                Some((minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?))
            }
        };
        Ok(Condition {
            expires_at: self.expires_at.map(OffsetDateTime::unix_timestamp),
            ip_ranges,
            time_window,
            acr: self.acr.clone(),
            attributes: self.attributes.clone(),
            unless_attributes: self.unless_attributes.clone(),
        })
    }

    pub fn of(c: &Condition) -> Self {
        ConditionJson {
            expires_at: c.expires_at.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
            ip_ranges: c.ip_ranges.iter().map(ToString::to_string).collect(),
            time_window: c.time_window.map(|(a, b)| format!("{}-{}", hhmm(a), hhmm(b))),
            acr: c.acr.clone(),
            attributes: c.attributes.clone(),
            unless_attributes: c.unless_attributes.clone(),
        }
    }
}

/// The stored form of a tuple (the condition as canonical JSON, `""` for none).
pub fn row_of_tuple(t: &Tuple) -> TupleRow {
    TupleRow {
        object_type: t.object.typ.clone(),
        object_id: t.object.id.clone(),
        relation: t.relation.clone(),
        subject_type: t.subject.typ.clone(),
        subject_id: t.subject.id.clone(),
        subject_relation: t.subject.relation.clone().unwrap_or_default(),
        condition: match &t.condition {
            Some(c) if !c.is_empty() => serde_json::to_string(&ConditionJson::of(c)).unwrap_or_default(),
            _ => String::new(),
        },
    }
}

pub fn tuple_of_row(r: &TupleRow) -> Result<Tuple, String> {
    let object = Object::new(&r.object_type, &r.object_id).map_err(|e| e.to_string())?;
    let subject = if r.subject_relation.is_empty() {
        format!("{}:{}", r.subject_type, r.subject_id)
    } else {
        format!("{}:{}#{}", r.subject_type, r.subject_id, r.subject_relation)
    };
    let subject = Subject::parse(&subject).map_err(|e| e.to_string())?;
    let condition = if r.condition.is_empty() {
        None
    } else {
        let c: ConditionJson = serde_json::from_str(&r.condition).map_err(|e| e.to_string())?;
        Some(c.to_condition()?)
    };
    Ok(Tuple { object, relation: r.relation.clone(), subject, condition })
}

/// A tuple in the text form `tuples_text` gives: `type:id#relation@subject`, and the
/// condition's JSON if it has one.
pub fn tuple_of_text(tuple: &str, condition: Option<&str>) -> Result<Tuple, String> {
    let mut t = Tuple::parse(tuple).map_err(|e| e.to_string())?;
    if let Some(c) = condition {
        let c: ConditionJson = serde_json::from_str(c).map_err(|e| e.to_string())?;
        t.condition = Some(c.to_condition()?);
    }
    Ok(t)
}

/// What a check knows about the request, as the APIs send it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContextJson {
    /// The address the user's request came from.
    #[serde(default)]
    pub ip: Option<String>,
    /// The `acr` of the user's sign-in.
    #[serde(default)]
    pub acr: Option<String>,
    /// Attribute values (strings; numbers and booleans are taken as their JSON text).
    #[serde(default)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// A JSON value as an attribute's text: a string as itself, anything else as JSON.
pub fn attribute_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl ContextJson {
    pub fn to_context(&self, now: OffsetDateTime) -> Result<Context, String> {
        let ip = match &self.ip {
            None => None,
            Some(s) => Some(s.parse::<IpAddr>().map_err(|_| format!("{s:?} is not an IP address"))?),
        };
        Ok(Context {
            now: now.unix_timestamp(),
            ip,
            acr: self.acr.clone(),
            attributes: self.attributes.iter().map(|(k, v)| (k.clone(), attribute_text(v))).collect(),
        })
    }
}

/// A revision as a token: `r<rev>`. Tokens are not secret; one naming a revision no instance
/// has reached is refused.
pub fn revision_token(rev: i64) -> String {
    format!("r{rev}")
}

pub fn parse_revision(token: &str) -> Option<i64> {
    token.strip_prefix('r')?.parse().ok().filter(|r| *r >= 0)
}

type HmacSha256 = Hmac<Sha256>;

/// Listing cursors: the position, bound to the organization and the question asked, under a
/// MAC — an altered or forged cursor, or one from another query, is refused.
pub struct CursorKey(Vec<u8>);

impl CursorKey {
    pub fn derive(kek: &[u8]) -> Self {
        let key = match HmacSha256::new_from_slice(kek) {
            Ok(mut m) => {
                m.update(b"signet authz cursor key");
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        };
        CursorKey(key)
    }

    fn mac(&self, scope: &str, position: &str) -> Option<HmacSha256> {
        let mut m = HmacSha256::new_from_slice(&self.0).ok()?;
        m.update(&(scope.len() as u64).to_be_bytes());
        m.update(scope.as_bytes());
        m.update(position.as_bytes());
        Some(m)
    }

    /// A cursor for `position` within the query `scope` (organization and question).
    pub fn seal(&self, scope: &str, position: &str) -> String {
        let tag = self.mac(scope, position).map(|m| m.finalize().into_bytes().to_vec()).unwrap_or_default();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(position), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The position a cursor holds, if it was made by [`CursorKey::seal`] for this query.
    pub fn open(&self, scope: &str, cursor: &str) -> Option<String> {
        let (p, t) = cursor.split_once('.')?;
        let position = String::from_utf8(URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(t).ok()?;
        // Constant-time comparison (hmac's verify_slice).
        self.mac(scope, &position)?.verify_slice(&tag).ok()?;
        Some(position)
    }
}

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_round_trips_through_its_stored_form() {
        let json = r#"{"expires_at":"2030-01-02T03:04:05Z","ip_ranges":["10.0.0.0/8"],"time_window":"22:00-06:00","acr":"urn:signet:mfa","attributes":{"plan":"pro"}}"#;
        let c: ConditionJson = serde_json::from_str(json).expect("json");
        let t = Tuple {
            condition: Some(c.to_condition().expect("condition")),
            ..Tuple::parse("doc:a#viewer@user:1").expect("tuple")
        };
        let row = row_of_tuple(&t);
        assert_eq!(tuple_of_row(&row).expect("row"), t);
        assert!(ConditionJson { time_window: Some("25:00-01:00".into()), ..Default::default() }
            .to_condition()
            .is_err());
    }

    #[test]
    fn forged_cursor_is_refused() {
        let k = CursorKey::derive(b"0123456789abcdef0123456789abcdef");
        let c = k.seal("org_1 objects doc view user:1", "doc-9");
        assert_eq!(k.open("org_1 objects doc view user:1", &c).as_deref(), Some("doc-9"));
        assert_eq!(k.open("org_2 objects doc view user:1", &c), None);
        let (_, tag) = c.split_once('.').expect("tag");
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("doc-99"));
        assert_eq!(k.open("org_1 objects doc view user:1", &forged), None);
        assert_eq!(revision_token(42), "r42");
        assert_eq!(parse_revision("r42"), Some(42));
        assert_eq!(parse_revision("42"), None);
    }
}
