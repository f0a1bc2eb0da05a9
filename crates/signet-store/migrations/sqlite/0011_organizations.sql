-- Organizations and roles (issue 19). An organization is a tenant; members hold one built-in
-- organization role (owner, admin, member: who may manage the organization) and any number of
-- roles, which are named sets of API permissions. Roles and role assignments with org_id 0 are
-- global (they apply in every organization and outside them).
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    -- The id APIs and tokens show (`org_…`, random): row ids are never exposed.
    public_id  TEXT NOT NULL UNIQUE,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    -- Verified e-mail domains, space-separated (home-realm discovery).
    domains    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE org_members (
    org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_role   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_by_user ON org_members(user_id);

-- Resource servers: `identifier` is the `aud` of their tokens.
CREATE TABLE apis (
    id         INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_permissions (
    api_id      INTEGER NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (api_id, name)
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE role_permissions (
    role_id    INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    api_id     INTEGER NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, api_id, permission)
);

CREATE TABLE user_roles (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL DEFAULT 0,
    role_id    INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, org_id, role_id)
);

-- A client that only works inside an organization: users in several pick one.
ALTER TABLE clients ADD COLUMN require_organization INTEGER NOT NULL DEFAULT 0;

-- Permissions a client holds on an API for its own tokens (client credentials).
CREATE TABLE client_grants (
    client_id  TEXT NOT NULL REFERENCES clients(client_id) ON DELETE CASCADE,
    api_id     INTEGER NOT NULL REFERENCES apis(id) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (client_id, api_id, permission)
);
