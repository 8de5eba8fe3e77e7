//! Measured key results and check-ins over the JSON API: each measure end to end (made by the
//! API, checked in on, read back with its value, status, progress and pace), the refusals
//! with the field they name, the 24-hour edit window and the check-in cadence on the app's
//! clock (moved, never slept on), and check-ins of hidden items answering 404.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{token_for, Answer, Api};
use crate::harness::Workspace;
use crate::snapshot::Snapshot;

/// A workspace, its admin's API client and an objective to hang key results under.
struct Plan {
    w: Workspace,
    admin: Api,
    ws_id: String,
    objective: String,
}

impl Plan {
    async fn new(privacy_mode: &str) -> Self {
        let w = Workspace::new(privacy_mode).await;
        let admin = Api::new(
            &w.app,
            Some(token_for(&w.app, "admin@example.com", &["read", "write"])),
        );
        let ws_id = cairn::schema::workspaces::table
            .select(cairn::schema::workspaces::id)
            .first(&mut w.app.db())
            .expect("workspace");
        let mut plan = Self {
            w,
            admin,
            ws_id,
            objective: String::new(),
        };
        plan.objective = plan
            .create(&plan.admin, json!({"type": "objective", "title": "Grow"}))
            .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
        plan
    }

    fn api(&self, email: &str) -> Api {
        Api::new(
            &self.w.app,
            Some(token_for(&self.w.app, email, &["read", "write"])),
        )
    }

    async fn create(&self, api: &Api, body: Value) -> Value {
        api.post(&format!("/workspaces/{}/items", self.ws_id), body)
            .await
            .expect(StatusCode::CREATED)
    }

    /// A key result under the objective with these measure fields; returns its id.
    async fn key_result(&self, title: &str, measure: Value) -> String {
        let mut body = json!({"type": "key_result", "title": title, "parent_id": self.objective});
        body.as_object_mut()
            .expect("object")
            .extend(measure.as_object().expect("measure fields").clone());
        self.create(&self.admin, body).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    async fn item(&self, id: &str) -> Value {
        self.admin
            .get(&format!("/items/{id}"))
            .await
            .expect(StatusCode::OK)
    }

    async fn check_in(&self, api: &Api, item: &str, body: Value) -> Answer {
        api.post(&format!("/items/{item}/check-ins"), body).await
    }

    async fn patch(&self, api: &Api, path: &str, body: Value) -> Answer {
        api.call(Method::PATCH, path, Some(body)).await
    }
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
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
async fn each_measure_checks_in_over_the_api_and_rolls_up_to_the_objective() {
    let plan = Plan::new("option_1").await;
    let today = plan.w.app.clock.today().to_string();
    let deals = plan
        .key_result(
            "Close 20 deals",
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                   "target": 20, "unit": "deals"}),
        )
        .await;
    let fresh = plan.item(&deals).await;
    assert_eq!(fresh["measure"], "metric");
    assert_eq!(fresh["metric_kind"], "increase_to");
    assert_eq!(
        (&fresh["baseline"], &fresh["target"]),
        (&json!(0), &json!(20))
    );
    assert_eq!(
        (&fresh["unit"], &fresh["decimals"]),
        (&json!("deals"), &json!(0))
    );
    assert_eq!(fresh["current_value"], 0, "no check-in yet: the baseline");
    assert_eq!(fresh["status"], "no_update", "silence is never green");
    assert_eq!(fresh["weight"], 1.0);
    assert!(fresh["last_check_in_on"].is_null());

    let check_in = plan
        .check_in(
            &plan.admin,
            &deals,
            json!({"value": 12, "confidence": 6, "note": "Two **big** ones"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert!(check_in["id"].is_string());
    assert_eq!(check_in["item_id"], deals.as_str());
    assert_eq!(
        check_in["author_user_id"],
        plan.w.app.user_id("admin@example.com")
    );
    assert_eq!(check_in["effective_on"], today.as_str(), "today by default");
    assert_eq!(
        (&check_in["value"], &check_in["done"]),
        (&json!(12), &Value::Null)
    );
    assert_eq!(check_in["confidence"], 6);
    assert_eq!(check_in["note"], "Two **big** ones");
    assert!(check_in["created_at"].is_string() && check_in["updated_at"].is_string());
    let listed = plan
        .admin
        .get(&format!("/items/{deals}/check-ins"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["check_ins"], json!([check_in]));
    assert!(listed["next_cursor"].is_null());

    let after = plan.item(&deals).await;
    assert_eq!(after["current_value"], 12);
    assert!(close(&after["progress"], 60.0), "{after}");
    assert_eq!(after["status"], "at_risk", "confidence 6");
    assert_eq!(after["last_confidence"], 6);
    assert_eq!(after["last_check_in_on"], today.as_str());

    let launch = plan
        .key_result("Launch the app", json!({"measure": "milestone"}))
        .await;
    assert!(plan.item(&launch).await["current_value"].is_null());
    // 9.0 is a whole number, as JSON Schema's integers allow.
    let done = plan
        .check_in(
            &plan.admin,
            &launch,
            json!({"done": true, "confidence": 9.0}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (&done["done"], &done["value"]),
        (&json!(true), &Value::Null)
    );
    let launched = plan.item(&launch).await;
    assert!(close(&launched["progress"], 100.0));
    assert_eq!(launched["status"], "done");

    let hiring = plan.key_result("Hire two", json!({})).await;
    assert_eq!(plan.item(&hiring).await["measure"], "actions");
    plan.check_in(&plan.admin, &hiring, json!({"confidence": 8}))
        .await
        .expect(StatusCode::CREATED);
    let hiring_now = plan.item(&hiring).await;
    assert_eq!(hiring_now["status"], "on_track");
    assert!(close(&hiring_now["progress"], 0.0), "no actions yet");

    // 60, 100 and 0, weighted alike; the worst status of the three.
    let objective = plan.item(&plan.objective).await;
    assert!(close(&objective["progress"], 160.0 / 3.0), "{objective}");
    assert_eq!(objective["status"], "at_risk");
    assert!(objective["measure"].is_null() && objective["metric_kind"].is_null());
    let weighted = plan
        .patch(
            &plan.admin,
            &format!("/items/{deals}"),
            json!({"weight": 3}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(weighted["weight"], 3.0);
    let objective = plan.item(&plan.objective).await;
    assert!(
        close(&objective["progress"], (60.0 * 3.0 + 100.0) / 5.0),
        "{objective}"
    );

    // Decimals are exact: money and latencies never meet binary rounding.
    let latency = plan
        .key_result(
            "Faster pages",
            json!({"measure": "metric", "metric_kind": "decrease_to", "baseline": 800.5,
                   "target": 200.5, "decimals": 1.0, "unit": "ms"}),
        )
        .await;
    refused_on(
        plan.check_in(
            &plan.admin,
            &latency,
            json!({"value": 650.55, "confidence": 5}),
        )
        .await,
        "value",
    );
    let quicker = plan
        .check_in(
            &plan.admin,
            &latency,
            json!({"value": 650.5, "confidence": 5}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(quicker["value"], 650.5);
    let latency = plan.item(&latency).await;
    assert_eq!(
        (&latency["baseline"], &latency["current_value"]),
        (&json!(800.5), &json!(650.5))
    );
    assert!(close(&latency["progress"], 25.0), "{latency}");

    // The list carries every item's status, read once for the page.
    let list = plan
        .admin
        .get(&format!("/workspaces/{}/items", plan.ws_id))
        .await
        .expect(StatusCode::OK);
    let status_of = |id: &str| {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["status"].clone())
    };
    assert_eq!(status_of(&deals), Some(json!("at_risk")));
    assert_eq!(status_of(&launch), Some(json!("done")));
    assert_eq!(status_of(&plan.objective), Some(json!("at_risk")));
}

#[tokio::test]
async fn refusals_name_the_field_and_change_nothing() {
    let plan = Plan::new("option_1").await;
    plan.w
        .member("member@example.com", "Mia Member", None)
        .await;
    let member = plan.api("member@example.com");
    let deals = plan
        .key_result(
            "Close deals",
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0, "target": 20}),
        )
        .await;
    let launch = plan
        .key_result("Launch", json!({"measure": "milestone"}))
        .await;
    let action = plan
        .create(
            &plan.admin,
            json!({"type": "action", "title": "Call", "parent_id": deals}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Tokens write their first use; that happens before the snapshot.
    member.get("/me").await.expect(StatusCode::OK);
    let before = Snapshot::take(&plan.w.app);

    let tomorrow = (plan.w.app.clock.today() + Duration::days(1)).to_string();
    let check_ins = [
        (&deals, json!({"value": 3, "confidence": 11}), "confidence"),
        (&deals, json!({"value": 3, "confidence": -1}), "confidence"),
        (&deals, json!({"value": 3, "confidence": 5.5}), "confidence"),
        (
            &deals,
            json!({"value": 3, "confidence": 5, "effective_on": tomorrow}),
            "effective_on",
        ),
        (
            &deals,
            json!({"value": 3, "confidence": 5, "effective_on": "1850-01-01"}),
            "effective_on",
        ),
        (&deals, json!({"value": 3.5, "confidence": 5}), "value"),
        (&deals, json!({"confidence": 5}), "value"),
        (
            &deals,
            json!({"value": 3, "done": true, "confidence": 5}),
            "done",
        ),
        (&launch, json!({"value": 1, "confidence": 5}), "value"),
        (
            &deals,
            json!({"value": 3, "confidence": 5, "note": "x".repeat(4001)}),
            "note",
        ),
    ];
    for (item, body, field) in check_ins {
        refused_on(plan.check_in(&plan.admin, item, body).await, field);
    }
    // Actions take no check-ins: the rules refuse without a field to blame.
    plan.check_in(&plan.admin, &action, json!({"confidence": 5}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let key_result = |fields: Value| {
        let mut body = json!({"type": "key_result", "title": "KR", "parent_id": plan.objective});
        body.as_object_mut()
            .expect("object")
            .extend(fields.as_object().expect("fields").clone());
        body
    };
    let creates = [
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 5, "target": 5}),
            ),
            "target",
        ),
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "decrease_to", "baseline": 5, "target": 6}),
            ),
            "target",
        ),
        (
            key_result(json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0})),
            "target",
        ),
        (
            key_result(json!({"measure": "metric", "baseline": 0, "target": 1})),
            "metric_kind",
        ),
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                              "target": 1, "decimals": 5}),
            ),
            "decimals",
        ),
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                              "target": 1, "decimals": 1.5}),
            ),
            "decimals",
        ),
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                              "target": 1, "unit": "x".repeat(17)}),
            ),
            "unit",
        ),
        (
            key_result(
                json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                              "target": 1e12}),
            ),
            "target",
        ),
        (
            key_result(json!({"measure": "milestone", "target": 3})),
            "target",
        ),
        (key_result(json!({"weight": 101})), "weight"),
        (key_result(json!({"weight": 1.005})), "weight"),
        (
            json!({"type": "objective", "title": "O", "measure": "milestone"}),
            "measure",
        ),
        (
            json!({"type": "action", "title": "A", "parent_id": deals, "weight": 2}),
            "weight",
        ),
    ];
    for (body, field) in creates {
        refused_on(
            plan.admin
                .post(&format!("/workspaces/{}/items", plan.ws_id), body.clone())
                .await,
            field,
        );
    }
    let patches = [
        (&action, json!({"weight": 2}), "weight"),
        (&deals, json!({"weight": -1}), "weight"),
        (&deals, json!({"target": 0}), "target"),
        (
            &deals,
            json!({"measure": "milestone", "unit": "deals"}),
            "unit",
        ),
        (&launch, json!({"measure": "metric"}), "metric_kind"),
        (
            &launch,
            json!({"measure": "metric", "metric_kind": "increase_to"}),
            "baseline",
        ),
    ];
    for (item, body, field) in patches {
        refused_on(
            plan.patch(&plan.admin, &format!("/items/{item}"), body)
                .await,
            field,
        );
    }

    // Someone who may not edit the key result hears 403, whatever the body.
    plan.check_in(&member, &deals, json!({"value": 3, "confidence": 5}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    plan.patch(&member, &format!("/items/{deals}"), json!({"target": 30}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    before.assert_unchanged(&plan.w.app, "refused check-ins and measure changes");
}

#[tokio::test]
async fn the_author_may_change_or_delete_their_latest_check_in_for_a_day() {
    let plan = Plan::new("option_1").await;
    plan.w
        .member("member@example.com", "Mia Member", None)
        .await;
    let member = plan.api("member@example.com");
    // The member's own objective and key result, so they may check in on it.
    let own = plan
        .create(&member, json!({"type": "objective", "title": "Mine"}))
        .await["id"]
        .clone();
    let deals = plan
        .create(
            &member,
            json!({"type": "key_result", "title": "Deals", "parent_id": own, "measure": "metric",
                   "metric_kind": "increase_to", "baseline": 0, "target": 10}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let first = plan
        .check_in(
            &member,
            &deals,
            json!({"value": 2, "confidence": 4, "note": "Slow start"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let first_path = format!("/check-ins/{}", first["id"].as_str().expect("id"));
    plan.w.app.clock.advance(Duration::hours(1));
    let changed = plan
        .patch(&member, &first_path, json!({"value": 5}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["value"], 5);
    assert_eq!(
        (&changed["confidence"], &changed["note"]),
        (&json!(4), &json!("Slow start")),
        "what is left out stays"
    );
    assert_ne!(changed["updated_at"], first["updated_at"]);
    assert_eq!(plan.item(&deals).await["current_value"], 5);
    let cleared = plan
        .patch(&member, &first_path, json!({"note": null}))
        .await
        .expect(StatusCode::OK);
    assert!(cleared["note"].is_null());
    // Others may not change it, admins included; only the author writes what they said.
    plan.patch(&plan.admin, &first_path, json!({"confidence": 9}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    // A later check-in makes the first one history: no longer the author's to change.
    let second = plan
        .check_in(&member, &deals, json!({"value": 6, "confidence": 7}))
        .await
        .expect(StatusCode::CREATED);
    let second_path = format!("/check-ins/{}", second["id"].as_str().expect("id"));
    plan.patch(&member, &first_path, json!({"confidence": 5}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    plan.w.app.clock.advance(Duration::hours(23));
    plan.patch(&member, &second_path, json!({"confidence": 8}))
        .await
        .expect(StatusCode::OK);
    // Twenty-four hours after writing it, the author's window has closed.
    plan.w.app.clock.advance(Duration::hours(1));
    plan.patch(&member, &second_path, json!({"confidence": 9}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    member
        .call(Method::DELETE, &second_path, None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        plan.item(&deals).await["current_value"],
        6,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn admins_delete_any_check_in_and_the_reading_falls_back() {
    let plan = Plan::new("option_1").await;
    let deals = plan
        .key_result(
            "Deals",
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0, "target": 10}),
        )
        .await;
    let first = plan
        .check_in(&plan.admin, &deals, json!({"value": 4, "confidence": 7}))
        .await
        .expect(StatusCode::CREATED);
    plan.w.app.clock.advance(Duration::minutes(5));
    let second = plan
        .check_in(&plan.admin, &deals, json!({"value": 8, "confidence": 3}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(plan.item(&deals).await["status"], "off_track");
    plan.w.app.clock.advance(Duration::days(3));
    let second_path = format!("/check-ins/{}", second["id"].as_str().expect("id"));
    let answer = plan.admin.call(Method::DELETE, &second_path, None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.body);
    let back = plan.item(&deals).await;
    assert_eq!(
        back["current_value"], 4,
        "the latest live check-in speaks again"
    );
    assert!(close(&back["progress"], 40.0));
    assert_eq!(back["status"], "on_track");
    let listed = plan
        .admin
        .get(&format!("/items/{deals}/check-ins"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["check_ins"], json!([first]));
    for method in [Method::PATCH, Method::DELETE] {
        plan.admin
            .call(method, &second_path, Some(json!({"confidence": 1})))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn silence_after_the_cadence_and_its_grace_reads_no_update() {
    let plan = Plan::new("option_1").await;
    let launch = plan
        .key_result("Launch", json!({"measure": "milestone"}))
        .await;
    plan.check_in(
        &plan.admin,
        &launch,
        json!({"done": false, "confidence": 8}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(plan.item(&launch).await["status"], "on_track");
    // Weekly by default, plus two days of grace: the ninth day still counts.
    plan.w.app.clock.advance(Duration::days(9));
    assert_eq!(plan.item(&launch).await["status"], "on_track");
    plan.w.app.clock.advance(Duration::days(1));
    assert_eq!(plan.item(&launch).await["status"], "no_update");
    assert_eq!(plan.item(&plan.objective).await["status"], "no_update");
    // A check-in for an earlier day is fine, as long as it is not in the future.
    let yesterday = (plan.w.app.clock.today() - Duration::days(1)).to_string();
    plan.check_in(
        &plan.admin,
        &launch,
        json!({"done": false, "confidence": 2, "effective_on": yesterday}),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(plan.item(&launch).await["status"], "off_track");
}

#[tokio::test]
async fn expected_progress_follows_the_start_and_due_dates() {
    let plan = Plan::new("option_1").await;
    let today = plan.w.app.clock.today();
    let deals = plan
        .key_result(
            "Deals",
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0, "target": 10}),
        )
        .await;
    assert!(
        plan.item(&deals).await["expected_progress"].is_null(),
        "no due date"
    );
    let dated = plan
        .patch(
            &plan.admin,
            &format!("/items/{deals}"),
            json!({"start_date": (today - Duration::days(10)).to_string(),
                   "due_date": (today + Duration::days(10)).to_string()}),
        )
        .await
        .expect(StatusCode::OK);
    assert!(close(&dated["expected_progress"], 50.0), "{dated}");
    plan.check_in(&plan.admin, &deals, json!({"value": 3, "confidence": 6}))
        .await
        .expect(StatusCode::CREATED);
    plan.w.app.clock.advance(Duration::days(5));
    let later = plan.item(&deals).await;
    assert!(close(&later["expected_progress"], 75.0), "{later}");
    assert!(close(&later["progress"], 30.0), "behind its pace");
    plan.w.app.clock.advance(Duration::days(30));
    assert!(close(&plan.item(&deals).await["expected_progress"], 100.0));
}

#[tokio::test]
async fn a_patch_keeps_the_measure_fields_it_leaves_out() {
    let plan = Plan::new("option_1").await;
    let kr = plan.key_result("Retention", json!({})).await;
    let path = format!("/items/{kr}");
    let metric = plan
        .patch(
            &plan.admin,
            &path,
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0.1,
                   "target": 0.3, "decimals": 1}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (&metric["baseline"], &metric["target"]),
        (&json!(0.1), &json!(0.3))
    );
    assert!(metric["unit"].is_null());
    plan.check_in(&plan.admin, &kr, json!({"value": 0.2, "confidence": 7}))
        .await
        .expect(StatusCode::CREATED);
    // 0.1 → 0.3 at 0.2 is exactly half way: decimal arithmetic, not binary.
    assert_eq!(plan.item(&kr).await["progress"], 50.0);

    let retargeted = plan
        .patch(&plan.admin, &path, json!({"target": 0.6, "unit": "%"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            &retargeted["baseline"],
            &retargeted["target"],
            &retargeted["unit"]
        ),
        (&json!(0.1), &json!(0.6), &json!("%"))
    );
    assert_eq!(retargeted["metric_kind"], "increase_to");
    assert!(close(&retargeted["progress"], 20.0), "{retargeted}");
    refused_on(
        plan.patch(&plan.admin, &path, json!({"target": 0.65}))
            .await,
        "target",
    );
    let finer = plan
        .patch(&plan.admin, &path, json!({"decimals": 2, "target": 0.65}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(finer["target"], 0.65);
    refused_on(
        plan.patch(&plan.admin, &path, json!({"decimals": 1})).await,
        "decimals",
    );
    let stay = plan
        .patch(
            &plan.admin,
            &path,
            json!({"metric_kind": "stay_at_or_above", "unit": null}),
        )
        .await
        .expect(StatusCode::OK);
    assert!(stay["unit"].is_null());
    assert!(close(&stay["progress"], 0.0), "0.2 is under the 0.65 line");

    let milestone = plan
        .patch(&plan.admin, &path, json!({"measure": "milestone"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(milestone["measure"], "milestone");
    for field in [
        "metric_kind",
        "baseline",
        "target",
        "unit",
        "decimals",
        "current_value",
    ] {
        assert!(milestone[field].is_null(), "{field}: {milestone}");
    }
    // Back to a metric, everything has to be given again: it was cleared.
    refused_on(
        plan.patch(&plan.admin, &path, json!({"measure": "metric"}))
            .await,
        "metric_kind",
    );
}

#[tokio::test]
async fn check_ins_of_hidden_items_answer_404_for_everything() {
    let plan = Plan::new("option_2").await;
    plan.w
        .member("member@example.com", "Mia Member", None)
        .await;
    let member = plan.api("member@example.com");
    let deals = plan
        .key_result(
            "Deals",
            json!({"measure": "metric", "metric_kind": "increase_to", "baseline": 0, "target": 10}),
        )
        .await;
    let check_in = plan
        .check_in(&plan.admin, &deals, json!({"value": 1, "confidence": 5}))
        .await
        .expect(StatusCode::CREATED);
    let check_in_path = format!("/check-ins/{}", check_in["id"].as_str().expect("id"));
    member.get("/me").await.expect(StatusCode::OK);
    let before = Snapshot::take(&plan.w.app);
    let list = format!("/items/{deals}/check-ins");
    let body = json!({"value": 2, "confidence": 5});
    for (method, path) in [
        (Method::GET, &list),
        (Method::POST, &list),
        (Method::PATCH, &check_in_path),
        (Method::DELETE, &check_in_path),
    ] {
        member
            .call(method.clone(), path, Some(body.clone()))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    before.assert_unchanged(&plan.w.app, "a need-to-know member outside the team");
}

#[tokio::test]
async fn the_document_describes_measures_and_check_ins_strictly() {
    let plan = Plan::new("option_1").await;
    let doc = plan.admin.get("/openapi.json").await.expect(StatusCode::OK);
    let paths = &doc["paths"];
    for (path, method, scope) in [
        ("/api/v1/items/{item_id}/check-ins", "get", "read"),
        ("/api/v1/items/{item_id}/check-ins", "post", "write"),
        ("/api/v1/check-ins/{check_in_id}", "patch", "write"),
        ("/api/v1/check-ins/{check_in_id}", "delete", "write"),
    ] {
        let operation = &paths[path][method];
        assert_eq!(
            operation["security"],
            json!([{"bearer": [scope]}]),
            "{method} {path}"
        );
        assert!(operation["responses"]["404"].is_object(), "{method} {path}");
    }
    let schemas = &doc["components"]["schemas"];
    for model in ["NewCheckIn", "CheckInPatch", "NewItem", "ItemPatch"] {
        assert_eq!(schemas[model]["additionalProperties"], false, "{model}");
    }
    assert_eq!(schemas["NewCheckIn"]["required"], json!(["confidence"]));
    let confidence = &schemas["NewCheckIn"]["properties"]["confidence"];
    assert_eq!(
        (&confidence["minimum"], &confidence["maximum"]),
        (&json!(0), &json!(10))
    );
    assert_eq!(
        schemas["MeasureName"]["enum"],
        json!(["actions", "metric", "milestone"])
    );
    assert_eq!(
        schemas["MetricKindName"]["enum"],
        json!([
            "increase_to",
            "decrease_to",
            "stay_at_or_above",
            "stay_at_or_below"
        ])
    );
    assert_eq!(
        schemas["StatusName"]["enum"],
        json!(["on_track", "at_risk", "off_track", "no_update", "done"])
    );
    let item = &schemas["ItemOut"]["properties"];
    for field in [
        "measure",
        "current_value",
        "status",
        "expected_progress",
        "weight",
    ] {
        assert!(item[field].is_object(), "ItemOut.{field}");
    }
}
