//! The idle timeout: activity extends it, at most once a minute, and a session idle for
//! longer is refused. Time is arranged by rewriting the stored session row, not by waiting.

use std::collections::HashMap;

use cairn::schema::sessions;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{TestApp, PASSWORD};

/// The signed-in session's stored expiry and state.
fn session(app: &TestApp) -> (String, NaiveDateTime, HashMap<String, String>) {
    let (id, expires_at, state): (String, NaiveDateTime, String) = sessions::table
        .filter(sessions::user_id.is_not_null())
        .select((sessions::id, sessions::expires_at, sessions::state))
        .first(&mut app.db())
        .expect("the session row");
    (
        id,
        expires_at,
        serde_json::from_str(&state).expect("state JSON"),
    )
}

/// Pretends the session was last seen `seen_secs_ago` and ends at `expires_at`.
fn arrange(app: &TestApp, seen_secs_ago: i64, expires_at: NaiveDateTime) -> NaiveDateTime {
    let (id, _, mut state) = session(app);
    let seen = chrono::Utc::now().timestamp() - seen_secs_ago;
    state.insert("last_seen".into(), seen.to_string());
    diesel::update(sessions::table.find(id))
        .set((
            sessions::state.eq(serde_json::to_string(&state).expect("json")),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(&mut app.db())
        .expect("rewrite the session");
    // As stored (the backends keep different precision).
    session(app).1
}

#[tokio::test]
async fn activity_extends_the_idle_timeout_at_most_once_a_minute() {
    let app = TestApp::spawn_with(&[("SESSION_IDLE_MINUTES", "30")]).await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await
        .assert_redirect("/");
    // The welcome message is shown (and taken out of the session) once.
    assert!(browser.get("/").await.text_of(".toast").is_some());
    let soon = cairn::db::now() + chrono::Duration::minutes(5);

    // Seen moments ago: a page view writes nothing, the expiry stays.
    let stored = arrange(&app, 10, soon);
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
    assert_eq!(session(&app).1, stored, "no write within a minute");

    // Seen over a minute ago: the next request pushes the expiry a full idle timeout out.
    let stored = arrange(&app, 61, soon);
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
    let (_, extended, state) = session(&app);
    assert!(
        extended > stored,
        "the expiry moved: {extended} after {stored}"
    );
    assert!(
        extended > cairn::db::now() + chrono::Duration::minutes(25),
        "by the idle timeout: {extended}"
    );
    let seen: i64 = state["last_seen"].parse().expect("a timestamp");
    assert!(seen > chrono::Utc::now().timestamp() - 61, "last seen now");

    // Idle past the timeout: the session is over, and activity cannot revive it.
    arrange(
        &app,
        31 * 60,
        cairn::db::now() - chrono::Duration::minutes(1),
    );
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    assert_eq!(
        sessions::table
            .filter(sessions::user_id.is_not_null())
            .filter(sessions::expires_at.gt(cairn::db::now()))
            .count()
            .get_result::<i64>(&mut app.db())
            .expect("count"),
        0,
        "no signed-in session lives on"
    );
}
