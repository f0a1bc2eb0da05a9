ALTER TABLE clients ADD COLUMN skip_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '';

-- Authorization requests waiting for login or consent, referenced by an opaque id (only its
-- hash is stored) so the browser never has to carry the parameters twice.
CREATE TABLE authorization_requests (
    id_hash    TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    params     TEXT NOT NULL,  -- JSON of the validated request
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Authorization codes: hashed, short-lived, single use, bound to everything the token
-- request must match.
CREATE TABLE authorization_codes (
    id             INTEGER PRIMARY KEY,
    code_hash      TEXT NOT NULL UNIQUE,
    client_id      TEXT NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id     INTEGER,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce          TEXT,
    scope          TEXT NOT NULL,
    auth_time      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    -- What the redemption issued, so a replay can revoke it (RFC 6749 §4.1.2).
    family_id      INTEGER,
    access_jti     TEXT,
    access_exp     INTEGER
);

-- Remembered consent per user and client.
CREATE TABLE consents (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    scope      TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
