//! Status and pace where items show (DESIGN §3 "Status and pace"): the pill with its word on
//! the tree, the board, the gantt and the item page; silence after the workspace's check-in
//! cadence; "expected" next to the progress of an item behind pace; the status filter; the
//! objective taking the worst of its key results. Check-ins are written through the domain
//! (`okr::check_ins::add`) on the app's clock; the pages are read over HTTP.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;

use cairn::activity::Actor;
use cairn::okr::check_ins::{self, CheckInDraft, Confidence};
use cairn::okr::edit::{self, ItemChanges};
use cairn::okr::measure::{KeyResultMeasure, Metric, MetricKind, Number};
use cairn::scope::Viewer;

use crate::harness::{Page, Workspace};
use crate::snapshot::Snapshot;

/// The workspace admin as the domain sees them.
pub(crate) fn admin(w: &Workspace) -> (Actor, Viewer) {
    let mut conn = w.app.db();
    let user_id = w.app.user_id("admin@example.com");
    let access = cairn::workspaces::access(&mut conn, &user_id, &w.org, &w.ws).expect("access");
    let viewer = Viewer::new(&mut conn, &access).expect("viewer");
    let actor = Actor {
        user_id,
        request_id: "status-test".into(),
    };
    (actor, viewer)
}

pub(crate) fn change(w: &Workspace, item_id: &str, changes: ItemChanges) {
    let (actor, viewer) = admin(w);
    edit::update(
        &mut w.app.db(),
        &actor,
        &viewer,
        item_id,
        changes,
        cairn::db::now(),
    )
    .expect("change");
}

/// A key result measured from `baseline` to `target` deals.
pub(crate) fn measure_deals(w: &Workspace, item_id: &str, baseline: &str, target: &str) {
    let number = |raw| Number::parse(raw, 0, "value").expect("number");
    let metric = Metric::new(
        MetricKind::IncreaseTo,
        number(baseline),
        number(target),
        Some("deals".into()),
        0,
    )
    .expect("metric");
    let changes = ItemChanges {
        measure: Some(KeyResultMeasure::Metric(metric).into()),
        ..ItemChanges::default()
    };
    change(w, item_id, changes);
}

/// A check-in today (on the app's clock) with `confidence`, and a value or done flag.
pub(crate) fn check_in(
    w: &Workspace,
    item_id: &str,
    confidence: i64,
    value: Option<&str>,
    done: Option<bool>,
) {
    let (actor, viewer) = admin(w);
    let draft = CheckInDraft {
        value: value.map(str::to_owned),
        done,
        confidence: Confidence::new(confidence).expect("confidence"),
        note: None,
        effective_on: None,
    };
    let now = w.app.clock.now();
    check_ins::add(&mut w.app.db(), &actor, &viewer, item_id, draft, now).expect("check in");
}

fn pill(page: &Page, container: &str) -> Option<String> {
    page.text_of(&format!("{container} .status-pill"))
}

/// The status word on an item's tree row, for the admin.
async fn tree_pill(w: &Workspace, item_id: &str) -> Option<String> {
    let tree = w.admin.get(&w.base()).await;
    assert_eq!(tree.status, StatusCode::OK);
    pill(&tree, &format!("#item-{item_id}"))
}

/// The status words every page shows for each item: tree row, board card, gantt row,
/// item page.
async fn words_everywhere(w: &Workspace, item_id: &str) -> [Option<String>; 4] {
    let base = w.base();
    let tree = w.admin.get(&base).await;
    let board = w.admin.get(&format!("{base}/board")).await;
    let gantt = w.admin.get(&format!("{base}/gantt")).await;
    let item = w.admin.get(&format!("{base}/items/{item_id}")).await;
    for page in [&tree, &board, &gantt, &item] {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    [
        pill(&tree, &format!("#item-{item_id}")),
        pill(&board, &format!("#card-{item_id}")),
        pill(&gantt, &format!("#row-{item_id}")),
        pill(&item, ".item-standing"),
    ]
}

fn all(word: &str) -> [Option<String>; 4] {
    std::array::from_fn(|_| Some(word.to_owned()))
}

#[tokio::test]
async fn every_page_shows_the_status_word_of_each_band_and_objectives_take_the_worst() {
    let w = Workspace::new("option_1").await;
    let objective = w
        .create(&w.admin, "objective", None, "Win the market")
        .await;
    let kr = |title: &'static str| w.create(&w.admin, "key_result", Some(&objective), title);
    let (on, risky, off, silent, shipped) = (
        kr("On track").await,
        kr("At risk").await,
        kr("Off track").await,
        kr("Silent").await,
        kr("Shipped").await,
    );
    measure_deals(&w, &on, "0", "20");
    check_in(&w, &on, 8, Some("12"), None);
    check_in(&w, &risky, 5, None, None);
    check_in(&w, &off, 2, None, None);
    let milestone = ItemChanges {
        measure: Some(KeyResultMeasure::Milestone.into()),
        ..ItemChanges::default()
    };
    change(&w, &shipped, milestone);
    check_in(&w, &shipped, 9, None, Some(true));

    assert_eq!(words_everywhere(&w, &on).await, all("On track"));
    assert_eq!(words_everywhere(&w, &risky).await, all("At risk"));
    assert_eq!(words_everywhere(&w, &off).await, all("Off track"));
    assert_eq!(words_everywhere(&w, &silent).await, all("No update"));
    assert_eq!(words_everywhere(&w, &shipped).await, all("Done"));
    assert_eq!(
        words_everywhere(&w, &objective).await,
        all("Off track"),
        "the worst of its key results"
    );

    // The colour repeats the word: the pill and the card's edge carry the status.
    let board = w.admin.get(&format!("{}/board", w.base())).await;
    assert_eq!(
        board
            .attr_of(&format!("#card-{off}"), "data-status")
            .as_deref(),
        Some("off_track")
    );
    // The metric reads "12 / 20 deals" on the row and the card.
    let tree = w.admin.get(&w.base()).await;
    let summary = |page: &Page, at: &str| page.text_of(&format!("{at} .measure-summary"));
    assert_eq!(
        summary(&tree, &format!("#item-{on}")).as_deref(),
        Some("12 / 20 deals")
    );
    assert_eq!(
        summary(&board, &format!("#card-{on}")).as_deref(),
        Some("12 / 20 deals")
    );
    assert_eq!(
        summary(&tree, &format!("#item-{shipped}")).as_deref(),
        Some("Done")
    );

    // Without the off-track and at-risk key results, the objective is as silent as its
    // worst remaining one; with only good news, on track.
    let trash = |id: String| {
        let w = &w;
        async move {
            let page = w
                .admin
                .submit(&w.base(), &format!("{}/items/{id}/delete", w.base()), &[])
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        }
    };
    trash(off).await;
    trash(risky).await;
    assert_eq!(words_everywhere(&w, &objective).await, all("No update"));
    trash(silent).await;
    assert_eq!(words_everywhere(&w, &objective).await, all("On track"));
}

#[tokio::test]
async fn silence_after_the_cadence_is_no_update_and_a_monthly_cadence_keeps_it_fresh() {
    let w = Workspace::new("option_2").await;
    let objective = w.create(&w.admin, "objective", None, "Be heard").await;
    let kr = w
        .create(&w.admin, "key_result", Some(&objective), "Weekly numbers")
        .await;
    check_in(&w, &kr, 8, None, None);
    assert_eq!(tree_pill(&w, &kr).await.as_deref(), Some("On track"));

    // Weekly (the default): a week and two days of grace, then silence shows.
    w.app.clock.advance(Duration::days(9));
    assert_eq!(tree_pill(&w, &kr).await.as_deref(), Some("On track"));
    w.app.clock.advance(Duration::days(1));
    assert_eq!(tree_pill(&w, &kr).await.as_deref(), Some("No update"));
    assert_eq!(
        tree_pill(&w, &objective).await.as_deref(),
        Some("No update")
    );

    // A weekly cadence needs its day: the refusal names the field, keeps the choice, and
    // changes nothing.
    let settings = format!("{}/settings", w.base());
    let action = format!("{settings}/check-ins");
    let before = Snapshot::take(&w.app);
    let refused = w
        .admin
        .submit(
            &settings,
            &action,
            &[("check_in_cadence", "biweekly"), ("check_in_weekday", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of("#check_in_weekday-error")
        .is_some_and(|e| e.contains("day of the week")));
    assert_eq!(
        refused
            .attr_of("#check_in_cadence option[selected]", "value")
            .as_deref(),
        Some("biweekly")
    );
    let unknown = w
        .admin
        .submit(
            &settings,
            &action,
            &[
                ("check_in_cadence", "daily"),
                ("check_in_weekday", "monday"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text_of("#check_in_cadence-error").is_some());
    before.assert_unchanged(&w.app, "refused cadences");

    // Monthly: ten days of silence are still fresh.
    let saved = w
        .admin
        .submit(
            &settings,
            &action,
            &[
                ("check_in_cadence", "monthly"),
                ("check_in_weekday", "monday"),
                ("reminder_hour", "9"),
            ],
        )
        .await;
    saved.assert_redirect(&settings);
    let page = w.admin.get(&settings).await;
    assert_eq!(
        page.attr_of("#check_in_cadence option[selected]", "value")
            .as_deref(),
        Some("monthly")
    );
    assert!(page.body.contains("changed the check-in cadence"));
    assert_eq!(tree_pill(&w, &kr).await.as_deref(), Some("On track"));
    // A month and two days later, silence shows again.
    w.app.clock.advance(Duration::days(30));
    assert_eq!(tree_pill(&w, &kr).await.as_deref(), Some("No update"));

    // Only admins choose the cadence.
    let member = w.member("member@example.com", "Mo Member", None).await;
    let forbidden = member
        .submit(
            &w.base(),
            &action,
            &[("check_in_cadence", "off"), ("check_in_weekday", "monday")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_item_behind_pace_shows_what_was_expected_next_to_its_progress() {
    let w = Workspace::new("option_1").await;
    let objective = w.create(&w.admin, "objective", None, "Ship on time").await;
    let behind = w
        .create(&w.admin, "key_result", Some(&objective), "Close deals")
        .await;
    let on_pace = w
        .create(&w.admin, "key_result", Some(&objective), "Hire")
        .await;
    let today = w.app.clock.today();
    let period = |start: NaiveDate, due: NaiveDate| ItemChanges {
        start_date: Some(Some(start)),
        due_date: Some(Some(due)),
        ..ItemChanges::default()
    };
    // Half the period has passed: 50 % expected.
    let (start, due) = (today - Duration::days(10), today + Duration::days(10));
    change(&w, &behind, period(start, due));
    change(&w, &on_pace, period(start, due));
    measure_deals(&w, &behind, "0", "20");
    measure_deals(&w, &on_pace, "0", "10");
    check_in(&w, &behind, 6, Some("6"), None); // 30 %
    check_in(&w, &on_pace, 8, Some("5"), None); // 50 %

    let base = w.base();
    let pages = [
        (
            w.admin.get(&base).await,
            format!("#item-{behind}"),
            format!("#item-{on_pace}"),
        ),
        (
            w.admin.get(&format!("{base}/board")).await,
            format!("#card-{behind}"),
            format!("#card-{on_pace}"),
        ),
        (
            w.admin.get(&format!("{base}/items/{behind}")).await,
            ".item-standing".to_owned(),
            "#no-such-item".to_owned(),
        ),
    ];
    for (page, late, fine) in &pages {
        let progress = page
            .text_of(&format!("{late} .progress-number, {late} #item-progress"))
            .expect("progress");
        let pace = page.text_of(&format!("{late} .pace-behind"));
        assert_eq!(
            format!("{progress} {}", pace.unwrap_or_default()),
            "30% · expected 50%"
        );
        assert_eq!(page.text_of(&format!("{fine} .pace-behind")), None);
    }

    // Pace moves with the clock: five more days and 75 % of the time has passed.
    w.app.clock.advance(Duration::days(5));
    let tree = w.admin.get(&base).await;
    assert_eq!(
        tree.text_of(&format!("#item-{behind} .pace-behind"))
            .as_deref(),
        Some("· expected 75%")
    );
    assert_eq!(
        tree.text_of(&format!("#item-{on_pace} .pace-behind"))
            .as_deref(),
        Some("· expected 75%"),
        "50 % is now more than ten points behind"
    );
}

#[tokio::test]
async fn the_status_filter_narrows_the_tree_and_the_board_and_keeps_the_ancestors() {
    let w = Workspace::new("option_1").await;
    let troubled = w.create(&w.admin, "objective", None, "Troubled").await;
    let fine = w.create(&w.admin, "objective", None, "Fine").await;
    let off = w
        .create(&w.admin, "key_result", Some(&troubled), "Slipping")
        .await;
    let steady = w
        .create(&w.admin, "key_result", Some(&troubled), "Steady")
        .await;
    let good = w.create(&w.admin, "key_result", Some(&fine), "Good").await;
    let task = w.create(&w.admin, "action", Some(&off), "Call them").await;
    check_in(&w, &off, 1, None, None);
    check_in(&w, &steady, 9, None, None);
    check_in(&w, &good, 9, None, None);

    let ids = |page: &Page, selector: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(selector).expect("selector");
        page.html()
            .select(&selector)
            .filter_map(|e| e.value().attr("data-id").map(str::to_owned))
            .collect()
    };
    let base = w.base();
    let tree = w.admin.get(&format!("{base}?track=off_track")).await;
    assert_eq!(tree.status, StatusCode::OK);
    assert_eq!(ids(&tree, ".tree-row"), vec![troubled.clone(), off.clone()]);
    assert_eq!(
        tree.attr_of("#filter-track option[selected]", "value")
            .as_deref(),
        Some("off_track")
    );
    let board = w.admin.get(&format!("{base}/board?track=off_track")).await;
    assert_eq!(
        ids(&board, ".board-slot"),
        vec![troubled.clone(), off.clone()]
    );

    let on_track = w.admin.get(&format!("{base}?track=on_track")).await;
    assert_eq!(
        ids(&on_track, ".tree-row"),
        vec![troubled.clone(), steady.clone(), fine.clone(), good.clone()],
        "the troubled objective is there for context"
    );
    // With another filter: both must hold.
    let typed = w
        .admin
        .get(&format!("{base}/board?track=on_track&type=objective"))
        .await;
    assert_eq!(ids(&typed, ".board-slot"), vec![fine.clone()]);
    let nothing = w.admin.get(&format!("{base}?track=done")).await;
    assert!(ids(&nothing, ".tree-row").is_empty());
    assert!(nothing.body.contains("Nothing matches"));
    // An unknown status is ignored, like every filter: an old link still opens.
    let stale = w.admin.get(&format!("{base}?track=green")).await;
    assert_eq!(ids(&stale, ".tree-row").len(), 6);
    assert!(ids(&stale, ".tree-row").contains(&task));
}

#[tokio::test]
async fn the_demo_shows_every_status_and_items_behind_pace() {
    let w = Workspace::new("option_1").await;
    let today = w.app.clock.today();
    let demo = cairn::demo::create(&mut w.app.db(), today).expect("demo");
    let ada = w.app.browser();
    ada.log_in("ada@demo.cairn.test", &demo.password)
        .await
        .assert_redirect("/");
    let mut words = std::collections::BTreeSet::new();
    let mut behind = 0;
    for ws in ["product", "go-to-market"] {
        let tree = ada.get(&format!("/orgs/{}/w/{ws}", demo.org_slug)).await;
        assert_eq!(tree.status, StatusCode::OK);
        let html = tree.html();
        let pills = scraper::Selector::parse(".tree-row .status-pill").expect("selector");
        words.extend(html.select(&pills).map(|e| e.text().collect::<String>()));
        let pace = scraper::Selector::parse(".tree-row .pace-behind").expect("selector");
        behind += html.select(&pace).count();
        let summaries = scraper::Selector::parse(".measure-summary").expect("selector");
        assert!(
            html.select(&summaries).count() >= 5,
            "metrics and milestones"
        );
    }
    let expected = ["At risk", "Done", "No update", "Off track", "On track"];
    assert_eq!(
        words.iter().map(String::as_str).collect::<Vec<_>>(),
        expected
    );
    assert!(behind >= 2, "{behind} items behind pace");
}
