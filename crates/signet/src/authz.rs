//! `signet authz …`: an organization's relationship schema and tuples, checks and explanations
//! from the command line, and `signet authz test FILE.yaml`, which runs a policy test file
//! (schema, tuples, expected decisions) with no server and no database, for users' own CI.
//! `signet org client …`: the clients installed in an organization (only they may ask the
//! authorization API about it).

use std::collections::BTreeSet;

use anyhow::{bail, Context as _};
use clap::Subcommand;
use serde::Deserialize;
use signet_authz::{Decision, Engine, Object, Schema, Subject, Tuple};
use signet_server::authz::caller::{Caller, Refused};
use signet_server::authz::convert::{ConditionJson, ContextJson};
use signet_server::flows::authz as ops;
use signet_server::AppState;
use signet_store::Org;

use crate::admin::state;

#[derive(Subcommand)]
pub enum AuthzCmd {
    /// Print an organization's schema, or set it from FILE (`-`: standard input).
    Schema { org: String, file: Option<String> },
    /// Write tuples (`type:id#relation@subject`) in one transaction; prints the revision token.
    Write {
        org: String,
        tuples: Vec<String>,
        /// A tuple to delete (repeatable).
        #[arg(long)]
        delete: Vec<String>,
        /// A condition for the written tuples, as JSON (`{"expires_at": "…", "acr": "…"}`).
        #[arg(long)]
        condition: Option<String>,
    },
    /// Check `OBJECT#PERMISSION@SUBJECT` (e.g. `document:readme#view@user:42`).
    Check {
        org: String,
        question: String,
        /// The request's context as JSON (`{"ip": "…", "acr": "…", "attributes": {…}}`).
        #[arg(long)]
        context: Option<String>,
    },
    /// Check, and say why: the proof of an allow, the nearest missing tuples of a deny.
    Explain {
        org: String,
        question: String,
        /// The request's context as JSON, as for `check`.
        #[arg(long)]
        context: Option<String>,
    },
    /// Run a policy test file: schema, tuples and expected decisions; exits 1 if any fails.
    Test { file: String },
}

#[derive(Subcommand)]
pub enum OrgClientCmd {
    /// Install a client in an organization: it may then ask the authorization API about it.
    Add { org: String, client_id: String },
    /// Remove a client from an organization.
    Remove { org: String, client_id: String },
    /// List the clients installed in an organization.
    List { org: String },
}

async fn find_org(state: &AppState, org: &str) -> anyhow::Result<Org> {
    state.store.org(org).await?.ok_or_else(|| anyhow::anyhow!("no organization {org:?}"))
}

/// The command line acts as the organization's administrator.
fn cli_caller(org: Org) -> Caller {
    Caller { org, client_id: "signet-cli".into(), user: None, scope: String::new(), org_admin: true }
}

/// A refused operation's message, for the terminal.
fn refused(r: Refused) -> anyhow::Error {
    match r {
        Refused::Api(e) => anyhow::anyhow!("{}", e.description),
        Refused::Bearer(e) => anyhow::anyhow!("{e:?}"),
    }
}

fn parse_question(q: &str) -> anyhow::Result<(Object, String, Subject)> {
    let t = Tuple::parse(q).map_err(|e| anyhow::anyhow!("{q:?}: {e} (expected OBJECT#PERMISSION@SUBJECT)"))?;
    Ok((t.object, t.relation, t.subject))
}

fn context(json: Option<&str>) -> anyhow::Result<ContextJson> {
    match json {
        None => Ok(ContextJson::default()),
        Some(j) => serde_json::from_str(j).context("--context"),
    }
}

fn describe(d: &Decision) -> String {
    match d {
        Decision::Allow => "allow".into(),
        Decision::Deny => "deny".into(),
        Decision::Conditional(n) => {
            format!("conditional (needs {})", n.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        }
    }
}

pub async fn org_client(state: &AppState, cmd: OrgClientCmd) -> anyhow::Result<()> {
    match cmd {
        OrgClientCmd::Add { org, client_id } | OrgClientCmd::Remove { org, client_id }
            if state.store.client(&client_id).await?.is_none() =>
        {
            bail!("no client {client_id:?} (installing it in {org} needs it to exist)")
        }
        OrgClientCmd::Add { org, client_id } => {
            let o = find_org(state, &org).await?;
            state.store.install_client(o.id, &client_id, true, state.now()).await?;
            println!("installed {client_id} in {}", o.slug);
        }
        OrgClientCmd::Remove { org, client_id } => {
            let o = find_org(state, &org).await?;
            if !state.store.install_client(o.id, &client_id, false, state.now()).await? {
                bail!("{client_id} is not installed in {}", o.slug);
            }
            println!("removed {client_id} from {}", o.slug);
        }
        OrgClientCmd::List { org } => {
            let o = find_org(state, &org).await?;
            for c in state.store.org_clients(o.id).await? {
                println!("{c}");
            }
        }
    }
    Ok(())
}

pub async fn authz(config: signet_server::config::Config, cmd: AuthzCmd) -> anyhow::Result<()> {
    if let AuthzCmd::Test { file } = &cmd {
        return test_file(file);
    }
    let state = state(config).await?;
    let explain = matches!(cmd, AuthzCmd::Explain { .. });
    match cmd {
        AuthzCmd::Schema { org, file: None } => {
            let (src, rev) = ops::schema(&state, &cli_caller(find_org(&state, &org).await?)).await.map_err(refused)?;
            print!("{src}");
            eprintln!("(revision {rev})");
        }
        AuthzCmd::Schema { org, file: Some(file) } => {
            let src = if file == "-" {
                std::io::read_to_string(std::io::stdin()).context("standard input")?
            } else {
                std::fs::read_to_string(&file).with_context(|| file.clone())?
            };
            let caller = cli_caller(find_org(&state, &org).await?);
            println!("{}", ops::set_schema(&state, &caller, &src).await.map_err(refused)?);
        }
        AuthzCmd::Write { org, tuples, delete, condition } => {
            let condition: Option<ConditionJson> =
                condition.as_deref().map(serde_json::from_str).transpose().context("--condition")?;
            let writes = tuples
                .iter()
                .map(|t| ops::parse_tuple(t, condition.as_ref()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(refused)?;
            let deletes =
                delete.iter().map(|t| ops::parse_tuple(t, None)).collect::<Result<Vec<_>, _>>().map_err(refused)?;
            if writes.is_empty() && deletes.is_empty() {
                bail!("nothing to write: give tuples or --delete");
            }
            let caller = cli_caller(find_org(&state, &org).await?);
            println!("{}", ops::write(&state, &caller, &writes, &deletes).await.map_err(refused)?);
        }
        AuthzCmd::Check { org, question, context: ctx } | AuthzCmd::Explain { org, question, context: ctx } => {
            let (object, permission, subject) = parse_question(&question)?;
            let context = context(ctx.as_deref())?.to_context(state.now()).map_err(anyhow::Error::msg)?;
            let caller = cli_caller(find_org(&state, &org).await?);
            let g = ops::graph(&state, &caller, None).await.map_err(refused)?;
            let g = g.read().map_err(|_| anyhow::anyhow!("graph lock poisoned"))?;
            let q = ops::Question { object, permission, subject, context };
            if !explain {
                println!("{}", describe(&ops::check(&g, &q).0));
                return Ok(());
            }
            let e = ops::explain(&g, &q).map_err(refused)?;
            println!("{}", describe(&e.decision));
            for step in &e.proof {
                println!("  {step}");
            }
            for t in &e.missing {
                println!("  would allow: {t}");
            }
        }
        AuthzCmd::Test { .. } => {}
    }
    Ok(())
}

/// A policy test file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    schema: String,
    #[serde(default)]
    tuples: Vec<TestTuple>,
    #[serde(default)]
    tests: Vec<TestCase>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TestTuple {
    Text(String),
    Full { tuple: String, condition: Option<ConditionJson> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    /// `OBJECT#PERMISSION@SUBJECT`.
    #[serde(default)]
    check: Option<String>,
    /// `{type, permission, subject}`: the ids expected, complete and in order.
    #[serde(default)]
    list_objects: Option<ListCase>,
    #[serde(default)]
    context: Option<ContextJson>,
    /// `allow`, `deny` or `conditional` for a check; the ids for a listing.
    expect: serde_yaml::Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListCase {
    #[serde(rename = "type")]
    typ: String,
    permission: String,
    subject: String,
}

fn test_file(path: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_owned())?;
    let file: TestFile = serde_yaml::from_str(&text).with_context(|| format!("{path}: not a policy test file"))?;
    let schema = Schema::parse(&file.schema).map_err(|e| anyhow::anyhow!("{path}: schema: {e}"))?;
    let mut engine = Engine::new(schema);
    for t in &file.tuples {
        let (text, condition) = match t {
            TestTuple::Text(s) => (s, None),
            TestTuple::Full { tuple, condition } => (tuple, condition.as_ref()),
        };
        let t = ops::parse_tuple(text, condition).map_err(refused)?;
        engine.write(t).map_err(|e| anyhow::anyhow!("{path}: tuple {text}: {e}"))?;
    }
    let now = time::OffsetDateTime::now_utc();
    let mut failed = 0;
    for (i, case) in file.tests.iter().enumerate() {
        let ctx = case.context.clone().unwrap_or_default().to_context(now).map_err(anyhow::Error::msg)?;
        let (name, got, want) = match (&case.check, &case.list_objects) {
            (Some(q), None) => {
                let (object, permission, subject) = parse_question(q)?;
                let got = match engine.check(&object, &permission, &subject, &ctx) {
                    Ok(d) => ops::decision_name(&d).to_owned(),
                    Err(e) => format!("error: {e}"),
                };
                (q.clone(), got, case.expect.as_str().unwrap_or_default().to_owned())
            }
            (None, Some(l)) => {
                let subject = Subject::parse(&l.subject).map_err(|e| anyhow::anyhow!("{}: {e}", l.subject))?;
                let mut ids = Vec::new();
                let mut cursor = None;
                loop {
                    let page = engine
                        .list_objects(&l.typ, &l.permission, &subject, &ctx, cursor.as_deref(), 1_000)
                        .map_err(|e| anyhow::anyhow!("test {}: {e}", i + 1))?;
                    ids.extend(page.allowed);
                    match page.next {
                        Some(n) => cursor = Some(n),
                        None => break,
                    }
                }
                let want: Vec<String> = serde_yaml::from_value(case.expect.clone())
                    .with_context(|| format!("test {}: expect a list of ids", i + 1))?;
                let want: BTreeSet<String> = want.into_iter().collect();
                let got: BTreeSet<String> = ids.into_iter().collect();
                let name = format!("list {}#{}@{}", l.typ, l.permission, l.subject);
                (name, format!("{got:?}"), format!("{want:?}"))
            }
            _ => bail!("test {}: give either check or list_objects", i + 1),
        };
        if got == want {
            println!("ok   {name} → {got}");
        } else {
            failed += 1;
            println!("FAIL {name}: expected {want}, got {got}");
        }
    }
    println!("{} tests, {failed} failed", file.tests.len());
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
