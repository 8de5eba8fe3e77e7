-- Skill tags on actions: what an action needs, matched against members' skills when
-- suggesting assignees. `name_key` is the name lowercased, so "Rust" and "rust" are one tag.
CREATE TABLE action_skill_tags (
    item_id         TEXT NOT NULL REFERENCES okr_items (id),
    name_key        TEXT NOT NULL,
    name            TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    workspace_id    TEXT NOT NULL REFERENCES workspaces (id),
    created_at      TIMESTAMP NOT NULL DEFAULT (CURRENT_TIMESTAMP AT TIME ZONE 'UTC'),
    PRIMARY KEY (item_id, name_key)
);
CREATE INDEX action_skill_tags_workspace_idx ON action_skill_tags (workspace_id, name_key);
