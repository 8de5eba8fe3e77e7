//! The onboarding scrape over real HTTP: websites served by a server started here, read by
//! the app's scrape code through the SSRF guard, suggestions reviewed on the settings page
//! and applied through the profile's rules; an OpenAI-compatible model played by the same
//! kind of server.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use cairn::db::Db;
use cairn::llm::Llm;
use cairn::outbound::{Outbound, OutboundPolicy, PageLimits, UrlRules};
use cairn::schema::{item_activity_log, organizations};
use cairn::scrape::Scraper;

use crate::api::{Api, Setup};
use crate::receiver::{model, Receiver, Reply};
use crate::snapshot::Snapshot;

const JSON_LD_PAGE: &str = r#"<!doctype html><html><head><title>Home | Acme Robotics</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Corporation",
 "name":"Acme Robotics GmbH","knowsAbout":["Robotics","Automation"],
 "address":{"@type":"PostalAddress","streetAddress":"Hauptstraße 5","postalCode":"10115",
   "addressLocality":"Berlin","addressCountry":"Germany"},
 "numberOfEmployees":{"@type":"QuantitativeValue","minValue":50,"maxValue":200},
 "foundingDate":"2009"}</script></head>
<body><h1>Robots for farms</h1><script>var tracking = "do-not-send";</script>
<p>Trusted by Initech and Globex.</p></body></html>"#;

const META_PAGE: &str = r#"<html><head><title>Globex – Home</title>
<meta name="description" content="Globex makes widgets.">
<meta property="og:site_name" content="Globex Corporation"></head><body></body></html>"#;

/// A website on 127.0.0.1 with a page for each case.
fn website() -> Receiver {
    let site = Receiver::start();
    site.serve("/", Reply::html(JSON_LD_PAGE));
    site.serve("/meta", Reply::html(META_PAGE));
    site.serve(
        "/to-loopback",
        Reply::redirect(&format!("http://127.0.0.2:{}/", site.port)),
    );
    site.serve(
        "/to-metadata",
        Reply::redirect("http://169.254.169.254/latest/meta-data/"),
    );
    for hop in 1..=6 {
        site.serve(
            &format!("/chain/{hop}"),
            Reply::redirect(&format!("/chain/{}", hop - 1)),
        );
    }
    site.serve("/chain/0", Reply::html(META_PAGE));
    site.serve(
        "/big",
        Reply::Streamed {
            bytes: 3 * 1024 * 1024,
        },
    );
    site.serve("/slow", Reply::Hang);
    site.serve("/data.json", Reply::typed(200, "application/json", "{}"));
    site.serve(
        "/odd",
        Reply::html(&format!(
            r#"<script type="application/ld+json">{{"@type":"Organization","name":"{}",
            "numberOfEmployees":"lots","industry":"Farming"}}</script>"#,
            "N".repeat(150)
        )),
    );
    site
}

fn loopback() -> OutboundPolicy {
    OutboundPolicy::allowing(vec!["127.0.0.1".parse().expect("ip")])
}

fn scraper(policy: OutboundPolicy, port: u16, limits: PageLimits, llm: Option<Llm>) -> Scraper {
    Scraper {
        outbound: Outbound::new(policy, Duration::from_secs(10)).expect("client"),
        rules: UrlRules::web_pages(vec![port]),
        limits,
        llm,
    }
}

/// The app with the site's port allowed and, when `allow_loopback`, 127.0.0.1 reachable.
async fn setup(site: &Receiver, allow_loopback: bool) -> (Setup, Api) {
    let port = site.port.to_string();
    let mut vars = vec![("SCRAPE_ALLOWED_PORTS", port.as_str())];
    if allow_loopback {
        vars.push(("OUTBOUND_TEST_ALLOW_ADDRS", "127.0.0.1"));
    }
    let s = Setup::with("option_1", &vars).await;
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    opt_in(&s, &admin, true).await;
    (s, admin)
}

async fn opt_in(s: &Setup, admin: &Api, on: bool) {
    admin
        .call(
            Method::PATCH,
            &format!("/orgs/{}", s.org_id),
            Some(json!({ "ai_enrichment_opt_in": on })),
        )
        .await
        .expect(StatusCode::OK);
}

/// Asks for a scrape of `url` and runs it with `with`; answers the finished scrape.
async fn scrape(s: &Setup, admin: &Api, url: &str, with: &Scraper) -> Value {
    let created = admin
        .post(
            &format!("/orgs/{}/scrape-jobs", s.org_id),
            json!({ "url": url }),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(created["status"], "pending", "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let db = Db::connect(&s.app.database.url, 2).expect("pool");
    let finished = cairn::scrape::run_due(&db, with, s.app.clock.now())
        .await
        .expect("scrape round");
    assert_eq!(finished, 1);
    admin
        .get(&format!("/scrape-jobs/{id}"))
        .await
        .expect(StatusCode::OK)
}

fn suggested(job: &Value, field: &str) -> Option<(String, String)> {
    job["prefill"]["suggestions"]
        .as_array()?
        .iter()
        .find(|s| s["field"] == field)
        .map(|s| {
            (
                s["value"].as_str().unwrap_or_default().to_owned(),
                s["source"].as_str().unwrap_or_default().to_owned(),
            )
        })
}

#[tokio::test]
async fn a_json_ld_page_is_read_reviewed_on_the_settings_page_and_applied() {
    let site = website();
    let (s, admin) = setup(&site, true).await;
    let with = scraper(loopback(), site.port, PageLimits::default(), None);
    let job = scrape(&s, &admin, &site.url("/"), &with).await;
    assert_eq!(job["status"], "done", "{job}");
    let pairs = [
        ("name", "Acme Robotics GmbH"),
        ("industry", "Robotics, Automation"),
        ("address_street", "Hauptstraße 5"),
        ("address_postal_code", "10115"),
        ("address_city", "Berlin"),
        ("address_country", "Germany"),
        ("employee_count_min", "50"),
        ("employee_count_max", "200"),
    ];
    for (field, value) in pairs {
        assert_eq!(
            suggested(&job, field),
            Some((value.to_owned(), "json_ld".to_owned())),
            "{field}: {job}"
        );
    }
    assert_eq!(
        suggested(&job, "website"),
        Some((site.url("/"), "page_address".to_owned()))
    );
    assert_eq!(job["model_used"], Value::Null, "no model is configured");
    let request = &site.received()[0];
    assert!(!request.headers.contains_key("cookie"));
    assert!(!request.headers.contains_key("authorization"));

    // The review: current beside suggested, every row ticked.
    let page = s.owner.get(&format!("/orgs/{}/settings", s.org_slug)).await;
    assert_eq!(page.status, StatusCode::OK);
    let review = page.html();
    let rows = scraper::Selector::parse(".fill-table tbody tr").expect("selector");
    assert_eq!(review.select(&rows).count(), 9, "{}", page.body);
    assert_eq!(
        page.attr_of("#take-industry", "checked").as_deref(),
        Some(""),
        "ticked"
    );
    assert!(page
        .text_of("#website-fill")
        .expect("card")
        .contains("Acme Robotics GmbH"));

    let job_id = job["id"].as_str().expect("id");
    let applied = s
        .owner
        .post_form(
            &format!("/orgs/{}/settings/website-fill/{job_id}/apply", s.org_slug),
            &[
                ("fields", "industry"),
                ("fields", "address_city"),
                ("fields", "employee_count_max"),
            ],
        )
        .await;
    applied.assert_redirect(&format!("/orgs/{}/settings", s.org_slug));
    let stored: (
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<String>,
        String,
    ) = organizations::table
        .find(&s.org_id)
        .select((
            organizations::industry,
            organizations::address_city,
            organizations::employee_count_max,
            organizations::last_enrichment_source,
            organizations::name,
        ))
        .first(&mut s.app.db())
        .expect("org");
    assert_eq!(
        stored,
        (
            Some("Robotics, Automation".into()),
            Some("Berlin".into()),
            Some(200),
            Some("ai".into()),
            "Acme".into()
        ),
        "only the chosen fields change"
    );
    let (before, after): (Option<String>, Option<String>) = item_activity_log::table
        .filter(item_activity_log::action_type.eq("organization.profile_filled"))
        .select((
            item_activity_log::before_json,
            item_activity_log::after_json,
        ))
        .first(&mut s.app.db())
        .expect("the change is in the history");
    let (before, after): (Value, Value) = (
        serde_json::from_str(&before.expect("before")).expect("json"),
        serde_json::from_str(&after.expect("after")).expect("json"),
    );
    assert_eq!(before["industry"], Value::Null);
    assert_eq!(after["industry"], "Robotics, Automation");
    let settings = s.owner.get(&format!("/orgs/{}/settings", s.org_slug)).await;
    assert!(settings
        .body
        .contains("filled the profile from the website"));
}

#[tokio::test]
async fn unsafe_or_unusable_pages_are_refused_with_their_reason_and_safe_ones_read() {
    let site = website();
    let (s, admin) = setup(&site, true).await;
    let quick = PageLimits {
        total: Duration::from_millis(700),
        ..PageLimits::default()
    };
    let with = scraper(loopback(), site.port, quick, None);
    let refused = [
        ("/to-loopback", "127.0.0.2 is 127.0.0.2, a loopback address"),
        (
            "/to-metadata",
            "169.254.169.254 is 169.254.169.254, a link-local address",
        ),
        ("/chain/6", "the site redirected more than 5 times"),
        ("/big", "the page is larger than 2 MiB"),
        ("/slow", "timed out"),
        (
            "/data.json",
            "the answer is not an HTML page (application/json)",
        ),
    ];
    for (path, reason) in refused {
        let job = scrape(&s, &admin, &site.url(path), &with).await;
        assert_eq!(job["status"], "failed", "{path}: {job}");
        let error = job["error_message"].as_str().expect("a reason");
        assert!(error.contains(reason), "{path}: {error}");
        assert_eq!(job["prefill"], Value::Null);
    }
    // Five redirects are fine; the page at the end is read.
    let job = scrape(&s, &admin, &site.url("/chain/5"), &with).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        suggested(&job, "name"),
        Some(("Globex Corporation".into(), "open_graph".into()))
    );
    assert!(job["prefill"]["page_url"]
        .as_str()
        .expect("page")
        .ends_with("/chain/0"));
    assert!(job["prefill"]["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .any(|f| f["value"] == "Globex makes widgets."));

    // A name that resolves to loopback is refused unless its address is allowed, and then
    // it is the checked address the request goes to.
    let url = format!("http://intranet.test:{}/", site.port);
    let named =
        OutboundPolicy::default().resolving("intranet.test", "127.0.0.1".parse().expect("ip"));
    let job = scrape(&s, &admin, &url, &scraper(named, site.port, quick, None)).await;
    assert!(job["error_message"]
        .as_str()
        .expect("refused")
        .contains("intranet.test is 127.0.0.1, a loopback address"));
    let allowed = loopback().resolving("intranet.test", "127.0.0.1".parse().expect("ip"));
    let job = scrape(&s, &admin, &url, &scraper(allowed, site.port, quick, None)).await;
    assert_eq!(job["status"], "done", "{job}");

    // The same safe page, without the test allowance (the default), is refused.
    let job = scrape(
        &s,
        &admin,
        &site.url("/"),
        &scraper(OutboundPolicy::default(), site.port, quick, None),
    )
    .await;
    assert!(job["error_message"]
        .as_str()
        .expect("refused")
        .contains("127.0.0.1 is 127.0.0.1, a loopback address"));
}

#[tokio::test]
async fn without_the_test_allowance_a_loopback_address_is_refused_when_typed() {
    let site = website();
    let (s, admin) = setup(&site, false).await;
    let before = Snapshot::take(&s.app);
    let refused = admin
        .post(
            &format!("/orgs/{}/scrape-jobs", s.org_id),
            json!({ "url": site.url("/") }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(refused["error"]["fields"]["url"]
        .as_str()
        .expect("the url's message")
        .contains("a loopback address"));
    for (url, reason) in [
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("http://localhost./", "names this machine"),
        ("ftp://example.com/", "only http and https"),
        ("http://example.com:22/", "port 22"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("http://2130706433/", "a loopback address"),
    ] {
        let answer = admin
            .post(
                &format!("/orgs/{}/scrape-jobs", s.org_id),
                json!({ "url": url }),
            )
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let message = answer["error"]["fields"]["url"].as_str().expect("message");
        assert!(message.contains(reason), "{url}: {message}");
    }
    // The page says the same next to the field, keeping what was typed.
    let page = s
        .owner
        .post_form(
            &format!("/orgs/{}/settings/website-fill", s.org_slug),
            &[("url", "http://localhost./admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#url-error")
        .expect("message")
        .contains("names this machine"));
    assert_eq!(
        page.attr_of("#url", "value").as_deref(),
        Some("http://localhost./admin")
    );
    before.assert_unchanged(&s.app, "refused addresses");
}

#[tokio::test]
async fn the_opt_in_an_admin_and_a_live_organization_are_required() {
    let site = website();
    let (s, admin) = setup(&site, true).await;
    let path = format!("/orgs/{}/scrape-jobs", s.org_id);
    let body = json!({ "url": site.url("/") });
    let member_page = s.app.person("mia@example.com", "Mia Member").await;
    s.app.join_org(&s.org_slug, "mia@example.com", "member");
    let member = s.api("mia@example.com", &["read", "write", "admin"]);
    s.app.person("out@example.com", "Otto Outsider").await;
    let outsider = s.api("out@example.com", &["read", "write", "admin"]);
    let reader = s.api("owner@example.com", &["read", "write"]);
    let before = Snapshot::take(&s.app);
    member
        .post(&path, body.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    outsider
        .post(&path, body.clone())
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    reader
        .post(&path, body.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let refused = member_page
        .post_form(
            &format!("/orgs/{}/settings/website-fill", s.org_slug),
            &[("url", &site.url("/"))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    before.assert_unchanged(&s.app, "refused requests");

    opt_in(&s, &admin, false).await;
    let off = admin
        .post(&path, body.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(off["error"]["message"]
        .as_str()
        .expect("message")
        .contains("AI enrichment"));
    let page = s.owner.get(&format!("/orgs/{}/settings", s.org_slug)).await;
    assert!(page
        .text_of("#website-fill")
        .expect("card")
        .contains("Turn on AI enrichment"));
    assert!(page
        .html()
        .select(&scraper::Selector::parse("#website-fill form").expect("s"))
        .next()
        .is_none());

    opt_in(&s, &admin, true).await;
    admin
        .post(&format!("/orgs/{}/archive", s.org_id), json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    let archived = admin.post(&path, body).await;
    assert_eq!(archived.status, StatusCode::FORBIDDEN, "{}", archived.body);
    assert!(archived.body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("archived"));
}

#[tokio::test]
async fn applying_goes_through_the_profile_rules_and_a_refusal_changes_nothing() {
    let site = website();
    let (s, admin) = setup(&site, true).await;
    let with = scraper(loopback(), site.port, PageLimits::default(), None);
    let job = scrape(&s, &admin, &site.url("/odd"), &with).await;
    let id = job["id"].as_str().expect("id").to_owned();
    let before = Snapshot::take(&s.app);
    let refused = admin
        .post(
            &format!("/scrape-jobs/{id}/apply"),
            json!({ "fields": ["name", "employee_count_min", "industry"] }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        refused["error"]["fields"]["name"],
        "Use at most 100 characters."
    );
    assert_eq!(
        refused["error"]["fields"]["employee_count_min"],
        "Enter a whole number."
    );
    let none = admin
        .post(
            &format!("/scrape-jobs/{id}/apply"),
            json!({ "fields": ["address_city"] }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(none["error"]["fields"]["fields"].is_string(), "{none}");
    // The page shows the refusal next to the row, keeping what was ticked.
    let page = s
        .owner
        .post_form(
            &format!("/orgs/{}/settings/website-fill/{id}/apply", s.org_slug),
            &[("fields", "name"), ("fields", "industry")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#name-error").as_deref(),
        Some("Use at most 100 characters.")
    );
    assert!(page.attr_of("#take-industry", "checked").is_some());
    assert!(page
        .attr_of("#take-employee_count_min", "checked")
        .is_none());
    before.assert_unchanged(&s.app, "refused suggestions");

    let applied = admin
        .post(
            &format!("/scrape-jobs/{id}/apply"),
            json!({ "fields": ["industry"] }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(applied["industry"], "Farming");
}

#[tokio::test]
async fn a_configured_model_suggests_industry_and_customers_and_a_slow_one_is_left_out() {
    let site = website();
    let (s, admin) = setup(&site, true).await;
    let answer = json!({ "choices": [{ "message": { "role": "assistant",
        "content": "{\"industry\": \"Agritech\", \"customers\": [\"Initech\", \"Globex\"]}" } }] });
    let (server, llm) = model(Reply::typed(200, "application/json", &answer.to_string()));
    let with = scraper(loopback(), site.port, PageLimits::default(), Some(llm));
    let job = scrape(&s, &admin, &site.url("/meta"), &with).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        suggested(&job, "industry"),
        Some(("Agritech".into(), "llm".into()))
    );
    assert_eq!(
        suggested(&job, "customer_names"),
        Some(("Initech\nGlobex".into(), "llm".into()))
    );
    assert_eq!(job["model_used"], "test-model");
    assert_eq!(job["provider"], "127.0.0.1");
    assert_eq!(job["prompt_version"], cairn::scrape::PROMPT_VERSION);
    let sent = &server.received()[0];
    assert_eq!(
        sent.headers.get("authorization").map(String::as_str),
        Some("Bearer sk-test-key")
    );
    let body: Value = serde_json::from_str(&sent.body).expect("json");
    assert_eq!(body["model"], "test-model");

    // The JSON-LD page: its own industry wins, its text goes out, its scripts do not.
    let job = scrape(&s, &admin, &site.url("/"), &with).await;
    assert_eq!(
        suggested(&job, "industry"),
        Some(("Robotics, Automation".into(), "json_ld".into()))
    );
    let sent: Value = serde_json::from_str(&server.received()[1].body).expect("json");
    let text = sent["messages"][1]["content"].as_str().expect("page text");
    assert!(text.contains("Trusted by Initech and Globex."), "{text}");
    assert!(!text.contains("do-not-send"), "{text}");
    // The settings page shows exactly what was sent.
    let page = s.owner.get(&format!("/orgs/{}/settings", s.org_slug)).await;
    let shown = page.text_of(".fill-sent pre").expect("what was sent");
    assert_eq!(serde_json::from_str::<Value>(&shown).expect("json"), sent);

    // A model that does not answer in time: the page's own suggestions, and a note.
    let (_slow, slow) = model(Reply::Hang);
    let with = scraper(loopback(), site.port, PageLimits::default(), Some(slow));
    let job = scrape(&s, &admin, &site.url("/"), &with).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        suggested(&job, "name"),
        Some(("Acme Robotics GmbH".into(), "json_ld".into()))
    );
    assert!(job["prefill"]["llm_note"]
        .as_str()
        .expect("a note")
        .contains("did not answer within 1 s"));
}
