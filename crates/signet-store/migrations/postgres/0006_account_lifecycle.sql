-- The account lifecycle (issue 18): a verified address, an OIDC profile, scheduled deletion,
-- and the networks a user has signed in from (for the new-device notice).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
-- The OIDC Core §5.1 profile claims as a JSON object (name, given_name, …); '{}' when unset.
ALTER TABLE users ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
-- Set while a self-service deletion waits out its grace period; the account is erased after it.
ALTER TABLE users ADD COLUMN delete_after BIGINT;
CREATE INDEX users_delete_after ON users(delete_after);

CREATE TABLE user_networks (
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The client address's network prefix: IPv4 /24, IPv6 /48.
    prefix        TEXT NOT NULL,
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, prefix)
);
