//! Webhooks over real HTTP: endpoints registered through the API, deliveries sent by the
//! app's delivery code to a receiving server started here, signed, retried, logged and
//! disabled; the SSRF guard between them; and an endpoint hearing only of its workspace.

use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;

use cairn::db::Db;
use cairn::outbound::{Outbound, OutboundPolicy};
use cairn::schema::{email_outbox, webhook_deliveries};
use diesel::prelude::*;

use crate::api::{Api, Setup};
use crate::receiver::Receiver;
use crate::snapshot::Snapshot;

const ALLOW_LOOPBACK: [(&str, &str); 1] = [("OUTBOUND_TEST_ALLOW_ADDRS", "127.0.0.1")];

fn outbound(policy: OutboundPolicy) -> Outbound {
    Outbound::new(policy, std::time::Duration::from_secs(10)).expect("client")
}

fn allowing_loopback() -> Outbound {
    outbound(OutboundPolicy::allowing(vec!["127.0.0.1"
        .parse()
        .expect("ip")]))
}

/// A moment after everything queued so far: deliveries are queued on the system clock.
fn soon() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + Duration::seconds(1)
}

async fn deliver(s: &Setup, via: &Outbound, now: NaiveDateTime) -> usize {
    let db = Db::connect(&s.app.database.url, 2).expect("pool");
    cairn::webhooks::deliver_due(&db, via, "test-worker", now)
        .await
        .expect("delivery round")
}

async fn register(admin: &Api, ws_id: &str, url: &str, events: &[&str]) -> Value {
    admin
        .post(
            &format!("/workspaces/{ws_id}/webhooks"),
            json!({ "url": url, "events": events }),
        )
        .await
        .expect(StatusCode::CREATED)
}

fn pending_deliveries(s: &Setup) -> i64 {
    webhook_deliveries::table
        .filter(webhook_deliveries::state.eq("pending"))
        .count()
        .get_result(&mut s.app.db())
        .expect("count")
}

async fn log(admin: &Api, webhook_id: &str) -> Value {
    admin
        .get(&format!("/webhooks/{webhook_id}/deliveries"))
        .await
        .expect(StatusCode::OK)
}

async fn create(api: &Api, ws: &str, title: &str) -> String {
    api.post(
        &format!("/workspaces/{ws}/items"),
        json!({ "type": "objective", "title": title }),
    )
    .await
    .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn expected_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_delivery_is_signed_carries_the_change_and_is_logged() {
    let s = Setup::with("option_1", &ALLOW_LOOPBACK).await;
    let receiver = Receiver::start();
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let created = register(
        &admin,
        &s.ws_id,
        &receiver.url("/hooks/cairn"),
        &["item.created", "comment.created", "item.created"],
    )
    .await;
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(
        created["events"],
        json!(["item.created", "comment.created"])
    );
    assert_eq!(created["active"], true);
    let webhook_id = created["id"].as_str().expect("id").to_owned();
    let listed = admin
        .get(&format!("/workspaces/{}/webhooks", s.ws_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["webhooks"][0]["id"], webhook_id.as_str());
    assert!(
        listed["webhooks"][0].get("secret").is_none(),
        "the secret is shown once: {listed}"
    );

    let item = s.item(&admin, "objective", None, "Grow revenue").await;
    // Not subscribed: an edit queues nothing.
    admin
        .call(
            Method::PATCH,
            &format!("/items/{item}"),
            Some(json!({ "title": "Grow revenue fast" })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(pending_deliveries(&s), 1);

    let now = soon();
    assert_eq!(deliver(&s, &allowing_loopback(), now).await, 1);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/hooks/cairn");
    assert_eq!(request.headers["x-cairn-event"], "item.created");
    assert_eq!(request.headers["content-type"], "application/json");
    let timestamp = &request.headers["x-cairn-timestamp"];
    assert_eq!(timestamp, &now.and_utc().timestamp().to_string());
    assert_eq!(
        request.headers["x-cairn-signature"],
        expected_signature(&secret, timestamp, &request.body)
    );
    assert_ne!(
        request.headers["x-cairn-signature"],
        expected_signature("whsec_other", timestamp, &request.body),
        "the signature depends on the secret"
    );
    let payload: Value = serde_json::from_str(&request.body).expect("JSON payload");
    assert_eq!(payload["event"], "item.created");
    assert_eq!(payload["workspace_id"], s.ws_id.as_str());
    assert_eq!(
        payload["subject"],
        json!({ "type": "objective", "id": item })
    );
    assert_eq!(payload["data"]["after"]["title"], "Grow revenue");
    assert_eq!(payload["id"], request.headers["x-cairn-delivery"].as_str());

    let log = admin
        .get(&format!("/webhooks/{webhook_id}/deliveries"))
        .await
        .expect(StatusCode::OK);
    let delivery = &log["deliveries"][0];
    assert_eq!(delivery["state"], "delivered", "{log}");
    assert_eq!(delivery["response_status"], 200);
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["duration_ms"].is_i64(), "{log}");
    // Nothing is sent twice.
    assert_eq!(
        deliver(&s, &allowing_loopback(), now + Duration::hours(1)).await,
        0
    );
    assert_eq!(receiver.received().len(), 1);

    admin
        .post(
            &format!("/items/{item}/comments"),
            json!({ "body": "On it" }),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(deliver(&s, &allowing_loopback(), soon()).await, 1);
    let comment: Value = serde_json::from_str(&receiver.received()[1].body).expect("JSON");
    assert_eq!(comment["event"], "comment.created");
    assert_eq!(comment["data"]["after"]["comment"], "On it");
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_backoff_then_disabled_and_its_admins_told() {
    let s = Setup::with("option_1", &ALLOW_LOOPBACK).await;
    let receiver = Receiver::start();
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let webhook = register(&admin, &s.ws_id, &receiver.url("/h"), &["item.created"]).await;
    let webhook_id = webhook["id"].as_str().expect("id").to_owned();

    receiver.answer(500);
    s.item(&admin, "objective", None, "First").await;
    let now = soon();
    assert_eq!(deliver(&s, &allowing_loopback(), now).await, 0);
    let first = log(&admin, &webhook_id).await;
    let delivery = &first["deliveries"][0];
    assert_eq!(delivery["state"], "pending", "{first}");
    assert_eq!(delivery["response_status"], 500);
    assert_eq!(delivery["attempts"], 1);
    assert!(delivery["error"].as_str().expect("error").contains("500"));
    // Not again before its backoff (30 s) is over.
    assert_eq!(
        deliver(&s, &allowing_loopback(), now + Duration::seconds(20)).await,
        0
    );
    assert_eq!(receiver.received().len(), 1);

    receiver.answer(204);
    assert_eq!(
        deliver(&s, &allowing_loopback(), now + Duration::seconds(31)).await,
        1
    );
    assert_eq!(receiver.received().len(), 2);
    let retried = log(&admin, &webhook_id).await;
    assert_eq!(retried["deliveries"][0]["state"], "delivered", "{retried}");
    assert_eq!(retried["deliveries"][0]["attempts"], 2);
    let listed = admin
        .get(&format!("/workspaces/{}/webhooks", s.ws_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        listed["webhooks"][0]["consecutive_failures"], 0,
        "a success resets the count"
    );

    // Failures in a row, up to the threshold, disable it.
    receiver.answer(503);
    let threshold = usize::try_from(cairn::webhooks::DISABLE_AFTER).expect("small");
    for n in 0..threshold + 1 {
        s.item(&admin, "objective", None, &format!("Objective {n}"))
            .await;
    }
    let later = soon() + Duration::seconds(40);
    assert_eq!(deliver(&s, &allowing_loopback(), later).await, 0);
    let listed = admin
        .get(&format!("/workspaces/{}/webhooks", s.ws_id))
        .await
        .expect(StatusCode::OK);
    let endpoint = &listed["webhooks"][0];
    assert_eq!(endpoint["active"], false, "{listed}");
    assert!(endpoint["disabled_reason"]
        .as_str()
        .expect("reason")
        .contains("503"));
    assert_eq!(pending_deliveries(&s), 0, "what waited is dropped");
    let told: Vec<(String, String)> = email_outbox::table
        .filter(email_outbox::subject.like("Webhook disabled%"))
        .select((email_outbox::to_address, email_outbox::subject))
        .load(&mut s.app.db())
        .expect("mail");
    assert_eq!(
        told,
        vec![(
            "owner@example.com".to_owned(),
            "Webhook disabled in Platform".to_owned()
        )]
    );
    // A disabled endpoint hears of nothing more.
    let before = receiver.received().len();
    s.item(&admin, "objective", None, "After").await;
    assert_eq!(pending_deliveries(&s), 0);
    assert_eq!(
        deliver(&s, &allowing_loopback(), later + Duration::hours(2)).await,
        0
    );
    assert_eq!(receiver.received().len(), before);
}

#[tokio::test]
async fn no_delivery_reaches_a_loopback_or_private_address_without_the_test_allowance() {
    let s = Setup::new("option_1").await;
    let receiver = Receiver::start();
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let hooks = format!("/workspaces/{}/webhooks", s.ws_id);
    for url in [
        receiver.url("/h"),
        format!("https://127.0.0.1:{}/h", receiver.port),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::ffff:10.0.0.1]/h".to_owned(),
    ] {
        let refused = admin
            .post(&hooks, json!({ "url": url, "events": ["item.created"] }))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"]["url"].is_string(),
            "{url}: {refused}"
        );
    }
    // localhost is refused by name; any other name is checked where it resolves, at every
    // delivery (here a test resolver answers 127.0.0.1 for it).
    admin
        .post(
            &hooks,
            json!({ "url": format!("https://localhost:{}/h", receiver.port), "events": ["item.created"] }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let webhook = register(
        &admin,
        &s.ws_id,
        &format!("https://hooks.test:{}/h", receiver.port),
        &["item.created"],
    )
    .await;
    s.item(&admin, "objective", None, "Secret plans").await;
    let guarded = outbound(
        OutboundPolicy::default().resolving("hooks.test", "127.0.0.1".parse().expect("ip")),
    );
    assert_eq!(deliver(&s, &guarded, soon()).await, 0);
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
    let log = admin
        .get(&format!(
            "/webhooks/{}/deliveries",
            webhook["id"].as_str().expect("id")
        ))
        .await
        .expect(StatusCode::OK);
    let error = log["deliveries"][0]["error"].as_str().expect("error");
    assert!(error.contains("loopback"), "{error}");
    assert!(log["deliveries"][0]["response_status"].is_null());

    // An endpoint stored while an allowance was set (here written directly) is refused at
    // delivery once the allowance is gone.
    diesel::update(cairn::schema::webhooks::table)
        .set(cairn::schema::webhooks::url.eq(receiver.url("/h")))
        .execute(&mut s.app.db())
        .expect("point at plain http");
    assert_eq!(
        deliver(&s, &guarded, soon() + Duration::minutes(5)).await,
        0
    );
    assert!(receiver.received().is_empty());
    // The same delivery with the allowance does arrive: the refusals above were the guard's.
    assert_eq!(
        deliver(&s, &allowing_loopback(), soon() + Duration::minutes(10)).await,
        1
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn only_workspace_admins_manage_webhooks_and_refusals_change_nothing() {
    let s = Setup::with("option_1", &ALLOW_LOOPBACK).await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let (_, _member) = s.member(&owner, "max@example.com", "Max Member").await;
    let hooks = format!("/workspaces/{}/webhooks", s.ws_id);
    let webhook = register(
        &owner,
        &s.ws_id,
        "https://hooks.example.com/a",
        &["cycle.closed"],
    )
    .await;
    let webhook_id = webhook["id"].as_str().expect("id").to_owned();
    let member = s.api("max@example.com", &["read", "write", "admin"]);
    let reader = s.api("owner@example.com", &["read", "write"]);
    let outsider_setup_token = {
        let _ = s.app.person("out@example.com", "Oscar Outsider").await;
        s.api("out@example.com", &["read", "write", "admin"])
    };

    let before = Snapshot::take(&s.app);
    let new = json!({ "url": "https://hooks.example.com/b", "events": ["item.created"] });
    member
        .get(&hooks)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    member
        .post(&hooks, new.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    member
        .call(Method::DELETE, &format!("/webhooks/{webhook_id}"), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    reader
        .get(&hooks)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    outsider_setup_token
        .get(&format!("/webhooks/{webhook_id}/deliveries"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    outsider_setup_token
        .post(&hooks, new.clone())
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    for (body, field) in [
        (
            json!({ "url": "http://hooks.example.com/", "events": ["item.created"] }),
            "url",
        ),
        (json!({ "url": "", "events": ["item.created"] }), "url"),
        (
            json!({ "url": "https://user:pw@hooks.example.com/", "events": ["item.created"] }),
            "url",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": [] }),
            "events",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": ["item.renamed"] }),
            "events[0]",
        ),
        (json!({ "events": ["item.created"] }), "url"),
    ] {
        let refused = owner
            .post(&hooks, body.clone())
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    owner
        .call(Method::PUT, &hooks, Some(new.clone()))
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    before.assert_unchanged(&s.app, "refused webhook requests");

    owner
        .call(Method::DELETE, &format!("/webhooks/{webhook_id}"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    owner
        .get(&format!("/webhooks/{webhook_id}/deliveries"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let listed = owner.get(&hooks).await.expect(StatusCode::OK);
    assert_eq!(listed["webhooks"], json!([]));
}

/// The differential check of payloads: each endpoint hears exactly of its own workspace's
/// items and its organization's cycles, whatever the privacy mode, and no payload names an
/// item of another workspace.
#[tokio::test]
async fn an_endpoint_hears_only_of_its_own_workspace_and_organization() {
    let s = Setup::with("option_2", &ALLOW_LOOPBACK).await;
    let receiver = Receiver::start();
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let other_ws = owner
        .post(
            &format!("/orgs/{}/workspaces", s.org_id),
            json!({ "name": "Sales", "privacy_mode": "option_1" }),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let every = [
        "item.created",
        "item.updated",
        "item.deleted",
        "check_in.created",
        "comment.created",
        "cycle.closed",
    ];
    register(&owner, &s.ws_id, &receiver.url("/platform"), &every).await;
    register(&owner, &other_ws, &receiver.url("/sales"), &every).await;
    // Another organization with its own endpoint.
    let _ = s.app.person("rival@example.com", "Rita Rival").await;
    let rival = s.api("rival@example.com", &["read", "write", "admin"]);
    let rival_org = rival
        .post("/orgs", json!({ "name": "Rival" }))
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let rival_ws = rival
        .post(
            &format!("/orgs/{rival_org}/workspaces"),
            json!({ "name": "Rival ops" }),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    register(&rival, &rival_ws, &receiver.url("/rival"), &every).await;

    let platform_item = create(&owner, &s.ws_id, "Platform secret").await;
    let sales_item = create(&owner, &other_ws, "Sales secret").await;
    let rival_item = create(&rival, &rival_ws, "Rival secret").await;
    owner
        .post(
            &format!("/items/{sales_item}/comments"),
            json!({ "body": "Sales talk" }),
        )
        .await
        .expect(StatusCode::CREATED);
    owner
        .call(Method::DELETE, &format!("/items/{platform_item}"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let cycle = owner
        .post(
            &format!("/orgs/{}/cycles", s.org_id),
            json!({ "name": "2031 Q1", "start_date": "2031-01-01", "end_date": "2031-03-31" }),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for step in ["activate", "close"] {
        owner
            .call(Method::POST, &format!("/cycles/{cycle}/{step}"), None)
            .await
            .expect(StatusCode::OK);
    }

    assert_eq!(deliver(&s, &allowing_loopback(), soon()).await, 7);
    let mut heard: Vec<(String, String, String)> = receiver
        .received()
        .iter()
        .map(|r| {
            let payload: Value = serde_json::from_str(&r.body).expect("JSON");
            (
                r.path.clone(),
                payload["event"].as_str().expect("event").to_owned(),
                payload["subject"]["id"]
                    .as_str()
                    .expect("subject")
                    .to_owned(),
            )
        })
        .collect();
    heard.sort();
    let mut expected = vec![
        (
            "/platform".to_owned(),
            "item.created".to_owned(),
            platform_item.clone(),
        ),
        (
            "/platform".to_owned(),
            "item.deleted".to_owned(),
            platform_item.clone(),
        ),
        (
            "/platform".to_owned(),
            "cycle.closed".to_owned(),
            cycle.clone(),
        ),
        (
            "/sales".to_owned(),
            "item.created".to_owned(),
            sales_item.clone(),
        ),
        (
            "/sales".to_owned(),
            "comment.created".to_owned(),
            sales_item.clone(),
        ),
        (
            "/sales".to_owned(),
            "cycle.closed".to_owned(),
            cycle.clone(),
        ),
        (
            "/rival".to_owned(),
            "item.created".to_owned(),
            rival_item.clone(),
        ),
    ];
    expected.sort();
    assert_eq!(heard, expected);
    for r in receiver.received() {
        let foreign: &[&str] = match r.path.as_str() {
            "/platform" => &["Sales secret", "Rival secret", "Sales talk"],
            "/sales" => &["Platform secret", "Rival secret"],
            _ => &["Platform secret", "Sales secret", "Sales talk"],
        };
        for text in foreign {
            assert!(
                !r.body.contains(text),
                "{} heard {text:?}: {}",
                r.path,
                r.body
            );
        }
    }
}

/// The page does what the API does: registers (the secret shown on that answer only), keeps
/// what was typed when it refuses, shows the log, and deletes.
#[tokio::test]
async fn admins_manage_webhooks_on_the_settings_page() {
    let s = Setup::with("option_1", &ALLOW_LOOPBACK).await;
    let receiver = Receiver::start();
    let base = format!("/orgs/{}/w/{}", s.org_slug, s.ws_slug);
    let hooks = format!("{base}/settings/webhooks");
    let settings = s.owner.get(&format!("{base}/settings")).await;
    assert!(settings.body.contains(&format!("href=\"{hooks}\"")));

    let refused = s
        .owner
        .submit(
            &hooks,
            &hooks,
            &[
                ("url", "http://hooks.example.com/x"),
                ("events", "item.created"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of("#url-error")
        .expect("message")
        .contains("https"));
    assert_eq!(
        refused.attr_of("#url", "value").as_deref(),
        Some("http://hooks.example.com/x"),
        "what was typed stays"
    );
    let none = s
        .owner
        .submit(&hooks, &hooks, &[("url", "https://hooks.example.com/x")])
        .await;
    assert!(none.text_of("#events-error").is_some(), "{}", none.body);

    let url = receiver.url("/page");
    let added = s
        .owner
        .submit(
            &hooks,
            &hooks,
            &[
                ("url", &url),
                ("events", "item.created"),
                ("events", "cycle.closed"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let secret = added
        .text_of("#new-webhook-secret")
        .expect("the secret, once");
    assert!(secret.starts_with("whsec_"));
    let listed = s.owner.get(&hooks).await;
    assert!(!listed.body.contains(&secret), "shown once only");
    assert!(
        listed.body.contains("item.created, cycle.closed"),
        "{}",
        listed.body
    );

    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    s.item(&admin, "objective", None, "Seen in the log").await;
    assert_eq!(deliver(&s, &allowing_loopback(), soon()).await, 1);
    let webhook_id: String = cairn::schema::webhooks::table
        .select(cairn::schema::webhooks::id)
        .first(&mut s.app.db())
        .expect("webhook");
    let log = s.owner.get(&format!("{hooks}/{webhook_id}")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(
        log.text_of(".delivery-log tbody tr td:nth-of-type(4)")
            .as_deref(),
        Some("200"),
        "{}",
        log.body
    );

    // A plain member of the workspace has no webhooks page.
    let (member, _) = s.member(&admin, "max@example.com", "Max Member").await;
    assert_eq!(member.get(&hooks).await.status, StatusCode::FORBIDDEN);

    let deleted = s
        .owner
        .submit(&hooks, &format!("{hooks}/{webhook_id}/delete"), &[])
        .await;
    deleted.assert_redirect(&hooks);
    assert!(s
        .owner
        .get(&hooks)
        .await
        .text_of(".webhooks-empty")
        .is_some());
}
