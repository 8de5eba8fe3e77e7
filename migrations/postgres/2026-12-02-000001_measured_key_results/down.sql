DROP TABLE check_ins;
ALTER TABLE workspaces DROP COLUMN check_in_weekday, DROP COLUMN check_in_cadence;
ALTER TABLE okr_items
    DROP COLUMN last_confidence, DROP COLUMN last_check_in_on, DROP COLUMN current_done,
    DROP COLUMN current_value, DROP COLUMN weight, DROP COLUMN decimals, DROP COLUMN unit,
    DROP COLUMN target, DROP COLUMN baseline, DROP COLUMN metric_kind, DROP COLUMN measure;
