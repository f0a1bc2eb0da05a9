-- Groups within an organization: members of a group hold the group's roles there (issue 19).
CREATE TABLE org_groups (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members(user_id);

CREATE TABLE group_roles (
    group_id INTEGER NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    role_id  INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, role_id)
);

-- Access generations. Who holds what in an organization is cached by every instance for as long
-- as the organization's `access_gen` (and, for global roles, the single global generation) is
-- unchanged; the triggers below bump them in the same transaction as any change, whichever
-- path made it (server, CLI, cascade), so a cached answer never outlives a change.
ALTER TABLE organizations ADD COLUMN access_gen INTEGER NOT NULL DEFAULT 0;
CREATE TABLE access_generation (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    gen INTEGER NOT NULL
);
INSERT INTO access_generation (id, gen) VALUES (1, 0);

CREATE TRIGGER org_members_gen_i AFTER INSERT ON org_members BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = NEW.org_id;
END;
CREATE TRIGGER org_members_gen_u AFTER UPDATE ON org_members BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id IN (OLD.org_id, NEW.org_id);
END;
CREATE TRIGGER org_members_gen_d AFTER DELETE ON org_members BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = OLD.org_id;
END;

-- org_id 0 is a global assignment: it counts in every organization.
CREATE TRIGGER user_roles_gen_i AFTER INSERT ON user_roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = NEW.org_id;
    UPDATE access_generation SET gen = gen + 1 WHERE NEW.org_id = 0;
END;
CREATE TRIGGER user_roles_gen_u AFTER UPDATE ON user_roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id IN (OLD.org_id, NEW.org_id);
    UPDATE access_generation SET gen = gen + 1;
END;
CREATE TRIGGER user_roles_gen_d AFTER DELETE ON user_roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = OLD.org_id;
    UPDATE access_generation SET gen = gen + 1 WHERE OLD.org_id = 0;
END;

-- A role's definition: its organization's generation, or the global one for a global role.
CREATE TRIGGER roles_gen_u AFTER UPDATE ON roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id IN (OLD.org_id, NEW.org_id);
    UPDATE access_generation SET gen = gen + 1 WHERE OLD.org_id = 0 OR NEW.org_id = 0;
END;
CREATE TRIGGER roles_gen_d AFTER DELETE ON roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = OLD.org_id;
    UPDATE access_generation SET gen = gen + 1 WHERE OLD.org_id = 0;
END;
CREATE TRIGGER role_permissions_gen_i AFTER INSERT ON role_permissions BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM roles WHERE id = NEW.role_id);
    UPDATE access_generation SET gen = gen + 1
     WHERE (SELECT org_id FROM roles WHERE id = NEW.role_id) = 0;
END;
-- A deleted permission may belong to a role being deleted (cascade): bump the global
-- generation whenever the role's organization cannot be told.
CREATE TRIGGER role_permissions_gen_d AFTER DELETE ON role_permissions BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM roles WHERE id = OLD.role_id);
    UPDATE access_generation SET gen = gen + 1
     WHERE COALESCE((SELECT org_id FROM roles WHERE id = OLD.role_id), 0) = 0;
END;

CREATE TRIGGER group_members_gen_i AFTER INSERT ON group_members BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM org_groups WHERE id = NEW.group_id);
END;
CREATE TRIGGER group_members_gen_d AFTER DELETE ON group_members BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM org_groups WHERE id = OLD.group_id);
END;
CREATE TRIGGER group_roles_gen_i AFTER INSERT ON group_roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM org_groups WHERE id = NEW.group_id);
END;
CREATE TRIGGER group_roles_gen_d AFTER DELETE ON group_roles BEGIN
    UPDATE organizations SET access_gen = access_gen + 1
     WHERE id = (SELECT org_id FROM org_groups WHERE id = OLD.group_id);
END;
CREATE TRIGGER org_groups_gen_d AFTER DELETE ON org_groups BEGIN
    UPDATE organizations SET access_gen = access_gen + 1 WHERE id = OLD.org_id;
END;
