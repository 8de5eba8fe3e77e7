//! Cycles over the JSON API: the `cycle` filter on item lists and `cycle_id` on objectives
//! (created into one, moved with their subtree) here; the cycle endpoints with their
//! refusals and the document in `endpoints`, what a closed cycle refuses and still takes in
//! `frozen`, carrying objectives over in `carry`.

mod carry;
mod endpoints;
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
