//! The schema is in place on whichever backend the tests run on.

use cairn::db::{self, AnyConnection};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::harness::TestApp;

const TABLES: &[&str] = &[
    "users",
    "sessions",
    "login_attempts",
    "organizations",
    "org_members",
    "org_invites",
    "workspaces",
    "workspace_memberships",
    "okr_items",
    "okr_item_assignees",
    "okr_links",
    "item_activity_log",
    "scrape_jobs",
    "reports",
    "member_skills",
    "action_skill_tags",
    "account_links",
    "pat",
    "email_outbox",
    "check_ins",
    "cycles",
    "webhooks",
    "webhook_deliveries",
    "api_rate_windows",
];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut AnyConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

#[tokio::test]
async fn migrations_are_applied_at_start_and_every_table_exists() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    for table in TABLES {
        assert_eq!(
            count(&mut conn, &format!("SELECT COUNT(*) AS n FROM {table}")),
            0,
            "{table}"
        );
    }
    let applied = count(
        &mut conn,
        "SELECT COUNT(*) AS n FROM __diesel_schema_migrations",
    );
    assert!(applied >= 1);
    assert!(
        db::run_pending_migrations(&mut conn)
            .expect("migrate")
            .is_empty(),
        "nothing left to apply"
    );
}

/// Every column `src/schema.rs` names exists on this backend.
#[tokio::test]
async fn schema_rs_matches_the_migrations() {
    use cairn::schema::*;
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    macro_rules! columns_exist {
        ($($table:ident),+) => {$(
            $table::table
                .select($table::all_columns)
                .limit(1)
                .execute(&mut conn)
                .unwrap_or_else(|e| panic!("{}: {e}", stringify!($table)));
        )+};
    }
    columns_exist!(
        users,
        sessions,
        login_attempts,
        organizations,
        org_members,
        org_invites,
        workspaces,
        workspace_memberships,
        okr_items,
        okr_item_assignees,
        okr_links,
        item_activity_log,
        scrape_jobs,
        reports,
        member_skills,
        pat,
        email_outbox,
        check_ins,
        cycles,
        webhooks,
        webhook_deliveries,
        api_rate_windows
    );
}

#[tokio::test]
async fn check_constraints_guard_the_enums() {
    let app = TestApp::spawn().await;
    let mut conn = app.db();
    let now = "2026-01-01 00:00:00";
    diesel::sql_query(format!(
        "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('u1', 'a@example.com', 'A', 'x', '{now}', '{now}')"
    ))
    .execute(&mut conn)
    .expect("user");
    let org = |mode: &str| {
        format!(
            "INSERT INTO organizations (id, name, slug, created_by_user_id, default_privacy_mode, created_at, updated_at) \
             VALUES ('o-{mode}', 'Acme', 'acme-{mode}', 'u1', '{mode}', '{now}', '{now}')"
        )
    };
    diesel::sql_query(org("option_2"))
        .execute(&mut conn)
        .expect("a known privacy mode");
    assert!(
        diesel::sql_query(org("option_3"))
            .execute(&mut conn)
            .is_err(),
        "unknown privacy mode refused"
    );
    let duplicate_slug = format!(
        "INSERT INTO organizations (id, name, slug, created_by_user_id, created_at, updated_at) VALUES ('o-x', 'Acme', 'acme-option_2', 'u1', '{now}', '{now}')"
    );
    assert!(
        diesel::sql_query(duplicate_slug)
            .execute(&mut conn)
            .is_err(),
        "slugs are unique"
    );
}
