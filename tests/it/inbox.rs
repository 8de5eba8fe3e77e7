//! The bell, the inbox, the email preferences on the account page and the notifications API,
//! as a member reaches them: each shows only notifications about what the member may see now.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api::{token_for, Api};
use crate::harness::{Browser, Workspace};
use crate::notifications::{hand_over, kinds_of, wait_for_rows, workspace_with_mail};
use crate::smtp::SmtpServer;

/// The number on the bell of a full page, if any.
async fn bell(who: &Browser, page: &str) -> Option<String> {
    let page = who.get(page).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.attr_of("#bell", "href").is_some(),
        "a full page has the bell"
    );
    page.text_of("#bell .bell-count")
}

/// A workspace where the admin made Ada the owner of two objectives, so she has two unread
/// notifications.
async fn two_for_ada(mail: &SmtpServer, privacy_mode: &str) -> (Workspace, Browser, [String; 2]) {
    let ws = workspace_with_mail(mail, privacy_mode).await;
    let ada = ws.member("ada@example.com", "Ada Lovelace", None).await;
    let first = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let second = ws.create(&ws.admin, "objective", None, "Cut churn").await;
    hand_over(&ws, &ws.admin, &first, "ada@example.com", &[]).await;
    hand_over(&ws, &ws.admin, &second, "ada@example.com", &[]).await;
    wait_for_rows(&ws, "ada@example.com", 2).await;
    (ws, ada, [first, second])
}

#[tokio::test]
async fn the_bell_counts_unread_and_the_inbox_opens_marks_read_and_marks_all_read() {
    let mail = SmtpServer::start().await;
    let (ws, ada, [first, _]) = two_for_ada(&mail, "option_1").await;
    assert_eq!(bell(&ada, "/").await.as_deref(), Some("2"));
    assert_eq!(bell(&ws.admin, "/").await, None, "the actor is not told");

    let inbox = ada.get("/notifications").await;
    assert_eq!(inbox.status, StatusCode::OK);
    let sentences: Vec<String> = inbox
        .html()
        .select(&scraper::Selector::parse(".inbox-sentence").expect("selector"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(sentences.len(), 2, "{sentences:?}");
    assert!(sentences[0].contains("Adele Admin made you the owner of 'Cut churn'"));
    assert!(sentences[1].contains("'Grow revenue'"));

    // Opening one leads to its item and counts it read.
    let grow = inbox
        .html()
        .select(&scraper::Selector::parse(".inbox-sentence").expect("selector"))
        .nth(1)
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("link");
    let opened = ada.get(&grow).await;
    opened.assert_redirect(&format!("{}/items/{first}", ws.base()));
    assert_eq!(bell(&ada, "/").await.as_deref(), Some("1"));
    let unread = ada.get("/notifications?unread=true").await;
    assert_eq!(
        unread
            .html()
            .select(&scraper::Selector::parse(".inbox-entry").expect("selector"))
            .count(),
        1
    );

    // Marking the other read in place answers its entry and the bell, out of band.
    let id = unread
        .attr_of(".inbox-entry", "id")
        .expect("entry id")
        .trim_start_matches("notification-")
        .to_owned();
    let marked = ada
        .htmx_post(&format!("/notifications/{id}/read"), &[])
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.body);
    assert!(marked.body.contains(&format!("id=\"notification-{id}\"")));
    assert!(!marked.body.contains("is-unread"), "{}", marked.body);
    assert!(marked.body.contains("hx-swap-oob"), "{}", marked.body);
    assert_eq!(marked.text_of("#bell .bell-count"), None);
    assert_eq!(
        marked.attr_of("#bell", "aria-label").as_deref(),
        Some("Notifications")
    );
    assert_eq!(bell(&ada, "/").await, None);

    // Someone else's notification is not theirs to mark.
    let admin_marks = ws
        .admin
        .htmx_post(&format!("/notifications/{id}/read"), &[])
        .await;
    assert_eq!(admin_marks.status, StatusCode::NOT_FOUND);

    // One more, then all read at once.
    let third = ws.create(&ws.admin, "objective", None, "Hire").await;
    hand_over(&ws, &ws.admin, &third, "ada@example.com", &[]).await;
    wait_for_rows(&ws, "ada@example.com", 3).await;
    assert_eq!(bell(&ada, "/").await.as_deref(), Some("1"));
    ada.get("/notifications").await;
    let all = ada
        .submit("/notifications", "/notifications/read-all", &[])
        .await;
    all.assert_redirect("/notifications");
    assert_eq!(bell(&ada, "/notifications").await, None);
}

#[tokio::test]
async fn a_notification_about_an_item_hidden_since_is_not_counted_listed_opened_or_marked() {
    let mail = SmtpServer::start().await;
    let (ws, ada, [first, _]) = two_for_ada(&mail, "option_2").await;
    ws.member("bob@example.com", "Bob Babbage", None).await;
    let api = Api::new(
        &ws.app,
        Some(token_for(&ws.app, "ada@example.com", &["read", "write"])),
    );
    let listed = api.get("/notifications").await.expect(StatusCode::OK);
    let about_first = listed["notifications"]
        .as_array()
        .expect("list")
        .iter()
        .find(|n| n["item_id"] == first.as_str())
        .expect("about the first")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Need-to-know: once the first objective is Bob's, Ada cannot see it.
    hand_over(&ws, &ws.admin, &first, "bob@example.com", &[]).await;
    assert_eq!(bell(&ada, "/").await.as_deref(), Some("1"));
    let inbox = ada.get("/notifications").await;
    assert!(!inbox.body.contains("Grow revenue"), "{}", inbox.body);
    assert!(inbox.body.contains("Cut churn"));
    let listed = api.get("/notifications").await.expect(StatusCode::OK);
    assert_eq!(listed["notifications"].as_array().expect("list").len(), 1);
    assert!(!listed.to_string().contains(&first));
    assert_eq!(
        ada.get(&format!("/notifications/{about_first}/open"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.htmx_post(&format!("/notifications/{about_first}/read"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let refused = api
        .post("/notifications/read", json!({"ids": [about_first]}))
        .await;
    refused.expect_error(StatusCode::NOT_FOUND, "not_found");
    // "All read" says what is left, which never counts the hidden one.
    let all = api
        .post("/notifications/read", json!({"all": true}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(all["unread_count"], 0);
}

#[tokio::test]
async fn the_api_lists_pages_filters_and_marks_read_and_refuses_what_it_cannot_do() {
    let mail = SmtpServer::start().await;
    let (ws, _ada, [first, second]) = two_for_ada(&mail, "option_1").await;
    let reader = Api::new(
        &ws.app,
        Some(token_for(&ws.app, "ada@example.com", &["read"])),
    );
    let writer = Api::new(
        &ws.app,
        Some(token_for(&ws.app, "ada@example.com", &["write"])),
    );

    let page = reader
        .get("/notifications?limit=1")
        .await
        .expect(StatusCode::OK);
    let newest = &page["notifications"][0];
    assert_eq!(newest["kind"], "made_owner");
    assert_eq!(newest["item_id"], second.as_str());
    assert_eq!(newest["actor_user_id"], ws.app.user_id("admin@example.com"));
    assert!(newest["read_at"].is_null());
    assert!(newest["created_at"].is_string());
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let next = reader
        .get(&format!("/notifications?limit=1&cursor={cursor}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(next["notifications"][0]["item_id"], first.as_str());
    assert!(next["next_cursor"].is_null());

    let id = newest["id"].as_str().expect("id").to_owned();
    reader
        .post("/notifications/read", json!({"ids": [id]}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let marked = writer
        .post("/notifications/read", json!({"ids": [id]}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(marked["unread_count"], 1);
    let unread = reader
        .get("/notifications?unread=true")
        .await
        .expect(StatusCode::OK);
    assert_eq!(unread["notifications"].as_array().expect("list").len(), 1);
    assert_eq!(unread["notifications"][0]["item_id"], first.as_str());

    for (body, field) in [
        (json!({}), "ids"),
        (json!({"ids": []}), "ids"),
        (json!({"ids": [id], "all": true}), "all"),
        (json!({"all": false}), "ids"),
    ] {
        let refused = writer
            .call(Method::POST, "/notifications/read", Some(body.clone()))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    reader
        .get("/notifications?unread=maybe&limit=0")
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // An unknown id among known ones marks nothing.
    let unknown = "7d0c9a52-8f3e-4a51-9d2e-0d4c2f1b6a10";
    let still = unread["notifications"][0]["id"].as_str().expect("id");
    writer
        .post("/notifications/read", json!({"ids": [still, unknown]}))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        reader
            .get("/notifications?unread=true")
            .await
            .expect(StatusCode::OK)["notifications"]
            .as_array()
            .expect("list")
            .len(),
        1
    );
    assert_eq!(kinds_of(&ws, "ada@example.com").len(), 2);
}

#[tokio::test]
async fn email_preferences_are_saved_from_the_account_page_and_a_bad_hour_keeps_what_was_typed() {
    let ws = Workspace::new("option_1").await;
    let ada = ws.member("ada@example.com", "Ada Lovelace", None).await;
    let account = ada.get("/account").await;
    assert_eq!(
        account
            .attr_of("input[name=mentioned]", "checked")
            .as_deref(),
        Some(""),
        "every kind is on by default"
    );

    let refused = ada
        .submit(
            "/account",
            "/account/notifications",
            &[
                ("mentioned", "true"),
                ("email_delivery", "daily_digest"),
                ("digest_hour", "25"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#digest_hour-error").as_deref(),
        Some("Choose an hour from 0 to 23.")
    );
    assert_eq!(refused.attr_of("input[name=assigned]", "checked"), None);
    assert!(refused
        .attr_of("input[value=daily_digest]", "checked")
        .is_some());
    let stored =
        cairn::notifications::get_preferences(&mut ws.app.db(), &ws.app.user_id("ada@example.com"))
            .expect("preferences");
    assert_eq!(
        stored,
        cairn::notifications::NotificationPreferences::default()
    );

    let saved = ada
        .submit(
            "/account",
            "/account/notifications",
            &[
                ("mentioned", "true"),
                ("check_in", "true"),
                ("email_delivery", "daily_digest"),
                ("digest_hour", "7"),
            ],
        )
        .await;
    saved.assert_redirect("/account#notifications");
    let stored =
        cairn::notifications::get_preferences(&mut ws.app.db(), &ws.app.user_id("ada@example.com"))
            .expect("preferences");
    assert!(stored.mentioned && stored.check_in);
    assert!(!stored.assigned && !stored.comment && !stored.invite_accepted);
    assert_eq!(
        stored.delivery,
        cairn::notifications::EmailDelivery::DailyDigest
    );
    assert_eq!(stored.digest_hour.value(), 7);
    let account = ada.get("/account").await;
    assert_eq!(account.attr_of("input[name=assigned]", "checked"), None);
    assert!(account.attr_of("option[value='7']", "selected").is_some());
}
