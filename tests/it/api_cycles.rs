//! Cycles over the JSON API: the cycle endpoints with their refusals, the `cycle` filter on
//! item lists, `cycle_id` on objectives (created into one, moved with their subtree); what a
//! closed cycle refuses and still takes is in `frozen`, carrying objectives over in `carry`.

mod carry;
mod frozen;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{token_for, Answer, Api};
use crate::harness::Workspace;
use crate::snapshot::Snapshot;

/// An organization with a workspace, its owner's API client with every scope, and ids.
struct Plan {
    w: Workspace,
    owner: Api,
    org_id: String,
    ws_id: String,
}

impl Plan {
    async fn new() -> Self {
        let w = Workspace::new("option_1").await;
        let owner = Api::new(
            &w.app,
            Some(token_for(
                &w.app,
                "admin@example.com",
                &["read", "write", "admin"],
            )),
        );
        use cairn::schema::workspaces;
        let (org_id, ws_id) = workspaces::table
            .select((workspaces::organization_id, workspaces::id))
            .first(&mut w.app.db())
            .expect("workspace");
        Self {
            w,
            owner,
            org_id,
            ws_id,
        }
    }

    fn api(&self, email: &str, scopes: &[&str]) -> Api {
        Api::new(&self.w.app, Some(token_for(&self.w.app, email, scopes)))
    }

    /// `days` from the app's today.
    fn day(&self, days: i64) -> NaiveDate {
        self.w.app.clock.today() + Duration::days(days)
    }

    async fn new_cycle(&self, api: &Api, name: &str, start: NaiveDate, end: NaiveDate) -> Answer {
        api.post(
            &format!("/orgs/{}/cycles", self.org_id),
            json!({"name": name, "start_date": start, "end_date": end}),
        )
        .await
    }

    /// A cycle made by the owner; returns its id.
    async fn cycle(&self, name: &str, start: i64, end: i64) -> String {
        let cycle = self
            .new_cycle(&self.owner, name, self.day(start), self.day(end))
            .await
            .expect(StatusCode::CREATED);
        cycle["id"].as_str().expect("id").to_owned()
    }

    async fn state(&self, api: &Api, cycle: &str, change: &str) -> Answer {
        api.call(Method::POST, &format!("/cycles/{cycle}/{change}"), None)
            .await
    }

    async fn create(&self, body: Value) -> Answer {
        self.owner
            .post(&format!("/workspaces/{}/items", self.ws_id), body)
            .await
    }

    /// An item made by the owner; returns its id.
    async fn item(&self, body: Value) -> String {
        self.create(body).await.expect(StatusCode::CREATED)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    async fn patch(&self, path: &str, body: Value) -> Answer {
        self.owner.call(Method::PATCH, path, Some(body)).await
    }

    /// The titles the item list answers for this query, in creation order.
    async fn titles(&self, query: &str) -> Vec<String> {
        let list = self
            .owner
            .get(&format!("/workspaces/{}/items{query}", self.ws_id))
            .await
            .expect(StatusCode::OK);
        let mut titles: Vec<String> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["title"].as_str().expect("title").to_owned())
            .collect();
        titles.sort();
        titles
    }

    async fn cycle_of(&self, item: &str) -> Value {
        self.owner
            .get(&format!("/items/{item}"))
            .await
            .expect(StatusCode::OK)["cycle_id"]
            .clone()
    }
}

#[track_caller]
fn refused_on(answer: Answer, field: &str) -> Value {
    let body = answer.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["error"]["fields"][field].is_string(),
        "expected a message for {field}: {body}"
    );
    body
}

#[tokio::test]
async fn cycles_are_created_listed_changed_and_moved_through_their_states() {
    let p = Plan::new().await;
    let (start, end) = (p.day(-10), p.day(80));
    let made = p
        .new_cycle(&p.owner, " This quarter ", start, end)
        .await
        .expect(StatusCode::CREATED);
    let id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(made["name"], "This quarter", "trimmed as the page trims it");
    assert_eq!(made["organization_id"], p.org_id.as_str());
    assert_eq!(made["state"], "planning");
    assert_eq!(made["start_date"], start.to_string());
    assert_eq!(made["end_date"], end.to_string());
    assert!(made["closed_at"].is_null() && made["closed_by_user_id"].is_null());
    let owner_id = p.w.app.user_id("admin@example.com");
    assert_eq!(made["created_by_user_id"], owner_id.as_str());
    let next = p.cycle("Next quarter", 81, 170).await;

    let list = p
        .owner
        .get(&format!("/orgs/{}/cycles", p.org_id))
        .await
        .expect(StatusCode::OK);
    let names: Vec<&str> = list["cycles"]
        .as_array()
        .expect("cycles")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Next quarter", "This quarter"], "latest first");
    assert!(list["next_cursor"].is_null());
    let shown = p
        .owner
        .get(&format!("/cycles/{id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown, made);

    let renamed = p
        .patch(&format!("/cycles/{id}"), json!({"name": "Q4"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(renamed["name"], "Q4");
    assert_eq!(
        renamed["end_date"],
        end.to_string(),
        "what is left out stays"
    );
    let moved = p
        .patch(&format!("/cycles/{id}"), json!({"end_date": p.day(75)}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (&moved["name"], &moved["end_date"]),
        (&json!("Q4"), &json!(p.day(75)))
    );

    let active = p
        .state(&p.owner, &id, "activate")
        .await
        .expect(StatusCode::OK);
    assert_eq!(active["state"], "active");
    let closed = p.state(&p.owner, &id, "close").await.expect(StatusCode::OK);
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());
    assert_eq!(closed["closed_by_user_id"], owner_id.as_str());
    // A closed cycle may be renamed, not moved.
    p.patch(&format!("/cycles/{id}"), json!({"name": "Q4 (closed)"}))
        .await
        .expect(StatusCode::OK);
    let refused = p
        .patch(&format!("/cycles/{id}"), json!({"end_date": p.day(70)}))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert!(refused["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("This cycle is closed")));
    let reopened = p
        .state(&p.owner, &id, "reopen")
        .await
        .expect(StatusCode::OK);
    assert_eq!(reopened["state"], "active");
    assert!(reopened["closed_at"].is_null() && reopened["closed_by_user_id"].is_null());
    // Planning may close without being active first.
    let closed = p
        .state(&p.owner, &next, "close")
        .await
        .expect(StatusCode::OK);
    assert_eq!(closed["state"], "closed");
}

#[tokio::test]
async fn cycle_refusals_name_the_field_or_the_conflict_and_change_nothing() {
    let p = Plan::new().await;
    p.w.member("member@example.com", "Mia Member", None).await;
    p.w.app
        .person("outsider@example.com", "Otto Outsider")
        .await;
    let every = ["read", "write", "admin"];
    let (member, outsider) = (
        p.api("member@example.com", &every),
        p.api("outsider@example.com", &every),
    );
    let (reader, writer) = (
        p.api("admin@example.com", &["read"]),
        p.api("admin@example.com", &["read", "write"]),
    );
    let id = p.cycle("2027 Q1", 30, 120).await;
    let before = Snapshot::take(&p.w.app);

    let overlap = refused_on(
        p.new_cycle(&p.owner, "Overlap", p.day(100), p.day(200))
            .await,
        "start_date",
    );
    let message = overlap["error"]["fields"]["start_date"].as_str().unwrap();
    assert!(
        message.contains("2027 Q1"),
        "names the other cycle: {message}"
    );
    let taken = p
        .new_cycle(&p.owner, "2027 Q1", p.day(200), p.day(290))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert!(taken["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("2027 Q1")));
    let both = refused_on(
        p.new_cycle(&p.owner, " ", p.day(300), p.day(299)).await,
        "name",
    );
    assert!(
        both["error"]["fields"]["end_date"].is_string(),
        "every wrong field at once: {both}"
    );
    refused_on(
        p.new_cycle(
            &p.owner,
            "Far",
            p.day(300),
            NaiveDate::from_ymd_opt(2201, 1, 1).unwrap(),
        )
        .await,
        "end_date",
    );
    p.owner
        .post(
            &format!("/orgs/{}/cycles", p.org_id),
            json!({"name": "Q", "start_date": p.day(300), "end_date": p.day(390), "state": "active"}),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    refused_on(
        p.patch(&format!("/cycles/{id}"), json!({"end_date": p.day(29)}))
            .await,
        "end_date",
    );
    p.patch(&format!("/cycles/{id}"), json!({"colour": "red"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // A cycle in planning was never closed (closing it straight away is allowed).
    let refused = p
        .state(&p.owner, &id, "reopen")
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("planning")),
        "{refused}"
    );
    before.assert_unchanged(&p.w.app, "refused cycle bodies and a wrong state");

    // Members read; only owners and admins change.
    member
        .get(&format!("/orgs/{}/cycles", p.org_id))
        .await
        .expect(StatusCode::OK);
    member
        .get(&format!("/cycles/{id}"))
        .await
        .expect(StatusCode::OK);
    let refusals = [
        (
            Method::POST,
            format!("/orgs/{}/cycles", p.org_id),
            Some(json!({"name": "Mine", "start_date": p.day(400), "end_date": p.day(420)})),
        ),
        (
            Method::PATCH,
            format!("/cycles/{id}"),
            Some(json!({"name": "Mine"})),
        ),
        (Method::POST, format!("/cycles/{id}/activate"), None),
        (Method::POST, format!("/cycles/{id}/close"), None),
    ];
    for (method, path, body) in &refusals {
        let what = format!("{method} {path}");
        member
            .call(method.clone(), path, body.clone())
            .await
            .expect_error(StatusCode::FORBIDDEN, "forbidden");
        outsider
            .call(method.clone(), path, body.clone())
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
        for token in [&reader, &writer] {
            let answer = token.call(method.clone(), path, body.clone()).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what} without admin");
            assert_eq!(answer.body["error"]["code"], "forbidden");
        }
    }
    for path in [
        format!("/orgs/{}/cycles", p.org_id),
        format!("/cycles/{id}"),
    ] {
        outsider
            .get(&path)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    for path in [
        "/cycles/not-an-id",
        "/cycles/00000000-0000-4000-8000-000000000000",
    ] {
        p.owner
            .get(path)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    before.assert_unchanged(&p.w.app, "refused members, outsiders and scopes");
    p.state(&p.owner, &id, "activate")
        .await
        .expect(StatusCode::OK);
    p.state(&p.owner, &id, "activate")
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn the_cycle_filter_narrows_item_lists_to_a_cycle_or_the_backlog_and_refuses_other_ids() {
    let p = Plan::new().await;
    let (now, later) = (
        p.cycle("Now", -10, 80).await,
        p.cycle("Later", 81, 170).await,
    );
    let grow = p
        .item(json!({"type": "objective", "title": "Grow", "cycle_id": now}))
        .await;
    p.item(json!({"type": "key_result", "title": "Deals", "parent_id": grow}))
        .await;
    p.item(json!({"type": "objective", "title": "Keep"})).await;
    p.item(json!({"type": "objective", "title": "Expand", "cycle_id": later}))
        .await;

    assert_eq!(p.titles(&format!("?cycle={now}")).await, ["Deals", "Grow"]);
    assert_eq!(
        p.titles(&format!("?cycle={later}&type=objective")).await,
        ["Expand"]
    );
    assert_eq!(p.titles("?cycle=backlog").await, ["Keep"]);
    let all = ["Deals", "Expand", "Grow", "Keep"];
    assert_eq!(p.titles("?cycle=all").await, all);
    assert_eq!(p.titles("").await, all, "the API picks no cycle on its own");

    // Another organization's cycle is no cycle here.
    let beta = p
        .owner
        .post("/orgs", json!({"name": "Beta"}))
        .await
        .expect(StatusCode::CREATED);
    let elsewhere = p
        .owner
        .post(
            &format!("/orgs/{}/cycles", beta["id"].as_str().unwrap()),
            json!({"name": "Theirs", "start_date": p.day(0), "end_date": p.day(10)}),
        )
        .await
        .expect(StatusCode::CREATED);
    let elsewhere = elsewhere["id"].as_str().unwrap();
    for wrong in [elsewhere, "00000000-0000-4000-8000-000000000000", "someday"] {
        refused_on(
            p.owner
                .get(&format!("/workspaces/{}/items?cycle={wrong}", p.ws_id))
                .await,
            "cycle",
        );
    }
}

#[tokio::test]
async fn a_new_objective_joins_its_cycle_and_the_items_under_it_follow() {
    let p = Plan::new().await;
    let (now, later) = (
        p.cycle("Now", -10, 80).await,
        p.cycle("Later", 81, 170).await,
    );
    let grow = p
        .create(json!({"type": "objective", "title": "Grow", "cycle_id": now}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(grow["cycle_id"], now.as_str());
    assert!(grow["outcome"].is_null() && grow["closing_note"].is_null());
    assert!(grow["carried_over_from_id"].is_null());
    let grow = grow["id"].as_str().unwrap().to_owned();
    let deals = p
        .create(json!({"type": "key_result", "title": "Deals", "parent_id": grow}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        deals["cycle_id"],
        now.as_str(),
        "a child takes its parent's cycle"
    );
    let deals = deals["id"].as_str().unwrap().to_owned();
    let call = p
        .create(json!({"type": "action", "title": "Call", "parent_id": deals, "cycle_id": now}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        call["cycle_id"],
        now.as_str(),
        "naming the parent's cycle is fine"
    );
    let backlog = p
        .create(json!({"type": "objective", "title": "Someday"}))
        .await
        .expect(StatusCode::CREATED);
    assert!(backlog["cycle_id"].is_null());

    let before = Snapshot::take(&p.w.app);
    refused_on(
        p.create(json!({"type": "key_result", "title": "Elsewhere", "parent_id": grow, "cycle_id": later}))
            .await,
        "cycle_id",
    );
    refused_on(
        p.create(json!({"type": "objective", "title": "Nowhere", "cycle_id": "00000000-0000-4000-8000-000000000000"}))
            .await,
        "cycle_id",
    );
    before.assert_unchanged(&p.w.app, "refused cycles on create");
}

#[tokio::test]
async fn patching_an_objectives_cycle_moves_its_subtree() {
    let p = Plan::new().await;
    let (now, later) = (
        p.cycle("Now", -10, 80).await,
        p.cycle("Later", 81, 170).await,
    );
    let grow = p
        .item(json!({"type": "objective", "title": "Grow", "cycle_id": now}))
        .await;
    let deals = p
        .item(json!({"type": "key_result", "title": "Deals", "parent_id": grow}))
        .await;
    let call = p
        .item(json!({"type": "action", "title": "Call", "parent_id": deals}))
        .await;

    let moved = p
        .patch(&format!("/items/{grow}"), json!({"cycle_id": later}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved["cycle_id"], later.as_str());
    for item in [&deals, &call] {
        assert_eq!(
            p.cycle_of(item).await,
            later.as_str(),
            "the subtree follows"
        );
    }
    let history = p
        .owner
        .get(&format!("/items/{grow}/activity"))
        .await
        .expect(StatusCode::OK);
    let latest = &history["activity"][0];
    assert_eq!(latest["action_type"], "item.updated");
    assert_eq!(latest["after"]["cycle_id"], later.as_str(), "{latest}");

    let before = Snapshot::take(&p.w.app);
    refused_on(
        p.patch(&format!("/items/{deals}"), json!({"cycle_id": now}))
            .await,
        "cycle_id",
    );
    refused_on(
        p.patch(&format!("/items/{grow}"), json!({"cycle_id": "elsewhere"}))
            .await,
        "cycle_id",
    );
    before.assert_unchanged(&p.w.app, "refused cycle moves");

    p.patch(&format!("/items/{grow}"), json!({"cycle_id": null}))
        .await
        .expect(StatusCode::OK);
    for item in [&grow, &deals, &call] {
        assert!(p.cycle_of(item).await.is_null(), "back in the backlog");
    }
    assert_eq!(p.titles("?cycle=backlog").await, ["Call", "Deals", "Grow"]);
}

#[tokio::test]
async fn the_document_describes_cycles_and_a_conflict_on_every_write() {
    let p = Plan::new().await;
    let doc = p.owner.get("/openapi.json").await.expect(StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method, scope) in [
        ("/api/v1/orgs/{org_id}/cycles", "get", "read"),
        ("/api/v1/orgs/{org_id}/cycles", "post", "admin"),
        ("/api/v1/cycles/{cycle_id}", "get", "read"),
        ("/api/v1/cycles/{cycle_id}", "patch", "admin"),
        ("/api/v1/cycles/{cycle_id}/activate", "post", "admin"),
        ("/api/v1/cycles/{cycle_id}/close", "post", "admin"),
        ("/api/v1/cycles/{cycle_id}/reopen", "post", "admin"),
        ("/api/v1/cycles/{cycle_id}/carry-over", "post", "write"),
    ] {
        let operation = &paths[path][method];
        assert_eq!(
            operation["security"],
            json!([{"bearer": [scope]}]),
            "{method} {path}"
        );
        assert!(operation["responses"]["404"].is_object(), "{method} {path}");
    }
    // A closed cycle (or a cycle's state) can refuse any write, so each one documents it.
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if method != "get" {
                assert!(
                    operation["responses"]["409"].is_object(),
                    "{method} {path} documents 409"
                );
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    for model in ["NewCycle", "CyclePatch", "CarryOverBody"] {
        assert_eq!(schemas[model]["additionalProperties"], false, "{model}");
    }
    assert_eq!(
        schemas["NewCycle"]["required"],
        json!(["name", "start_date", "end_date"])
    );
    assert_eq!(
        schemas["CycleStateName"]["enum"],
        json!(["planning", "active", "closed"])
    );
    assert_eq!(
        schemas["OutcomeName"]["enum"],
        json!(["successful", "not_successful"])
    );
    for field in [
        "cycle_id",
        "outcome",
        "closing_note",
        "carried_over_from_id",
    ] {
        assert!(
            schemas["ItemOut"]["properties"][field].is_object(),
            "ItemOut.{field}"
        );
    }
    for (model, fields) in [
        ("NewItem", &["cycle_id"][..]),
        ("ItemPatch", &["cycle_id", "outcome", "closing_note"][..]),
    ] {
        for field in fields {
            assert!(
                schemas[model]["properties"][field].is_object(),
                "{model}.{field}"
            );
        }
    }
    let list = &paths["/api/v1/workspaces/{ws_id}/items"]["get"]["parameters"];
    assert!(
        list.as_array()
            .expect("parameters")
            .iter()
            .any(|p| p["name"] == "cycle" && p["in"] == "query"),
        "{list}"
    );
}
