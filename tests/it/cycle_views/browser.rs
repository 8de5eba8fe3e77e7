//! In headless Chromium: the switcher changes the cycle the board and the gantt show, and
//! a card moved after its cycle closed goes back with the server's reason in the toast.

use reqwest::StatusCode;

use crate::browser::Chrome;
use crate::harness::Workspace;

#[tokio::test]
async fn switching_cycles_on_the_board_and_the_gantt_shows_the_other_cycles_items() {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    let now = w.objective_in(&q.this, "Ship now").await;
    let later = w.objective_in(&q.next, "Ship later").await;
    // Both get bars in their cycle's range.
    for (id, due) in [(&now, w.day(10)), (&later, w.day(100))] {
        w.admin.get(&format!("{}/gantt", w.base())).await;
        let page = w
            .admin
            .script_post(
                &format!("{}/gantt/items/{id}/dates", w.base()),
                &[("due_date", &due.to_string())],
            )
            .await;
        assert_eq!(page.status, StatusCode::NO_CONTENT, "{}", page.body);
    }
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&w.app.base_url, "admin@example.com").await;
    let shows = |selector: String| format!("return document.querySelector({selector:?}) !== null");

    // The board opens on this quarter; switching shows next quarter's card instead.
    chrome
        .client
        .goto(&format!("{}{}/board", w.app.base_url, w.base()))
        .await
        .expect("board");
    chrome.find(&format!("#card-{now}")).await;
    assert!(!chrome
        .client
        .source()
        .await
        .expect("source")
        .contains(&later));
    chrome
        .find("#cycle-select")
        .await
        .select_by_value(&q.next)
        .await
        .expect("choose next quarter");
    chrome.wait_until(&shows(format!("#card-{later}"))).await;
    let url = chrome.client.current_url().await.expect("url");
    assert!(url.as_str().contains(&format!("cycle={}", q.next)), "{url}");
    assert!(!chrome.client.source().await.expect("source").contains(&now));

    // The tab to the gantt keeps the cycle, and its range is the cycle's.
    chrome
        .find(".view-tabs a[href*='/gantt']")
        .await
        .click()
        .await
        .expect("gantt tab");
    chrome
        .wait_until(&shows(format!(".gantt-bar-group[data-id='{later}']")))
        .await;
    let from = chrome
        .find("#gantt-from")
        .await
        .prop("value")
        .await
        .expect("from");
    assert_eq!(from, Some(w.day(61).to_string()));
    chrome
        .find("#cycle-select")
        .await
        .select_by_value(&q.this)
        .await
        .expect("choose this quarter");
    chrome
        .wait_until(&shows(format!(".gantt-bar-group[data-id='{now}']")))
        .await;
    assert!(!chrome
        .client
        .source()
        .await
        .expect("source")
        .contains(&later));

    // The board of this quarter, then the cycle closes: a drag is refused and the card goes
    // back, with the server's reason in the toast.
    chrome
        .client
        .goto(&format!(
            "{}{}/board?cycle={}",
            w.app.base_url,
            w.base(),
            q.this
        ))
        .await
        .expect("board");
    let card = chrome.find(&format!("#card-{now}")).await;
    w.close_cycle(&q.this);
    chrome.drag_by(&card, 80.0, 60.0).await;
    let message = chrome
        .wait_until(
            "return document.querySelector('.board-status .toast-error')?.textContent ?? null",
        )
        .await;
    assert!(
        message
            .as_str()
            .expect("text")
            .contains("This cycle is closed"),
        "{message}"
    );

    // The same on the gantt: next quarter's bar, dragged after its cycle closed.
    chrome
        .client
        .goto(&format!(
            "{}{}/gantt?cycle={}",
            w.app.base_url,
            w.base(),
            q.next
        ))
        .await
        .expect("gantt");
    let bar = chrome
        .find(&format!(
            ".gantt-bar-group.is-editable[data-id='{later}'] .gantt-bar"
        ))
        .await;
    w.close_cycle(&q.next);
    chrome.drag_by(&bar, 60.0, 0.0).await;
    let message = chrome
        .wait_until(
            "return document.querySelector('.gantt-toast.toast-error')?.textContent ?? null",
        )
        .await;
    assert!(
        message
            .as_str()
            .expect("text")
            .contains("This cycle is closed"),
        "{message}"
    );
}
