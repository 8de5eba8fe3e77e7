//! The board: card places over HTTP (validation, permission, activity, privacy, tidy up,
//! create where clicked, the automatic layout) and, in a real browser, dragging and keyboard
//! moves that stay after a reload.

use cairn::schema::{item_activity_log, okr_items};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::browser::Chrome;
use crate::harness::{Browser, Workspace};

/// A card's place as the board page shows it: (x, y) of its slot.
fn card_place(page_html: &str, item_id: &str) -> Option<(f64, f64)> {
    let html = scraper::Html::parse_document(page_html);
    let selector = scraper::Selector::parse(&format!(".board-slot[data-id='{item_id}']")).ok()?;
    let slot = html.select(&selector).next()?;
    let number = |name: &str| slot.value().attr(name)?.parse::<f64>().ok();
    Some((number("x")?, number("y")?))
}

fn stored_place(ws: &Workspace, item_id: &str) -> (Option<f64>, Option<f64>) {
    okr_items::table
        .find(item_id)
        .select((okr_items::position_x, okr_items::position_y))
        .first(&mut ws.app.db())
        .expect("item")
}

impl Workspace {
    fn board(&self) -> String {
        format!("{}/board", self.base())
    }

    async fn board_html(&self, who: &Browser) -> String {
        let page = who.get(&self.board()).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.body
    }

    async fn put(&self, who: &Browser, item_id: &str, x: &str, y: &str) -> StatusCode {
        // Any page of the app carries the CSRF token the board's script sends.
        who.get("/").await;
        who.script_post(
            &format!("{}/items/{item_id}/position", self.base()),
            &[("x", x), ("y", y)],
        )
        .await
        .status
    }
}

#[tokio::test]
async fn a_card_keeps_the_place_it_was_put_and_the_move_is_logged() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    assert_eq!(
        ws.put(&ws.admin, &objective, "412.4", "-96").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored_place(&ws, &objective), (Some(412.0), Some(-96.0)));
    let html = ws.board_html(&ws.admin).await;
    assert_eq!(card_place(&html, &objective), Some((412.0, -96.0)));
    let logged: Vec<(String, Option<String>)> = item_activity_log::table
        .filter(item_activity_log::item_id.eq(&objective))
        .filter(item_activity_log::action_type.eq("item.positioned"))
        .select((
            item_activity_log::action_type,
            item_activity_log::after_json,
        ))
        .load(&mut ws.app.db())
        .expect("log");
    assert_eq!(logged.len(), 1);
    let after: serde_json::Value =
        serde_json::from_str(logged[0].1.as_deref().expect("after")).expect("json");
    assert_eq!(after, serde_json::json!({ "x": 412.0, "y": -96.0 }));
}

#[tokio::test]
async fn bad_positions_are_refused_with_a_reason_and_change_nothing() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    ws.put(&ws.admin, &objective, "10", "20").await;
    for (x, y) in [
        ("", "5"),
        ("abc", "5"),
        ("NaN", "5"),
        ("inf", "5"),
        ("5", "-infinity"),
        ("1000001", "0"),
        ("0", "-1e300"),
        ("1e3", "0x10"),
    ] {
        ws.admin.get(&ws.board()).await;
        let page = ws
            .admin
            .htmx_post(
                &format!("{}/items/{objective}/position", ws.base()),
                &[("x", x), ("y", y)],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "x={x} y={y}");
        let reason = page.text_of(".error-message").expect("a reason");
        assert!(
            reason.contains("numbers") || reason.contains("between"),
            "{reason}"
        );
    }
    // The board's script asks for JSON and gets the reason with a stable code.
    let page = ws
        .admin
        .script_post(
            &format!("{}/items/{objective}/position", ws.base()),
            &[("x", "12"), ("y", "1e9")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(json["error"]["code"], "bad_request");
    assert_eq!(
        json["error"]["message"],
        "Positions must lie between -1000000 and 1000000."
    );
    assert_eq!(stored_place(&ws, &objective), (Some(10.0), Some(20.0)));
    // The bound itself is allowed.
    assert_eq!(
        ws.put(&ws.admin, &objective, "-1000000", "1000000").await,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn only_who_may_edit_an_item_may_move_it() {
    let ws = Workspace::new("option_1").await;
    let bob = ws.member("bob@example.com", "Bob Member", None).await;
    let admins = ws.create(&ws.admin, "objective", None, "Admin's").await;
    let bobs = ws.create(&bob, "objective", None, "Bob's").await;
    assert_eq!(ws.put(&bob, &admins, "1", "2").await, StatusCode::FORBIDDEN);
    let refusal = bob
        .script_post(
            &format!("{}/items/{admins}/position", ws.base()),
            &[("x", "1"), ("y", "2")],
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&refusal.body).expect("json");
    assert_eq!(json["error"]["code"], "forbidden");
    assert_eq!(
        json["error"]["message"],
        "You can change only items you own or are assigned to."
    );
    assert_eq!(stored_place(&ws, &admins), (None, None));
    assert_eq!(ws.put(&bob, &bobs, "3", "4").await, StatusCode::NO_CONTENT);
    // Admins move anything.
    assert_eq!(
        ws.put(&ws.admin, &bobs, "5", "6").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored_place(&ws, &bobs), (Some(5.0), Some(6.0)));
    // Outsiders and logged-out visitors learn nothing.
    let outsider = ws.app.person("eve@example.com", "Eve Outsider").await;
    assert_eq!(
        ws.put(&outsider, &bobs, "7", "8").await,
        StatusCode::NOT_FOUND
    );
    // A script whose session ended is told so (401 with a code), not sent to a log-in page.
    let anonymous = ws.app.browser();
    anonymous.get("/login").await;
    let page = anonymous
        .script_post(
            &format!("{}/items/{bobs}/position", ws.base()),
            &[("x", "7"), ("y", "8")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(json["error"]["code"], "unauthorized");
    assert_eq!(stored_place(&ws, &bobs), (Some(5.0), Some(6.0)));
}

#[tokio::test]
async fn the_board_shows_only_what_scope_lets_a_member_see() {
    let ws = Workspace::new("option_2").await;
    let bob = ws.member("bob@example.com", "Bob Member", None).await;
    let hidden = ws.create(&ws.admin, "objective", None, "Secret plan").await;
    let own = ws.create(&bob, "objective", None, "Bob's plan").await;
    // A link from the hidden item to Bob's: the edge must not give the hidden end away.
    ws.admin
        .submit(
            &format!("{}/items/{hidden}", ws.base()),
            &format!("{}/items/{hidden}/links", ws.base()),
            &[("to_item_id", &own)],
        )
        .await;
    let html = ws.board_html(&bob).await;
    assert!(card_place(&html, &own).is_some());
    assert!(card_place(&html, &hidden).is_none());
    assert!(!html.contains("Secret plan"));
    assert!(!html.contains(&hidden), "no trace of the hidden item's id");
    // A hidden card cannot be moved either: it does not exist for Bob.
    assert_eq!(ws.put(&bob, &hidden, "1", "1").await, StatusCode::NOT_FOUND);
    let admin_html = ws.board_html(&ws.admin).await;
    assert!(card_place(&admin_html, &hidden).is_some());
    assert!(admin_html.contains(&format!(
        "class=\"edge edge-link\" data-from=\"{hidden}\" data-to=\"{own}\""
    )));
    assert!(card_place(&admin_html, &own).is_some());
}

#[tokio::test]
async fn the_automatic_layout_is_stable_layered_and_without_overlaps() {
    let ws = Workspace::new("option_1").await;
    let mut ids = Vec::new();
    for o in 0..2 {
        let objective = ws
            .create(&ws.admin, "objective", None, &format!("O{o}"))
            .await;
        ids.push(("objective", objective.clone()));
        for k in 0..2 {
            let kr = ws
                .create(
                    &ws.admin,
                    "key_result",
                    Some(&objective),
                    &format!("K{o}{k}"),
                )
                .await;
            ids.push(("key_result", kr.clone()));
            for a in 0..3 {
                let action = ws
                    .create(&ws.admin, "action", Some(&kr), &format!("A{o}{k}{a}"))
                    .await;
                ids.push(("action", action));
            }
        }
    }
    let first = ws.board_html(&ws.admin).await;
    let second = ws.board_html(&ws.admin).await;
    let places: Vec<(&str, (f64, f64))> = ids
        .iter()
        .map(|(t, id)| (*t, card_place(&first, id).expect("card")))
        .collect();
    for (_, id) in &ids {
        assert_eq!(card_place(&first, id), card_place(&second, id));
    }
    let layer = |t: &str| -> Vec<f64> {
        places
            .iter()
            .filter(|(ty, _)| *ty == t)
            .map(|(_, (_, y))| *y)
            .collect()
    };
    // Siblings run left to right in tree order.
    let xs = |t: &str| -> Vec<f64> {
        places
            .iter()
            .filter(|(ty, _)| *ty == t)
            .map(|(_, (x, _))| *x)
            .collect()
    };
    assert!(xs("objective").windows(2).all(|w| w[0] < w[1]));
    assert!(xs("key_result").windows(2).all(|w| w[0] < w[1]));
    let objective_top = layer("objective")[0];
    assert!(layer("objective").iter().all(|y| *y == objective_top));
    let kr_top = layer("key_result")[0];
    assert!(kr_top > objective_top);
    assert!(layer("key_result").iter().all(|y| *y == kr_top));
    assert!(layer("action").iter().all(|y| *y > kr_top));
    // Cards are 240 × 144: no two of them overlap.
    for (i, (_, (x1, y1))) in places.iter().enumerate() {
        for (_, (x2, y2)) in &places[i + 1..] {
            let apart = (x1 - x2).abs() >= 240.0 || (y1 - y2).abs() >= 144.0;
            assert!(apart, "({x1},{y1}) overlaps ({x2},{y2})");
        }
    }
}

#[tokio::test]
async fn tidy_up_returns_cards_the_user_may_tidy_to_the_automatic_layout() {
    let ws = Workspace::new("option_1").await;
    let bob = ws.member("bob@example.com", "Bob Member", None).await;
    let admins = ws.create(&ws.admin, "objective", None, "Admin's").await;
    let bobs = ws.create(&bob, "objective", None, "Bob's").await;
    let other = ws.create(&bob, "objective", None, "Bob's other").await;
    let automatic = card_place(&ws.board_html(&bob).await, &bobs).expect("card");
    for id in [&admins, &bobs, &other] {
        ws.put(&ws.admin, id, "900", "900").await;
    }
    // Bob tidies everything: only his own cards go back.
    let page = bob
        .submit(
            &ws.board(),
            &format!("{}/tidy", ws.board()),
            &[("which", "all"), ("ids", "")],
        )
        .await;
    page.assert_redirect(&ws.board());
    assert_eq!(stored_place(&ws, &bobs), (None, None));
    assert_eq!(stored_place(&ws, &other), (None, None));
    assert_eq!(stored_place(&ws, &admins), (Some(900.0), Some(900.0)));
    let html = bob.get(&ws.board()).await.body;
    assert_eq!(card_place(&html, &bobs), Some(automatic));
    assert!(html.contains("2 cards are back in the automatic layout."));
    // The admin tidies just the chosen one.
    ws.put(&ws.admin, &bobs, "700", "700").await;
    ws.admin
        .submit(
            &ws.board(),
            &format!("{}/tidy", ws.board()),
            &[("which", "selected"), ("ids", &admins)],
        )
        .await
        .assert_redirect(&ws.board());
    assert_eq!(stored_place(&ws, &admins), (None, None));
    assert_eq!(stored_place(&ws, &bobs), (Some(700.0), Some(700.0)));
}

#[tokio::test]
async fn an_item_created_on_the_board_sits_where_the_user_clicked() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let page = ws
        .admin
        .submit(
            &ws.board(),
            &format!("{}/items", ws.board()),
            &[
                ("item_type", "key_result"),
                ("parent_id", &objective),
                ("title", "Double revenue"),
                ("due_date", ""),
                ("x", "640"),
                ("y", "480"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let id = page
        .location()
        .expect("redirect")
        .rsplit("#card-")
        .next()
        .expect("anchor")
        .to_owned();
    assert_eq!(stored_place(&ws, &id), (Some(640.0), Some(480.0)));
    // A refused one comes back with the reason in the dialog and nothing created.
    let before: i64 = okr_items::table
        .count()
        .get_result(&mut ws.app.db())
        .unwrap();
    let page = ws
        .admin
        .submit(
            &ws.board(),
            &format!("{}/items", ws.board()),
            &[
                ("item_type", "action"),
                ("parent_id", ""),
                ("title", "Orphan"),
                ("due_date", ""),
                ("x", "1"),
                ("y", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of(".board-create .field-error")
        .expect("reason")
        .contains("key result"));
    assert_eq!(
        page.attr_of(".board-create input[name=title]", "value")
            .as_deref(),
        Some("Orphan")
    );
    let after: i64 = okr_items::table
        .count()
        .get_result(&mut ws.app.db())
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn edges_join_parents_to_children_and_linked_cards() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "Revenue")
        .await;
    let other = ws.create(&ws.admin, "objective", None, "Hire").await;
    ws.admin
        .submit(
            &format!("{}/items/{objective}", ws.base()),
            &format!("{}/items/{objective}/links", ws.base()),
            &[("to_item_id", &other)],
        )
        .await;
    let html = ws.board_html(&ws.admin).await;
    assert!(html.contains(&format!(
        "class=\"edge edge-parent\" data-from=\"{objective}\" data-to=\"{kr}\""
    )));
    assert!(html.contains(&format!(
        "class=\"edge edge-link\" data-from=\"{objective}\" data-to=\"{other}\""
    )));
}

/// Where the browser currently shows a card.
async fn shown_place(chrome: &Chrome, item_id: &str) -> (f64, f64) {
    let place = chrome
        .client
        .execute(
            "const s = document.querySelector(`.board-slot[data-id='${arguments[0]}']`); return [Number(s.getAttribute('x')), Number(s.getAttribute('y'))];",
            vec![serde_json::json!(item_id)],
        )
        .await
        .expect("place");
    let number = |i: usize| place[i].as_f64().expect("number");
    (number(0), number(1))
}

/// In headless Chromium: a drag by a known offset stays after a reload; a card the user may
/// not move snaps back with the reason; arrow keys move a focused card and save.
#[tokio::test]
async fn cards_move_by_dragging_and_by_keyboard_in_a_real_browser() {
    let ws = Workspace::new("option_1").await;
    let bob = ws.member("bob@example.com", "Bob Member", None).await;
    let admins = ws.create(&ws.admin, "objective", None, "Admin's").await;
    let bobs = ws.create(&bob, "objective", None, "Bob's").await;
    // After Bob's card in the page, so the drag has to raise it.
    ws.create(&bob, "objective", None, "Bob's later").await;
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&ws.app.base_url, "bob@example.com").await;
    let board_url = format!("{}{}", ws.app.base_url, ws.board());
    chrome.client.goto(&board_url).await.expect("board");
    let (x0, y0) = card_place(&ws.board_html(&bob).await, &bobs).expect("card");

    // Drag Bob's card by (120, 80) screen pixels at 100 % zoom, then reload.
    let card = chrome.find(&format!("#card-{bobs}")).await;
    chrome.drag_by(&card, 120.0, 80.0).await;
    chrome
        .wait_until("return document.querySelector('.board-status .toast:not(.toast-error)')?.textContent.includes('saved')")
        .await;
    let on_top = chrome
        .client
        .execute(
            "return document.querySelector('.board-cards').lastElementChild.dataset.id;",
            vec![],
        )
        .await
        .expect("read");
    assert_eq!(on_top, bobs.as_str(), "a dropped card lands on top");
    chrome.client.refresh().await.expect("reload");
    chrome.find(&format!("#card-{bobs}")).await;
    assert_eq!(shown_place(&chrome, &bobs).await, (x0 + 120.0, y0 + 80.0));
    assert_eq!(
        stored_place(&ws, &bobs),
        (Some(x0 + 120.0), Some(y0 + 80.0))
    );

    // The admin's card is not Bob's to move: it goes back, and the reason is shown.
    let (ax, ay) = card_place(&ws.board_html(&bob).await, &admins).expect("card");
    let card = chrome.find(&format!("#card-{admins}")).await;
    chrome.drag_by(&card, 60.0, 200.0).await;
    let message = chrome
        .wait_until(
            "return document.querySelector('.board-status .toast-error')?.textContent ?? null",
        )
        .await;
    assert!(
        message
            .as_str()
            .expect("text")
            .contains("only items you own or are assigned to"),
        "{message}"
    );
    assert_eq!(shown_place(&chrome, &admins).await, (ax, ay));
    assert_eq!(stored_place(&ws, &admins), (None, None));

    // Keyboard: the card is in the tab order; two right arrows and a Shift+down move it,
    // and it is saved once the keys stop.
    chrome.client.refresh().await.expect("reload");
    let card = chrome.find(&format!("#card-{bobs}")).await;
    assert_eq!(
        card.attr("tabindex").await.expect("attr").as_deref(),
        Some("0")
    );
    chrome
        .client
        .execute(
            "document.getElementById(arguments[0]).focus()",
            vec![serde_json::json!(format!("card-{bobs}"))],
        )
        .await
        .expect("focus");
    card.send_keys("\u{E014}\u{E014}\u{E008}\u{E015}\u{E008}")
        .await
        .expect("arrow keys");
    chrome
        .wait_until("return !document.querySelector('.board-card.is-saving') && document.querySelector('.board-status .toast:not(.toast-error)')?.textContent.includes('saved')")
        .await;
    assert_eq!(
        stored_place(&ws, &bobs),
        (Some(x0 + 120.0 + 20.0), Some(y0 + 80.0 + 50.0))
    );

    // "New item" opens the form; the new card is placed in the view and shown after saving.
    chrome
        .find(".board-new:not([hidden])")
        .await
        .click()
        .await
        .expect("new item");
    chrome
        .find(".board-create[open] input[name=title]")
        .await
        .send_keys("Made on the board")
        .await
        .expect("title");
    chrome
        .find(".board-create[open] button[type=submit]")
        .await
        .click()
        .await
        .expect("create");
    let created = chrome
        .wait_until("return location.hash.startsWith('#card-') ? location.hash.slice(6) : null")
        .await;
    let created = created.as_str().expect("id");
    assert_eq!(
        chrome
            .find(&format!("#card-{created} .board-card-title"))
            .await
            .text()
            .await
            .expect("title"),
        "Made on the board"
    );
    assert!(
        stored_place(&ws, created).0.is_some(),
        "placed where the view was"
    );

    // A click (no drag) on a card's title opens the item.
    chrome
        .find(&format!("#card-{bobs} .board-card-title"))
        .await
        .click()
        .await
        .expect("click the title");
    chrome
        .wait_until(&format!(
            "return location.pathname.endsWith('/items/{bobs}')"
        ))
        .await;
    chrome.quit().await;
}

#[tokio::test]
async fn a_member_who_can_move_nothing_is_offered_no_tidy_up_and_no_parent_they_cannot_edit() {
    let ws = Workspace::new("option_1").await;
    let member = ws.member("mia@example.com", "Mia", None).await;
    ws.create(&ws.admin, "objective", None, "Hire two engineers")
        .await;
    let board = format!("{}/board", ws.base());
    let theirs = member.get(&board).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.html().select(&sel(".board-tidy")).next().is_none());
    let parents = |page: &crate::harness::Page| -> Vec<String> {
        page.html()
            .select(&sel("#create-parent option"))
            .map(|o| o.text().collect())
            .collect()
    };
    assert_eq!(parents(&theirs).len(), 1, "only the top of the tree");
    let admins = ws.admin.get(&board).await;
    assert!(admins.html().select(&sel(".board-tidy")).next().is_some());
    assert_eq!(parents(&admins)[1], "Objective: Hire two engineers");
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("selector")
}

#[tokio::test]
async fn a_run_of_moves_by_one_person_is_one_history_row_from_the_first_place_to_the_last() {
    use cairn::schema::item_activity_log;
    use diesel::prelude::*;
    let ws = Workspace::new("option_1").await;
    let mia = ws.member("mia@example.com", "Mia", None).await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    ws.assign(&objective, "mia@example.com");
    for (x, y) in [("10", "20"), ("30", "40"), ("50", "60")] {
        assert_eq!(
            ws.put(&ws.admin, &objective, x, y).await,
            StatusCode::NO_CONTENT
        );
    }
    let moves = |ws: &Workspace| -> Vec<(String, Option<String>, Option<String>)> {
        item_activity_log::table
            .filter(item_activity_log::item_id.eq(&objective))
            .filter(item_activity_log::action_type.eq("item.positioned"))
            .order(item_activity_log::created_at.asc())
            .select((
                item_activity_log::actor_user_id,
                item_activity_log::before_json,
                item_activity_log::after_json,
            ))
            .load(&mut ws.app.db())
            .expect("rows")
    };
    let rows = moves(&ws);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let place = |json: &Option<String>| -> serde_json::Value {
        serde_json::from_str(json.as_deref().unwrap_or("null")).expect("json")
    };
    assert_eq!(place(&rows[0].1), serde_json::json!({"x": null, "y": null}));
    assert_eq!(place(&rows[0].2), serde_json::json!({"x": 50.0, "y": 60.0}));
    // Someone else's move is a row of its own.
    assert_eq!(
        ws.put(&mia, &objective, "70", "80").await,
        StatusCode::NO_CONTENT
    );
    let rows = moves(&ws);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].0, ws.app.user_id("mia@example.com"));
}
