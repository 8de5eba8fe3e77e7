//! Check-ins and measures the API refuses: each with the field the domain names, someone who
//! may not edit the key result with 403, and every check-in method on a hidden item with 404;
//! none of them changes anything.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{refused_on, Plan};
use crate::snapshot::Snapshot;

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
