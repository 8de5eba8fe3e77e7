//! What time does to check-ins and status, on the app's clock (moved, never slept on): the
//! author's 24-hour window to change or delete their latest check-in, admins deleting any,
//! silence after the cadence and its grace, and expected progress over an item's dates.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{close, Plan};

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
