-- Cycles (DESIGN §3 "Cycles"): the time boxes an organization plans in. Overlaps are refused
-- by the domain under the organization's row lock; the check below keeps dates in order.
CREATE TABLE cycles (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    name               TEXT NOT NULL,
    start_date         DATE NOT NULL,
    end_date           DATE NOT NULL,
    state              TEXT NOT NULL DEFAULT 'planning'
        CHECK (state IN ('planning', 'active', 'closed')),
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    closed_at          TIMESTAMP NULL,
    closed_by_user_id  TEXT NULL REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT cycles_dates_check CHECK (start_date <= end_date),
    CONSTRAINT cycles_name_unique UNIQUE (organization_id, name)
);
CREATE INDEX cycles_org_start_idx ON cycles (organization_id, start_date);

-- Every item carries its top-level objective's cycle (NULL is the backlog), kept in step by
-- the writes, so each view filters by cycle with one indexed comparison.
ALTER TABLE okr_items ADD COLUMN cycle_id TEXT NULL REFERENCES cycles (id);
-- How an objective ended when its cycle closed, and a note on why.
ALTER TABLE okr_items ADD COLUMN outcome TEXT NULL
    CHECK (outcome IN ('successful', 'not_successful'));
ALTER TABLE okr_items ADD COLUMN closing_note TEXT NULL;
-- A carried-over copy points at the item it was copied from.
ALTER TABLE okr_items ADD COLUMN carried_over_from_id TEXT NULL REFERENCES okr_items (id);
CREATE INDEX okr_items_workspace_cycle_idx ON okr_items (workspace_id, cycle_id);
CREATE INDEX okr_items_carried_over_from_idx ON okr_items (carried_over_from_id);

-- The month the fiscal year starts in (1 is January): quarters are counted from it.
ALTER TABLE organizations ADD COLUMN fiscal_year_start_month INTEGER NOT NULL DEFAULT 1
    CHECK (fiscal_year_start_month BETWEEN 1 AND 12);
