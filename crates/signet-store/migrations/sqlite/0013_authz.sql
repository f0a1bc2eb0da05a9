-- The relationship engine's data (issue 20). Every change takes the next global revision
-- (`authz_revision.rev`, one row: its write lock orders the changes) and leaves a row in
-- `authz_changes`, from which each instance brings its in-memory engines up to date; a
-- revision token is such a revision. Memberships are not copied: triggers on org_members log
-- that a member changed, and the engine reads the membership itself.
CREATE TABLE authz_revision (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    rev    INTEGER NOT NULL,
    -- Changes up to this revision have been deleted: an instance behind it reloads.
    pruned INTEGER NOT NULL
);
INSERT INTO authz_revision (id, rev, pruned) VALUES (1, 0, 0);

-- An organization's schema (the text users wrote, parsed again on load).
CREATE TABLE authz_schemas (
    org_id     INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    rev        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Relationship tuples `object_type:object_id#relation@subject_type:subject_id[#subject_relation]`.
CREATE TABLE authz_tuples (
    org_id           INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    object_type      TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    relation         TEXT NOT NULL,
    subject_type     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    -- '' for a plain subject.
    subject_relation TEXT NOT NULL,
    -- JSON, '' for none.
    condition        TEXT NOT NULL,
    rev              INTEGER NOT NULL,
    PRIMARY KEY (org_id, object_type, object_id, relation, subject_type, subject_id, subject_relation)
) WITHOUT ROWID; -- stored in key order: an organization's tuples are read in one sweep
CREATE INDEX authz_tuples_by_subject ON authz_tuples(org_id, subject_type, subject_id);

-- op: 'w' tuple written, 'd' tuple deleted, 's' schema set, 'm' membership of user_id changed,
-- 'c' client subject_id installed or removed, 'x' organization deleted.
CREATE TABLE authz_changes (
    seq              INTEGER PRIMARY KEY,
    rev              INTEGER NOT NULL,
    org_id           INTEGER NOT NULL,
    op               TEXT NOT NULL,
    object_type      TEXT NOT NULL DEFAULT '',
    object_id        TEXT NOT NULL DEFAULT '',
    relation         TEXT NOT NULL DEFAULT '',
    subject_type     TEXT NOT NULL DEFAULT '',
    subject_id       TEXT NOT NULL DEFAULT '',
    subject_relation TEXT NOT NULL DEFAULT '',
    condition        TEXT NOT NULL DEFAULT '',
    user_id          INTEGER NOT NULL DEFAULT 0,
    at               INTEGER NOT NULL
);
CREATE INDEX authz_changes_by_rev ON authz_changes(rev);

CREATE TRIGGER org_members_authz_i AFTER INSERT ON org_members BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, user_id, at)
        SELECT rev, NEW.org_id, 'm', NEW.user_id, NEW.created_at FROM authz_revision WHERE id = 1;
END;
CREATE TRIGGER org_members_authz_u AFTER UPDATE ON org_members BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, user_id, at)
        SELECT rev, NEW.org_id, 'm', NEW.user_id, NEW.created_at FROM authz_revision WHERE id = 1;
END;
CREATE TRIGGER org_members_authz_d AFTER DELETE ON org_members BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, user_id, at)
        SELECT rev, OLD.org_id, 'm', OLD.user_id, OLD.created_at FROM authz_revision WHERE id = 1;
END;
CREATE TRIGGER organizations_authz_d AFTER DELETE ON organizations BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, at)
        SELECT rev, OLD.id, 'x', OLD.updated_at FROM authz_revision WHERE id = 1;
END;

-- The clients installed in an organization: only they may ask the authorization API about
-- it (the confused-deputy guard), and only they get client-credentials tokens for it.
CREATE TABLE org_clients (
    org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, client_id)
);
CREATE INDEX org_clients_by_client ON org_clients(client_id);

CREATE TRIGGER org_clients_authz_i AFTER INSERT ON org_clients BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, subject_id, at)
        SELECT rev, NEW.org_id, 'c', NEW.client_id, NEW.created_at FROM authz_revision WHERE id = 1;
END;
CREATE TRIGGER org_clients_authz_d AFTER DELETE ON org_clients BEGIN
    UPDATE authz_revision SET rev = rev + 1 WHERE id = 1;
    INSERT INTO authz_changes (rev, org_id, op, subject_id, at)
        SELECT rev, OLD.org_id, 'c', OLD.client_id, OLD.created_at FROM authz_revision WHERE id = 1;
END;

-- The authorization API is an API like any other: clients are granted its permissions.
INSERT INTO apis (identifier, name, created_at) VALUES ('urn:signet:authz', 'Signet authorization API', 0);
INSERT INTO api_permissions (api_id, name, description)
    SELECT id, p.name, p.description FROM apis, (
        SELECT 'authz:check' AS name, 'Ask whether a subject may act on a resource' AS description
        UNION ALL SELECT 'authz:read', 'Read relationship tuples and the schema'
        UNION ALL SELECT 'authz:write', 'Write relationship tuples and the schema'
        UNION ALL SELECT 'authz:explain', 'See why a decision was made'
    ) AS p WHERE apis.identifier = 'urn:signet:authz';
