//! The `cairn` command line against a real database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::harness::TestApp;
use crate::snapshot::Snapshot;

fn cairn(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("CAIRN_DATA_DIR", app.data_dir.path())
        .env_remove("SESSION_KEY")
        .env_remove("CAIRN_ENV")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cairn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("cairn finishes")
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin_and_the_account_works() {
    let app = TestApp::spawn().await;
    let out = cairn(
        &app,
        &[
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops Person",
        ],
        "a long enough password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<ops@example.com>"));

    app.browser()
        .log_in("ops@example.com", "a long enough password")
        .await
        .assert_redirect("/");

    let again = cairn(
        &app,
        &[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
        ],
        "a long enough password\n",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let short = cairn(
        &app,
        &[
            "user",
            "create",
            "--email",
            "new@example.com",
            "--name",
            "New",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("password: Use at least 10 characters.")
    );
}

#[tokio::test]
async fn migrate_reports_an_up_to_date_database() {
    let app = TestApp::spawn().await;
    let out = cairn(&app, &["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "The database is up to date."
    );
}

#[tokio::test]
async fn backup_copies_sqlite_online_and_points_postgres_to_pg_dump() {
    let ws = crate::harness::Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    ws.create(&ws.admin, "key_result", Some(&objective), "Revenue")
        .await;
    let app = &ws.app;
    let target = app.data_dir.path().join("backup.db");
    let out = cairn(app, &["backup", target.to_str().expect("utf-8 path")], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if app.database.is_postgres() {
        assert!(!out.status.success());
        assert!(stderr.contains("pg_dump"), "{stderr}");
        assert!(!target.exists(), "nothing is written");
        return;
    }
    assert!(out.status.success(), "{stderr}");
    // The app is still running (and holds its connections) while the copy is taken.
    assert_eq!(
        ws.admin.get(&ws.base()).await.status,
        reqwest::StatusCode::OK
    );
    let copy = cairn::config::DatabaseUrl::Sqlite(target.clone());
    let mut conn = cairn::db::establish(&copy).expect("open the copy");
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(&mut conn)
        .expect("check the copy");
    assert_eq!(check.integrity_check, "ok");
    assert!(
        Snapshot::of(&mut conn, false) == Snapshot::take(app),
        "the copy holds every row of the original"
    );
    assert_eq!(Snapshot::of(&mut conn, false).rows("okr_items"), 2);

    let again = cairn(app, &["backup", target.to_str().expect("utf-8 path")], "");
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}

#[tokio::test]
async fn a_wrong_setting_stops_start_up_with_one_line_naming_it() {
    let app = TestApp::spawn().await;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cairn"));
    let out = cmd
        .arg("migrate")
        .env("DATABASE_URL", app.database_url())
        .env("BIND", "nonsense")
        .output()
        .expect("run cairn");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("BIND"), "{stderr}");
}

#[tokio::test]
async fn demo_creates_a_realistic_organization_once_and_prints_the_log_ins() {
    use cairn::schema::{okr_items, okr_links};
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let out = cairn(&app, &["demo"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let password = printed
        .lines()
        .find_map(|line| line.strip_prefix("Everyone's password: "))
        .expect("the password is printed")
        .to_owned();
    assert!(printed.contains("ada@demo.cairn.test"));

    let mut conn = app.db();
    let count = |conn: &mut cairn::db::AnyConnection, kind: &str| -> i64 {
        okr_items::table
            .filter(okr_items::item_type.eq(kind))
            .count()
            .get_result(conn)
            .expect("count")
    };
    // This quarter: five planned objectives plus one carried over per workspace; last
    // quarter: two per workspace, closed with an outcome each.
    assert_eq!(count(&mut conn, "objective"), 5 + 2 + 4);
    assert_eq!(count(&mut conn, "key_result"), 15 + 4 + 8);
    assert_eq!(count(&mut conn, "action"), 60 + 4 + 16);
    let cycles: Vec<(String, String)> = cairn::schema::cycles::table
        .order(cairn::schema::cycles::start_date.asc())
        .select((cairn::schema::cycles::id, cairn::schema::cycles::state))
        .load(&mut conn)
        .expect("cycles");
    let states: Vec<&str> = cycles.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(states, ["closed", "active"]);
    let top_level_in = |conn: &mut cairn::db::AnyConnection, cycle: &str| -> Vec<Option<String>> {
        okr_items::table
            .filter(okr_items::cycle_id.eq(cycle))
            .filter(okr_items::parent_id.is_null())
            .select(okr_items::outcome)
            .load(conn)
            .expect("objectives")
    };
    let last = top_level_in(&mut conn, &cycles[0].0);
    assert_eq!(last.len(), 4);
    assert!(last.iter().all(Option::is_some), "last quarter is scored");
    assert_eq!(top_level_in(&mut conn, &cycles[1].0).len(), 7);
    let unplanned: i64 = okr_items::table
        .filter(okr_items::cycle_id.is_null())
        .count()
        .get_result(&mut conn)
        .expect("backlog");
    assert_eq!(unplanned, 0);
    assert!(
        okr_links::table
            .count()
            .get_result::<i64>(&mut conn)
            .expect("links")
            >= 2
    );

    // The printed log-in works and shows the need-to-know workspace's tree.
    let browser = app.browser();
    browser
        .log_in("alan@demo.cairn.test", &password)
        .await
        .assert_redirect("/");
    let tree = browser.get("/orgs/northwind-robotics/w/product").await;
    assert_eq!(tree.status, reqwest::StatusCode::OK);
    assert!(
        tree.html()
            .select(&scraper::Selector::parse(".tree-row").expect("selector"))
            .count()
            > 0
    );

    let again = cairn(&app, &["demo"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already set up"));
}

#[tokio::test]
async fn token_create_prints_a_working_token_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    app.person("ops@example.com", "Ops Person").await;
    let out = cairn(
        &app,
        &[
            "token",
            "create",
            "--email",
            "ops@example.com",
            "--scopes",
            "read,write",
            "--days",
            "30",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("cairn_pat_"), "{token}");
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "ops@example.com");
    assert_eq!(me["scopes"], serde_json::json!(["read", "write"]));

    for args in [
        [
            "--email",
            "ops@example.com",
            "--scopes",
            "root",
            "--days",
            "30",
        ],
        [
            "--email",
            "ops@example.com",
            "--scopes",
            "read",
            "--days",
            "400",
        ],
        [
            "--email",
            "nobody@example.com",
            "--scopes",
            "read",
            "--days",
            "30",
        ],
    ] {
        let mut all = vec!["token", "create"];
        all.extend_from_slice(&args);
        let out = cairn(&app, &all, "");
        assert!(!out.status.success(), "{args:?} is refused");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("cairn_pat_"));
    }
}
