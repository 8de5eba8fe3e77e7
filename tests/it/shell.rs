//! The web shell: health probes, error pages, security headers, static assets.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::harness::{TestApp, PASSWORD};

#[tokio::test]
async fn health_probes_answer() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let live = browser.get("/healthz").await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body, r#"{"status":"ok"}"#);
    let ready = browser.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(ready.body.contains(r#""database":"ok""#), "{}", ready.body);
}

async fn assert_ready(app: &TestApp, ready: bool, when: &str) {
    let page = app.browser().get("/readyz").await;
    if ready {
        assert_eq!(page.status, StatusCode::OK, "{when}: {}", page.body);
    } else {
        assert_eq!(
            page.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{when}: {}",
            page.body
        );
        assert!(page.body.contains("unreachable"), "{when}: {}", page.body);
    }
    assert_eq!(
        app.browser().get("/healthz").await.status,
        StatusCode::OK,
        "{when}: liveness does not depend on the database"
    );
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_unreachable() {
    let app = TestApp::spawn().await;
    assert_ready(&app, true, "at start").await;
    match app.database.postgres_admin() {
        Some((name, mut admin)) => {
            // Refuse new connections to the app's database and cut the open ones.
            admin
                .batch_execute(&format!(
                    "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false; \
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();"
                ))
                .expect("cut the app off its database");
            assert_ready(&app, false, "connections refused").await;
            admin
                .batch_execute(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
                .expect("let the app back in");
            assert_ready(&app, true, "connections allowed again").await;
        }
        None => {
            // The pool's connections keep their open file whatever happens to the path, so
            // this is what a probe must notice.
            let file = app.data_dir.path().join("cairn.db");
            let moved = app.data_dir.path().join("moved.db");
            std::fs::rename(&file, &moved).expect("move the database away");
            assert_ready(&app, false, "the file removed").await;
            std::fs::write(
                &file,
                b"not a database, just some bytes that are long enough",
            )
            .expect("put something else in its place");
            assert_ready(&app, false, "the file replaced by something else").await;
            std::fs::rename(&moved, &file).expect("put the database back");
            assert_ready(&app, true, "the file back").await;
        }
    }
}

#[tokio::test]
async fn unknown_pages_get_the_404_page() {
    let app = TestApp::spawn().await;
    let page = app.browser().get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.text_of("h1").as_deref(), Some("Not found"));
    assert!(page
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/html"));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_log_in() {
    let app = TestApp::spawn().await;
    app.browser()
        .get("/")
        .await
        .assert_redirect("/login?next=%2F");
    app.browser()
        .get("/account")
        .await
        .assert_redirect("/login?next=%2Faccount");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let mut seen_ids = Vec::new();
    for path in ["/login", "/healthz", "/nope"] {
        let page = browser.get(path).await;
        let csp = page.header("content-security-policy").expect("CSP");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("referrer-policy"), Some("same-origin"));
        let id = page.header("x-request-id").expect("request id").to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        seen_ids.push(id);
    }
    seen_ids.dedup();
    assert_eq!(seen_ids.len(), 3, "each request has its own id");
}

#[tokio::test]
async fn pages_carry_no_inline_script() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.sign_up("ada@example.com", "Ada", PASSWORD).await;
    for path in ["/", "/account", "/nope"] {
        let page = browser.get(path).await;
        let html = page.html();
        let scripts = scraper::Selector::parse("script").expect("selector");
        for script in html.select(&scripts) {
            assert!(
                script.value().attr("src").is_some(),
                "inline script on {path}"
            );
        }
        assert!(!page.body.contains(" style=\""), "inline style on {path}");
    }
}

#[tokio::test]
async fn static_assets_are_content_hashed_and_cached_for_long() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let page = browser.get("/login").await;
    let css = page
        .attr_of("link[rel=stylesheet]", "href")
        .expect("stylesheet");
    let htmx = page.attr_of("script[src]", "src").expect("htmx script");
    assert!(
        css.starts_with("/static/app.")
            && css.ends_with(".css")
            && css.len() > "/static/app.css".len(),
        "{css}"
    );
    assert!(htmx.starts_with("/static/vendor/htmx.min."), "{htmx}");

    let response = browser
        .client
        .get(browser.url(&css))
        .send()
        .await
        .expect("GET css");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
    assert!(headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .starts_with("text/css"));
    assert!(response.text().await.expect("css").contains("--accent"));

    let script = browser.get(&htmx).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("htmx"), "the vendored htmx is served");

    assert_eq!(
        browser.get("/static/app.css").await.status,
        StatusCode::NOT_FOUND,
        "only hashed names are served"
    );
}

#[tokio::test]
async fn refused_forms_carry_security_headers_and_a_request_id_too() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.get("/login").await;
    let page = browser
        .post_form_raw("/login", &[("email", "a@example.com")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.header("content-security-policy").is_some());
    assert!(page.header("x-request-id").is_some());
}

#[tokio::test]
async fn malformed_forms_get_a_clear_error_page() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    browser.get("/signup").await;
    let response = browser
        .client
        .post(browser.url("/signup"))
        .header("X-CSRF-Token", browser.csrf_token())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("x".repeat(70 * 1024))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("The form is too large to accept."));
}

#[tokio::test]
async fn the_favicon_answers_where_browsers_ask_for_it() {
    let app = TestApp::spawn().await;
    let icon = app.browser().get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.header("content-type"), Some("image/svg+xml"));
    assert!(icon.body.contains("<svg"));
}
