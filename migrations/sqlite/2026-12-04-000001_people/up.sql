-- People (DESIGN §3 "People"): the job runner, comments, notifications and check-in
-- reminders with their one-time links.

-- One queue for all scheduled and background work. A job is claimed by one worker at a time
-- (locked_by / locked_until); a lapsed claim is taken over. A recurring occurrence carries a
-- dedupe_key ("check_in_reminders:<workspace>:<local date>"), so it is queued once however
-- many instances schedule it.
CREATE TABLE jobs (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    dedupe_key   TEXT NULL,
    run_at       TIMESTAMP NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 8,
    locked_by    TEXT NULL,
    locked_until TIMESTAMP NULL,
    last_error   TEXT NULL,
    result_json  TEXT NULL,
    finished_at  TIMESTAMP NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT jobs_dedupe_key_unique UNIQUE (dedupe_key)
);
CREATE INDEX jobs_due_idx ON jobs (state, run_at);

-- Reminders run in the organization's local time (an IANA name).
ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- The local hour a workspace's check-in reminders go out on the cadence's day, and whether
-- a key result still not updated two days after its reminder goes to the owner's manager.
ALTER TABLE workspaces ADD COLUMN reminder_hour INTEGER NOT NULL DEFAULT 9
    CHECK (reminder_hour BETWEEN 0 AND 23);
ALTER TABLE workspaces ADD COLUMN escalate_to_manager BOOLEAN NOT NULL DEFAULT FALSE;

-- Comments on items, scoped like their item. A mention is written @[Name](user:<uuid>) in
-- the body; the mentioned ids are kept beside it for notifications and the API.
CREATE TABLE comments (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    item_id            TEXT NOT NULL REFERENCES okr_items (id),
    author_user_id     TEXT NOT NULL REFERENCES users (id),
    body               TEXT NOT NULL,
    mentioned_user_ids TEXT NOT NULL DEFAULT '[]',
    edited_at          TIMESTAMP NULL,
    deleted_at         TIMESTAMP NULL,
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX comments_item_idx ON comments (item_id, created_at);

-- What happened that concerns one person. Rows are written by the notification job, only
-- for a recipient who can see the item at that moment.
CREATE TABLE notifications (
    id              TEXT NOT NULL PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    workspace_id    TEXT NULL REFERENCES workspaces (id),
    item_id         TEXT NULL REFERENCES okr_items (id),
    comment_id      TEXT NULL REFERENCES comments (id),
    actor_user_id   TEXT NULL REFERENCES users (id),
    kind            TEXT NOT NULL CHECK (kind IN
        ('mentioned', 'assigned', 'made_owner', 'comment', 'check_in', 'invite_accepted')),
    read_at         TIMESTAMP NULL,
    emailed_at      TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at, created_at);

-- Which notifications a person wants by email; no row means the defaults (every kind, sent
-- at once). `email_delivery` is 'immediate' or 'daily_digest' (sent at digest_hour, in the
-- time zone of the person's first organization).
CREATE TABLE notification_preferences (
    user_id               TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
    email_mentioned       BOOLEAN NOT NULL DEFAULT TRUE,
    email_assigned        BOOLEAN NOT NULL DEFAULT TRUE,
    email_comment         BOOLEAN NOT NULL DEFAULT TRUE,
    email_check_in        BOOLEAN NOT NULL DEFAULT TRUE,
    email_invite_accepted BOOLEAN NOT NULL DEFAULT TRUE,
    email_delivery        TEXT NOT NULL DEFAULT 'immediate'
        CHECK (email_delivery IN ('immediate', 'daily_digest')),
    digest_hour           INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    updated_at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- A one-time check-in link sent with a reminder: only the SHA-256 of its token is kept. It
-- opens one form for exactly the listed key results, once, until it expires.
CREATE TABLE check_in_links (
    id            TEXT NOT NULL PRIMARY KEY,
    -- Minted when the email is sent, so no usable token rests in the outbox.
    token_hash    TEXT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    item_ids_json TEXT NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT check_in_links_token_unique UNIQUE (token_hash)
);

-- Each key result a reminder named, so one still without an update two days later can be
-- listed once in the owner's manager's next email.
CREATE TABLE check_in_reminders (
    id             TEXT NOT NULL PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces (id),
    item_id        TEXT NOT NULL REFERENCES okr_items (id),
    owner_user_id  TEXT NOT NULL REFERENCES users (id),
    reminded_at    TIMESTAMP NOT NULL,
    escalated_at   TIMESTAMP NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX check_in_reminders_workspace_idx ON check_in_reminders (workspace_id, escalated_at);

-- A reminder's email carries its one-time link, filled in at send time like an invite's.
ALTER TABLE email_outbox ADD COLUMN check_in_link_id TEXT NULL REFERENCES check_in_links (id);
