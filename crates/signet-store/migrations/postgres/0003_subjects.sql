-- OIDC Core §2 `sub`: an opaque identifier, never reused. Users that exist already keep the
-- value they were given (their row number), which relying parties may have stored.
ALTER TABLE users ADD COLUMN subject TEXT;
UPDATE users SET subject = CAST(id AS TEXT);
CREATE UNIQUE INDEX users_by_subject ON users(subject);
-- OIDC Core §8: "public" or "pairwise" subjects per client; the ID-token algorithm a client
-- registered (NULL = the server default, RS256: OIDC Core §3.1.3.7).
ALTER TABLE clients ADD COLUMN subject_type TEXT NOT NULL DEFAULT 'public';
ALTER TABLE clients ADD COLUMN id_token_alg TEXT;
