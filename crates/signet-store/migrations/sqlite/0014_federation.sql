-- Signing in through upstream identity providers (issue 21).

-- Providers added by `signet idp add` (providers in signet.toml are not stored). `config` is
-- the provider's settings as JSON, without its secret; `secret` is the client secret (or
-- Apple's private key) encrypted under the key-encryption key, bound to the slug.
CREATE TABLE identity_providers (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    config     TEXT NOT NULL,
    secret     BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A person at an upstream, linked to a local account: keyed by (provider, issuer, subject),
-- never by e-mail. A user may hold several, two at one provider too.
CREATE TABLE external_identities (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    email        TEXT,
    name         TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    UNIQUE (provider, issuer, subject)
);
CREATE INDEX external_identities_by_user ON external_identities(user_id);

-- The token vault: an identity's upstream tokens, encrypted under the key-encryption key and
-- bound to the identity's row. Unlinking (or deleting the account) deletes them.
CREATE TABLE upstream_tokens (
    identity_id   INTEGER PRIMARY KEY REFERENCES external_identities(id) ON DELETE CASCADE,
    access_token  BLOB NOT NULL,
    refresh_token BLOB,
    expires_at    INTEGER,
    scope         TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL
);
