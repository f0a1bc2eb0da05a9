-- Device authorization grant (RFC 8628).
CREATE TABLE device_codes (
    id            INTEGER PRIMARY KEY,
    device_hash   TEXT NOT NULL UNIQUE,
    user_code     TEXT NOT NULL UNIQUE,
    client_id     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    interval_secs INTEGER NOT NULL,
    last_poll_at  INTEGER,
    status        TEXT NOT NULL,
    user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,
    auth_time     INTEGER
);
