-- Admin-issued password resets and registration invites (each a single-use, expiring token stored
-- as SHA-256), and the scopes an API key was given.

CREATE TABLE password_resets (
    token_hash    text    PRIMARY KEY,
    user_id       uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at_ns bigint  NOT NULL,
    used          boolean NOT NULL DEFAULT false,
    created_by    uuid    NOT NULL
);

CREATE TABLE invites (
    token_hash    text    PRIMARY KEY,
    role          text    NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
    expires_at_ns bigint  NOT NULL,
    used_by       uuid,
    created_by    uuid    NOT NULL
);

-- `read`, or `read,trade`: what the key may do, never more than its user.
ALTER TABLE api_keys ADD COLUMN scopes text NOT NULL DEFAULT 'read';
UPDATE api_keys SET scopes = CASE role WHEN 'viewer' THEN 'read' ELSE 'read,trade' END;
CREATE INDEX api_keys_user ON api_keys (user_id, created_at_ns DESC);
