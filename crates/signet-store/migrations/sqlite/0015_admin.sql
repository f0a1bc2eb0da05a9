-- The admin API (issue 22). `revision` is a row's version for ETag / If-Match (RFC 9110 §13.1.1):
-- every change to the row bumps it, whichever path made it (API, CLI, a user's own page), so a
-- write conditioned on a revision that is no longer current is refused (412).
ALTER TABLE users ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
-- Client-secret rotation with overlap: the replaced secret keeps working until it expires.
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at INTEGER;

CREATE TRIGGER users_revision AFTER UPDATE ON users WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE users SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER clients_revision AFTER UPDATE ON clients WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE clients SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;

-- The audit browser filters by kind and actor, newest first.
CREATE INDEX audit_by_kind ON audit_log(kind, id);
-- Retention deletes the oldest events first, in batches.
CREATE INDEX audit_by_at ON audit_log(at);
