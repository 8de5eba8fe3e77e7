//! Check-ins over the pages' forms (DESIGN §3 "Measuring key results", "Check-ins"): a key
//! result measured by a number, a milestone or its actions, created from the tree's form and
//! checked in through the dialog's routes; refusals that keep what was typed and change
//! nothing; the author's 24 hours to change or delete their latest check-in; the item page's
//! history and chart; and, in a real browser, a check-in from the tree that moves the row's
//! progress without a reload.

use cairn::schema::{check_ins, okr_items};
use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::browser::Chrome;
use crate::harness::{Browser, Page, Workspace};
use crate::snapshot::Snapshot;

/// Creates a key result under `parent` from the tree's "add key result" form, with these
/// measure fields; returns its id.
async fn key_result(ws: &Workspace, parent: &str, title: &str, measure: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("item_type", "key_result"),
        ("parent_id", parent),
        ("title", title),
        ("due_date", ""),
    ];
    fields.extend_from_slice(measure);
    let page = ws
        .admin
        .submit(&ws.base(), &format!("{}/items", ws.base()), &fields)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location()
        .and_then(|l| l.rsplit("#item-").next())
        .expect("the new item's anchor")
        .to_owned()
}

const DEALS: &[(&str, &str)] = &[
    ("measure", "metric"),
    ("metric_kind", "increase_to"),
    ("baseline", "0"),
    ("target", "20"),
    ("unit", "deals"),
    ("decimals", "0"),
];

fn item_path(ws: &Workspace, id: &str) -> String {
    format!("{}/items/{id}", ws.base())
}

/// Posts the check-in dialog's form as htmx does, from the item's page.
async fn check_in(ws: &Workspace, who: &Browser, id: &str, fields: &[(&str, &str)]) -> Page {
    who.get(&item_path(ws, id)).await;
    who.htmx_post(&format!("{}/check-ins", item_path(ws, id)), fields)
        .await
}

fn progress(ws: &Workspace, id: &str) -> f64 {
    okr_items::table
        .find(id)
        .select(okr_items::progress_computed)
        .first(&mut ws.app.db())
        .expect("item")
}

fn latest_check_in(ws: &Workspace, item: &str) -> String {
    check_ins::table
        .filter(check_ins::item_id.eq(item))
        .order(check_ins::created_at.desc())
        .select(check_ins::id)
        .first(&mut ws.app.db())
        .expect("a check-in")
}

/// Opens the check-in dialog as htmx does.
async fn dialog(who: &Browser, path: &str) -> Page {
    let response = who
        .client
        .get(who.url(path))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("GET");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    Page {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn a_metric_key_result_from_the_tree_form_checks_in_and_its_page_shows_value_history_and_chart(
) {
    let ws = Workspace::new("option_1").await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let kr = key_result(&ws, &objective, "Close 20 deals", DEALS).await;
    let page = ws.admin.get(&item_path(&ws, &kr)).await;
    assert_eq!(
        page.text_of("#item-measure").as_deref(),
        Some("0 / 20 deals")
    );
    assert_eq!(
        page.attr_of("#measure-item option[selected]", "value")
            .as_deref(),
        Some("metric")
    );
    assert_eq!(page.attr_of("#target-item", "value").as_deref(), Some("20"));

    let opened = dialog(&ws.admin, &format!("{}/check-ins/new", item_path(&ws, &kr))).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(
        opened.body.trim_start().starts_with("<dialog"),
        "a fragment: {}",
        opened.body
    );
    assert_eq!(
        opened.text_of(".input-suffix span").as_deref(),
        Some("deals")
    );
    assert_eq!(
        opened.text_of(".check-in-now strong").as_deref(),
        Some("0 / 20 deals")
    );
    assert!(opened
        .html()
        .select(&sel("input[name=done]"))
        .next()
        .is_none());

    let saved = check_in(
        &ws,
        &ws.admin,
        &kr,
        &[
            ("value", "12"),
            ("confidence", "6"),
            ("note", "**Two** signed this week"),
            ("effective_on", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let trigger = saved.header("hx-trigger").expect("the page hears of it");
    assert!(
        trigger.contains("cairn:checked-in") && trigger.contains(&kr),
        "{trigger}"
    );
    assert_eq!(saved.header("hx-reswap"), Some("none"));

    assert_eq!(progress(&ws, &kr), 60.0, "12 of the way from 0 to 20");
    assert_eq!(progress(&ws, &objective), 60.0, "the objective rolls up");
    let page = ws.admin.get(&item_path(&ws, &kr)).await;
    assert_eq!(
        page.text_of("#item-measure").as_deref(),
        Some("12 / 20 deals")
    );
    assert_eq!(page.text_of("#item-progress").as_deref(), Some("60%"));
    assert_eq!(
        page.text_of(".check-in-reading").as_deref(),
        Some("12 deals")
    );
    assert_eq!(
        page.text_of(".check-in-entry .band").as_deref(),
        Some("Confidence 6 · At risk")
    );
    assert!(
        page.body.contains("<strong>Two</strong> signed this week"),
        "the note is rendered markdown"
    );
    // The chart: the baseline and the check-in as dots, and the same numbers as a table.
    assert_eq!(
        page.html().select(&sel(".check-in-chart circle")).count(),
        2
    );
    let rows: Vec<String> = page
        .html()
        .select(&sel(".chart-numbers tbody td:first-of-type"))
        .map(|td| td.text().collect())
        .collect();
    assert_eq!(rows, ["0 deals (baseline)", "12 deals"]);
    assert!(
        page.text_of("#item-history")
            .is_some_and(|h| h.contains("checked in 12 deals, confidence 6")),
        "the history reads what was reported"
    );
    // The tree shows the new progress on the row and its objective.
    let tree = ws.admin.get(&ws.base()).await;
    for id in [&kr, &objective] {
        assert_eq!(
            tree.text_of(&format!("#item-{id} .progress-number"))
                .as_deref(),
            Some("60%")
        );
    }
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("selector")
}

#[tokio::test]
async fn a_done_milestone_is_100_and_rolls_up_and_a_form_without_script_lands_on_the_item() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Ship it").await;
    let launch = key_result(&ws, &objective, "Launch", &[("measure", "milestone")]).await;
    let plan = key_result(&ws, &objective, "Plan", &[]).await;
    let opened = dialog(
        &ws.admin,
        &format!("{}/check-ins/new", item_path(&ws, &launch)),
    )
    .await;
    assert!(opened
        .html()
        .select(&sel("input[type=checkbox][name=done]"))
        .next()
        .is_some());
    assert!(opened
        .html()
        .select(&sel("input[name=value]"))
        .next()
        .is_none());
    // Without script: the dialog is a page, and saving goes to the item.
    let new = format!("{}/check-ins/new", item_path(&ws, &launch));
    let page = ws.admin.get(&new).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text_of("h1").is_some_and(|t| t.contains("Launch")));
    let saved = ws
        .admin
        .post_form(
            &format!("{}/check-ins", item_path(&ws, &launch)),
            &[
                ("done", "true"),
                ("confidence", "8"),
                ("note", ""),
                ("effective_on", ""),
            ],
        )
        .await;
    saved.assert_redirect(&format!("{}#check-ins", item_path(&ws, &launch)));
    assert_eq!(progress(&ws, &launch), 100.0);
    assert_eq!(progress(&ws, &plan), 0.0);
    assert_eq!(
        progress(&ws, &objective),
        50.0,
        "(100 + 0) / 2, equal weights"
    );
    let page = ws.admin.get(&item_path(&ws, &launch)).await;
    assert_eq!(page.text_of("#item-measure").as_deref(), Some("Done"));
    assert_eq!(page.text_of(".check-in-reading").as_deref(), Some("Done"));
    // Weighting the milestone 3 on its page moves the objective to 75.
    let weighted = ws
        .admin
        .submit(
            &item_path(&ws, &launch),
            &item_path(&ws, &launch),
            &[
                ("title", "Launch"),
                ("description", ""),
                ("owner_user_id", &ws.app.user_id("admin@example.com")),
                ("start_date", ""),
                ("due_date", ""),
                ("measure", "milestone"),
                ("weight", "3"),
            ],
        )
        .await;
    weighted.assert_redirect(&item_path(&ws, &launch));
    assert_eq!(progress(&ws, &objective), 75.0, "(3 × 100 + 1 × 0) / 4");
}

#[tokio::test]
async fn a_key_result_measured_by_its_actions_takes_confidence_and_a_note_only() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "Run the plan")
        .await;
    let action = ws.create(&ws.admin, "action", Some(&kr), "Do it").await;
    let opened = dialog(&ws.admin, &format!("{}/check-ins/new", item_path(&ws, &kr))).await;
    assert!(opened
        .html()
        .select(&sel("input[name=value]"))
        .next()
        .is_none());
    assert!(opened
        .html()
        .select(&sel("input[name=done]"))
        .next()
        .is_none());
    assert!(opened
        .html()
        .select(&sel("input[name=confidence]"))
        .next()
        .is_some());

    let before = Snapshot::take(&ws.app);
    let refused = check_in(
        &ws,
        &ws.admin,
        &kr,
        &[
            ("value", "5"),
            ("confidence", "3"),
            ("note", "Kept"),
            ("effective_on", ""),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of(".form-error")
        .is_some_and(|m| m.contains("comes from its actions")));
    assert_eq!(refused.text_of("#check-in-note").as_deref(), Some("Kept"));
    before.assert_unchanged(&ws.app, "a value for a key result measured by its actions");

    let saved = check_in(
        &ws,
        &ws.admin,
        &kr,
        &[
            ("confidence", "3"),
            ("note", "Behind"),
            ("effective_on", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(progress(&ws, &kr), 0.0, "its value is computed, not typed");
    let page = ws.admin.get(&item_path(&ws, &kr)).await;
    assert_eq!(
        page.text_of(".check-in-entry .band").as_deref(),
        Some("Confidence 3 · Off track")
    );
    assert!(page.text_of(".check-in-reading").is_none());
    // Objectives take check-ins too; actions do not.
    let on_objective = check_in(
        &ws,
        &ws.admin,
        &objective,
        &[("confidence", "7"), ("note", ""), ("effective_on", "")],
    )
    .await;
    assert_eq!(on_objective.status, StatusCode::OK, "{}", on_objective.body);
    let before = Snapshot::take(&ws.app);
    let on_action = check_in(&ws, &ws.admin, &action, &[("confidence", "7")]).await;
    assert_eq!(on_action.status, StatusCode::UNPROCESSABLE_ENTITY);
    before.assert_unchanged(&ws.app, "a check-in on an action");
}

#[tokio::test]
async fn refused_check_ins_and_measures_keep_what_was_typed_and_change_nothing() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = key_result(&ws, &objective, "Close 20 deals", DEALS).await;
    let milestone = key_result(&ws, &objective, "Launch", &[("measure", "milestone")]).await;
    let tomorrow = (ws.app.clock.today() + Duration::days(1)).to_string();
    for (item, fields, field, message) in [
        (
            &kr,
            vec![("value", "12"), ("confidence", "11"), ("note", "Typed")],
            "#check-in-confidence-error",
            "Choose a confidence from 0 to 10.",
        ),
        (
            &kr,
            vec![
                ("value", "12"),
                ("confidence", "6"),
                ("note", "Typed"),
                ("effective_on", &tomorrow),
            ],
            "#check-in-date-error",
            "A check-in cannot speak for a day in the future.",
        ),
        (
            &kr,
            vec![("value", "twelve"), ("confidence", "6"), ("note", "Typed")],
            "#check-in-value-error",
            "Enter a number, such as 12 or 12.5.",
        ),
        (
            &milestone,
            vec![("value", "12"), ("confidence", "6"), ("note", "Typed")],
            ".form-error",
            "A milestone is done or not done; it takes no value.",
        ),
    ] {
        let before = Snapshot::take(&ws.app);
        let page = check_in(&ws, &ws.admin, item, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(page.text_of(field).as_deref(), Some(message), "{fields:?}");
        assert!(
            page.body.trim_start().starts_with("<form"),
            "the form, to swap into the dialog"
        );
        assert_eq!(page.text_of("#check-in-note").as_deref(), Some("Typed"));
        if item == &kr {
            assert_eq!(
                page.attr_of("#check-in-value", "value").as_deref(),
                fields.iter().find(|(k, _)| *k == "value").map(|(_, v)| *v)
            );
        }
        before.assert_unchanged(&ws.app, &format!("check-in {fields:?}"));
    }

    // A metric whose target does not lie above its baseline, from the tree's form…
    let before = Snapshot::take(&ws.app);
    let page = ws
        .admin
        .submit(
            &ws.base(),
            &format!("{}/items", ws.base()),
            &[
                ("item_type", "key_result"),
                ("parent_id", &objective),
                ("title", "Flat"),
                ("due_date", ""),
                ("measure", "metric"),
                ("metric_kind", "increase_to"),
                ("baseline", "5"),
                ("target", "5"),
                ("unit", "deals"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of(&format!("#target-{objective}-error"))
            .as_deref(),
        Some("To increase, the target must be above the baseline.")
    );
    assert_eq!(
        page.attr_of(&format!("#title-{objective}"), "value")
            .as_deref(),
        Some("Flat")
    );
    assert_eq!(
        page.attr_of(&format!("#unit-{objective}"), "value")
            .as_deref(),
        Some("deals")
    );
    assert!(page
        .attr_of(&format!("#item-{objective} details.add-child"), "open")
        .is_some());
    before.assert_unchanged(&ws.app, "a metric with baseline = target from the tree");
    // …and from the item page, where the typed title stays too.
    let page = ws
        .admin
        .submit(
            &item_path(&ws, &kr),
            &item_path(&ws, &kr),
            &[
                ("title", "Renamed"),
                ("description", ""),
                ("owner_user_id", &ws.app.user_id("admin@example.com")),
                ("start_date", ""),
                ("due_date", ""),
                ("measure", "metric"),
                ("metric_kind", "increase_to"),
                ("baseline", "20"),
                ("target", "20"),
                ("unit", "deals"),
                ("decimals", "0"),
                ("weight", "heavy"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#target-item-error").as_deref(),
        Some("To increase, the target must be above the baseline.")
    );
    assert_eq!(
        page.text_of("#weight-error").as_deref(),
        Some("Enter a weight from 0 to 100.")
    );
    assert_eq!(page.attr_of("#title", "value").as_deref(), Some("Renamed"));
    assert_eq!(
        page.attr_of("#baseline-item", "value").as_deref(),
        Some("20")
    );
    before.assert_unchanged(&ws.app, "a metric with baseline = target on the item page");

    // Someone who may not edit the key result: 403, and nothing changes.
    let mia = ws.member("mia@example.com", "Mia Member", None).await;
    let before = Snapshot::take(&ws.app);
    let opened = dialog(&mia, &format!("{}/check-ins/new", item_path(&ws, &kr))).await;
    assert_eq!(opened.status, StatusCode::FORBIDDEN);
    let refused = check_in(&ws, &mia, &kr, &[("value", "19"), ("confidence", "9")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let plain = mia
        .post_form(
            &format!("{}/check-ins", item_path(&ws, &kr)),
            &[("value", "19"), ("confidence", "11")],
        )
        .await;
    assert_eq!(
        plain.status,
        StatusCode::FORBIDDEN,
        "even with a bad confidence"
    );
    assert!(plain
        .body
        .contains("You can change only items you own or are assigned to."));
    before.assert_unchanged(&ws.app, "a check-in by someone who may not edit");
    // The tree offers her no "Check in" on it.
    let tree = mia.get(&ws.base()).await;
    assert!(tree
        .text_of(&format!("#item-{kr} .check-in-open"))
        .is_none());
    let own = ws.admin.get(&ws.base()).await;
    assert!(own.text_of(&format!("#item-{kr} .check-in-open")).is_some());
}

#[tokio::test]
async fn the_author_changes_or_deletes_their_latest_check_in_for_24_hours_and_admins_delete_any() {
    let ws = Workspace::new("option_1").await;
    let mia = ws.member("mia@example.com", "Mia Member", None).await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = key_result(&ws, &objective, "Close 20 deals", DEALS).await;
    ws.assign(&kr, "mia@example.com");
    for value in ["4", "5"] {
        let saved = check_in(&ws, &mia, &kr, &[("value", value), ("confidence", "6")]).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        ws.app.clock.advance(Duration::minutes(1));
    }
    let latest = latest_check_in(&ws, &kr);
    let older: String = check_ins::table
        .filter(check_ins::id.ne(&latest))
        .select(check_ins::id)
        .first(&mut ws.app.db())
        .expect("the older one");
    let page = mia.get(&item_path(&ws, &kr)).await;
    assert!(page
        .text_of(&format!("#check-in-{latest} .check-in-actions"))
        .is_some());
    assert!(
        page.text_of(&format!("#check-in-{older} .check-in-actions"))
            .is_none(),
        "only the latest may change"
    );
    let edit = |id: &str| format!("{}/check-ins/{id}", ws.base());
    let opened = dialog(&mia, &format!("{}/edit", edit(&latest))).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(
        opened.attr_of("#check-in-value", "value").as_deref(),
        Some("5")
    );
    let changed = mia
        .htmx_post(
            &edit(&latest),
            &[("value", "7"), ("confidence", "7"), ("note", "Better")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(progress(&ws, &kr), 35.0, "7 of 20");
    let before = Snapshot::take(&ws.app);
    let refused = mia
        .htmx_post(&edit(&older), &[("value", "9"), ("confidence", "7")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "not the latest");
    before.assert_unchanged(&ws.app, "changing an older check-in");

    // A day later the author may neither change nor delete it; an admin may delete it.
    ws.app.clock.advance(Duration::hours(25));
    let before = Snapshot::take(&ws.app);
    let late = mia
        .htmx_post(&edit(&latest), &[("value", "9"), ("confidence", "7")])
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert!(
        late.body.contains("for 24 hours after writing it"),
        "{}",
        late.body
    );
    let late = mia
        .htmx_post(&format!("{}/delete", edit(&latest)), &[])
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert_eq!(
        dialog(&mia, &format!("{}/edit", edit(&latest)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    before.assert_unchanged(&ws.app, "the author after 24 hours");
    let page = mia.get(&item_path(&ws, &kr)).await;
    assert!(
        page.text_of(".check-in-actions").is_none(),
        "nothing offered after 24 hours"
    );

    ws.admin.get(&item_path(&ws, &kr)).await;
    let deleted = ws
        .admin
        .post_form(&format!("{}/delete", edit(&latest)), &[])
        .await;
    deleted.assert_redirect(&format!("{}#check-ins", item_path(&ws, &kr)));
    assert_eq!(progress(&ws, &kr), 20.0, "back to the older check-in's 4");
    let page = ws.admin.get(&item_path(&ws, &kr)).await;
    assert_eq!(page.html().select(&sel(".check-in-entry")).count(), 1);
    assert!(page
        .text_of("#item-history")
        .is_some_and(|h| h.contains("deleted a check-in of 7 deals, confidence 7")));
}

/// In headless Chromium: "Check in" on a metric key result's tree row opens the dialog; the
/// confidence shows its band as it moves; saving closes the dialog and the row's progress
/// (and its objective's) changes without a reload.
#[tokio::test]
async fn checking_in_from_the_tree_dialog_moves_the_progress_without_a_reload_in_a_real_browser() {
    let ws = Workspace::new("option_1").await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let kr = key_result(&ws, &objective, "Close 20 deals", DEALS).await;
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&ws.app.base_url, "admin@example.com").await;
    chrome
        .client
        .goto(&format!("{}{}", ws.app.base_url, ws.base()))
        .await
        .expect("tree");
    chrome
        .client
        .execute("window.cairnNotReloaded = true;", vec![])
        .await
        .expect("mark the page");
    chrome
        .find(&format!("#item-{kr} .check-in-open"))
        .await
        .click()
        .await
        .expect("open the dialog");
    chrome
        .wait_for("dialog.check-in-dialog[open] #check-in-value")
        .await;
    let now = chrome
        .find(".check-in-now strong")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(now, "0 / 20 deals");
    let value = chrome.find("#check-in-value").await;
    value.clear().await.expect("clear");
    value.send_keys("12").await.expect("type the value");
    chrome
        .client
        .execute(
            "const r = document.querySelector('#check-in-confidence'); r.value = '8'; r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("move the confidence");
    let band = chrome
        .find("#check-in-band")
        .await
        .text()
        .await
        .expect("band");
    let band = band.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(band, "8 On track", "the band follows the control");
    chrome
        .find("dialog.check-in-dialog button.button-primary")
        .await
        .click()
        .await
        .expect("save");
    chrome
        .wait_until(&format!(
            "return !document.querySelector('dialog.check-in-dialog') && ['{kr}', '{objective}'].every((id) => document.querySelector(`#item-${{id}} .progress-number`)?.textContent.trim() === '60%' && document.querySelector(`#item-${{id}} progress`)?.value === 60);"
        ))
        .await;
    let kept = chrome
        .client
        .execute("return window.cairnNotReloaded === true;", vec![])
        .await
        .expect("marker");
    assert_eq!(kept, serde_json::json!(true), "the page was not reloaded");
    assert_eq!(progress(&ws, &kr), 60.0);
    // The dialog opened again reads the new value.
    chrome
        .find(&format!("#item-{kr} .check-in-open"))
        .await
        .click()
        .await
        .expect("open again");
    chrome.wait_for("dialog.check-in-dialog[open]").await;
    let now = chrome
        .find(".check-in-now strong")
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(now, "12 / 20 deals");
    chrome.quit().await;
}
