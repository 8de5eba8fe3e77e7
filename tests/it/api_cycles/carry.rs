//! Carrying objectives over to another cycle through the API: what a copy holds (unfinished
//! key results from their last value, open actions, no check-ins, a link to its original),
//! the choice of everything unfinished, and refusals that change nothing (all or nothing).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{refused_on, Plan};
use crate::api::Answer;
use crate::snapshot::Snapshot;

/// A running cycle with objectives in every state, and a later one to carry them to.
struct Carry {
    p: Plan,
    now: String,
    later: String,
    grow: String,
}

impl Carry {
    async fn new() -> Self {
        let p = Plan::new().await;
        let (now, later) = (
            p.cycle("Now", -10, 80).await,
            p.cycle("Later", 81, 170).await,
        );
        p.state(&p.owner, &now, "activate")
            .await
            .expect(StatusCode::OK);
        let grow = p
            .item(json!({"type": "objective", "title": "Grow", "cycle_id": now}))
            .await;
        let deals = p
            .item(
                json!({"type": "key_result", "title": "Deals", "parent_id": grow,
                         "measure": "metric", "metric_kind": "increase_to", "baseline": 0,
                         "target": 10, "unit": "deals"}),
            )
            .await;
        p.owner
            .post(
                &format!("/items/{deals}/check-ins"),
                json!({"value": 4, "confidence": 6}),
            )
            .await
            .expect(StatusCode::CREATED);
        p.item(json!({"type": "action", "title": "Call", "parent_id": deals}))
            .await;
        let called = p
            .item(json!({"type": "action", "title": "Called", "parent_id": deals}))
            .await;
        p.patch(
            &format!("/items/{called}"),
            json!({"action_status": "done"}),
        )
        .await
        .expect(StatusCode::OK);
        p.item(json!({"type": "objective", "title": "Keep", "cycle_id": now}))
            .await;
        let won = p
            .item(json!({"type": "objective", "title": "Won", "cycle_id": now}))
            .await;
        p.patch(&format!("/items/{won}"), json!({"outcome": "successful"}))
            .await
            .expect(StatusCode::OK);
        Self {
            p,
            now,
            later,
            grow,
        }
    }

    async fn carry(&self, from: &str, body: Value) -> Answer {
        self.p
            .owner
            .post(&format!("/cycles/{from}/carry-over"), body)
            .await
    }
}

fn titles(list: &Value) -> Vec<&str> {
    let mut titles: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn carried_over_objectives_take_their_unfinished_work_from_where_it_stands() {
    let c = Carry::new().await;
    let p = &c.p;
    let copied = c
        .carry(
            &c.now,
            json!({"to_cycle_id": c.later, "item_ids": [c.grow]}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(titles(&copied), ["Grow"]);
    let copy = &copied["items"][0];
    assert_eq!(copy["cycle_id"], c.later.as_str());
    assert_eq!(copy["carried_over_from_id"], c.grow.as_str());
    assert_ne!(copy["id"], c.grow.as_str());
    assert!(copied["next_cursor"].is_null());

    let later = p
        .owner
        .get(&format!("/workspaces/{}/items?cycle={}", p.ws_id, c.later))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        titles(&later),
        ["Call", "Deals", "Grow"],
        "open actions only"
    );
    let deals = later["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Deals")
        .expect("the key result's copy");
    assert_eq!(
        (
            &deals["baseline"],
            &deals["current_value"],
            &deals["target"]
        ),
        (&json!(4), &json!(4), &json!(10)),
        "the metric starts from its last value"
    );
    assert!(deals["last_check_in_on"].is_null());
    let check_ins = p
        .owner
        .get(&format!(
            "/items/{}/check-ins",
            deals["id"].as_str().unwrap()
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(check_ins["check_ins"], json!([]), "no check-ins come along");

    // Everything unfinished: not the one carried already, not the successful one.
    let rest = c
        .carry(
            &c.now,
            json!({"to_cycle_id": c.later, "all_unfinished": true, "workspace_id": p.ws_id}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(titles(&rest), ["Keep"]);
    let again = c
        .carry(
            &c.now,
            json!({"to_cycle_id": c.later, "all_unfinished": true, "workspace_id": p.ws_id}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        titles(&again),
        Vec::<&str>::new(),
        "nothing is left to carry"
    );
}

#[tokio::test]
async fn carry_over_refusals_name_the_field_or_the_state_and_copy_nothing() {
    let c = Carry::new().await;
    let p = &c.p;
    let old = p.cycle("Old", -200, -100).await;
    p.state(&p.owner, &old, "close")
        .await
        .expect(StatusCode::OK);
    let someday = p
        .item(json!({"type": "objective", "title": "Someday"}))
        .await;
    p.w.member("member@example.com", "Mia Member", None).await;
    p.w.app
        .person("outsider@example.com", "Otto Outsider")
        .await;
    let every = ["read", "write", "admin"];
    let (member, outsider, reader) = (
        p.api("member@example.com", &every),
        p.api("outsider@example.com", &every),
        p.api("admin@example.com", &["read"]),
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    let before = Snapshot::take(&p.w.app);
    let (grow, later, ws) = (&c.grow, &c.later, &p.ws_id);

    for (body, field) in [
        (
            json!({"to_cycle_id": later, "item_ids": [grow], "all_unfinished": true}),
            "all_unfinished",
        ),
        (json!({"to_cycle_id": later}), "item_ids"),
        (json!({"to_cycle_id": later, "item_ids": []}), "item_ids"),
        (
            json!({"to_cycle_id": later, "all_unfinished": true}),
            "workspace_id",
        ),
        (
            json!({"to_cycle_id": c.now, "item_ids": [grow]}),
            "to_cycle_id",
        ),
        (
            json!({"to_cycle_id": missing, "item_ids": [grow]}),
            "to_cycle_id",
        ),
        // All or nothing: one objective that cannot go keeps the other from going.
        (
            json!({"to_cycle_id": later, "item_ids": [grow, someday]}),
            "item_ids",
        ),
    ] {
        refused_on(c.carry(&c.now, body).await, field);
    }
    c.carry(
        &c.now,
        json!({"to_cycle_id": later, "item_ids": [grow], "colour": "red"}),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // A missing item, or one the user cannot reach, answers as one outside the cycle does.
    let outside = refused_on(
        c.carry(&c.now, json!({"to_cycle_id": later, "item_ids": [someday]}))
            .await,
        "item_ids",
    );
    for answer in [
        c.carry(&c.now, json!({"to_cycle_id": later, "item_ids": [missing]}))
            .await,
        outsider
            .post(
                &format!("/cycles/{}/carry-over", c.now),
                json!({"to_cycle_id": later, "item_ids": [grow]}),
            )
            .await,
    ] {
        assert_eq!(
            answer.expect(StatusCode::UNPROCESSABLE_ENTITY),
            outside,
            "indistinguishable"
        );
    }
    for (from, to) in [(&c.now, &old), (later, &c.now)] {
        let refused = c
            .carry(from, json!({"to_cycle_id": to, "item_ids": [grow]}))
            .await
            .expect_error(StatusCode::CONFLICT, "conflict");
        assert!(refused["error"]["message"].is_string());
    }
    c.carry(missing, json!({"to_cycle_id": later, "item_ids": [grow]}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let body = json!({"to_cycle_id": later, "item_ids": [grow], "workspace_id": ws});
    let path = format!("/cycles/{}/carry-over", c.now);
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
    before.assert_unchanged(&p.w.app, "refused carry-overs");

    c.carry(&c.now, body.clone())
        .await
        .expect(StatusCode::CREATED);
    // Its copy is there already: a clash, like a link that exists.
    let again = c
        .carry(&c.now, body)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert!(
        again["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already carried over")),
        "{again}"
    );
    assert_eq!(
        p.owner
            .call(Method::GET, &format!("/items/{grow}"), None)
            .await
            .expect(StatusCode::OK)["cycle_id"],
        c.now.as_str(),
        "the original stays where it was"
    );
}
