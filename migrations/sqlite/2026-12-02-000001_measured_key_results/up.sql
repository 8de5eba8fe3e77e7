-- Key results that measure (DESIGN §3 "Measuring key results", "Check-ins").
-- Numbers a user types (baseline, target, check-in values) are exact decimal text such as
-- '1250.50', never binary floating point, so money adds up to the cent.
ALTER TABLE okr_items ADD COLUMN measure TEXT NOT NULL DEFAULT 'actions'
    CHECK (measure IN ('actions', 'metric', 'milestone'));
ALTER TABLE okr_items ADD COLUMN metric_kind TEXT NULL
    CHECK (metric_kind IN ('increase_to', 'decrease_to', 'stay_at_or_above', 'stay_at_or_below'));
ALTER TABLE okr_items ADD COLUMN baseline TEXT NULL;
ALTER TABLE okr_items ADD COLUMN target TEXT NULL;
ALTER TABLE okr_items ADD COLUMN unit TEXT NULL;
ALTER TABLE okr_items ADD COLUMN decimals INTEGER NOT NULL DEFAULT 0 CHECK (decimals BETWEEN 0 AND 4);
ALTER TABLE okr_items ADD COLUMN weight DOUBLE NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 100);
-- The latest live check-in, kept in step with check_ins in the same transaction so that
-- rows, cards and bars read value and status without another query.
ALTER TABLE okr_items ADD COLUMN current_value TEXT NULL;
ALTER TABLE okr_items ADD COLUMN current_done BOOLEAN NULL;
ALTER TABLE okr_items ADD COLUMN last_check_in_on DATE NULL;
ALTER TABLE okr_items ADD COLUMN last_confidence INTEGER NULL CHECK (last_confidence BETWEEN 0 AND 10);

ALTER TABLE workspaces ADD COLUMN check_in_cadence TEXT NOT NULL DEFAULT 'weekly'
    CHECK (check_in_cadence IN ('weekly', 'biweekly', 'monthly', 'off'));
-- ISO weekday the weekly and biweekly check-ins fall on: 1 is Monday.
ALTER TABLE workspaces ADD COLUMN check_in_weekday INTEGER NOT NULL DEFAULT 1
    CHECK (check_in_weekday BETWEEN 1 AND 7);

CREATE TABLE check_ins (
    id                 TEXT NOT NULL PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    workspace_id       TEXT NOT NULL REFERENCES workspaces (id),
    item_id            TEXT NOT NULL REFERENCES okr_items (id),
    author_user_id     TEXT NOT NULL REFERENCES users (id),
    effective_on       DATE NOT NULL,
    value              TEXT NULL,
    done               BOOLEAN NULL,
    confidence         INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 10),
    note               TEXT NULL,
    created_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at         TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    deleted_at         TIMESTAMP NULL,
    deleted_by_user_id TEXT NULL REFERENCES users (id),
    CONSTRAINT check_ins_value_or_done_check CHECK (value IS NULL OR done IS NULL)
);
-- The latest live check-in of an item, and its history newest first.
CREATE INDEX check_ins_item_latest_idx ON check_ins (item_id, effective_on DESC, created_at DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX check_ins_workspace_effective_idx ON check_ins (workspace_id, effective_on);
