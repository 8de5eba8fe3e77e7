ALTER TABLE email_outbox DROP COLUMN account_link_id;
DROP TABLE account_links;
