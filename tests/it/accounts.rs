//! Sign-up, log-in, log-out, sessions, throttling and CSRF, over HTTP.

use cairn::schema::{sessions, users};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, TestApp, PASSWORD};

fn user_count(app: &TestApp) -> i64 {
    users::table
        .count()
        .get_result(&mut app.db())
        .expect("count users")
}

#[tokio::test]
async fn sign_up_creates_an_account_and_signs_in() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    browser
        .sign_up("  Ada.Lovelace@Example.com ", "Ada Lovelace", PASSWORD)
        .await
        .assert_redirect("/");

    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.text_of("#welcome-title").as_deref(),
        Some("Welcome, Ada")
    );
    assert!(home
        .body
        .contains("Welcome to Cairn! Your account is ready."));

    let (email, hash): (String, String) = users::table
        .select((users::email, users::password_hash))
        .first(&mut app.db())
        .expect("the user is stored");
    assert_eq!(email, "ada.lovelace@example.com", "email is normalized");
    assert!(
        hash.starts_with("$argon2id$"),
        "password hashed with argon2id: {hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn duplicate_email_in_any_case_is_refused() {
    let app = TestApp::spawn().await;
    app.browser()
        .sign_up("ada@example.com", "Ada", PASSWORD)
        .await
        .assert_redirect("/");

    let second = app.browser();
    let page = second
        .sign_up("  ADA@Example.COM", "Another Ada", "another password 123")
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#email-error")
        .unwrap_or_default()
        .contains("already exists"));
    assert_eq!(
        page.attr_of("#email", "value").as_deref(),
        Some("ADA@Example.COM")
    );
    assert_eq!(
        page.attr_of("#name", "value").as_deref(),
        Some("Another Ada")
    );
    assert!(
        !page.body.contains("another password 123"),
        "the password is never echoed"
    );
    assert_eq!(user_count(&app), 1);
}

#[tokio::test]
async fn invalid_sign_up_shows_each_error_next_to_its_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.browser();

    let page = browser.sign_up("not-an-email", "", "short").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#email-error").as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(
        page.text_of("#name-error").as_deref(),
        Some("Enter your name.")
    );
    assert_eq!(
        page.text_of("#password-error").as_deref(),
        Some("Use at least 10 characters.")
    );
    assert_eq!(
        page.attr_of("#email", "value").as_deref(),
        Some("not-an-email")
    );
    assert_eq!(
        page.attr_of("#password", "value"),
        None,
        "password field stays empty"
    );
    assert_eq!(user_count(&app), 0);

    let too_long = "x".repeat(257);
    let page = browser.sign_up("ada@example.com", "Ada", &too_long).await;
    assert_eq!(
        page.text_of("#password-error").as_deref(),
        Some("Use at most 256 characters.")
    );
    assert_eq!(user_count(&app), 0);
}

#[tokio::test]
async fn log_out_and_log_in_again() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace Hopper", PASSWORD)
        .await;

    browser
        .log_out()
        .await
        .assert_redirect("/login?logged_out=1");
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    let login = browser.get("/login?logged_out=1").await;
    assert_eq!(
        login.text_of(".notice").as_deref(),
        Some("You are logged out.")
    );

    browser.get("/login?next=%2Faccount").await;
    let page = browser
        .post_form(
            "/login",
            &[
                ("email", "GRACE@example.com"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    page.assert_redirect("/account");
    let account = browser.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains("grace@example.com"));
}

#[tokio::test]
async fn log_in_never_redirects_off_site() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    browser.log_out().await;
    browser.get("/login").await;
    browser
        .post_form(
            "/login",
            &[
                ("email", "grace@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_refused_alike() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    browser.log_out().await;

    for (email, password) in [
        ("grace@example.com", "wrong password!!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let page = browser.log_in(email, password).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            page.text_of("#login-error").as_deref(),
            Some("The email or password is not right.")
        );
        assert_eq!(page.attr_of("#email", "value").as_deref(), Some(email));
        assert!(!page.body.contains(password));
    }
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn log_in_is_throttled_per_email() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_EMAIL", "3")]).await;
    app.browser()
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    app.browser()
        .sign_up("ada@example.com", "Ada", PASSWORD)
        .await;

    let attacker = app.browser();
    for _ in 0..3 {
        let page = attacker
            .log_in("grace@example.com", "wrong password!!")
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Even the right password is refused until the window passes.
    let page = app.browser().log_in("Grace@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page
        .text_of("#login-error")
        .unwrap_or_default()
        .starts_with("Too many failed log-in attempts. Try again in"));
    // Another account from the same address is not affected.
    app.browser()
        .log_in("ada@example.com", PASSWORD)
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn log_in_is_throttled_per_client_address() {
    let app = TestApp::spawn_with(&[
        ("LOGIN_MAX_FAILURES_PER_CLIENT", "3"),
        ("LOGIN_MAX_FAILURES_PER_EMAIL", "100"),
    ])
    .await;
    app.browser()
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;

    let attacker = app.browser();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        attacker.log_in(email, "wrong password!!").await;
    }
    let page = app.browser().log_in("grace@example.com", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn state_changing_requests_without_a_valid_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.get("/signup").await;
    let fields = [
        ("email", "ada@example.com"),
        ("name", "Ada"),
        ("password", PASSWORD),
    ];

    let missing = browser.post_form_raw("/signup", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("This form has expired"));

    let mut forged = vec![("csrf_token", "forged-token")];
    forged.extend_from_slice(&fields);
    assert_eq!(
        browser.post_form_raw("/signup", &forged).await.status,
        StatusCode::FORBIDDEN
    );

    // A token from another session is worthless here.
    let other = app.browser();
    other.get("/signup").await;
    let foreign = other.csrf_token();
    let mut borrowed = vec![("csrf_token", foreign.as_str())];
    borrowed.extend_from_slice(&fields);
    assert_eq!(
        browser.post_form_raw("/signup", &borrowed).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(user_count(&app), 0, "nothing changed");

    // Signed in, log-out without a token does nothing.
    browser
        .sign_up("ada@example.com", "Ada", PASSWORD)
        .await
        .assert_redirect("/");
    browser.get("/").await;
    assert_eq!(
        browser.post_form_raw("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);

    // htmx sends the token in a header instead of a form field.
    let response = browser
        .client
        .post(browser.url("/logout"))
        .header("X-CSRF-Token", browser.csrf_token())
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn the_session_id_and_csrf_token_change_at_log_in() {
    let app = TestApp::spawn().await;
    app.browser()
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;

    let browser = app.browser();
    browser.get("/login").await;
    let before_cookie = browser.session_cookie().expect("a session before log-in");
    let before_token = browser.csrf_token();

    browser
        .post_form(
            "/login",
            &[("email", "grace@example.com"), ("password", PASSWORD)],
        )
        .await
        .assert_redirect("/");
    let after_cookie = browser.session_cookie().expect("a session after log-in");
    assert_ne!(before_cookie, after_cookie, "the session id is renewed");
    browser.get("/").await;
    assert_ne!(
        before_token,
        browser.csrf_token(),
        "the CSRF token is renewed"
    );

    // Someone holding the pre-log-in cookie (session fixation) is not logged in.
    let fixated = app.browser();
    fixated.set_session_cookie(&before_cookie);
    fixated
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    // The signed-in browser is.
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn log_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    let cookie = browser.session_cookie().expect("session");
    browser.log_out().await;

    // A copy of the old cookie does not bring the session back.
    let copy = app.browser();
    copy.set_session_cookie(&cookie);
    copy.get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_of_the_user() {
    let app = TestApp::spawn().await;
    let laptop = app.browser();
    laptop.sign_up("grace@example.com", "Grace", PASSWORD).await;
    let phone = app.browser();
    phone
        .log_in("grace@example.com", PASSWORD)
        .await
        .assert_redirect("/");
    let colleague = app.browser();
    colleague.sign_up("ada@example.com", "Ada", PASSWORD).await;

    let account = laptop.get("/account").await;
    assert!(account
        .text_of("#sessions-title + p")
        .unwrap_or_default()
        .contains("2 devices"));
    laptop
        .post_form("/account/logout-everywhere", &[])
        .await
        .assert_redirect("/login?logged_out=everywhere");

    phone
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    laptop
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    assert_eq!(
        colleague.get("/account").await.status,
        StatusCode::OK,
        "other people stay logged in"
    );
}

#[tokio::test]
async fn a_disabled_user_is_logged_out_on_the_next_request_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);

    diesel::update(users::table)
        .set(users::disabled_at.eq(Some(cairn::db::now())))
        .execute(&mut app.db())
        .expect("disable");
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
    assert_eq!(
        browser.log_in("grace@example.com", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    let an_hour_ago = cairn::db::now() - chrono::Duration::hours(1);
    diesel::update(sessions::table)
        .set(sessions::expires_at.eq(an_hour_ago))
        .execute(&mut app.db())
        .expect("age the session");
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn sessions_end_after_their_absolute_lifetime_however_active() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    // Pretend the log-in happened 31 days ago (the default lifetime is 30 days).
    let mut conn = app.db();
    let (id, state): (String, String) = sessions::table
        .filter(sessions::user_id.is_not_null())
        .select((sessions::id, sessions::state))
        .first(&mut conn)
        .expect("the session row");
    let mut state: std::collections::HashMap<String, String> =
        serde_json::from_str(&state).expect("state JSON");
    let long_ago = chrono::Utc::now().timestamp() - 31 * 24 * 3600;
    state.insert("signed_in_at".into(), long_ago.to_string());
    diesel::update(sessions::table.find(id))
        .set(sessions::state.eq(serde_json::to_string(&state).expect("json")))
        .execute(&mut conn)
        .expect("rewrite the session");
    browser
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn session_cookie_flags() {
    let app = TestApp::spawn().await;
    let page = app.browser().get("/login").await;
    let cookie = page.header("set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("cairn_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http in development: {cookie}"
    );

    let https = TestApp::spawn_with(&[("BASE_URL", "https://okr.example.com")]).await;
    let page = Browser::new(&https.base_url).get("/login").await;
    let cookie = page.header("set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("__Host-cairn_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_cannot_slip_past_the_limit() {
    let app = TestApp::spawn_with(&[
        ("LOGIN_MAX_FAILURES_PER_EMAIL", "3"),
        ("DATABASE_POOL_SIZE", "8"),
    ])
    .await;
    app.browser()
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    let browsers: Vec<Browser> = (0..12).map(|_| app.browser()).collect();
    for browser in &browsers {
        browser.get("/login").await;
    }
    let guesses = browsers.iter().map(|b| {
        b.post_form(
            "/login",
            &[
                ("email", "grace@example.com"),
                ("password", "wrong password!!"),
            ],
        )
    });
    let pages = futures_util::future::join_all(guesses).await;
    let checked = pages
        .iter()
        .filter(|p| p.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let throttled = pages
        .iter()
        .filter(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + throttled, 12);
    assert!(checked <= 3, "at most the limit is checked, got {checked}");
}

#[tokio::test]
async fn a_malformed_email_is_refused_without_counting_an_attempt() {
    let app = TestApp::spawn().await;
    let page = app.browser().log_in("not an email", PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#login-error").as_deref(),
        Some("Enter an email address like name@example.com.")
    );
    let attempts: i64 = cairn::schema::login_attempts::table
        .count()
        .get_result(&mut app.db())
        .expect("count");
    assert_eq!(attempts, 0);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_client_is_the_hop_the_proxy_added() {
    let app = TestApp::spawn_with(&[
        ("TRUST_PROXY", "true"),
        ("LOGIN_MAX_FAILURES_PER_CLIENT", "2"),
        ("LOGIN_MAX_FAILURES_PER_EMAIL", "100"),
    ])
    .await;
    app.browser()
        .sign_up("grace@example.com", "Grace", PASSWORD)
        .await;
    let attacker = app.browser();
    // The attacker forges a different first hop every time; the proxy's hop stays the same.
    for n in 0..3 {
        attacker.get("/login").await;
        let response = attacker
            .client
            .post(attacker.url("/login"))
            .header("X-Forwarded-For", format!("10.0.0.{n}, 203.0.113.7"))
            .form(&[
                ("csrf_token", attacker.csrf_token().as_str()),
                ("email", "nobody@example.com"),
                ("password", "wrong password!!"),
            ])
            .send()
            .await
            .expect("POST");
        let expected = if n < 2 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(response.status(), expected, "attempt {n}");
    }
    let recorded: Vec<String> = cairn::schema::login_attempts::table
        .select(cairn::schema::login_attempts::client_ip)
        .distinct()
        .load(&mut app.db())
        .expect("ips");
    assert_eq!(recorded, vec!["203.0.113.7".to_owned()]);
}

#[tokio::test]
async fn anonymous_sessions_are_kept_briefly() {
    let app = TestApp::spawn().await;
    app.browser().get("/login").await;
    let expires_at: chrono::NaiveDateTime = sessions::table
        .select(sessions::expires_at)
        .first(&mut app.db())
        .expect("an anonymous session");
    let hours = (expires_at - cairn::db::now()).num_minutes() as f64 / 60.0;
    assert!(
        hours <= 2.0 && hours > 1.9,
        "anonymous session lives {hours} h"
    );
}
