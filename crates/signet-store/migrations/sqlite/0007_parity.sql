-- Two indexes PostgreSQL had from its first migration and SQLite lacked (found by the test
-- `schema_parity_sqlite_postgres`): the idle-session purge scans by last use, and deleting a
-- client revokes its refresh families.
CREATE INDEX IF NOT EXISTS sessions_by_last_seen ON sessions(last_seen_at);
CREATE INDEX IF NOT EXISTS refresh_families_by_client ON refresh_families(client_id);
