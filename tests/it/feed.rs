//! The workspace's activity feed page: every change, newest first, with who made it, and
//! in a need-to-know workspace only the rows of items the viewer may see.

use reqwest::StatusCode;

use crate::harness::{Page, Workspace};

/// (who, item title) of each feed row, top to bottom.
fn rows(page: &Page) -> Vec<(String, String)> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = page.html();
    let entry = scraper::Selector::parse(".feed-entry").expect("selector");
    let who = scraper::Selector::parse("strong").expect("selector");
    let item = scraper::Selector::parse(".feed-item").expect("selector");
    let text = |e: scraper::ElementRef<'_>, s: &scraper::Selector| -> String {
        e.select(s)
            .next()
            .map(|x| x.text().collect::<String>().trim().to_owned())
            .unwrap_or_default()
    };
    html.select(&entry)
        .map(|e| (text(e, &who), text(e, &item)))
        .collect()
}

#[tokio::test]
async fn the_activity_feed_lists_changes_newest_first_with_who_and_hides_what_the_viewer_cannot_see(
) {
    let ws = Workspace::new("option_2").await;
    let bob = ws.member("bob@example.com", "Bob Builder", None).await;
    let feed = format!("{}/activity", ws.base());
    let empty = ws.admin.get(&feed).await;
    assert!(rows(&empty).is_empty());
    assert!(empty.text_of("#feed-empty").is_some());

    let secret = ws
        .create(&ws.admin, "objective", None, "Secret objective")
        .await;
    ws.create(&ws.admin, "key_result", Some(&secret), "Secret result")
        .await;
    let shared = ws
        .create(&ws.admin, "objective", None, "Shared objective")
        .await;
    ws.assign(&shared, "bob@example.com");
    ws.create(&bob, "key_result", Some(&shared), "Bob's result")
        .await;

    let by = |who: &str, title: &str| (who.to_owned(), title.to_owned());
    let (admin, bob_name) = ("Adele Admin", "Bob Builder");
    assert_eq!(
        rows(&ws.admin.get(&feed).await),
        [
            by(bob_name, "Bob's result"),
            by(admin, "Shared objective"),
            by(admin, "Secret result"),
            by(admin, "Secret objective"),
        ],
        "the admin sees every change, newest first"
    );
    let seen_by_bob = bob.get(&feed).await;
    assert_eq!(
        rows(&seen_by_bob),
        [by(bob_name, "Bob's result"), by(admin, "Shared objective"),],
        "Bob sees only the rows of items he may see"
    );
    assert!(!seen_by_bob.body.contains("Secret"));

    // Someone outside the workspace does not learn it exists.
    let outsider = ws.app.person("otto@example.com", "Otto").await;
    assert_eq!(outsider.get(&feed).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_link_row_names_the_other_item_to_who_may_see_it() {
    let ws = Workspace::new("option_2").await;
    let bob = ws.member("bob@example.com", "Bob Builder", None).await;
    let shared = ws
        .create(&ws.admin, "objective", None, "Shared objective")
        .await;
    let also = ws.create(&ws.admin, "objective", None, "Also shared").await;
    let secret = ws
        .create(&ws.admin, "objective", None, "Secret objective")
        .await;
    ws.assign(&shared, "bob@example.com");
    ws.assign(&also, "bob@example.com");
    let links = format!("{}/links", ws.item_path(&shared));
    for to in [&also, &secret] {
        ws.admin
            .submit(&ws.item_path(&shared), &links, &[("to_item_id", to)])
            .await;
    }
    let feed = format!("{}/activity", ws.base());
    let admin_sees = ws.admin.get(&feed).await;
    assert!(
        admin_sees.body.contains("linked it to “Secret objective”"),
        "{}",
        admin_sees.body
    );
    assert!(admin_sees.body.contains("linked it to “Also shared”"));
    let bob_sees = bob.get(&feed).await;
    assert!(
        bob_sees.body.contains("linked it to “Also shared”"),
        "{}",
        bob_sees.body
    );
    assert!(!bob_sees.body.contains("Secret"));
    let history = bob.get(&ws.item_path(&shared)).await;
    assert!(history
        .text_of("#item-history")
        .expect("history")
        .contains("linked it to “Also shared”"));
}

#[tokio::test]
async fn a_save_that_changes_nothing_leaves_no_history_row() {
    use cairn::schema::item_activity_log;
    use diesel::prelude::*;
    let s = crate::api::Setup::new("option_1").await;
    let admin = s.api("owner@example.com", &["read", "write"]);
    let item = s.item(&admin, "objective", None, "Grow revenue").await;
    let rows = || -> i64 {
        item_activity_log::table
            .filter(item_activity_log::item_id.eq(&item))
            .count()
            .get_result(&mut s.app.db())
            .expect("count")
    };
    let before = rows();
    let path = format!("/items/{item}");
    let patch = |body: serde_json::Value| admin.call(reqwest::Method::PATCH, &path, Some(body));
    patch(serde_json::json!({"title": "Grow revenue"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(), before, "the same title again is no change");
    patch(serde_json::json!({"title": "Grow revenue faster"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(), before + 1);
}
