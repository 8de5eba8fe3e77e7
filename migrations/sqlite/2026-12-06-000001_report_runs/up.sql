-- A report is of one cycle (or of everything when none is chosen), built by a background run
-- that may ask a language model for its narrative: what was asked, of whom, and when.
ALTER TABLE reports ADD COLUMN cycle_id TEXT NULL REFERENCES cycles (id);
ALTER TABLE reports ADD COLUMN model_used TEXT NULL;
ALTER TABLE reports ADD COLUMN provider TEXT NULL;
ALTER TABLE reports ADD COLUMN prompt_version TEXT NULL;
ALTER TABLE reports ADD COLUMN llm_request_json TEXT NULL;
ALTER TABLE reports ADD COLUMN started_at TIMESTAMP NULL;
ALTER TABLE reports ADD COLUMN finished_at TIMESTAMP NULL;
