//! Items over the API with everything the pages set: creating with every field at once,
//! moving and reordering in a PATCH, and the trash; the same rules as the item page and the
//! tree, and a refusal changes nothing.

use cairn::schema::okr_items;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, Setup};
use crate::snapshot::Snapshot;

const EVERY: [&str; 3] = ["read", "write", "admin"];

fn sort_orders(s: &Setup, ids: &[&str]) -> Vec<i32> {
    ids.iter()
        .map(|id| {
            okr_items::table
                .find(*id)
                .select(okr_items::sort_order)
                .first(&mut s.app.db())
                .expect("item")
        })
        .collect()
}

async fn patch(api: &Api, id: &str, body: Value) -> crate::api::Answer {
    api.call(Method::PATCH, &format!("/items/{id}"), Some(body))
        .await
}

#[tokio::test]
async fn an_item_is_created_with_every_field_the_pages_set_in_one_call() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    let (_max, max_id) = s.member(&owner, "max@example.com", "Max Member").await;
    let objective = s.item(&owner, "objective", None, "Grow").await;
    let key_result = s
        .item(&owner, "key_result", Some(&objective), "Ten customers")
        .await;
    let items = format!("/workspaces/{}/items", s.ws_id);

    let created = owner
        .post(
            &items,
            json!({
                "type": "action", "title": "Call Globex", "parent_id": key_result,
                "description": "Ask about **Q3**", "owner_user_id": max_id,
                "assignee_user_ids": [max_id], "start_date": "2026-12-07",
                "due_date": "2026-12-18", "action_status": "work_in_progress", "story_points": "5",
            }),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = created["id"].as_str().expect("id");
    let shown = owner
        .get(&format!("/items/{id}"))
        .await
        .expect(StatusCode::OK);
    for (field, value) in [
        ("description", json!("Ask about **Q3**")),
        ("owner_user_id", json!(max_id)),
        ("assignee_user_ids", json!([max_id])),
        ("start_date", json!("2026-12-07")),
        ("due_date", json!("2026-12-18")),
        ("action_status", json!("work_in_progress")),
        ("story_points", json!("5")),
        ("parent_id", json!(key_result)),
    ] {
        assert_eq!(shown[field], value, "{field}: {shown}");
        assert_eq!(
            created[field], value,
            "the answer to POST is the stored item: {field}"
        );
    }
    // Now Max's, so Max may change it.
    s.api("max@example.com", &["write"])
        .call(
            Method::PATCH,
            &format!("/items/{id}"),
            Some(json!({ "action_status": "done" })),
        )
        .await
        .expect(StatusCode::OK);

    let before = Snapshot::take(&s.app);
    for (body, field) in [
        (
            json!({"type": "action", "title": "A", "parent_id": key_result,
                   "start_date": "2026-12-20", "due_date": "2026-12-18"}),
            None,
        ),
        (
            json!({"type": "action", "title": "A", "parent_id": key_result,
                   "owner_user_id": "00000000-0000-4000-8000-000000000000"}),
            None,
        ),
        (
            json!({"type": "objective", "title": "A", "action_status": "done"}),
            None,
        ),
        (
            json!({"type": "action", "title": "A", "parent_id": key_result, "story_points": "4"}),
            Some("story_points"),
        ),
        (
            json!({"type": "action", "title": "A", "parent_id": key_result,
                   "action_status": "finished"}),
            Some("action_status"),
        ),
        (
            json!({"type": "action", "title": "A", "parent_id": key_result,
                   "start_date": "2026-02-30"}),
            Some("start_date"),
        ),
    ] {
        let refused = owner
            .post(&items, body.clone())
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        if let Some(field) = field {
            assert!(
                refused["error"]["fields"][field].is_string(),
                "{body}: {refused}"
            );
        }
    }
    // Every field's problem in one answer.
    let both = owner
        .post(
            &items,
            json!({"type": "action", "title": " ", "parent_id": key_result, "story_points": "4"}),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(both["error"]["fields"]["title"].is_string(), "{both}");
    assert!(
        both["error"]["fields"]["story_points"].is_string(),
        "{both}"
    );
    before.assert_unchanged(&s.app, "refused creates");
}

#[tokio::test]
async fn a_patch_moves_and_reorders_with_the_trees_rules_all_or_nothing() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    let objective = s.item(&owner, "objective", None, "Grow").await;
    let first = s
        .item(&owner, "key_result", Some(&objective), "First")
        .await;
    let second = s
        .item(&owner, "key_result", Some(&objective), "Second")
        .await;
    let action = s.item(&owner, "action", Some(&first), "Call").await;
    let child = s
        .item(&owner, "objective", Some(&objective), "Grow in Spain")
        .await;

    let moved = patch(&owner, &action, json!({ "parent_id": second }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved["parent_id"], json!(second));

    let before = Snapshot::take(&s.app);
    for (id, body, what) in [
        (
            &objective,
            json!({ "parent_id": child }),
            "under its own child",
        ),
        (
            &objective,
            json!({ "parent_id": objective }),
            "under itself",
        ),
        (
            &first,
            json!({ "parent_id": action }),
            "a key result under an action",
        ),
        (
            &action,
            json!({ "parent_id": null }),
            "an action at the top",
        ),
        (
            &child,
            json!({ "parent_id": first }),
            "an objective under a key result",
        ),
        // The move is fine, the dates are not: nothing of it stays.
        (
            &action,
            json!({ "parent_id": first, "start_date": "2026-12-20", "due_date": "2026-12-10" }),
            "a move with a refused change",
        ),
    ] {
        patch(&owner, id, body)
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        before.assert_unchanged(&s.app, what);
    }
    patch(
        &owner,
        &action,
        json!({ "parent_id": "00000000-0000-4000-8000-000000000000" }),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    let negative = patch(&owner, &action, json!({ "sibling_position": -1 }))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        negative["error"]["fields"]["sibling_position"].is_string(),
        "{negative}"
    );
    before.assert_unchanged(&s.app, "refused moves");

    // Reorder among the siblings: the last key result first, then past the end means last.
    let third = s
        .item(&owner, "key_result", Some(&objective), "Third")
        .await;
    let key_results = [first.as_str(), second.as_str(), third.as_str()];
    let order = |s: &Setup| {
        let mut ranked: Vec<(i32, &str)> = sort_orders(s, &key_results)
            .into_iter()
            .zip(["first", "second", "third"])
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, name)| name).collect::<Vec<_>>()
    };
    patch(&owner, &third, json!({ "sibling_position": 0 }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(order(&s), ["third", "first", "second"]);
    let renamed = patch(
        &owner,
        &third,
        json!({ "sibling_position": 99, "title": "Third, renamed" }),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(renamed["title"], "Third, renamed");
    assert_eq!(order(&s), ["first", "second", "third"]);

    // Move and place at once: the child objective goes to the top level, first in line.
    let placed = patch(
        &owner,
        &child,
        json!({ "parent_id": null, "sibling_position": 0 }),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(placed["parent_id"], Value::Null);
    let orders = sort_orders(&s, &[&child, &objective]);
    assert!(orders[0] < orders[1], "{orders:?}");
    let history = owner
        .get(&format!("/items/{child}/activity"))
        .await
        .expect(StatusCode::OK);
    let kinds: Vec<&str> = history["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .filter_map(|a| a["action_type"].as_str())
        .collect();
    assert!(
        kinds.contains(&"item.moved") && kinds.contains(&"item.reordered"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn the_trash_lists_what_the_caller_may_restore() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    s.member(&owner, "max@example.com", "Max Member").await;
    let max = s.api("max@example.com", &["write"]);
    let objective = s.item(&owner, "objective", None, "Grow").await;
    let key_result = s
        .item(&owner, "key_result", Some(&objective), "Ten customers")
        .await;
    let mine = s.item(&max, "objective", None, "Max's").await;
    let trash = format!("/workspaces/{}/trash", s.ws_id);
    assert_eq!(
        owner.get(&trash).await.expect(StatusCode::OK)["items"],
        json!([])
    );
    for id in [&objective, &mine] {
        owner
            .call(Method::DELETE, &format!("/items/{id}"), None)
            .await
            .expect(StatusCode::NO_CONTENT);
    }
    let listed = owner.get(&trash).await.expect(StatusCode::OK);
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    // The key result went with its objective, so only the tops are listed.
    assert_eq!(ids.len(), 2, "{listed}");
    assert!(ids.contains(&objective.as_str()) && ids.contains(&mine.as_str()));
    assert!(!ids.contains(&key_result.as_str()));
    let first = &listed["items"][0];
    assert_eq!(first["deleted_by"], "Olive Owner");
    assert_eq!(
        first["deleted_by_user_id"],
        json!(s.app.user_id("owner@example.com"))
    );
    assert!(first["deleted_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    // A member sees only what they could restore: their own objective.
    let theirs = max.get(&trash).await.expect(StatusCode::OK);
    assert_eq!(
        theirs["items"].as_array().map(Vec::len),
        Some(1),
        "{theirs}"
    );
    assert_eq!(theirs["items"][0]["id"], json!(mine));
    assert_eq!(theirs["items"][0]["title"], "Max's");
}

/// Every page of a feed, `limit` rows each; `(row ids, pages)`.
async fn all_pages(api: &Api, feed: &str, limit: usize) -> (Vec<String>, usize) {
    let (mut ids, mut pages, mut cursor) = (Vec::new(), 0, String::new());
    loop {
        let page = api
            .get(&format!("{feed}?limit={limit}{cursor}"))
            .await
            .expect(StatusCode::OK);
        pages += 1;
        let rows = page["activity"].as_array().expect("activity");
        ids.extend(
            rows.iter()
                .map(|r| r["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(rows.len(), limit, "a page before the last is full");
                cursor = format!("&cursor={next}");
            }
            None => return (ids, pages),
        }
    }
}

#[tokio::test]
async fn activity_pages_are_filled_from_what_the_reader_may_see_in_a_busy_workspace() {
    let s = Setup::with("option_2", &[("API_RATE_PER_MINUTE", "1000000")]).await;
    let owner = s.api("owner@example.com", &EVERY);
    s.member(&owner, "max@example.com", "Max Member").await;
    let max = s.api("max@example.com", &["write"]);
    let hidden = s.item(&owner, "objective", None, "Board only").await;
    let mine = s.item(&max, "objective", None, "Max's").await;
    // More hidden rows than the server reads in one round, with Max's changes among them.
    for round in 0..600 {
        if round % 200 == 0 {
            patch(
                &max,
                &mine,
                json!({ "title": format!("Max's, take {round}") }),
            )
            .await
            .expect(StatusCode::OK);
        }
        patch(
            &owner,
            &hidden,
            json!({ "title": format!("Board only {round}") }),
        )
        .await
        .expect(StatusCode::OK);
    }
    let feed = format!("/workspaces/{}/activity", s.ws_id);
    let (rows, pages) = all_pages(&max, &feed, 2).await;
    // Created, then three renames: four rows, two full pages.
    assert_eq!((rows.len(), pages), (4, 2), "{rows:?}");
    let first = max
        .get(&format!("{feed}?limit=4"))
        .await
        .expect(StatusCode::OK);
    let first = first["activity"].as_array().expect("activity").clone();
    assert!(
        first.iter().all(|r| r["item_id"] == json!(mine)),
        "{first:?}"
    );
    assert_eq!(first[0]["item_title"], "Max's, take 400");
    assert_eq!(first[3]["action_type"], "item.created");
    let ids: Vec<&str> = first
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        rows.iter().map(String::as_str).collect::<Vec<_>>(),
        "newest first"
    );

    // The owner sees everything, newest first, across rounds, without repeats.
    let (everything, _) = all_pages(&owner, &feed, 200).await;
    let unique: std::collections::BTreeSet<&String> = everything.iter().collect();
    assert_eq!(
        (everything.len(), unique.len()),
        (605, 605),
        "two creations, 603 renames"
    );
    // One item's history pages the same way.
    let (history, pages) = all_pages(&max, &format!("/items/{mine}/activity"), 3).await;
    assert_eq!((history.len(), pages), (4, 2));

    for (query, field) in [
        ("cursor=00000000-0000-4000-8000-000000000000", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=many", "limit"),
    ] {
        let refused = max
            .get(&format!("{feed}?{query}"))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{query}: {refused}"
        );
    }

    // The page shows a hundred and links to the older ones.
    let page_path = format!("/orgs/{}/w/{}/activity", s.org_slug, s.ws_slug);
    let page = s.owner.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body
            .matches("class=\"activity-entry feed-entry\"")
            .count(),
        100
    );
    let older = page
        .body
        .split("id=\"feed-older\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|href| href.split('"').next())
        .expect("an older-changes link")
        .replace("&amp;", "&");
    assert!(older.ends_with(&everything[99]), "{older}");
    let next = s.owner.get(&older).await;
    assert_eq!(next.status, StatusCode::OK);
    assert!(
        next.body.contains(&format!("/items/{hidden}")),
        "older changes are listed"
    );
}
