//! The cycle endpoints over the API: create, list, show, rename and move, activate, close and
//! reopen, with every refusal (a field, a conflict, a role, a scope, an outsider) changing
//! nothing; and how the OpenAPI document describes them.

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{refused_on, Plan};
use crate::snapshot::Snapshot;

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

    // Dates another cycle holds clash with it, as a taken name does.
    let overlap = p
        .new_cycle(&p.owner, "Overlap", p.day(100), p.day(200))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    let message = overlap["error"]["message"].as_str().unwrap();
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
