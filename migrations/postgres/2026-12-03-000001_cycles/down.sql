ALTER TABLE organizations DROP COLUMN fiscal_year_start_month;
DROP INDEX okr_items_carried_over_from_idx;
DROP INDEX okr_items_workspace_cycle_idx;
ALTER TABLE okr_items DROP COLUMN carried_over_from_id, DROP COLUMN closing_note,
    DROP COLUMN outcome, DROP COLUMN cycle_id;
DROP TABLE cycles;
