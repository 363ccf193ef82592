-- Users (seeded at start-up: their password hashes are salted per install) and refresh tokens.
CREATE TABLE users (
    id {{id}},
    username VARCHAR(50) NOT NULL UNIQUE,
    email VARCHAR(200) NOT NULL,
    password_hash VARCHAR(200) NOT NULL,
    role VARCHAR(20) NOT NULL CHECK (role IN ('customer', 'admin'))
);

CREATE TABLE refresh_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    expires_at {{timestamp}} NOT NULL,
    revoked_at {{timestamp}} NULL,
    replaced_by_hash VARCHAR(64) NULL,
    created_at {{timestamp}} NOT NULL
);

CREATE INDEX ix_refresh_tokens_user_id ON refresh_tokens (user_id);
