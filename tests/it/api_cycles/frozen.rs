//! A closed cycle over the API: every write into it answers 409 `conflict` with the reason and
//! changes no row; each objective's outcome and closing note are still taken; reopening makes
//! it writable again.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{refused_on, Plan};
use crate::snapshot::Snapshot;

#[tokio::test]
async fn a_closed_cycle_refuses_every_api_write_with_409_and_changes_nothing() {
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
    let keep = p
        .item(json!({"type": "objective", "title": "Keep", "cycle_id": now}))
        .await;
    let deals = p
        .item(json!({"type": "key_result", "title": "Deals", "parent_id": grow}))
        .await;
    let call = p
        .item(json!({"type": "action", "title": "Call", "parent_id": deals}))
        .await;
    let dropped = p
        .item(json!({"type": "action", "title": "Dropped", "parent_id": deals}))
        .await;
    let backlog = p
        .item(json!({"type": "objective", "title": "Someday"}))
        .await;
    p.owner
        .call(Method::DELETE, &format!("/items/{dropped}"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let link = p
        .owner
        .post(
            &format!("/workspaces/{}/links", p.ws_id),
            json!({"from_item_id": grow, "to_item_id": keep}),
        )
        .await
        .expect(StatusCode::CREATED);
    let link = link["id"].as_str().unwrap().to_owned();
    let check_in = p
        .owner
        .post(
            &format!("/items/{deals}/check-ins"),
            json!({"confidence": 7, "note": "Going well"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let check_in = check_in["id"].as_str().unwrap().to_owned();
    p.state(&p.owner, &now, "close")
        .await
        .expect(StatusCode::OK);

    let writes = [
        (
            Method::PATCH,
            format!("/items/{grow}"),
            Some(json!({"title": "Grow more"})),
        ),
        (
            Method::PATCH,
            format!("/items/{call}"),
            Some(json!({"action_status": "done"})),
        ),
        (
            Method::PATCH,
            format!("/items/{grow}"),
            Some(json!({"cycle_id": later})),
        ),
        (
            Method::PATCH,
            format!("/items/{backlog}"),
            Some(json!({"cycle_id": now})),
        ),
        (
            Method::PATCH,
            format!("/items/{grow}"),
            Some(json!({"outcome": "successful", "title": "Mixed"})),
        ),
        (Method::DELETE, format!("/items/{call}"), None),
        (Method::POST, format!("/items/{dropped}/restore"), None),
        (
            Method::PUT,
            format!("/items/{call}/position"),
            Some(json!({"x": 40.0, "y": 80.0})),
        ),
        (
            Method::POST,
            format!("/workspaces/{}/items", p.ws_id),
            Some(json!({"type": "action", "title": "More", "parent_id": deals})),
        ),
        (
            Method::POST,
            format!("/workspaces/{}/items", p.ws_id),
            Some(json!({"type": "objective", "title": "Late", "cycle_id": now})),
        ),
        (
            Method::POST,
            format!("/workspaces/{}/links", p.ws_id),
            Some(json!({"from_item_id": call, "to_item_id": keep})),
        ),
        (Method::DELETE, format!("/links/{link}"), None),
        (
            Method::POST,
            format!("/items/{deals}/check-ins"),
            Some(json!({"confidence": 3})),
        ),
        (
            Method::PATCH,
            format!("/check-ins/{check_in}"),
            Some(json!({"confidence": 2})),
        ),
        (Method::DELETE, format!("/check-ins/{check_in}"), None),
    ];
    let before = Snapshot::take(&p.w.app);
    for (method, path, body) in &writes {
        let what = format!("{method} {path} {body:?}");
        let answer = p.owner.call(method.clone(), path, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::CONFLICT,
            "{what}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], "conflict", "{what}");
        let message = answer.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("This cycle is closed: Now is read-only"),
            "{what}: {message}"
        );
        before.assert_unchanged(&p.w.app, &what);
    }

    // Reopened, the same writes go through again.
    p.state(&p.owner, &now, "reopen")
        .await
        .expect(StatusCode::OK);
    p.patch(&format!("/items/{grow}"), json!({"title": "Grow more"}))
        .await
        .expect(StatusCode::OK);
    p.owner
        .call(
            Method::PATCH,
            &format!("/check-ins/{check_in}"),
            Some(json!({"confidence": 2})),
        )
        .await
        .expect(StatusCode::OK);
    p.owner
        .call(Method::DELETE, &format!("/links/{link}"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn outcome_and_closing_note_are_set_on_objectives_even_when_the_cycle_is_closed() {
    let p = Plan::new().await;
    let now = p.cycle("Now", -10, 80).await;
    let grow = p
        .item(json!({"type": "objective", "title": "Grow", "cycle_id": now}))
        .await;
    let deals = p
        .item(json!({"type": "key_result", "title": "Deals", "parent_id": grow}))
        .await;
    let backlog = p
        .item(json!({"type": "objective", "title": "Someday"}))
        .await;
    p.state(&p.owner, &now, "close")
        .await
        .expect(StatusCode::OK);

    let scored = p
        .patch(
            &format!("/items/{grow}"),
            json!({"outcome": "not_successful", "closing_note": "  Two deals short.  "}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(scored["outcome"], "not_successful");
    assert_eq!(scored["closing_note"], "Two deals short.");
    assert_eq!(scored["title"], "Grow", "nothing else moved");
    let rescored = p
        .patch(&format!("/items/{grow}"), json!({"outcome": "successful"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (&rescored["outcome"], &rescored["closing_note"]),
        (&json!("successful"), &json!("Two deals short.")),
        "a patch keeps what it leaves out"
    );

    let before = Snapshot::take(&p.w.app);
    refused_on(
        p.patch(&format!("/items/{deals}"), json!({"outcome": "successful"}))
            .await,
        "outcome",
    );
    refused_on(
        p.patch(
            &format!("/items/{backlog}"),
            json!({"outcome": "successful"}),
        )
        .await,
        "outcome",
    );
    refused_on(
        p.patch(
            &format!("/items/{grow}"),
            json!({"closing_note": "x".repeat(2_001)}),
        )
        .await,
        "closing_note",
    );
    p.patch(&format!("/items/{grow}"), json!({"outcome": "partly"}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    before.assert_unchanged(&p.w.app, "refused outcomes");

    let cleared = p
        .patch(
            &format!("/items/{grow}"),
            json!({"outcome": null, "closing_note": null}),
        )
        .await
        .expect(StatusCode::OK);
    assert!(cleared["outcome"].is_null() && cleared["closing_note"].is_null());
}
