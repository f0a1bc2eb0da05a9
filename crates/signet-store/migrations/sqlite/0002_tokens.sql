-- OAuth clients. Confidential clients store SHA-256 of a 256-bit random secret.
CREATE TABLE clients (
    id                 INTEGER PRIMARY KEY,
    client_id          TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    secret_hash        TEXT,
    is_public          INTEGER NOT NULL DEFAULT 0,
    grant_types        TEXT NOT NULL,          -- space-separated
    scopes             TEXT NOT NULL DEFAULT '', -- allowed scopes, space-separated
    audiences          TEXT NOT NULL DEFAULT '', -- allowed `aud` values, space-separated; first is the default
    redirect_uris      TEXT NOT NULL DEFAULT '', -- newline-separated
    access_token_ttl   INTEGER,                -- seconds; NULL = server default
    signing_alg        TEXT,                   -- NULL = server default
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Signing keys. Private keys are AES-256-GCM encrypted with the key-encryption key.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    alg          TEXT NOT NULL,
    state        TEXT NOT NULL,  -- next | current | retired | revoked
    private_enc  BLOB NOT NULL,
    public_jwk   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    activated_at INTEGER,
    retired_at   INTEGER,
    -- A retired key is published until every token it signed has expired.
    drop_after   INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE refresh_families (
    id                  INTEGER PRIMARY KEY,
    client_id           TEXT NOT NULL,
    user_id             INTEGER REFERENCES users(id) ON DELETE CASCADE,
    scope               TEXT NOT NULL,
    audience            TEXT NOT NULL,
    auth_time           INTEGER,
    created_at          INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at          INTEGER,
    revoked_reason      TEXT
);
CREATE INDEX refresh_families_by_user ON refresh_families(user_id);

CREATE TABLE refresh_tokens (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    family_id       INTEGER NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    scope           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    used_at         INTEGER,
    successor_id    INTEGER
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);
