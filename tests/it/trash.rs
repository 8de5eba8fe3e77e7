//! Restoring from the trash: exactly what went with an item comes back, and an item whose
//! parent is still in the trash waits for it.

use cairn::schema::okr_items;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::Workspace;
use crate::snapshot::Snapshot;

impl Workspace {
    fn item(&self, id: &str) -> String {
        format!("{}/items/{id}", self.base())
    }

    fn trash(&self) -> String {
        format!("{}/trash", self.base())
    }

    async fn delete(&self, id: &str) {
        self.admin
            .submit(&self.item(id), &format!("{}/delete", self.item(id)), &[])
            .await
            .assert_redirect(&self.base());
    }

    async fn trash_titles(&self) -> Vec<String> {
        let page = self.admin.get(&self.trash()).await;
        assert_eq!(page.status, StatusCode::OK);
        let title = scraper::Selector::parse(".trash-title").expect("selector");
        let mut titles: Vec<String> = page
            .html()
            .select(&title)
            .map(|t| t.text().collect())
            .collect();
        titles.sort();
        titles
    }

    fn stored_progress(&self, id: &str) -> f64 {
        okr_items::table
            .find(id)
            .select(okr_items::progress_computed)
            .first(&mut self.app.db())
            .expect("item")
    }
}

#[tokio::test]
async fn restoring_brings_back_exactly_what_went_with_it_and_children_wait_for_their_parent() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "Revenue")
        .await;
    let early = ws
        .create(&ws.admin, "action", Some(&kr), "Deleted first")
        .await;
    let later = ws
        .create(
            &ws.admin,
            "action",
            Some(&kr),
            "Deleted with its key result",
        )
        .await;
    ws.admin
        .submit(
            &ws.base(),
            &format!("{}/status", ws.item(&later)),
            &[("action_status", "done")],
        )
        .await;
    assert_eq!(ws.stored_progress(&objective), 50.0, "one of two done");

    // One action goes on its own, then its key result with the other one.
    ws.delete(&early).await;
    ws.delete(&kr).await;
    assert_eq!(ws.stored_progress(&objective), 0.0);
    assert_eq!(ws.trash_titles().await, ["Deleted first", "Revenue"]);

    // The early action must wait for its key result, and is told why.
    let before = Snapshot::take(&ws.app);
    let refused = ws
        .admin
        .submit(&ws.trash(), &format!("{}/restore", ws.item(&early)), &[])
        .await;
    refused.assert_redirect(&ws.trash());
    before.assert_unchanged(&ws.app, "restoring an item whose parent is in the trash");
    let trash = ws.admin.get(&ws.trash()).await;
    assert_eq!(
        trash.text_of(".toast").as_deref(),
        Some("Its parent is in the trash too; restore the parent first.")
    );

    // The key result comes back with the action deleted with it, not the earlier one.
    ws.admin
        .submit(&ws.trash(), &format!("{}/restore", ws.item(&kr)), &[])
        .await
        .assert_redirect(&ws.trash());
    assert_eq!(
        ws.titles(&ws.admin).await,
        ["Grow", "Revenue", "Deleted with its key result"]
    );
    assert_eq!(ws.trash_titles().await, ["Deleted first"]);
    assert_eq!(
        ws.stored_progress(&objective),
        100.0,
        "the action still in the trash does not count"
    );

    // Now its parent is back, the early action may follow.
    ws.admin
        .submit(&ws.trash(), &format!("{}/restore", ws.item(&early)), &[])
        .await
        .assert_redirect(&ws.trash());
    assert!(ws.trash_titles().await.is_empty());
    assert_eq!(ws.stored_progress(&objective), 50.0);
}

#[tokio::test]
async fn moving_to_the_trash_offers_undo_which_brings_the_item_back() {
    let ws = Workspace::new("option_1").await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let page = ws.admin.get(&ws.item(&objective)).await;
    assert!(page
        .attr_of("form[action$='/delete']", "data-confirm")
        .is_some_and(|q| q.contains("Grow revenue")));
    ws.delete(&objective).await;
    let tree = ws.admin.get(&ws.base()).await;
    assert_eq!(
        tree.text_of(".toast")
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
        Some("Moved “Grow revenue” to the trash. Undo".to_owned())
    );
    let undo = tree.attr_of(".toast form", "action").expect("an undo form");
    ws.admin
        .submit(&ws.base(), &undo, &[])
        .await
        .assert_redirect(&ws.item(&objective));
    assert!(ws.trash_titles().await.is_empty());
    assert_eq!(ws.titles(&ws.admin).await, ["Grow revenue"]);
}

#[tokio::test]
async fn deleting_asks_first_and_undo_restores_in_a_real_browser() {
    let ws = Workspace::new("option_1").await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let Some(chrome) = crate::browser::Chrome::launch().await else {
        return;
    };
    chrome.log_in(&ws.app.base_url, "admin@example.com").await;
    let item = format!("{}{}", ws.app.base_url, ws.item(&objective));
    chrome.client.goto(&item).await.expect("item page");
    // Declining the question sends nothing.
    chrome
        .client
        .execute(
            "window.confirm = (q) => { sessionStorage.asked = q; return false; };",
            vec![],
        )
        .await
        .expect("decline");
    chrome
        .find("form[action$='/delete'] button")
        .await
        .click()
        .await
        .expect("delete");
    let asked = chrome
        .wait_until("return sessionStorage.asked || null;")
        .await;
    assert!(
        asked.as_str().is_some_and(|q| q.contains("Grow revenue")),
        "{asked}"
    );
    assert!(
        ws.trash_titles().await.is_empty(),
        "declined: nothing moved"
    );
    chrome
        .client
        .execute("window.confirm = () => true;", vec![])
        .await
        .expect("accept");
    chrome
        .find("form[action$='/delete'] button")
        .await
        .click()
        .await
        .expect("delete");
    chrome
        .find(".toast form button")
        .await
        .click()
        .await
        .expect("undo");
    chrome.wait_for("form[action$='/delete']").await;
    assert_eq!(
        chrome.client.current_url().await.expect("url").as_str(),
        item
    );
    assert!(ws.trash_titles().await.is_empty());
}
