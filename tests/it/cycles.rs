//! The organization's cycles page: members see the list, owners and admins create cycles
//! (by hand and with "Create the next quarter", named by the fiscal year), rename them,
//! move their dates, activate, close and reopen them; every refusal comes back next to its
//! field with what was typed, and nothing is stored.

use cairn::schema::{cycles, okr_items, organizations};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, Page, TestApp, Workspace};
use crate::snapshot::Snapshot;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Moves the app's clock to noon on `today`.
fn set_today(app: &TestApp, today: NaiveDate) {
    let noon = today.and_hms_opt(12, 0, 0).unwrap();
    app.clock.advance(noon - app.clock.now());
}

fn cycles_path(w: &Workspace) -> String {
    format!("/orgs/{}/cycles", w.org)
}

/// The organization's cycles by start date, each as "name start..end state".
fn stored(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String, NaiveDate, NaiveDate, String)> = cycles::table
        .order(cycles::start_date.asc())
        .select((
            cycles::name,
            cycles::start_date,
            cycles::end_date,
            cycles::state,
        ))
        .load(&mut app.db())
        .unwrap();
    rows.into_iter()
        .map(|(name, start, end, state)| format!("{name} {start}..{end} {state}"))
        .collect()
}

fn cycle_id(app: &TestApp, name: &str) -> String {
    cycles::table
        .filter(cycles::name.eq(name))
        .select(cycles::id)
        .first(&mut app.db())
        .unwrap()
}

/// The names in the page's list, in order.
fn listed(page: &Page) -> Vec<String> {
    let selector = scraper::Selector::parse(".cycle-row .cycle-name strong").unwrap();
    page.html()
        .select(&selector)
        .map(|e| e.text().collect::<String>())
        .collect()
}

async fn next_quarter(w: &Workspace, who: &Browser) -> Page {
    let path = cycles_path(w);
    who.submit(&path, &format!("{path}/next-quarter"), &[])
        .await
}

async fn create(w: &Workspace, who: &Browser, name: &str, start: &str, end: &str) -> Page {
    let path = cycles_path(w);
    who.submit(
        &path,
        &path,
        &[("name", name), ("start_date", start), ("end_date", end)],
    )
    .await
}

async fn update(w: &Workspace, id: &str, name: &str, start: &str, end: &str) -> Page {
    let path = cycles_path(w);
    w.admin
        .submit(
            &path,
            &format!("{path}/{id}"),
            &[("name", name), ("start_date", start), ("end_date", end)],
        )
        .await
}

async fn change_state(w: &Workspace, who: &Browser, id: &str, change: &str) -> Page {
    let path = cycles_path(w);
    who.submit(&path, &format!("{path}/{id}/{change}"), &[])
        .await
}

#[tokio::test]
async fn the_next_quarter_follows_the_latest_cycle_and_members_see_the_list() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    let path = cycles_path(&w);

    let empty = w.admin.get(&path).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No cycles yet"), "{}", empty.body);
    assert_eq!(
        empty.text_of(".next-quarter button").as_deref(),
        Some("Create the next quarter: 2027 Q1")
    );
    assert_eq!(
        empty.attr_of("a.nav-link[aria-current=page]", "href"),
        Some(path.clone()),
        "the sidebar marks Cycles"
    );

    next_quarter(&w, &w.admin).await.assert_redirect(&path);
    next_quarter(&w, &w.admin).await.assert_redirect(&path);
    assert_eq!(
        stored(&w.app),
        [
            "2027 Q1 2027-01-01..2027-03-31 planning",
            "2027 Q2 2027-04-01..2027-06-30 planning"
        ]
    );
    let page = w.admin.get(&path).await;
    assert_eq!(listed(&page), ["2027 Q2", "2027 Q1"], "latest first");
    assert!(page.body.contains("1 Jan – 31 Mar 2027"));
    assert!(
        page.text_of(".cycles-notice")
            .is_some_and(|n| n.contains("2027 Q2 created (1 Apr – 30 Jun 2027)")),
        "{}",
        page.body
    );
    assert_eq!(
        page.text_of(".next-quarter button").as_deref(),
        Some("Create the next quarter: 2027 Q3")
    );

    // Activated, the quarter holding today is the current one.
    let q1 = cycle_id(&w.app, "2027 Q1");
    change_state(&w, &w.admin, &q1, "activate")
        .await
        .assert_redirect(&path);
    let page = w.admin.get(&path).await;
    assert_eq!(
        page.attr_of(".cycle-row.is-current", "id"),
        Some(format!("cycle-{q1}"))
    );
    assert_eq!(
        page.text_of(".cycle-row.is-current .cycle-timing")
            .as_deref(),
        Some("Day 41 of 90")
    );

    let member = w.member("mia@example.com", "Mia Member", None).await;
    let seen = member.get(&path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(listed(&seen), ["2027 Q2", "2027 Q1"]);
    assert!(seen.text_of(".cycle-row.is-current").is_some());
    for form in [
        "form.next-quarter",
        "form.cycle-edit",
        ".cycle-actions",
        "#new-name",
    ] {
        assert!(
            seen.text_of(form).is_none(),
            "a member is offered {form}: {}",
            seen.body
        );
    }
}

#[tokio::test]
async fn the_fiscal_year_start_month_names_and_shifts_the_quarters() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2026, 11, 3));
    let settings = format!("/orgs/{}/settings", w.org);
    let action = format!("{settings}/fiscal-year");
    let month = |app: &TestApp| -> i32 {
        organizations::table
            .select(organizations::fiscal_year_start_month)
            .first(&mut app.db())
            .unwrap()
    };
    assert_eq!(month(&w.app), 1);

    let refused = w
        .admin
        .submit(&settings, &action, &[("fiscal_year_start_month", "13")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text_of("#fiscal_year_start_month-error").as_deref(),
        Some("Choose a month from January to December.")
    );
    assert_eq!(month(&w.app), 1, "nothing stored");

    w.admin
        .submit(&settings, &action, &[("fiscal_year_start_month", "10")])
        .await
        .assert_redirect(&settings);
    assert_eq!(month(&w.app), 10);
    let page = w.admin.get(&settings).await;
    assert_eq!(
        page.text_of("#fiscal_year_start_month option[selected]")
            .as_deref(),
        Some("October")
    );
    assert!(page.body.contains("changed the fiscal year"), "logged");

    // A year starting in October 2026 is named 2027: today falls in its first quarter.
    let path = cycles_path(&w);
    let offered = w.admin.get(&path).await;
    assert!(offered.body.contains("The fiscal year starts in October"));
    assert_eq!(
        offered.text_of(".next-quarter button").as_deref(),
        Some("Create the next quarter: 2027 Q1")
    );
    next_quarter(&w, &w.admin).await.assert_redirect(&path);
    next_quarter(&w, &w.admin).await.assert_redirect(&path);
    assert_eq!(
        stored(&w.app),
        [
            "2027 Q1 2026-10-01..2026-12-31 planning",
            "2027 Q2 2027-01-01..2027-03-31 planning"
        ]
    );
}

#[tokio::test]
async fn a_cycle_made_by_hand_is_refused_next_to_its_field_with_what_was_typed() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    next_quarter(&w, &w.admin).await;
    let before = Snapshot::take(&w.app);

    let backwards = create(&w, &w.admin, "Offsite", "2027-05-10", "2027-05-01").await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        backwards.text_of("#new-end_date-error").as_deref(),
        Some("The cycle must end on or after the day it starts.")
    );
    assert_eq!(
        backwards.attr_of("#new-name", "value").as_deref(),
        Some("Offsite")
    );
    assert_eq!(
        backwards.attr_of("#new-start_date", "value").as_deref(),
        Some("2027-05-10")
    );

    let unnamed = create(&w, &w.admin, "  ", "2027-05-01", "").await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unnamed.text_of("#new-name-error").is_some());
    assert!(unnamed.text_of("#new-end_date-error").is_some());
    assert!(unnamed.text_of("#new-start_date-error").is_none());

    let overlapping = create(&w, &w.admin, "Kick-off", "2027-03-20", "2027-04-15").await;
    assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        overlapping.text_of("#new-start_date-error").as_deref(),
        Some(
            "These dates overlap 2027 Q1 (1 Jan – 31 Mar 2027); cycles of one organization \
             may not overlap."
        )
    );
    assert_eq!(
        overlapping.attr_of("#new-end_date", "value").as_deref(),
        Some("2027-04-15")
    );

    let taken = create(&w, &w.admin, "2027 Q1", "2027-06-01", "2027-06-30").await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken
        .text_of("#new-name-error")
        .is_some_and(|m| m.contains("A cycle named 2027 Q1 already exists")));
    before.assert_unchanged(&w.app, "refused cycles");

    let path = cycles_path(&w);
    create(&w, &w.admin, "Kick-off", "2027-04-01", "2027-04-15")
        .await
        .assert_redirect(&path);
    assert_eq!(stored(&w.app).len(), 2);
    assert!(w
        .admin
        .get(&path)
        .await
        .text_of(".cycles-notice")
        .is_some_and(|n| n.contains("Kick-off created, in planning.")));
}

#[tokio::test]
async fn dates_that_would_leave_an_item_outside_are_refused_and_a_rename_is_saved() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    next_quarter(&w, &w.admin).await;
    let q1 = cycle_id(&w.app, "2027 Q1");
    let objective = w.create(&w.admin, "objective", None, "Win Globex").await;
    diesel::update(okr_items::table.find(&objective))
        .set((
            okr_items::cycle_id.eq(&q1),
            okr_items::due_date.eq(day(2027, 3, 20)),
        ))
        .execute(&mut w.app.db())
        .unwrap();
    let path = cycles_path(&w);

    // The Edit link opens the cycle's form as stored.
    let editing = w.admin.get(&format!("{path}?edit={q1}")).await;
    assert_eq!(
        editing
            .attr_of(&format!("#edit-{q1}-end_date"), "value")
            .as_deref(),
        Some("2027-03-31")
    );

    let before = Snapshot::take(&w.app);
    let refused = update(&w, &q1, "Q1 2027", "2027-01-01", "2027-03-15").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused
            .text_of(&format!("#edit-{q1}-start_date-error"))
            .as_deref(),
        Some(
            "“Win Globex” would fall outside these dates. Move their dates first, or choose \
             dates that hold them."
        )
    );
    assert_eq!(
        refused
            .attr_of(&format!("#edit-{q1}-name"), "value")
            .as_deref(),
        Some("Q1 2027")
    );
    assert_eq!(
        refused
            .attr_of(&format!("#edit-{q1}-end_date"), "value")
            .as_deref(),
        Some("2027-03-15")
    );
    before.assert_unchanged(&w.app, "dates refused");

    update(&w, &q1, "Q1 2027", "2026-12-15", "2027-03-31")
        .await
        .assert_redirect(&path);
    assert_eq!(stored(&w.app), ["Q1 2027 2026-12-15..2027-03-31 planning"]);
    assert_eq!(listed(&w.admin.get(&path).await), ["Q1 2027"]);

    let unknown = update(&w, "no-such-cycle", "X", "2027-01-01", "2027-01-02").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn activate_close_and_reopen_refuse_the_wrong_state_with_the_reason() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    next_quarter(&w, &w.admin).await;
    let q1 = cycle_id(&w.app, "2027 Q1");
    let path = cycles_path(&w);
    let state = |app: &TestApp| -> (String, Option<NaiveDateTime>) {
        cycles::table
            .select((cycles::state, cycles::closed_at))
            .first(&mut app.db())
            .unwrap()
    };
    let refused = |page: Page, reason: &str| {
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.body
        );
        assert_eq!(
            page.text_of(&format!("#cycle-{q1} .cycle-error"))
                .as_deref(),
            Some(reason)
        );
    };

    refused(
        change_state(&w, &w.admin, &q1, "reopen").await,
        "2027 Q1 is planning, so it cannot be reopened.",
    );
    change_state(&w, &w.admin, &q1, "activate")
        .await
        .assert_redirect(&path);
    assert_eq!(state(&w.app), ("active".to_owned(), None));
    refused(
        change_state(&w, &w.admin, &q1, "activate").await,
        "2027 Q1 is active, so it cannot be activated.",
    );

    change_state(&w, &w.admin, &q1, "close")
        .await
        .assert_redirect(&path);
    assert_eq!(
        state(&w.app),
        ("closed".to_owned(), Some(w.app.clock.now()))
    );
    let page = w.admin.get(&path).await;
    assert!(page
        .text_of(".cycles-notice")
        .is_some_and(|n| n.contains("2027 Q1 is closed")));
    assert_eq!(
        page.text_of(&format!("#cycle-{q1} .cycle-timing"))
            .as_deref(),
        Some("Closed on 10 Feb 2027")
    );
    refused(
        change_state(&w, &w.admin, &q1, "close").await,
        "2027 Q1 is closed, so it cannot be closed.",
    );

    // A closed cycle may be renamed, but keeps its dates.
    let moved = update(&w, &q1, "2027 Q1", "2027-01-01", "2027-04-30").await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(moved
        .text_of(&format!("#edit-{q1}-start_date-error"))
        .is_some_and(|m| m.starts_with("This cycle is closed")));
    update(&w, &q1, "First quarter", "2027-01-01", "2027-03-31")
        .await
        .assert_redirect(&path);

    change_state(&w, &w.admin, &q1, "reopen")
        .await
        .assert_redirect(&path);
    assert_eq!(state(&w.app), ("active".to_owned(), None));
}

#[tokio::test]
async fn members_may_look_but_not_change_and_outsiders_see_nothing() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    next_quarter(&w, &w.admin).await;
    let q1 = cycle_id(&w.app, "2027 Q1");
    let member = w.member("mia@example.com", "Mia Member", None).await;
    let outsider = w.app.person("otto@example.com", "Otto Outsider").await;
    let path = cycles_path(&w);
    let fields = [
        ("name", "Mine"),
        ("start_date", "2027-04-01"),
        ("end_date", "2027-04-30"),
    ];
    let writes = [
        (path.clone(), &fields[..]),
        (format!("{path}/next-quarter"), &[][..]),
        (format!("{path}/{q1}"), &fields[..]),
        (format!("{path}/{q1}/activate"), &[][..]),
        (format!("{path}/{q1}/close"), &[][..]),
        (format!("{path}/{q1}/reopen"), &[][..]),
        (
            format!("/orgs/{}/settings/fiscal-year", w.org),
            &[("fiscal_year_start_month", "4")][..],
        ),
    ];
    outsider.get("/").await;
    assert_eq!(outsider.get(&path).await.status, StatusCode::NOT_FOUND);
    let before = Snapshot::take(&w.app);
    for (action, fields) in &writes {
        let page = member.submit(&path, action, fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "member: {action}");
        assert!(
            page.body.contains("Only owners and admins"),
            "{}",
            page.body
        );
        outsider.get("/").await;
        let page = outsider.post_form(action, fields).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "outsider: {action}");
        assert!(!page.body.contains("2027 Q1"));
    }
    before.assert_unchanged(&w.app, "members' and outsiders' cycle changes");
}

#[tokio::test]
async fn an_archived_organization_shows_its_cycles_and_refuses_changes() {
    let w = Workspace::new("option_1").await;
    set_today(&w.app, day(2027, 2, 10));
    next_quarter(&w, &w.admin).await;
    let q1 = cycle_id(&w.app, "2027 Q1");
    let path = cycles_path(&w);
    w.admin
        .submit(&path, &format!("/orgs/{}/archive", w.org), &[])
        .await;
    let page = w.admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(listed(&page), ["2027 Q1"]);
    assert!(page.text_of(".banner-warning").is_some());
    assert!(page.text_of(".cycle-actions").is_none() && page.text_of("#new-name").is_none());

    let before = Snapshot::take(&w.app);
    for page in [
        create(&w, &w.admin, "Later", "2027-05-01", "2027-05-31").await,
        next_quarter(&w, &w.admin).await,
        change_state(&w, &w.admin, &q1, "activate").await,
        update(&w, &q1, "Renamed", "2027-01-01", "2027-03-31").await,
    ] {
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.body.contains("is archived, so it is read-only"));
    }
    before.assert_unchanged(&w.app, "cycle changes in an archived organization");
}
