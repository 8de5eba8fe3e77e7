//! Comments over the JSON API: the answer's shape with its mentions, newest last, only the
//! author changes or deletes (403 `forbidden` for anyone else), hidden items 404, the body's
//! rules as `validation_failed` on `body`, and the write scope.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::comment;
use crate::api::{token_for, Api};
use crate::harness::Workspace;

fn api(w: &Workspace, email: &str, scopes: &[&str]) -> Api {
    Api::new(&w.app, Some(token_for(&w.app, email, scopes)))
}

#[tokio::test]
async fn comments_over_the_api_answer_their_shape_and_only_their_author_changes_them() {
    let w = Workspace::new("option_2").await;
    w.member("ada@example.com", "Ada Lovelace", None).await;
    let cy = w.member("cy@example.com", "Cy Outside", None).await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    w.assign(&item, "ada@example.com");
    let (admin, ada) = (
        api(&w, "admin@example.com", &["read", "write"]),
        api(&w, "ada@example.com", &["read", "write"]),
    );
    let ada_id = w.app.user_id("ada@example.com");
    let path = format!("/items/{item}/comments");

    let body = format!("Over to @[Ada](user:{ada_id}), twice @[Ada](user:{ada_id})");
    let made = admin
        .post(&path, json!({ "body": format!("  {body} ") }))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(made["item_id"], item.as_str());
    assert_eq!(made["author_user_id"], w.app.user_id("admin@example.com"));
    assert_eq!(made["body"], body.as_str());
    assert_eq!(made["mentioned_user_ids"], json!([ada_id]));
    assert!(made["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert!(made["edited_at"].is_null());
    let id = made["id"].as_str().expect("id").to_owned();
    // A page's comment shows in the API too, after it: newest last.
    comment(&w, &w.admin, &item, "From the page").await;
    let listed = ada.get(&path).await.expect(StatusCode::OK);
    let bodies: Vec<&str> = listed["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["body"].as_str().expect("body"))
        .collect();
    assert_eq!(bodies, [body.as_str(), "From the page"]);
    assert!(listed["next_cursor"].is_null());

    let comment_path = format!("/comments/{id}");
    ada.call(
        Method::PATCH,
        &comment_path,
        Some(json!({"body": "Mine now"})),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    ada.call(Method::DELETE, &comment_path, None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let changed = admin
        .call(Method::PATCH, &comment_path, Some(json!({"body": "Plain"})))
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["body"], "Plain");
    assert_eq!(changed["mentioned_user_ids"], json!([]));
    assert!(changed["edited_at"].is_string());

    // Hidden from Cy: the item's comments and each comment do not exist.
    let cy_api = api(&w, "cy@example.com", &["read", "write"]);
    cy_api
        .get(&path)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    cy_api
        .post(&path, json!({"body": "Hi"}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    cy_api
        .call(Method::PATCH, &comment_path, Some(json!({"body": "x"})))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    drop(cy);

    admin
        .call(Method::DELETE, &comment_path, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    admin
        .call(Method::DELETE, &comment_path, None)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let listed = ada.get(&path).await.expect(StatusCode::OK);
    assert_eq!(listed["comments"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_comment_body_is_checked_and_writing_needs_the_write_scope() {
    let w = Workspace::new("option_1").await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    let admin = api(&w, "admin@example.com", &["read", "write"]);
    let path = format!("/items/{item}/comments");
    for body in [
        json!({"body": "x".repeat(4_001)}),
        json!({"body": "   "}),
        json!({"body": ""}),
    ] {
        let refused = admin
            .post(&path, body)
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(refused["error"]["fields"]["body"].is_string(), "{refused}");
    }
    admin
        .post(&path, json!({}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    admin
        .post(&path, json!({"body": "Hi", "extra": 1}))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    admin
        .post(
            &format!("/items/{}/comments", uuid_like()),
            json!({"body": "Hi"}),
        )
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");

    let reader = api(&w, "admin@example.com", &["read"]);
    reader
        .post(&path, json!({"body": "Hi"}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    reader.get(&path).await.expect(StatusCode::OK);
    admin
        .post(&path, json!({"body": "x".repeat(4_000)}))
        .await
        .expect(StatusCode::CREATED);
}

fn uuid_like() -> &'static str {
    "0190f0a1-7a2b-7c3d-8e4f-0123456789ab"
}
