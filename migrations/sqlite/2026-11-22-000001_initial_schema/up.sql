-- Cairn initial schema (SQLite). Kept in step with migrations/postgres/ and src/schema.rs.
-- Portable types: ids are UUIDv7 TEXT, times are TIMESTAMP (UTC, no time zone), JSON is TEXT,
-- enums are TEXT with CHECK constraints.
-- SQLite CURRENT_TIMESTAMP is UTC ("YYYY-MM-DD HH:MM:SS"); booleans are 0/1. Run with PRAGMA foreign_keys=ON.

CREATE TABLE users (
    id            TEXT NOT NULL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled_at   TIMESTAMP NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE sessions (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NULL REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE login_attempts (
    id         TEXT NOT NULL PRIMARY KEY,
    email      TEXT NOT NULL,
    client_ip  TEXT NOT NULL,
    succeeded  BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX login_attempts_email_created_at_idx ON login_attempts (email, created_at);
CREATE INDEX login_attempts_client_ip_created_at_idx ON login_attempts (client_ip, created_at);

CREATE TABLE organizations (
    id                     TEXT NOT NULL PRIMARY KEY,
    name                   TEXT NOT NULL,
    slug                   TEXT NOT NULL UNIQUE,
    created_by_user_id     TEXT NOT NULL REFERENCES users (id),
    default_privacy_mode   TEXT NOT NULL DEFAULT 'option_1'
                           CHECK (default_privacy_mode IN ('option_1', 'option_2')),
    industry               TEXT NULL,
    website                TEXT NULL,
    customer_names         TEXT NULL,
    revenue_amount         BIGINT NULL CHECK (revenue_amount >= 0),
    revenue_currency       TEXT NULL
                           CHECK (length(revenue_currency) = 3 AND revenue_currency GLOB '[A-Z][A-Z][A-Z]'),
    revenue_period         TEXT NULL CHECK (revenue_period IN ('year', 'quarter', 'month')),
    employee_count_min     INTEGER NULL CHECK (employee_count_min >= 0),
    employee_count_max     INTEGER NULL CHECK (employee_count_max >= 0),
    address_street         TEXT NULL,
    address_postal_code    TEXT NULL,
    address_city           TEXT NULL,
    address_country        TEXT NULL,
    ai_enrichment_opt_in   BOOLEAN NOT NULL DEFAULT 0,
    last_enriched_at       TIMESTAMP NULL,
    last_enrichment_source TEXT NULL CHECK (last_enrichment_source IN ('manual', 'ai')),
    archived_at            TIMESTAMP NULL,
    created_at             TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at             TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT organizations_employee_count_range_check CHECK (
        employee_count_min IS NULL OR employee_count_max IS NULL
        OR employee_count_min <= employee_count_max
    )
);
CREATE INDEX organizations_created_by_user_id_idx ON organizations (created_by_user_id);

CREATE TABLE org_members (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT org_members_organization_user_key UNIQUE (organization_id, user_id)
);
CREATE INDEX org_members_user_id_idx ON org_members (user_id);

CREATE TABLE workspaces (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    name               TEXT NOT NULL,
    slug               TEXT NOT NULL,
    privacy_mode       TEXT NOT NULL DEFAULT 'option_1'
                       CHECK (privacy_mode IN ('option_1', 'option_2')),
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    archived_at        TIMESTAMP NULL,
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT workspaces_organization_slug_key UNIQUE (organization_id, slug)
);

CREATE TABLE org_invites (
    id                  TEXT NOT NULL PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id),
    email               TEXT NOT NULL,
    normalized_email    TEXT NOT NULL,
    invite_token_hash   TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'accepted', 'expired', 'revoked')),
    workspace_role      TEXT NOT NULL
                        CHECK (workspace_role IN ('workspace_admin', 'workspace_user')),
    workspace_id        TEXT NULL REFERENCES workspaces (id),
    invited_by_user_id  TEXT NOT NULL REFERENCES users (id),
    expires_at          TIMESTAMP NOT NULL,
    accepted_by_user_id TEXT NULL REFERENCES users (id),
    accepted_at         TIMESTAMP NULL,
    created_at          TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX org_invites_one_pending_per_email_idx
    ON org_invites (organization_id, normalized_email) WHERE status = 'pending';
CREATE INDEX org_invites_organization_created_at_idx ON org_invites (organization_id, created_at);

CREATE TABLE workspace_memberships (
    id                    TEXT NOT NULL PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organizations (id),
    workspace_id          TEXT NOT NULL REFERENCES workspaces (id),
    user_id               TEXT NOT NULL REFERENCES users (id),
    role                  TEXT NOT NULL CHECK (role IN ('workspace_admin', 'workspace_user')),
    manager_user_id       TEXT NULL REFERENCES users (id),
    active                BOOLEAN NOT NULL DEFAULT 1,
    invited_via_invite_id TEXT NULL REFERENCES org_invites (id),
    created_at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT workspace_memberships_workspace_user_key UNIQUE (workspace_id, user_id),
    CONSTRAINT workspace_memberships_not_own_manager_check CHECK (manager_user_id <> user_id)
);
CREATE INDEX workspace_memberships_user_id_idx ON workspace_memberships (user_id);
CREATE INDEX workspace_memberships_workspace_manager_idx
    ON workspace_memberships (workspace_id, manager_user_id);

CREATE TABLE okr_items (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    type               TEXT NOT NULL CHECK (type IN ('objective', 'key_result', 'action')),
    title              TEXT NOT NULL,
    description        TEXT NULL,
    owner_user_id      TEXT NOT NULL REFERENCES users (id),
    parent_id          TEXT NULL REFERENCES okr_items (id),
    start_date         DATE NULL,
    due_date           DATE NULL,
    action_status      TEXT NULL
                       CHECK (action_status IN ('pending', 'work_in_progress', 'done')),
    story_points       TEXT NULL
                       CHECK (story_points IN ('0', '1', '2', '3', '5', '8', '13', '21', '40', '?', '∞')),
    progress_computed  DOUBLE NOT NULL DEFAULT 0
                       CHECK (progress_computed BETWEEN 0 AND 100),
    sort_order         INTEGER NOT NULL DEFAULT 0,
    position_x         DOUBLE NULL,
    position_y         DOUBLE NULL,
    deleted_at         TIMESTAMP NULL,
    deleted_by_user_id TEXT NULL REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT okr_items_action_only_fields_check CHECK (
        type = 'action' OR (action_status IS NULL AND story_points IS NULL)
    ),
    CONSTRAINT okr_items_not_own_parent_check CHECK (parent_id <> id)
);
CREATE INDEX okr_items_workspace_parent_sort_idx ON okr_items (workspace_id, parent_id, sort_order);
CREATE INDEX okr_items_workspace_owner_idx ON okr_items (workspace_id, owner_user_id);
CREATE INDEX okr_items_workspace_due_date_idx ON okr_items (workspace_id, due_date);
CREATE INDEX okr_items_organization_id_idx ON okr_items (organization_id);
CREATE INDEX okr_items_parent_id_idx ON okr_items (parent_id);

CREATE TABLE okr_item_assignees (
    item_id         TEXT NOT NULL REFERENCES okr_items (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX okr_item_assignees_workspace_user_idx ON okr_item_assignees (workspace_id, user_id);

CREATE TABLE okr_links (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    from_item_id    TEXT NOT NULL REFERENCES okr_items (id),
    to_item_id      TEXT NOT NULL REFERENCES okr_items (id),
    link_type       TEXT NOT NULL DEFAULT 'objective_relation'
                    CHECK (link_type IN ('objective_relation')),
    deleted_at      TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT okr_links_no_self_link_check CHECK (from_item_id <> to_item_id)
);
CREATE UNIQUE INDEX okr_links_live_unique_idx
    ON okr_links (from_item_id, to_item_id, link_type) WHERE deleted_at IS NULL;
CREATE INDEX okr_links_workspace_id_idx ON okr_links (workspace_id);
CREATE INDEX okr_links_to_item_id_idx ON okr_links (to_item_id);

-- Append-only. item_id has no foreign key: rows also describe organizations, workspaces
-- and memberships (see item_type).
CREATE TABLE item_activity_log (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    workspace_id    TEXT NULL REFERENCES workspaces (id),
    item_type       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    action_type     TEXT NOT NULL,
    actor_user_id   TEXT NOT NULL REFERENCES users (id),
    before_json     TEXT NULL,
    after_json      TEXT NULL,
    request_id      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX item_activity_log_workspace_created_at_idx ON item_activity_log (workspace_id, created_at);
CREATE INDEX item_activity_log_item_created_at_idx ON item_activity_log (item_id, created_at);
CREATE INDEX item_activity_log_organization_created_at_idx ON item_activity_log (organization_id, created_at);

CREATE TABLE scrape_jobs (
    id                    TEXT NOT NULL PRIMARY KEY,
    organization_id       TEXT NOT NULL REFERENCES organizations (id),
    requested_by_user_id  TEXT NOT NULL REFERENCES users (id),
    source_url            TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'running', 'done', 'failed')),
    input_json            TEXT NULL,
    prefill_json          TEXT NULL,
    error_message         TEXT NULL,
    function_execution_id TEXT NULL,
    model_used            TEXT NULL,
    provider              TEXT NULL,
    prompt_version        TEXT NULL,
    started_at            TIMESTAMP NULL,
    finished_at           TIMESTAMP NULL,
    created_at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX scrape_jobs_organization_created_at_idx ON scrape_jobs (organization_id, created_at);
CREATE INDEX scrape_jobs_status_created_at_idx ON scrape_jobs (status, created_at);

CREATE TABLE reports (
    id                   TEXT NOT NULL PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    workspace_id         TEXT NOT NULL REFERENCES workspaces (id),
    requested_by_user_id TEXT NOT NULL REFERENCES users (id),
    type                 TEXT NOT NULL DEFAULT 'okr_summary' CHECK (type IN ('okr_summary')),
    status               TEXT NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'running', 'done', 'failed')),
    input_snapshot_json  TEXT NULL,
    output_markdown      TEXT NULL,
    output_json          TEXT NULL,
    error_message        TEXT NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX reports_organization_created_at_idx ON reports (organization_id, created_at);
CREATE INDEX reports_workspace_created_at_idx ON reports (workspace_id, created_at);
CREATE INDEX reports_status_created_at_idx ON reports (status, created_at);

CREATE TABLE member_skills (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    user_id            TEXT NOT NULL REFERENCES users (id),
    can_json           TEXT NULL,
    should_json        TEXT NULL,
    want_json          TEXT NULL,
    constraints_json   TEXT NULL,
    updated_by_user_id TEXT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT member_skills_workspace_user_key UNIQUE (workspace_id, user_id)
);
CREATE INDEX member_skills_organization_created_at_idx ON member_skills (organization_id, created_at);
CREATE INDEX member_skills_user_id_idx ON member_skills (user_id);

CREATE TABLE pat (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pat_hash     TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    description  TEXT NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NULL,
    revoked_at   TIMESTAMP NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX pat_user_id_idx ON pat (user_id);

CREATE TABLE email_outbox (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NULL REFERENCES organizations (id),
    invite_id       TEXT NULL REFERENCES org_invites (id),
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    locked_until    TIMESTAMP NULL,
    locked_by       TEXT NULL,
    last_error      TEXT NULL,
    sent_at         TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX email_outbox_status_next_attempt_idx ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_invite_id_idx ON email_outbox (invite_id);
