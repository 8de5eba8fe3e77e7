-- Links emailed to prove an address: a password reset (to the account's address) or an
-- email change (to the new one). The token itself is minted as the email is sent and kept
-- here only as its SHA-256; a link works once, until it expires.
CREATE TABLE account_links (
    id          TEXT NOT NULL PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_change')),
    new_email   TEXT NULL,
    token_hash  TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX account_links_user_idx ON account_links (user_id, purpose, created_at);
CREATE UNIQUE INDEX account_links_token_idx ON account_links (token_hash);
ALTER TABLE email_outbox ADD COLUMN account_link_id TEXT NULL REFERENCES account_links (id);
