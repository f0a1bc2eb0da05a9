//! The two backends' schemas after migration: the same tables, columns, nullability and
//! indexes, so the SQLite and PostgreSQL migration histories cannot drift apart.

use std::collections::BTreeMap;

use sqlx::Row;

use crate::harness::{new_pg_schema, PostgresServer};

/// table → (columns: name → (type family, not null), indexes: name → (unique, columns)).
#[derive(Debug, Default, PartialEq)]
struct Table {
    columns: BTreeMap<String, (String, bool)>,
    indexes: BTreeMap<String, (bool, Vec<String>)>,
}

/// Declared types grouped the way the two dialects spell them. SQLite has no boolean type
/// (a flag is an INTEGER holding 0 or 1), so PostgreSQL's BOOLEAN counts as an integer.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let f = match t.as_str() {
        "integer" | "bigint" | "int" | "int8" | "int4" | "smallint" | "bigserial" | "serial" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "blob" | "bytea" => "bytes",
        "boolean" | "bool" => "integer",
        "real" | "double precision" => "real",
        other => other,
    };
    f.to_owned()
}

async fn sqlite_schema(pool: &sqlx::SqlitePool) -> BTreeMap<String, Table> {
    let mut out = BTreeMap::new();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    for t in tables {
        let name: String = t.get("name");
        let mut table = Table::default();
        for c in sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&name)
            .fetch_all(pool)
            .await
            .expect("columns")
        {
            let not_null = c.get::<i64, _>("notnull") != 0 || c.get::<i64, _>("pk") != 0;
            table.columns.insert(c.get("name"), (family(&c.get::<String, _>("type")), not_null));
        }
        // Indexes written in the migrations (not the ones UNIQUE and PRIMARY KEY make).
        for i in sqlx::query("SELECT name, \"unique\" FROM pragma_index_list(?) WHERE origin = 'c'")
            .bind(&name)
            .fetch_all(pool)
            .await
            .expect("indexes")
        {
            let index: String = i.get("name");
            let cols: Vec<String> = sqlx::query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(&index)
                .fetch_all(pool)
                .await
                .expect("index columns")
                .iter()
                .map(|r| r.get::<Option<String>, _>("name").unwrap_or_else(|| "(expression)".into()))
                .collect();
            table.indexes.insert(index, (i.get::<i64, _>("unique") != 0, cols));
        }
        out.insert(name, table);
    }
    out
}

async fn postgres_schema(pool: &sqlx::PgPool) -> BTreeMap<String, Table> {
    let mut out: BTreeMap<String, Table> = BTreeMap::new();
    let cols = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_nullable::text AS n
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    for c in cols {
        let table = out.entry(c.get("t")).or_default();
        table.columns.insert(c.get("c"), (family(&c.get::<String, _>("ty")), c.get::<String, _>("n") == "NO"));
    }
    let indexes = sqlx::query(
        "SELECT t.relname::text AS t, i.relname::text AS i, x.indisunique AS u,
                ARRAY(SELECT COALESCE(a.attname::text, '(expression)')
                      FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                      ORDER BY k.ord) AS cols
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = current_schema() AND t.relname NOT LIKE '\\_sqlx%'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    for i in indexes {
        let table = out.entry(i.get("t")).or_default();
        table.indexes.insert(i.get("i"), (i.get("u"), i.get("cols")));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_parity_sqlite_postgres() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = signet_store::SqliteStore::open(&dir.path().join("parity.db")).await.expect("sqlite");
    // The PostgreSQL pass's server, or one of our own (the SQLite pass has none).
    let own;
    let base = match std::env::var("SIGNET_TEST_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            own = PostgresServer::start();
            own.url.clone()
        }
    };
    let pg = signet_store::PgStore::open_url(&new_pg_schema(&base).await, 2).await.expect("postgres");
    let lite = sqlite_schema(sqlite.pool()).await;
    let post = postgres_schema(pg.pool()).await;
    assert!(lite.len() >= 15, "{:?}", lite.keys());
    assert_eq!(lite.keys().collect::<Vec<_>>(), post.keys().collect::<Vec<_>>(), "tables");
    let mut differences = Vec::new();
    for (name, l) in &lite {
        let p = &post[name];
        if l.columns != p.columns {
            differences.push(format!("{name} columns:\n  sqlite   {:?}\n  postgres {:?}", l.columns, p.columns));
        }
        if l.indexes != p.indexes {
            differences.push(format!("{name} indexes:\n  sqlite   {:?}\n  postgres {:?}", l.indexes, p.indexes));
        }
    }
    assert!(differences.is_empty(), "the schemas differ:\n{}", differences.join("\n"));
}
