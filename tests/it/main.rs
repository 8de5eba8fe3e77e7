//! Integration tests: the real app on a random port, a fresh database per test (a temp
//! SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set), and an HTTP
//! client with a cookie jar, like a browser.

// A test fails by panicking; the crate-wide deny is for the app, not for its tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accessibility;
mod account_flows;
mod accounts;
mod api;
mod api_admin;
mod api_check_ins;
mod api_cycles;
mod api_items;
mod api_scopes;
mod board;
mod browser;
mod carry_over;
mod check_ins;
mod cli;
mod comments;
mod contexts;
mod cycle_views;
mod cycle_world;
mod cycles;
mod feed;
mod gantt;
mod harness;
mod inbox;
mod invites;
mod jobs;
mod layout;
mod migrations;
mod notifications;
mod orgs;
mod progress;
mod read_only;
mod receiver;
mod reminders;
mod reports;
mod rules;
mod scope_fuzz;
mod scrape;
mod sessions;
mod shell;
mod skills;
mod smtp;
mod snapshot;
mod status;
mod trash;
mod tree;
mod walk_world;
mod webhooks;
