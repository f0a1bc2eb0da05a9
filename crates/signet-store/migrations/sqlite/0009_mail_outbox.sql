-- Outgoing mail. A request only inserts a row; the delivery worker claims due rows (a lease in
-- claimed_until, so with several instances one delivers each message), sends, and marks them
-- sent, or schedules a retry with backoff, or gives up after the last attempt.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at);
