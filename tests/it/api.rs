//! The JSON API v1 over HTTP: tokens, scopes, every endpoint, every error code, and the same
//! visible set as the pages.

use cairn::schema::{pat, workspaces};
use cairn::tokens::{self, Description, Lifetime, NewToken, Scopes};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{Browser, TestApp};
use crate::smtp::{self, SmtpServer};

/// A token for an existing user, made the way `cairn token create` makes one.
pub(crate) fn token_for(app: &TestApp, email: &str, scopes: &[&str]) -> String {
    let new = NewToken {
        description: Description::parse("tests").expect("description"),
        scopes: Scopes::parse(scopes).expect("scopes"),
        lifetime: Lifetime::days(30).expect("days"),
    };
    let (secret, _) =
        tokens::create(&mut app.db(), &app.user_id(email), &new).expect("token created");
    secret.expose().to_owned()
}

/// An API answer, read whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    #[track_caller]
    pub(crate) fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.body
    }

    #[track_caller]
    pub(crate) fn expect_error(self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
        assert!(self.body["error"]["message"].is_string(), "{}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        self.body
    }
}

/// A script calling the API: no cookies, a bearer token.
pub(crate) struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub(crate) fn new(app: &TestApp, token: Option<String>) -> Self {
        Self {
            client: crate::harness::client_builder().build().expect("client"),
            base: app.base_url.clone(),
            token,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body, got {text}"))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.base));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        self.send(request).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }
}

/// An organization with a workspace, its owner signed up in a browser, and API clients.
pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) owner: Browser,
    pub(crate) org_slug: String,
    pub(crate) ws_slug: String,
    pub(crate) org_id: String,
    pub(crate) ws_id: String,
}

impl Setup {
    pub(crate) async fn new(privacy_mode: &str) -> Self {
        Self::with(privacy_mode, &[]).await
    }

    pub(crate) async fn with(privacy_mode: &str, vars: &[(&str, &str)]) -> Self {
        let app = TestApp::spawn_with(vars).await;
        let owner = app.person("owner@example.com", "Olive Owner").await;
        let org_slug = owner.create_org("Acme").await;
        let ws_slug = owner
            .create_workspace(&org_slug, "Platform", privacy_mode)
            .await;
        let (org_id, ws_id): (String, String) = workspaces::table
            .filter(workspaces::slug.eq(&ws_slug))
            .select((workspaces::organization_id, workspaces::id))
            .first(&mut app.db())
            .expect("workspace");
        Self {
            app,
            owner,
            org_slug,
            ws_slug,
            org_id,
            ws_id,
        }
    }

    pub(crate) fn api(&self, email: &str, scopes: &[&str]) -> Api {
        Api::new(&self.app, Some(token_for(&self.app, email, scopes)))
    }

    /// A signed-up organization member put into the workspace through the API.
    pub(crate) async fn member(&self, admin: &Api, email: &str, name: &str) -> (Browser, String) {
        let browser = self.app.person(email, name).await;
        self.app.join_org(&self.org_slug, email, "member");
        let user_id = self.app.user_id(email);
        let member = admin
            .call(
                Method::PUT,
                &format!("/workspaces/{}/members/{user_id}", self.ws_id),
                Some(json!({ "role": "workspace_user" })),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(member["role"], "workspace_user");
        assert_eq!(member["active"], true);
        (browser, user_id)
    }

    pub(crate) async fn item(
        &self,
        api: &Api,
        item_type: &str,
        parent: Option<&str>,
        title: &str,
    ) -> String {
        let item = api
            .post(
                &format!("/workspaces/{}/items", self.ws_id),
                json!({ "type": item_type, "title": title, "parent_id": parent }),
            )
            .await
            .expect(StatusCode::CREATED);
        item["id"].as_str().expect("id").to_owned()
    }
}

#[tokio::test]
async fn the_tokens_page_shows_a_token_once_stores_its_hash_and_revokes_it() {
    let s = Setup::new("option_1").await;
    let page = s.owner.get("/account").await;
    assert!(page.body.contains("href=\"/account/tokens\""));
    s.owner.get("/account/tokens").await;
    let refused = s
        .owner
        .post_form("/account/tokens", &[("description", ""), ("days", "400")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text_of("#description-error").is_some());
    assert!(refused.text_of("#scopes-error").is_some());
    assert!(refused.text_of("#days-error").is_some());
    assert_eq!(
        pat::table
            .count()
            .get_result::<i64>(&mut s.app.db())
            .unwrap(),
        0
    );

    let created = s
        .owner
        .post_form(
            "/account/tokens",
            &[
                ("description", "BI export"),
                ("scopes", "read"),
                ("scopes", "write"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let token = created.text_of("#new-token").expect("the token is shown");
    assert!(token.starts_with("cairn_pat_") && token.len() >= 10 + 22);
    let stored: String = pat::table
        .select(pat::pat_hash)
        .first(&mut s.app.db())
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored.len(), 64, "a SHA-256 in hex");

    let listing = s.owner.get("/account/tokens").await;
    assert!(!listing.body.contains(&token), "shown once only");
    assert!(listing.body.contains("BI export"));
    assert!(listing.body.contains("never used"));
    assert!(
        listing.body.contains("/api/v1/openapi.json"),
        "links the API"
    );

    let api = Api::new(&s.app, Some(token.clone()));
    let me = api.get("/me").await.expect(StatusCode::OK);
    assert_eq!(me["email"], "owner@example.com");
    assert_eq!(me["scopes"], json!(["read", "write"]));
    assert!(s
        .owner
        .get("/account/tokens")
        .await
        .body
        .contains("last used"));

    let id: String = pat::table.select(pat::id).first(&mut s.app.db()).unwrap();
    s.owner
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await
        .assert_redirect("/account/tokens");
    api.get("/me")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn missing_unknown_expired_and_revoked_tokens_are_unauthorized() {
    let s = Setup::new("option_1").await;
    let anonymous = Api::new(&s.app, None);
    let answer = anonymous.get("/me").await;
    assert_eq!(answer.headers.get("www-authenticate").unwrap(), "Bearer");
    answer.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    for bad in ["nonsense", "cairn_pat_unknownunknownunknownunknown"] {
        Api::new(&s.app, Some(bad.into()))
            .get("/orgs")
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let expiring = s.api("owner@example.com", &["read"]);
    expiring.get("/me").await.expect(StatusCode::OK);
    diesel::update(pat::table)
        .set(pat::expires_at.eq(cairn::db::now() - chrono::Duration::minutes(1)))
        .execute(&mut s.app.db())
        .unwrap();
    expiring
        .get("/me")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let revoked = s.api("owner@example.com", &["read"]);
    let id: String = pat::table
        .filter(pat::revoked_at.is_null())
        .filter(pat::expires_at.gt(cairn::db::now()))
        .select(pat::id)
        .first(&mut s.app.db())
        .unwrap();
    tokens::revoke(&mut s.app.db(), &s.app.user_id("owner@example.com"), &id).unwrap();
    revoked
        .get("/me")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn scopes_limit_the_token_and_admin_needs_the_role_too() {
    let s = Setup::new("option_1").await;
    let owner_admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let (_member, _) = s
        .member(&owner_admin, "max@example.com", "Max Member")
        .await;
    let items = format!("/workspaces/{}/items", s.ws_id);
    let objective = json!({ "type": "objective", "title": "Grow" });

    let read = s.api("owner@example.com", &["read"]);
    read.get(&items).await.expect(StatusCode::OK);
    read.post(&items, objective.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    // Scopes nest: a write token also reads.
    let write = s.api("owner@example.com", &["write"]);
    write.get(&items).await.expect(StatusCode::OK);
    let id = write
        .post(&items, objective.clone())
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    write
        .post(
            &format!("/orgs/{}/workspaces", s.org_id),
            json!({ "name": "Sales" }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    // Admin scope on a plain member's token: the role still says no.
    let member_admin = s.api("max@example.com", &["read", "write", "admin"]);
    member_admin
        .post(
            &format!("/orgs/{}/workspaces", s.org_id),
            json!({ "name": "Sales" }),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    member_admin
        .call(
            Method::PUT,
            &format!(
                "/workspaces/{}/members/{}",
                s.ws_id,
                s.app.user_id("max@example.com")
            ),
            Some(json!({ "role": "workspace_admin" })),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    // A member may not change the owner's item (the same rule as the item page).
    member_admin
        .call(
            Method::PATCH,
            &format!("/items/{id}"),
            Some(json!({ "title": "Mine now" })),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    let ws = owner_admin
        .post(
            &format!("/orgs/{}/workspaces", s.org_id),
            json!({ "name": "Sales", "privacy_mode": "option_2" }),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(ws["slug"], "sales");
    assert_eq!(ws["privacy_mode"], "option_2");
}

#[tokio::test]
async fn cookies_are_ignored_and_no_csrf_token_is_needed() {
    let s = Setup::new("option_1").await;
    // The owner's browser has a session cookie; on the API it counts for nothing.
    let answer = s
        .owner
        .client
        .get(s.owner.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    // With a token, a change needs no CSRF token even from a client holding a session.
    let token = token_for(&s.app, "owner@example.com", &["write"]);
    let created = s
        .owner
        .client
        .post(
            s.owner
                .url(&format!("/api/v1/workspaces/{}/items", s.ws_id)),
        )
        .bearer_auth(&token)
        .json(&json!({ "type": "objective", "title": "No CSRF" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    // The HTML side still insists on it.
    let form = s
        .owner
        .post_form_raw(
            &format!("/orgs/{}/w/{}/items", s.org_slug, s.ws_slug),
            &[("item_type", "objective"), ("title", "Forged")],
        )
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn errors_are_json_with_stable_codes() {
    let s = Setup::with("option_1", &[("API_RATE_PER_MINUTE", "40")]).await;
    let api = s.api("owner@example.com", &["read", "write", "admin"]);
    let items = format!("{}/api/v1/workspaces/{}/items", s.app.base_url, s.ws_id);

    let malformed = api
        .send(
            api.client
                .post(&items)
                .header("content-type", "application/json")
                .body("{\"type\": "),
        )
        .await;
    malformed.expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let wrong_type = api
        .send(api.client.post(&items).body("type=objective"))
        .await;
    wrong_type.expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let huge = json!({ "type": "objective", "title": "x".repeat(70 * 1024) });
    api.send(api.client.post(&items).json(&huge))
        .await
        .expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let invalid = api
        .send(
            api.client
                .post(&items)
                .json(&json!({ "type": "objective", "title": "  " })),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(invalid["error"]["fields"]["title"].is_string(), "{invalid}");
    // A value of the wrong shape names its field: a date, an enum, a missing field.
    for (body, field) in [
        (
            json!({ "type": "objective", "title": "A", "due_date": "31.12.2026" }),
            "due_date",
        ),
        (json!({ "type": "epic", "title": "A" }), "type"),
        (json!({ "title": "A" }), "type"),
    ] {
        let refused = api
            .send(api.client.post(&items).json(&body))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    api.send(
        api.client
            .post(&items)
            .json(&json!({ "type": "key_result", "title": "Orphan" })),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let filters = api
        .get(&format!(
            "/workspaces/{}/items?type=epic&limit=5000",
            s.ws_id
        ))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(filters["error"]["fields"]["type"].is_string());
    assert!(filters["error"]["fields"]["limit"].is_string());
    api.get(&format!(
        "/workspaces/{}/items?type=action&type=objective",
        s.ws_id
    ))
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let none: i64 = cairn::schema::okr_items::table
        .count()
        .get_result(&mut s.app.db())
        .unwrap();
    assert_eq!(none, 0, "refusals change nothing");

    api.get("/nowhere")
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    api.get("/items/01a20000-0000-7000-8000-000000000000")
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let not_allowed = api.call(Method::DELETE, "/orgs", None).await;
    assert_eq!(not_allowed.headers["allow"], "GET, POST");
    not_allowed.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    api.post("/orgs", json!({ "name": "Other", "slug": s.org_slug }))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");

    // The minute's budget is 40; some went above. Exhaust the rest.
    let mut limited = None;
    for _ in 0..60 {
        let answer = api.get("/me").await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer);
            break;
        }
    }
    let limited = limited.expect("the rate limit answers 429");
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    limited.expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another token of the same user has its own budget.
    s.api("owner@example.com", &["read"])
        .get("/me")
        .await
        .expect(StatusCode::OK);
}

/// A token's budget is per minute of the app's clock; on PostgreSQL every instance spends
/// from the same one, as behind a load balancer.
#[tokio::test]
async fn a_tokens_budget_is_per_minute_and_shared_by_every_instance() {
    use chrono::Timelike;
    let s = Setup::with("option_1", &[("API_RATE_PER_MINUTE", "5")]).await;
    let token = token_for(&s.app, "owner@example.com", &["read"]);
    let here = Api::new(&s.app, Some(token.clone()));
    // With PostgreSQL the calls alternate between two instances; SQLite runs one.
    let other = s
        .app
        .database
        .is_postgres()
        .then(|| s.app.another_instance(&[("API_RATE_PER_MINUTE", "5")]));
    let there = Api {
        client: crate::harness::client_builder().build().expect("client"),
        base: other
            .as_ref()
            .map_or(s.app.base_url.clone(), |i| i.base_url.clone()),
        token: Some(token),
    };
    // Start early in a minute, so all of it is left.
    let second = s.app.clock.now().second();
    s.app
        .clock
        .advance(chrono::Duration::seconds(i64::from(60 - second) + 2));
    for n in 0..5 {
        let api = if n % 2 == 0 { &here } else { &there };
        api.get("/me").await.expect(StatusCode::OK);
    }
    let refused = there.get("/me").await;
    assert_eq!(refused.headers["retry-after"], "58", "{}", refused.body);
    refused.expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    here.get("/me")
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // The next minute has its budget again.
    s.app.clock.advance(chrono::Duration::seconds(58));
    here.get("/me").await.expect(StatusCode::OK);
    there.get("/me").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn items_links_and_history_round_trip() {
    let s = Setup::new("option_1").await;
    let api = s.api("owner@example.com", &["read", "write"]);
    let owner_id = s.app.user_id("owner@example.com");
    let objective = s.item(&api, "objective", None, "Grow revenue").await;
    let kr = s
        .item(&api, "key_result", Some(&objective), "ARR to 2M")
        .await;
    let action = s.item(&api, "action", Some(&kr), "Pricing page").await;
    let other = s.item(&api, "objective", None, "Hire well").await;

    let got = api
        .get(&format!("/items/{action}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(got["type"], "action");
    assert_eq!(got["parent_id"], kr.as_str());
    assert_eq!(got["action_status"], "pending");
    assert_eq!(got["workspace_id"], s.ws_id.as_str());
    assert!(got["created_at"].as_str().unwrap().ends_with('Z'));

    let patched = api
        .call(
            Method::PATCH,
            &format!("/items/{action}"),
            Some(json!({
                "action_status": "done",
                "story_points": "5",
                "assignee_user_ids": [owner_id],
                "start_date": "2026-01-01",
                "due_date": "2026-03-31",
                "description": "Ship it",
            })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(patched["action_status"], "done");
    assert_eq!(patched["story_points"], "5");
    assert_eq!(patched["progress"], 100.0);
    assert_eq!(patched["assignee_user_ids"], json!([owner_id]));
    let cleared = api
        .call(
            Method::PATCH,
            &format!("/items/{action}"),
            Some(json!({ "description": null })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["due_date"], "2026-03-31", "left out stays");
    let kr_now = api
        .get(&format!("/items/{kr}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(kr_now["progress"], 100.0, "progress rolls up");
    api.call(
        Method::PATCH,
        &format!("/items/{action}"),
        Some(json!({ "start_date": "2026-05-01" })),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let placed = api
        .call(
            Method::PUT,
            &format!("/items/{objective}/position"),
            Some(json!({ "x": 120.4, "y": -40 })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(placed["position_x"], 120.0);
    assert_eq!(placed["position_y"], -40.0);
    api.call(
        Method::PUT,
        &format!("/items/{objective}/position"),
        Some(json!({ "x": 1e9, "y": 0 })),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Filters and cursor pagination.
    let base = format!("/workspaces/{}/items", s.ws_id);
    let objectives = api
        .get(&format!("{base}?type=objective"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(objectives["items"].as_array().unwrap().len(), 2);
    let done = api
        .get(&format!("{base}?status=done"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["items"][0]["id"], action.as_str());
    let assigned = api
        .get(&format!("{base}?assignee={owner_id}&owner={owner_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(assigned["items"].as_array().unwrap().len(), 1);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{base}?limit=3&cursor={c}"),
            None => format!("{base}?limit=3"),
        };
        let page = api.get(&path).await.expect(StatusCode::OK);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [objective.clone(), kr.clone(), action.clone(), other.clone()],
        "each once, by creation"
    );

    // Links.
    let links = format!("/workspaces/{}/links", s.ws_id);
    let link = api
        .post(
            &links,
            json!({ "from_item_id": objective, "to_item_id": other }),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(link["link_type"], "objective_relation");
    // The same pair either way round is a clash with what exists; an item with itself is
    // refused by the rules.
    api.post(
        &links,
        json!({ "from_item_id": other, "to_item_id": objective }),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");
    api.post(
        &links,
        json!({ "from_item_id": objective, "to_item_id": objective }),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let listed = api.get(&links).await.expect(StatusCode::OK);
    assert_eq!(listed["links"], json!([link.clone()]));
    api.call(
        Method::DELETE,
        &format!("/links/{}", link["id"].as_str().unwrap()),
        None,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&links).await.expect(StatusCode::OK)["links"],
        json!([])
    );

    // Delete, restore, history.
    api.call(Method::DELETE, &format!("/items/{kr}"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    api.get(&format!("/items/{action}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let restored = api
        .post(&format!("/items/{kr}/restore"), json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(restored["id"], kr.as_str());
    api.get(&format!("/items/{action}"))
        .await
        .expect(StatusCode::OK);
    let history = api
        .get(&format!("/items/{action}/activity"))
        .await
        .expect(StatusCode::OK);
    let actions: Vec<&str> = history["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action_type"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["item.updated", "item.updated", "item.created"]);
    assert_eq!(history["activity"][0]["actor_user_id"], owner_id.as_str());
    assert_eq!(history["activity"][0]["after"]["description"], Value::Null);
    assert!(history["activity"][0]["request_id"].is_string());
}

#[tokio::test]
async fn orgs_workspaces_members_and_invites_round_trip() {
    let mut mail = SmtpServer::start().await;
    let mail_url = mail.url();
    let s = Setup::with(
        "option_1",
        &[
            ("SMTP_URL", &mail_url),
            ("OUTBOX_POLL_MILLIS", "50"),
            ("BASE_URL", "http://okr.example.test"),
        ],
    )
    .await;
    let admin = s.api("owner@example.com", &["read", "admin"]);
    let orgs = admin.get("/orgs").await.expect(StatusCode::OK);
    assert_eq!(orgs["orgs"][0]["id"], s.org_id.as_str());
    assert_eq!(orgs["orgs"][0]["role"], "owner");
    assert_eq!(orgs["orgs"][0]["default_privacy_mode"], "option_1");
    let created = admin
        .post("/orgs", json!({ "name": "Beta Labs" }))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["slug"], "beta-labs");
    assert_eq!(created["role"], "owner");
    let listed = admin
        .get(&format!("/orgs/{}/workspaces", s.org_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["workspaces"][0]["id"], s.ws_id.as_str());

    // Invite someone who has an account; they accept with their own token.
    s.app.person("nina@example.com", "Nina New").await;
    let invited = admin
        .post(
            &format!("/orgs/{}/invites", s.org_id),
            json!({ "email": "nina@example.com", "workspace_id": s.ws_id, "workspace_role": "workspace_user" }),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(invited["outcome"], "sent");
    let link = smtp::invite_path(&mail.next_message().await);
    let token = link.trim_start_matches("/invites/");
    let nina = s.api("nina@example.com", &["read", "admin"]);
    let joined = nina
        .post("/invites/accept", json!({ "token": token }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(joined["org_slug"], s.org_slug.as_str());
    assert_eq!(joined["workspace_slug"], s.ws_slug.as_str());
    nina.post("/invites/accept", json!({ "token": token }))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");

    // Members: GET lists, PUT sets role, manager and active.
    let nina_id = s.app.user_id("nina@example.com");
    let owner_id = s.app.user_id("owner@example.com");
    let members_path = format!("/workspaces/{}/members", s.ws_id);
    let put = admin
        .call(
            Method::PUT,
            &format!("{members_path}/{nina_id}"),
            Some(json!({ "role": "workspace_admin", "manager_user_id": owner_id, "active": true })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(put["role"], "workspace_admin");
    assert_eq!(put["manager_user_id"], owner_id.as_str());
    admin
        .call(
            Method::PUT,
            &format!("{members_path}/{owner_id}"),
            Some(json!({ "role": "workspace_admin", "manager_user_id": nina_id })),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let members = nina.get(&members_path).await.expect(StatusCode::OK);
    let rows = members["members"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let row = rows
        .iter()
        .find(|m| m["user_id"] == nina_id.as_str())
        .unwrap();
    assert_eq!(row["email"], "nina@example.com");
    assert_eq!(row["manager_user_id"], owner_id.as_str());
    // Someone outside the organization cannot be put in.
    s.app.person("stranger@example.com", "Stan").await;
    let stranger = s.app.user_id("stranger@example.com");
    admin
        .call(
            Method::PUT,
            &format!("{members_path}/{stranger}"),
            Some(json!({ "role": "workspace_user" })),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // And a stranger's token sees none of it.
    let outsider = s.api("stranger@example.com", &["read", "admin"]);
    outsider
        .get(&members_path)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    outsider
        .get(&format!("/orgs/{}/workspaces", s.org_id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_api_and_the_tree_page_show_a_need_to_know_member_the_same_items() {
    let s = Setup::new("option_2").await;
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let (member_browser, member_id) = s.member(&admin, "mia@example.com", "Mia Member").await;
    let objective = s.item(&admin, "objective", None, "Grow revenue").await;
    let kr = s
        .item(&admin, "key_result", Some(&objective), "ARR to 2M")
        .await;
    let action = s.item(&admin, "action", Some(&kr), "Pricing page").await;
    let hidden = s.item(&admin, "objective", None, "Secret merger").await;
    s.item(&admin, "key_result", Some(&hidden), "Due diligence")
        .await;
    admin
        .call(
            Method::PATCH,
            &format!("/items/{kr}"),
            Some(json!({ "assignee_user_ids": [member_id] })),
        )
        .await
        .expect(StatusCode::OK);

    let member = s.api("mia@example.com", &["read", "write"]);
    let listed = member
        .get(&format!("/workspaces/{}/items", s.ws_id))
        .await
        .expect(StatusCode::OK);
    let mut api_titles: Vec<String> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    let page = member_browser
        .get(&format!("/orgs/{}/w/{}", s.org_slug, s.ws_slug))
        .await;
    let selector = scraper::Selector::parse(".tree-title-text").unwrap();
    let mut page_titles: Vec<String> = page
        .html()
        .select(&selector)
        .map(|t| t.text().collect::<String>().trim().to_owned())
        .collect();
    api_titles.sort();
    page_titles.sort();
    assert_eq!(api_titles, ["ARR to 2M", "Grow revenue", "Pricing page"]);
    assert_eq!(api_titles, page_titles);

    // What scope hides is not found, for reads and writes alike.
    member
        .get(&format!("/items/{hidden}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    member
        .call(
            Method::PATCH,
            &format!("/items/{hidden}"),
            Some(json!({ "title": "Leaked" })),
        )
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    member
        .post(
            &format!("/workspaces/{}/links", s.ws_id),
            json!({ "from_item_id": action, "to_item_id": hidden }),
        )
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    // The admin's link to the hidden objective is not listed for the member.
    admin
        .post(
            &format!("/workspaces/{}/links", s.ws_id),
            json!({ "from_item_id": objective, "to_item_id": hidden }),
        )
        .await
        .expect(StatusCode::CREATED);
    let links = member
        .get(&format!("/workspaces/{}/links", s.ws_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(links["links"], json!([]));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_the_bearer_scheme() {
    let s = Setup::new("option_1").await;
    let doc = Api::new(&s.app, None)
        .get("/openapi.json")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/me", "get"),
        ("/api/v1/orgs", "post"),
        ("/api/v1/orgs/{org_id}/workspaces", "post"),
        ("/api/v1/orgs/{org_id}/invites", "post"),
        ("/api/v1/invites/accept", "post"),
        ("/api/v1/workspaces/{ws_id}/members/{user_id}", "put"),
        ("/api/v1/workspaces/{ws_id}/items", "get"),
        ("/api/v1/items/{item_id}", "patch"),
        ("/api/v1/items/{item_id}/restore", "post"),
        ("/api/v1/items/{item_id}/position", "put"),
        ("/api/v1/items/{item_id}/activity", "get"),
        ("/api/v1/workspaces/{ws_id}/links", "post"),
        ("/api/v1/links/{link_id}", "delete"),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert!(operation["responses"]["401"].is_object());
        assert!(operation["responses"]["429"]["headers"]["Retry-After"].is_object());
    }
}

#[tokio::test]
async fn nul_characters_and_ids_that_are_not_ids_never_answer_500() {
    let s = Setup::new("option_1").await;
    let api = s.api("owner@example.com", &["read", "write"]);
    let objective = s.item(&api, "objective", None, "Grow").await;
    let path = format!("/items/{objective}");

    let nul = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "description": "a\u{0}b" })),
        )
        .await;
    if s.app.database.is_postgres() {
        let body = nul.expect_error(StatusCode::BAD_REQUEST, "bad_request");
        assert_eq!(
            body["error"]["message"],
            "Text must not contain NUL characters."
        );
    } else {
        // SQLite stores the character; what matters is that neither backend fails.
        nul.expect(StatusCode::OK);
    }
    for id in ["%00", "not-a-uuid", "a%00b"] {
        api.get(&format!("/items/{id}"))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
        api.call(Method::DELETE, &format!("/links/{id}"), None)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }

    // The pages map the same refusal: a form with a NUL answers 4xx, the same form without
    // one saves.
    let page = format!("/orgs/{}/w/{}/items/{objective}", s.org_slug, s.ws_slug);
    let owner_id = s.app.user_id("owner@example.com");
    let form = |description: &'static str| {
        [
            ("title", "Grow"),
            ("description", description),
            ("owner_user_id", owner_id.as_str()),
            ("start_date", ""),
            ("due_date", ""),
        ]
    };
    s.owner.get(&page).await;
    let saved = s.owner.post_form(&page, &form("plain")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let refused = s.owner.post_form(&page, &form("a\u{0}b")).await;
    assert!(
        refused.status.is_client_error()
            || (!s.app.database.is_postgres() && refused.status == StatusCode::SEE_OTHER),
        "{}",
        refused.status
    );
}

#[tokio::test]
async fn the_token_is_checked_before_the_body() {
    let s = Setup::new("option_1").await;
    let items = format!("{}/api/v1/workspaces/{}/items", s.app.base_url, s.ws_id);

    let anonymous = Api::new(&s.app, None);
    anonymous
        .send(anonymous.client.post(&items).body("type=objective"))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let huge = json!({ "type": "objective", "title": "x".repeat(70 * 1024) });
    anonymous
        .send(anonymous.client.post(&items).json(&huge))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let unknown = Api::new(&s.app, Some("cairn_pat_unknown".into()));
    unknown
        .send(
            unknown
                .client
                .post(&items)
                .header("content-type", "application/json")
                .body("{\"type\": "),
        )
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // The document stays open to anyone.
    anonymous.get("/openapi.json").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn the_scope_is_checked_before_the_body() {
    let s = Setup::new("option_1").await;
    let read = s.api("owner@example.com", &["read"]);
    let items = format!("/workspaces/{}/items", s.ws_id);
    for body in [
        json!({ "type": "objective", "title": "" }),
        json!({ "type": "objective", "titel": "Grow" }),
        json!({ "type": "objective", "title": "x".repeat(70 * 1024) }),
    ] {
        let refused = read
            .post(&items, body)
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(
            refused["error"]["message"],
            "This token lacks the write scope."
        );
    }
    let url = format!("{}/api/v1{items}", s.app.base_url);
    read.send(
        read.client
            .post(&url)
            .header("content-type", "application/json")
            .body("{\"type\": "),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn whoever_may_edit_either_end_removes_a_link() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let (_browser, member_id) = s.member(&owner, "mia@example.com", "Mia Member").await;
    let member = s.api("mia@example.com", &["read", "write"]);
    let from = s.item(&owner, "objective", None, "Grow").await;
    let to = s.item(&owner, "objective", None, "Hire").await;
    let link = owner
        .post(
            &format!("/workspaces/{}/links", s.ws_id),
            json!({ "from_item_id": from, "to_item_id": to }),
        )
        .await
        .expect(StatusCode::CREATED);
    let link_path = format!("/links/{}", link["id"].as_str().expect("id"));

    member
        .call(Method::DELETE, &link_path, None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    owner
        .call(
            Method::PATCH,
            &format!("/items/{to}"),
            Some(json!({ "owner_user_id": member_id })),
        )
        .await
        .expect(StatusCode::OK);
    member
        .call(Method::DELETE, &link_path, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let links = owner
        .get(&format!("/workspaces/{}/links", s.ws_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(links["links"], json!([]));
    member
        .call(Method::DELETE, &link_path, None)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn revoking_a_token_again_keeps_the_first_revocation() {
    let s = Setup::new("option_1").await;
    token_for(&s.app, "owner@example.com", &["read"]);
    let id: String = pat::table.select(pat::id).first(&mut s.app.db()).unwrap();
    s.owner.get("/account/tokens").await;
    let revoke = format!("/account/tokens/{id}/revoke");
    s.owner
        .post_form(&revoke, &[])
        .await
        .assert_redirect("/account/tokens");
    // Date the first revocation back, so a second one overwriting it would show.
    let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 2)
        .and_then(|d| d.and_hms_opt(3, 4, 5))
        .expect("date");
    diesel::update(pat::table.find(&id))
        .set(pat::revoked_at.eq(Some(first)))
        .execute(&mut s.app.db())
        .expect("dated");
    s.owner
        .post_form(&revoke, &[])
        .await
        .assert_redirect("/account/tokens");
    let revoked_at: Option<chrono::NaiveDateTime> = pat::table
        .find(&id)
        .select(pat::revoked_at)
        .first(&mut s.app.db())
        .unwrap();
    assert_eq!(revoked_at, Some(first));
    // Someone else's token still does not exist for them.
    let other = s.app.person("other@example.com", "Otto Other").await;
    other.get("/account/tokens").await;
    assert_eq!(
        other.post_form(&revoke, &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn misspelt_fields_are_refused_and_the_document_says_so() {
    let s = Setup::new("option_1").await;
    let api = s.api("owner@example.com", &["read", "write"]);
    let objective = s.item(&api, "objective", None, "Grow").await;

    let typo = api
        .post(
            &format!("/workspaces/{}/items", s.ws_id),
            json!({ "type": "objective", "title": "Hire", "descripton": "x" }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        typo["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("descripton")),
        "{typo}"
    );
    api.call(
        Method::PATCH,
        &format!("/items/{objective}"),
        Some(json!({ "titel": "Grow more" })),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let item = api
        .get(&format!("/items/{objective}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(item["title"], "Grow", "a refused patch changes nothing");
    let items: i64 = cairn::schema::okr_items::table
        .count()
        .get_result(&mut s.app.db())
        .unwrap();
    assert_eq!(items, 1);

    let document = api.get("/openapi.json").await.expect(StatusCode::OK);
    for model in ["NewItem", "ItemPatch", "NewLink", "Position", "NewOrg"] {
        assert_eq!(
            document["components"]["schemas"][model]["additionalProperties"], false,
            "{model}"
        );
    }
}

#[tokio::test]
async fn a_failed_last_use_write_does_not_fail_the_request() {
    use diesel::connection::SimpleConnection;

    let s = Setup::new("option_1").await;
    let api = s.api("owner@example.com", &["read"]);
    // Any write of last_used_at now fails, as it might on a busy database.
    let refuse = if s.app.database.is_postgres() {
        "ALTER TABLE pat ADD CONSTRAINT never_used CHECK (last_used_at IS NULL)"
    } else {
        "CREATE TRIGGER never_used BEFORE UPDATE OF last_used_at ON pat \
         BEGIN SELECT RAISE(ABORT, 'busy'); END"
    };
    s.app.db().batch_execute(refuse).expect("refusal installed");

    let me = api.get("/me").await.expect(StatusCode::OK);
    assert_eq!(me["email"], "owner@example.com");
    let last_used: Option<chrono::NaiveDateTime> = pat::table
        .select(pat::last_used_at)
        .first(&mut s.app.db())
        .unwrap();
    assert_eq!(last_used, None, "the write was refused");
}

#[tokio::test]
async fn dates_outside_the_plan_window_are_refused_by_the_api_too() {
    let s = Setup::new("option_1").await;
    let api = s.api("owner@example.com", &["read", "write"]);
    let refused = api
        .post(
            &format!("/workspaces/{}/items", s.ws_id),
            json!({ "type": "objective", "title": "Far off", "due_date": "9999-12-31" }),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        refused["error"]["message"],
        "Choose a due date between 1900 and 2200."
    );
    let objective = s.item(&api, "objective", None, "Grow").await;
    for body in [
        json!({ "due_date": "+262142-12-31" }),
        json!({ "start_date": "1066-10-14" }),
    ] {
        api.call(Method::PATCH, &format!("/items/{objective}"), Some(body))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    let item = api
        .get(&format!("/items/{objective}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (item["start_date"].clone(), item["due_date"].clone()),
        (Value::Null, Value::Null)
    );
    let count: i64 = cairn::schema::okr_items::table
        .count()
        .get_result(&mut s.app.db())
        .expect("count");
    assert_eq!(count, 1, "the refused item was not created");
}
