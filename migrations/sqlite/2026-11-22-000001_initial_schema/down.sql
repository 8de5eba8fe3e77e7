-- Reverse dependency order of up.sql.
DROP TABLE email_outbox;
DROP TABLE pat;
DROP TABLE member_skills;
DROP TABLE reports;
DROP TABLE scrape_jobs;
DROP TABLE item_activity_log;
DROP TABLE okr_links;
DROP TABLE okr_item_assignees;
DROP TABLE okr_items;
DROP TABLE workspace_memberships;
DROP TABLE org_invites;
DROP TABLE workspaces;
DROP TABLE org_members;
DROP TABLE organizations;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE users;
