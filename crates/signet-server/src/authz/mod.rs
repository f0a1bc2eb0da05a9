//! The relationship engine, served (issue 20): one in-memory [`Engine`] per organization,
//! loaded from the store on first use and kept current from the change log.
//!
//! - **Revisions.** Every change (a tuple batch, a schema, a membership) takes the next global
//!   revision in the store (`authz_revision`, whose row lock orders them) and logs it in
//!   `authz_changes`. A write answers with its revision as a token; a check or list given
//!   `at_least_as_fresh` first brings this instance up to that revision, so nobody is let in by
//!   state older than a revoke they were told about (the "new enemy" problem), on any instance.
//! - **Following.** Each instance applies the log in order ([`Graphs::follow`]): on demand for
//!   a token, and every `[authz] follow_interval` from its own task, which is how a change made on
//!   another instance (or by the CLI) reaches this one without a token. An instance that fell
//!   behind the pruned part of the log drops its graphs and reloads them.
//! - **Memberships are relations, not copies.** When an organization's schema has a type
//!   `organization`, its members appear as `organization:<org id>#member@user:<sub>`, admins
//!   and owners also as `#admin`, owners also as `#owner` — read from the membership table on
//!   load and re-read when the log says a membership changed, so removing a member removes
//!   every permission that went through the membership.
//! - **Users** are `user:<sub>` (the account's public subject).

pub mod caller;
pub mod convert;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use signet_authz::{Engine, Schema, Subject, Tuple};
use signet_store::{AuthzHead, ChangeOp, OrgSubject, Store, StoreError};

/// How often the follower reads the change log unless `[authz] follow_interval` says otherwise:
/// the longest a change made elsewhere takes to reach this instance when no revision token
/// asks for it sooner.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// Log entries read per query while following.
const PAGE: i64 = 2_000;

/// The built-in roles, as relations of the `organization` type: a member holds `member`, an
/// admin `member` and `admin`, an owner all three.
const ORG_TYPE: &str = "organization";
pub const MEMBERSHIP_RELATIONS: [&str; 3] = ["member", "admin", "owner"];

fn role_relations(org_role: &str) -> &'static [&'static str] {
    match org_role {
        "owner" => &MEMBERSHIP_RELATIONS,
        "admin" => &MEMBERSHIP_RELATIONS[..2],
        _ => &MEMBERSHIP_RELATIONS[..1],
    }
}

/// One organization's graph.
#[derive(Debug)]
pub struct Graph {
    pub engine: Engine,
    /// The revision that set the schema (0: none set).
    pub schema_rev: i64,
    org_public_id: String,
    /// Members whose built-in role is in the graph: user row id → (subject, role).
    members: HashMap<i64, (String, String)>,
    /// The clients installed in the organization: only they may ask about it.
    installed: HashSet<String>,
}

impl Graph {
    pub fn installed(&self, client_id: &str) -> bool {
        self.installed.contains(client_id)
    }

    fn member_tuples(&self, subject: &str, org_role: &str) -> Vec<Tuple> {
        role_relations(org_role)
            .iter()
            .filter_map(|rel| {
                let t = Tuple::parse(&format!("{ORG_TYPE}:{}#{rel}@user:{subject}", self.org_public_id)).ok()?;
                self.engine.validate(&t).ok().map(|_| t)
            })
            .collect()
    }

    fn set_member(&mut self, user_id: i64, now: Option<&OrgSubject>) {
        if let Some((subject, role)) = self.members.remove(&user_id) {
            for t in self.member_tuples(&subject, &role) {
                self.engine.delete(&t);
            }
        }
        if let Some(m) = now {
            for t in self.member_tuples(&m.subject, &m.org_role) {
                let _ = self.engine.write(t);
            }
            self.members.insert(user_id, (m.subject.clone(), m.org_role.clone()));
        }
    }
}

#[derive(Debug, Default)]
struct Follow {
    /// Every change up to this revision is applied to the loaded graphs.
    rev: i64,
    /// The log position (sequence) read up to.
    seq: i64,
    started: bool,
}

/// Every loaded organization's graph, and where this instance is in the change log.
#[derive(Default)]
pub struct Graphs {
    graphs: RwLock<HashMap<i64, Arc<RwLock<Graph>>>>,
    /// The loaded organizations by public id (what tokens name), so a check reads no row.
    orgs: RwLock<HashMap<String, signet_store::Org>>,
    /// Applied revision, readable without the lock (checks compare tokens with it).
    applied: std::sync::atomic::AtomicI64,
    follow: tokio::sync::Mutex<Follow>,
}

impl std::fmt::Debug for Graphs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Graphs")
    }
}

/// Why a revision cannot be honoured.
#[derive(Debug, thiserror::Error)]
pub enum Fresh {
    #[error("the revision token names a revision this server has not reached")]
    Unknown,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Graphs {
    /// The revision this instance has applied.
    pub fn applied(&self) -> i64 {
        self.applied.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Brings the loaded graphs up to at least `rev` (a token from a write anywhere).
    pub async fn at_least(&self, store: &dyn Store, rev: i64) -> Result<(), Fresh> {
        if rev <= self.applied() {
            return Ok(());
        }
        let mut f = self.follow.lock().await;
        self.follow_locked(store, &mut f).await?;
        if f.rev < rev {
            return Err(Fresh::Unknown);
        }
        Ok(())
    }

    /// Applies whatever the log holds beyond what this instance has applied.
    pub async fn follow(&self, store: &dyn Store) -> Result<i64, StoreError> {
        let mut f = self.follow.lock().await;
        self.follow_locked(store, &mut f).await?;
        Ok(f.rev)
    }

    async fn follow_locked(&self, store: &dyn Store, f: &mut Follow) -> Result<(), StoreError> {
        let head: AuthzHead = store.authz_head().await?;
        if !f.started || head.pruned > f.rev {
            // Nothing loaded yet, or the log no longer holds what this instance missed: start
            // from the head, with every graph reloaded on its next use.
            if let Ok(mut g) = self.graphs.write() {
                g.clear();
            }
            if let Ok(mut o) = self.orgs.write() {
                o.clear();
            }
            f.seq = head.seq;
            f.rev = head.rev;
            f.started = true;
            self.publish(f.rev);
            // Changes after this head are picked up below, on top of graphs loaded later.
        }
        loop {
            let changes = store.authz_changes(f.seq, PAGE).await?;
            for c in &changes {
                self.apply(store, c.org_id, &c.op).await?;
                f.seq = c.seq;
                f.rev = f.rev.max(c.rev);
            }
            if (changes.len() as i64) < PAGE {
                break;
            }
        }
        // Everything committed by the time the head was read was in the pages above.
        f.rev = f.rev.max(head.rev);
        self.publish(f.rev);
        Ok(())
    }

    fn publish(&self, rev: i64) {
        self.applied.fetch_max(rev, std::sync::atomic::Ordering::AcqRel);
    }

    fn loaded(&self, org_id: i64) -> Option<Arc<RwLock<Graph>>> {
        self.graphs.read().ok()?.get(&org_id).cloned()
    }

    fn forget(&self, org_id: i64) {
        if let Ok(mut g) = self.graphs.write() {
            g.remove(&org_id);
        }
        if let Ok(mut o) = self.orgs.write() {
            o.retain(|_, org| org.id != org_id);
        }
    }

    /// The organization a token names (by public id or slug), from memory once loaded; a
    /// deleted organization leaves memory with its graph.
    pub async fn find_org(&self, store: &dyn Store, org_ref: &str) -> Result<Option<signet_store::Org>, StoreError> {
        if let Some(o) = self.orgs.read().ok().and_then(|m| m.get(org_ref).cloned()) {
            return Ok(Some(o));
        }
        let (org, _) = store.access_stamp(Some(org_ref)).await?;
        if let (Some(o), Ok(mut m)) = (&org, self.orgs.write()) {
            // Only by public id: slugs can be reused by another organization.
            if o.public_id == org_ref {
                m.insert(o.public_id.clone(), o.clone());
            }
        }
        Ok(org)
    }

    async fn apply(&self, store: &dyn Store, org_id: i64, op: &ChangeOp) -> Result<(), StoreError> {
        if matches!(op, ChangeOp::OrgDeleted) {
            self.forget(org_id);
            return Ok(());
        }
        let Some(graph) = self.loaded(org_id) else { return Ok(()) };
        match op {
            ChangeOp::Write(row) | ChangeOp::Delete(row) => {
                let Ok(t) = convert::tuple_of_row(row) else {
                    // A row this build cannot read: reload rather than guess.
                    self.forget(org_id);
                    return Ok(());
                };
                let mut g = graph.write().map_err(|_| poisoned())?;
                if matches!(op, ChangeOp::Write(_)) {
                    if g.engine.write(t).is_err() {
                        drop(g);
                        self.forget(org_id);
                    }
                } else {
                    g.engine.delete(&t);
                }
            }
            ChangeOp::Member(user_id) => {
                let now = store.org_subject(org_id, *user_id).await?;
                graph.write().map_err(|_| poisoned())?.set_member(*user_id, now.as_ref());
            }
            ChangeOp::Client(client_id) => {
                let now = store.client_installed(org_id, client_id).await?;
                let mut g = graph.write().map_err(|_| poisoned())?;
                if now {
                    g.installed.insert(client_id.clone());
                } else {
                    g.installed.remove(client_id);
                }
            }
            ChangeOp::Schema | ChangeOp::OrgDeleted => self.forget(org_id),
        }
        Ok(())
    }

    /// The organization's graph, loaded if it is not yet.
    pub async fn graph(&self, store: &dyn Store, org: &signet_store::Org) -> Result<Arc<RwLock<Graph>>, StoreError> {
        // A graph is the organization's only if the public id matches too: SQLite gives a new
        // organization the row id of a deleted one, and the deletion may not be followed yet.
        let same = |g: &Arc<RwLock<Graph>>| g.read().is_ok_and(|g| g.org_public_id == org.public_id);
        if let Some(g) = self.loaded(org.id).filter(same) {
            return Ok(g);
        }
        // Loading holds the follow lock: the graph is read at or after the applied revision,
        // and every change after it is applied on top (applying a change twice is harmless:
        // each sets a tuple or a membership to what it was made to be).
        let mut f = self.follow.lock().await;
        self.follow_locked(store, &mut f).await?;
        match self.loaded(org.id) {
            Some(g) if same(&g) => return Ok(g),
            Some(_) => self.forget(org.id),
            None => {}
        }
        let graph = Arc::new(RwLock::new(load(store, org).await?));
        if let Ok(mut g) = self.graphs.write() {
            g.insert(org.id, graph.clone());
        }
        Ok(graph)
    }
}

fn poisoned() -> StoreError {
    StoreError::Other(anyhow::anyhow!("an authorization graph lock was poisoned"))
}

impl Graph {
    fn empty(schema: Schema, schema_rev: i64, org: &signet_store::Org, installed: HashSet<String>) -> Self {
        Graph {
            engine: Engine::new(schema),
            schema_rev,
            org_public_id: org.public_id.clone(),
            members: HashMap::new(),
            installed,
        }
    }

    /// Adds stored tuples in their text form (`AuthzStore::tuples_text`); one that no longer
    /// fits is skipped, and logged. How many were added.
    fn add_text(&mut self, text: &str) -> usize {
        let mut added = 0;
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let (tuple, condition) = match line.split_once('\t') {
                Some((t, c)) => (t, Some(c)),
                None => (line, None),
            };
            let res =
                convert::tuple_of_text(tuple, condition).and_then(|t| self.engine.write(t).map_err(|e| e.to_string()));
            match res {
                Ok(_) => added += 1,
                Err(e) => {
                    tracing::warn!(org = %self.org_public_id, error = %e, "a stored tuple that does not fit the schema")
                }
            }
        }
        added
    }

    /// Adds the organization's members as relations, if the schema has the `organization` type.
    async fn add_members(&mut self, store: &dyn Store, org_id: i64) -> Result<(), StoreError> {
        if self.engine.schema().types.contains_key(ORG_TYPE) {
            for m in store.org_subjects(org_id).await? {
                self.set_member(m.user_id, Some(&m));
            }
        }
        Ok(())
    }
}

fn parse_stored(src: &str) -> Result<Schema, StoreError> {
    Schema::parse(src).map_err(|e| StoreError::Other(anyhow::anyhow!("stored schema: {e}")))
}

/// Reads an organization's schema, tuples and members.
async fn load(store: &dyn Store, org: &signet_store::Org) -> Result<Graph, StoreError> {
    let (schema, schema_rev) = match store.authz_schema(org.id).await? {
        Some((src, rev)) => (parse_stored(&src)?, rev),
        None => (Schema::default(), 0),
    };
    let installed = store.org_clients(org.id).await?.into_iter().collect();
    let mut graph = Graph::empty(schema, schema_rev, org, installed);
    for (_, text) in store.tuples_text(Some(org.id)).await? {
        graph.add_text(&text);
    }
    graph.add_members(store, org.id).await?;
    Ok(graph)
}

impl Graphs {
    /// Loads every organization that has a schema in a few bulk reads, so that the first
    /// checks after a start find their graphs ready (`serve` runs it in the background; a
    /// request meanwhile waits for it rather than loading its organization twice). How many
    /// organizations and tuples.
    pub async fn preload(&self, store: &dyn Store) -> Result<(usize, usize), StoreError> {
        let mut f = self.follow.lock().await;
        self.follow_locked(store, &mut f).await?;
        let orgs: HashMap<i64, signet_store::Org> =
            store.list_orgs(0, i64::MAX).await?.into_iter().map(|o| (o.id, o)).collect();
        let mut clients: HashMap<i64, HashSet<String>> = HashMap::new();
        for (org_id, client) in store.all_org_clients().await? {
            clients.entry(org_id).or_default().insert(client);
        }
        let mut graphs: HashMap<i64, Graph> = HashMap::new();
        for (org_id, src, rev) in store.all_authz_schemas().await? {
            if let Some(org) = orgs.get(&org_id) {
                let installed = clients.remove(&org_id).unwrap_or_default();
                graphs.insert(org_id, Graph::empty(parse_stored(&src)?, rev, org, installed));
            }
        }
        let mut count = 0;
        for (org_id, text) in store.tuples_text(None).await? {
            if let Some(g) = graphs.get_mut(&org_id) {
                count += g.add_text(&text);
            }
        }
        for (org_id, g) in &mut graphs {
            g.add_members(store, *org_id).await?;
        }
        let n = graphs.len();
        if let (Ok(mut map), Ok(mut by_public)) = (self.graphs.write(), self.orgs.write()) {
            for (org_id, g) in graphs {
                if let Some(org) = orgs.get(&org_id) {
                    by_public.insert(org.public_id.clone(), org.clone());
                }
                map.entry(org_id).or_insert_with(|| Arc::new(RwLock::new(g)));
            }
        }
        Ok((n, count))
    }
}

/// Is this a tuple only the organization's membership may say? (`organization#member`, …:
/// those come from the membership table, and a written one would outlive the membership.)
pub fn is_membership_tuple(t: &Tuple) -> bool {
    t.object.typ == ORG_TYPE && MEMBERSHIP_RELATIONS.contains(&t.relation.as_str())
}

/// `user:<sub>`.
pub fn user_subject(sub: &str) -> Option<Subject> {
    Subject::parse(&format!("user:{sub}")).ok()
}
