ALTER TABLE reports DROP COLUMN finished_at;
ALTER TABLE reports DROP COLUMN started_at;
ALTER TABLE reports DROP COLUMN llm_request_json;
ALTER TABLE reports DROP COLUMN prompt_version;
ALTER TABLE reports DROP COLUMN provider;
ALTER TABLE reports DROP COLUMN model_used;
ALTER TABLE reports DROP COLUMN cycle_id;
