-- Webhooks (API issue, item 7): a workspace's admins register HTTPS endpoints for chosen
-- events. The secret signs each delivery, so it is kept as given out (shown once).
CREATE TABLE webhooks (
    id                   TEXT NOT NULL PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    workspace_id         TEXT NOT NULL REFERENCES workspaces (id),
    url                  TEXT NOT NULL,
    events_json          TEXT NOT NULL,
    secret               TEXT NOT NULL,
    created_by_user_id   TEXT NOT NULL REFERENCES users (id),
    -- Failed attempts since the last success; the endpoint is disabled at a threshold.
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    disabled_at          TIMESTAMP NULL,
    disabled_reason      TEXT NULL,
    deleted_at           TIMESTAMP NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id);
CREATE INDEX webhooks_organization_idx ON webhooks (organization_id);

-- One event for one endpoint: its body is fixed when the event happens, so every retry
-- sends the same bytes. The row is also the delivery log (last status, code, duration).
CREATE TABLE webhook_deliveries (
    id              TEXT NOT NULL PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id),
    event           TEXT NOT NULL,
    payload_json    TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by       TEXT NULL,
    locked_until    TIMESTAMP NULL,
    response_status INTEGER NULL,
    duration_ms     INTEGER NULL,
    last_error      TEXT NULL,
    delivered_at    TIMESTAMP NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at);

-- API request budgets shared by every instance (PostgreSQL): requests per token per minute.
CREATE TABLE api_rate_windows (
    token_id     TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (token_id, window_start)
);
