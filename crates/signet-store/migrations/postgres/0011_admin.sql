-- The admin API (issue 22). `revision` is a row's version for ETag / If-Match (RFC 9110 §13.1.1):
-- every change to the row bumps it, whichever path made it (API, CLI, a user's own page), so a
-- write conditioned on a revision that is no longer current is refused (412).
ALTER TABLE users ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
-- Client-secret rotation with overlap: the replaced secret keeps working until it expires.
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at BIGINT;

CREATE FUNCTION signet_bump_revision() RETURNS trigger AS $$
BEGIN
    IF NEW.revision = OLD.revision THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER users_revision BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION signet_bump_revision();
CREATE TRIGGER clients_revision BEFORE UPDATE ON clients FOR EACH ROW EXECUTE FUNCTION signet_bump_revision();

-- The audit browser filters by kind and actor, newest first.
CREATE INDEX audit_by_kind ON audit_log(kind, id);
-- Retention deletes the oldest events first, in batches.
CREATE INDEX audit_by_at ON audit_log(at);
