//! In headless Chromium: typing "@" and letters in the comment box offers the members who
//! can see the item; one picked with the keyboard is written as a mention, and the posted
//! comment shows it as a highlighted "@Name" without a reload; Edit opens it in place; and
//! the bell of the member mentioned counts one more.

use fantoccini::key::Key;
use fantoccini::Locator;

use crate::browser::Chrome;
use crate::harness::{TestApp, Workspace};
use crate::notifications::wait_for_rows;

/// Whether the page still holds the marker set when it was opened, i.e. nothing reloaded it.
async fn stayed(chrome: &Chrome) -> bool {
    chrome
        .client
        .execute("return window.stayed === true", vec![])
        .await
        .expect("marker")
        == serde_json::json!(true)
}

#[tokio::test]
async fn a_mention_picked_from_the_autocomplete_is_posted_and_shown_as_a_name() {
    let app = TestApp::spawn_with(&[("OUTBOX_POLL_MILLIS", "50")]).await;
    let w = Workspace::in_app(app, "option_2").await;
    let ada_http = w.member("ada@example.com", "Ada Lovelace", None).await;
    w.member("adam@example.com", "Adam Hidden", None).await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    w.assign(&item, "ada@example.com");
    assert_eq!(
        ada_http.get("/").await.text_of("#bell .bell-count"),
        None,
        "nothing unread before the comment"
    );
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&w.app.base_url, "admin@example.com").await;
    chrome
        .client
        .goto(&format!("{}{}/items/{item}", w.app.base_url, w.base()))
        .await
        .expect("item page");
    // A marker the page keeps only if nothing reloads it.
    chrome
        .client
        .execute("window.stayed = true; return null", vec![])
        .await
        .expect("marker");

    let mut box_ = chrome.find("#comment-body").await;
    box_.send_keys("Over to @ad").await.expect("type");
    chrome
        .wait_until(
            "const o = document.querySelectorAll('#comment-body-mentions [role=option]'); \
             return o.length > 0 && Array.from(o).map(e => e.textContent).join('|')",
        )
        .await;
    let offered = chrome
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#comment-body-mentions [role=option]')).map(e => e.textContent)",
            vec![],
        )
        .await
        .expect("options");
    // Adam cannot see the item (need-to-know): he is never offered.
    assert_eq!(offered, serde_json::json!(["Ada Lovelace", "Adele Admin"]));
    assert_eq!(
        box_.attr("aria-expanded").await.expect("attr").as_deref(),
        Some("true")
    );
    box_.send_keys(&Key::Enter.to_string()).await.expect("pick");
    let ada = w.app.user_id("ada@example.com");
    let value = box_.prop("value").await.expect("value");
    assert_eq!(
        value.as_deref(),
        Some(format!("Over to @[Ada Lovelace](user:{ada}) ").as_str())
    );
    box_ = chrome.find("#comment-body").await;
    box_.send_keys("please").await.expect("type");
    chrome
        .find(".comment-new button[type=submit]")
        .await
        .click()
        .await
        .expect("post");

    let mention = chrome.find("#comments .comment-body .mention").await;
    assert_eq!(mention.text().await.expect("text"), "@Ada Lovelace");
    assert!(stayed(&chrome).await, "the page reloaded");
    let fresh = chrome
        .client
        .find(Locator::Css("#comment-body"))
        .await
        .expect("box");
    assert_eq!(
        fresh.prop("value").await.expect("value").as_deref(),
        Some("")
    );
    // Edit opens the comment in place, its words as written, focused; a new comment being
    // written below stays as typed.
    chrome
        .find("#comment-body")
        .await
        .send_keys("half a thought")
        .await
        .expect("type a draft");
    chrome
        .find("#comments .comment-edit")
        .await
        .click()
        .await
        .expect("edit");
    let editing = chrome.find("#comment-edit-body").await;
    assert_eq!(
        editing.prop("value").await.expect("value").as_deref(),
        Some(format!("Over to @[Ada Lovelace](user:{ada}) please").as_str())
    );
    chrome
        .wait_until(
            "return document.activeElement && document.activeElement.id === 'comment-edit-body'",
        )
        .await;
    assert_eq!(
        chrome
            .client
            .execute(
                "return document.getElementById('comment-body').value",
                vec![]
            )
            .await
            .expect("draft"),
        serde_json::json!("half a thought"),
        "the draft survived the swap"
    );
    assert!(stayed(&chrome).await, "Edit reloaded the page");

    // Once the runner has told Ada, her bell counts the mention.
    wait_for_rows(&w, "ada@example.com", 1).await;
    chrome.client.delete_all_cookies().await.expect("log out");
    chrome.log_in(&w.app.base_url, "ada@example.com").await;
    chrome
        .client
        .goto(&format!("{}{}", w.app.base_url, w.base()))
        .await
        .expect("workspace");
    let bell = chrome.find("#bell").await;
    assert_eq!(
        bell.attr("aria-label").await.expect("label").as_deref(),
        Some("Notifications, 1 unread")
    );
    assert_eq!(
        chrome
            .find("#bell .bell-count")
            .await
            .text()
            .await
            .expect("count"),
        "1"
    );
    bell.click().await.expect("open the inbox");
    let told = chrome.find(".inbox-entry.is-unread .inbox-sentence").await;
    assert!(
        told.text()
            .await
            .expect("sentence")
            .contains("Adele Admin mentioned you on 'Grow revenue'"),
        "the inbox names the mention"
    );
    chrome.quit().await;
}
