//! Measured key results and check-ins over the JSON API: each measure end to end (made by the
//! API, checked in on, read back with its value, status, progress and pace), a patch that
//! keeps the measure fields it leaves out, and the document; the refusals (`refusals`) and
//! what time does (`time`: the 24-hour edit window, the cadence, pace) in their own files.

mod refusals;
mod time;

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{token_for, Answer, Api};
use crate::harness::Workspace;

/// A workspace, its admin's API client and an objective to hang key results under.
pub(super) struct Plan {
    pub(super) w: Workspace,
    pub(super) admin: Api,
    pub(super) ws_id: String,
    pub(super) objective: String,
}

impl Plan {
    pub(super) async fn new(privacy_mode: &str) -> Self {
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

    pub(super) fn api(&self, email: &str) -> Api {
        Api::new(
            &self.w.app,
            Some(token_for(&self.w.app, email, &["read", "write"])),
        )
    }

    pub(super) async fn create(&self, api: &Api, body: Value) -> Value {
        api.post(&format!("/workspaces/{}/items", self.ws_id), body)
            .await
            .expect(StatusCode::CREATED)
    }

    /// A key result under the objective with these measure fields; returns its id.
    pub(super) async fn key_result(&self, title: &str, measure: Value) -> String {
        let mut body = json!({"type": "key_result", "title": title, "parent_id": self.objective});
        body.as_object_mut()
            .expect("object")
            .extend(measure.as_object().expect("measure fields").clone());
        self.create(&self.admin, body).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub(super) async fn item(&self, id: &str) -> Value {
        self.admin
            .get(&format!("/items/{id}"))
            .await
            .expect(StatusCode::OK)
    }

    pub(super) async fn check_in(&self, api: &Api, item: &str, body: Value) -> Answer {
        api.post(&format!("/items/{item}/check-ins"), body).await
    }

    pub(super) async fn patch(&self, api: &Api, path: &str, body: Value) -> Answer {
        api.call(Method::PATCH, path, Some(body)).await
    }
}

pub(super) fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

#[track_caller]
pub(super) fn refused_on(answer: Answer, field: &str) -> Value {
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
