-- Second factors and passkeys (issue 8).

-- How each session, code and token family was authenticated: RFC 8176 `amr` values,
-- space-separated ("pwd", "pwd otp", "hwk user"). Rows from before this migration were
-- password logins.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
ALTER TABLE authorization_codes ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';
ALTER TABLE refresh_families ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE device_codes ADD COLUMN amr TEXT NOT NULL DEFAULT '';
-- Per-client policy: users must have completed a second factor before a code is issued.
ALTER TABLE clients ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0;

-- One TOTP authenticator per user (RFC 6238). The secret is AES-256-GCM encrypted under the
-- key-encryption key; `last_step` is the replay guard (§5.2).
CREATE TABLE totp_factors (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_enc   BLOB NOT NULL,
    confirmed    INTEGER NOT NULL DEFAULT 0,
    last_step    INTEGER NOT NULL DEFAULT -1,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- Single-use backup codes, stored as keyed hashes (HMAC-SHA-256 under a server secret).
CREATE TABLE backup_codes (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    used_at   INTEGER
);
CREATE INDEX backup_codes_by_user ON backup_codes(user_id);

-- WebAuthn credentials. `credential` is the RP library's serialized credential (public key,
-- counter, flags); the other columns are for lookups and display.
CREATE TABLE passkeys (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id   TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    credential      TEXT NOT NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backup_state    INTEGER NOT NULL DEFAULT 0,
    transports      TEXT NOT NULL DEFAULT '',
    aaguid          TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys(user_id);

-- Short-lived single-use server state of multi-step logins: a password login waiting for its
-- second factor, WebAuthn challenges. Taken (deleted) when used.
CREATE TABLE challenges (
    id_hash    TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX challenges_by_expiry ON challenges(expires_at);
