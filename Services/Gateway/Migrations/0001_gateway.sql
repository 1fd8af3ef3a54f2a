-- Users and their sessions, API keys and settings. Secrets are never stored: passwords as bcrypt
-- hashes, refresh tokens and API key secrets as SHA-256 of 256-bit random values.

CREATE TABLE users (
    id            uuid     PRIMARY KEY,
    email         text     NOT NULL UNIQUE,  -- lower-cased
    password_hash text     NOT NULL,
    role          text     NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
    account_id    text     NOT NULL,         -- the paper account in execution
    disabled      boolean  NOT NULL DEFAULT false,
    created_at_ns bigint   NOT NULL
);
CREATE INDEX users_created ON users (created_at_ns DESC, id DESC);

CREATE TABLE refresh_tokens (
    token_hash    text    PRIMARY KEY,
    user_id       uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at_ns bigint  NOT NULL,
    used          boolean NOT NULL DEFAULT false
);

CREATE TABLE api_keys (
    id            uuid    PRIMARY KEY,
    user_id       uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label         text    NOT NULL,
    role          text    NOT NULL CHECK (role IN ('viewer', 'trader', 'admin')),
    secret_hash   text    NOT NULL,
    revoked       boolean NOT NULL DEFAULT false,
    created_at_ns bigint  NOT NULL
);

-- Each user's settings for the frontend (a JSON object the gateway validates the size and shape of).
CREATE TABLE user_config (
    user_id       uuid   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    document      text   NOT NULL,
    updated_at_ns bigint NOT NULL
);
