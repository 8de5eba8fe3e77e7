//! Check-in reminders end to end: the schedule in each organization's time zone on a fixed
//! clock (rounds driven by the test, never waiting for the app's own runner), one email per
//! owner with a one-time link minted at send time, the link's form without a session,
//! escalation to the manager, several runners on one database, and the mail server down.

use std::sync::{Arc, Barrier};

use cairn::schema::{check_in_links, check_ins, email_outbox, jobs, okr_items, organizations};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{TestApp, Workspace};
use crate::smtp::{self, SmtpServer};

mod delivery;
mod link;

const BASE_URL: &str = "http://okr.example.test";

/// An app whose own runner stays idle (it polls once an hour), so the test's rounds do the
/// work at the instants the test chooses. Its mail goes to `smtp_url` too, so whichever
/// runner delivers, every message is counted.
async fn quiet_workspace(smtp_url: &str) -> Workspace {
    let app = TestApp::spawn_with(&quiet(smtp_url)).await;
    Workspace::in_app(app, "option_1").await
}

fn quiet(smtp_url: &str) -> [(&'static str, &str); 3] {
    [
        ("OUTBOX_POLL_MILLIS", "3600000"),
        ("BASE_URL", BASE_URL),
        ("SMTP_URL", smtp_url),
    ]
}

fn runner(app: &TestApp, smtp_url: &str) -> cairn::worker::Worker {
    let data_dir = app.data_dir.path().to_string_lossy().into_owned();
    let mailer = cairn::config::Config::from_lookup(|name| match name {
        "SMTP_URL" => Some(smtp_url.to_owned()),
        "CAIRN_DATA_DIR" => Some(data_dir.clone()),
        _ => None,
    })
    .expect("config")
    .mailer;
    cairn::worker::Worker::new(mailer, url::Url::parse(BASE_URL).expect("url"))
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_opt(h, min, 0))
        .expect("a real instant")
}

/// Monday 6 January 2031, 9:00 UTC: a weekly reminder's default day and hour in UTC.
fn monday_nine() -> NaiveDateTime {
    utc(2031, 1, 6, 9, 0)
}

fn set_clock(app: &TestApp, at: NaiveDateTime) {
    app.clock.advance(at - app.clock.now());
}

fn round(worker: &cairn::worker::Worker, app: &TestApp, at: NaiveDateTime) -> cairn::worker::Round {
    worker.run_round(&mut app.db(), at).expect("round")
}

fn set_time_zone(app: &TestApp, org_slug: &str, zone: &str) {
    diesel::update(organizations::table.filter(organizations::slug.eq(org_slug)))
        .set(organizations::time_zone.eq(zone))
        .execute(&mut app.db())
        .expect("time zone");
}

fn give(app: &TestApp, item: &str, email: &str) {
    diesel::update(okr_items::table.find(item))
        .set(okr_items::owner_user_id.eq(app.user_id(email)))
        .execute(&mut app.db())
        .expect("owner");
}

/// (recipient, subject, status) of every message, in the order they were queued.
fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    email_outbox::table
        .order((email_outbox::created_at.asc(), email_outbox::id.asc()))
        .select((
            email_outbox::to_address,
            email_outbox::subject,
            email_outbox::status,
        ))
        .load(&mut app.db())
        .expect("outbox")
}

fn check_in_count(app: &TestApp, item: &str) -> i64 {
    check_ins::table
        .filter(check_ins::item_id.eq(item))
        .count()
        .get_result(&mut app.db())
        .expect("check-ins")
}

/// The one-time link's path in a received message.
fn link_path(message: &str) -> String {
    let text = smtp::decode(message);
    let start = text
        .find("/check-in/")
        .expect("the email carries a check-in link");
    let token: String = text[start + "/check-in/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "a full token in {text}");
    format!("/check-in/{token}")
}

/// An objective with key results, all owned by the admin; returns their ids.
async fn key_results(w: &Workspace, titles: &[&str]) -> Vec<String> {
    let objective = w.create(&w.admin, "objective", None, "Grow").await;
    let mut ids = Vec::new();
    for title in titles {
        ids.push(
            w.create(&w.admin, "key_result", Some(&objective), title)
                .await,
        );
    }
    ids
}

#[tokio::test]
async fn reminders_go_out_at_the_local_hour_in_each_time_zone_once_a_day() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    key_results(&w, &["Ship the API"]).await;
    set_time_zone(&w.app, &w.org, "Pacific/Auckland");
    let beta = w.admin.create_org("Beta").await;
    let sales = w.admin.create_workspace(&beta, "Sales", "option_1").await;
    set_time_zone(&w.app, &beta, "America/Los_Angeles");
    let sales_base = format!("/orgs/{beta}/w/{sales}");
    let page = w
        .admin
        .submit(
            &sales_base,
            &format!("{sales_base}/items"),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", "Sell"),
                ("due_date", ""),
            ],
        )
        .await;
    let objective = page
        .location()
        .and_then(|l| l.rsplit("#item-").next())
        .expect("objective")
        .to_owned();
    let page = w
        .admin
        .submit(
            &sales_base,
            &format!("{sales_base}/items"),
            &[
                ("item_type", "key_result"),
                ("parent_id", &objective),
                ("title", "Ten deals"),
                ("due_date", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let worker = runner(&w.app, &mail.url());

    // Monday 9:00 in Auckland (UTC+13 in January) is Sunday 20:00 UTC.
    let before = round(&worker, &w.app, utc(2031, 1, 5, 19, 59));
    assert_eq!(before.scheduled, 0, "nothing before the hour");
    assert!(outbox(&w.app).is_empty());
    let auckland = round(&worker, &w.app, utc(2031, 1, 5, 20, 0));
    assert_eq!((auckland.scheduled, auckland.emails_delivered), (1, 1));
    let message = smtp::decode(&mail.next_message().await);
    assert!(message.contains("Time to check in: 1 key result in Platform"));
    assert!(message.contains("Ship the API"));
    assert!(!message.contains("Ten deals"));
    assert_eq!(round(&worker, &w.app, utc(2031, 1, 5, 23, 0)).scheduled, 0);

    // Monday 9:00 in Los Angeles (UTC-8) is Monday 17:00 UTC.
    assert_eq!(round(&worker, &w.app, utc(2031, 1, 6, 16, 59)).scheduled, 0);
    let la = round(&worker, &w.app, utc(2031, 1, 6, 17, 0));
    assert_eq!((la.scheduled, la.emails_delivered), (1, 1));
    let message = smtp::decode(&mail.next_message().await);
    assert!(message.contains("Time to check in: 1 key result in Sales"));
    assert!(message.contains("Ten deals"));

    // Later that Monday in Los Angeles, and Tuesday in Auckland: nothing more.
    for at in [utc(2031, 1, 6, 23, 0), utc(2031, 1, 7, 7, 59)] {
        assert_eq!(round(&worker, &w.app, at).scheduled, 0);
    }
    let subjects: Vec<String> = outbox(&w.app).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(
        subjects,
        [
            "Time to check in: 1 key result in Platform",
            "Time to check in: 1 key result in Sales"
        ]
    );
    let queued: Vec<Option<String>> = jobs::table
        .filter(jobs::kind.eq(cairn::reminders::REMINDER_JOB))
        .order(jobs::dedupe_key.asc())
        .select(jobs::dedupe_key)
        .load(&mut w.app.db())
        .expect("jobs");
    assert_eq!(queued.len(), 2);
    assert!(queued
        .iter()
        .all(|key| key.as_deref().is_some_and(|k| k.ends_with(":2031-01-06"))));
}

#[tokio::test]
async fn only_owners_not_checked_in_within_the_cadence_are_reminded() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    let ids = key_results(&w, &["Fresh one", "Stale one", "Mia's one"]).await;
    let mia = w.member("mia@example.com", "Mia Member", None).await;
    give(&w.app, &ids[2], "mia@example.com");
    // Checked in on Saturday: within the week, so no reminder for it on Monday.
    set_clock(&w.app, utc(2031, 1, 4, 12, 0));
    let item = format!("{}/items/{}", w.base(), ids[0]);
    w.admin.get(&item).await;
    let saved = w
        .admin
        .htmx_post(
            &format!("{item}/check-ins"),
            &[("confidence", "8"), ("note", "fine"), ("effective_on", "")],
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.body);
    // Mia checked in too, eight days ago: that is the week before.
    set_clock(&w.app, utc(2030, 12, 29, 12, 0));
    let hers = format!("{}/items/{}", w.base(), ids[2]);
    mia.get(&hers).await;
    let saved = mia
        .htmx_post(
            &format!("{hers}/check-ins"),
            &[("confidence", "5"), ("note", "")],
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.body);

    let worker = runner(&w.app, &mail.url());
    let done = round(&worker, &w.app, monday_nine());
    assert_eq!(done.emails_delivered, 2, "one email per owner");
    let mut messages = [
        smtp::decode(&mail.next_message().await),
        smtp::decode(&mail.next_message().await),
    ];
    messages.sort_by_key(|m| !m.contains("To: admin@example.com"));
    assert!(messages[0].contains("Stale one"));
    assert!(!messages[0].contains("Fresh one"), "checked in this week");
    assert!(!messages[0].contains("Mia's one"));
    assert!(messages[1].contains("To: mia@example.com"));
    assert!(messages[1].contains("Mia's one"));
    assert!(messages[1].contains("At risk"), "its status is listed");
}

#[tokio::test]
async fn the_time_zone_and_the_reminder_hour_are_refused_next_to_their_fields_as_typed() {
    let w = Workspace::new("option_1").await;
    let settings = format!("/orgs/{}/settings", w.org);
    let zone = |app: &TestApp| -> String {
        organizations::table
            .select(organizations::time_zone)
            .first(&mut app.db())
            .expect("org")
    };
    let page = w.admin.get(&settings).await;
    assert_eq!(page.attr_of("#time_zone", "value").as_deref(), Some("UTC"));
    assert!(page
        .html()
        .select(
            &scraper::Selector::parse("#time_zone-names option[value='Pacific/Auckland']")
                .expect("css")
        )
        .next()
        .is_some());
    let form = |time_zone: &'static str| {
        [
            ("name", "Acme"),
            ("slug", w.org.as_str()),
            ("default_privacy_mode", "option_1"),
            ("time_zone", time_zone),
        ]
    };
    let refused = w
        .admin
        .submit(&settings, &settings, &form("Mars/Olympus"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of("#time_zone-error")
        .is_some_and(|e| e.contains("IANA")));
    assert_eq!(
        refused.attr_of("#time_zone", "value").as_deref(),
        Some("Mars/Olympus")
    );
    assert_eq!(zone(&w.app), "UTC");
    w.admin
        .submit(&settings, &settings, &form("america/los_angeles"))
        .await
        .assert_redirect(&settings);
    assert_eq!(
        zone(&w.app),
        "America/Los_Angeles",
        "stored by its canonical name"
    );

    let ws_settings = format!("{}/settings", w.base());
    let action = format!("{ws_settings}/check-ins");
    let refused = w
        .admin
        .submit(
            &ws_settings,
            &action,
            &[
                ("check_in_cadence", "weekly"),
                ("check_in_weekday", "friday"),
                ("reminder_hour", "24"),
                ("escalate_to_manager", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text_of("#reminder_hour-error").is_some());
    assert_eq!(
        refused.attr_of("#reminder_hour", "value").as_deref(),
        Some("24")
    );
    assert!(
        refused.body.contains("America/Los_Angeles"),
        "the hour is local"
    );
    let kept = refused.attr_of("input[name=escalate_to_manager]", "checked");
    assert!(kept.is_some(), "the checkbox stays as ticked");
    w.admin
        .submit(
            &ws_settings,
            &action,
            &[
                ("check_in_cadence", "weekly"),
                ("check_in_weekday", "friday"),
                ("reminder_hour", "7"),
            ],
        )
        .await
        .assert_redirect(&ws_settings);
    let (hour, escalate): (i32, bool) = cairn::schema::workspaces::table
        .select((
            cairn::schema::workspaces::reminder_hour,
            cairn::schema::workspaces::escalate_to_manager,
        ))
        .first(&mut w.app.db())
        .expect("workspace");
    assert_eq!((hour, escalate), (7, false));
}

#[tokio::test]
async fn an_owner_who_left_the_workspace_is_not_reminded() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    let ids = key_results(&w, &["Left behind"]).await;
    w.member("leo@example.com", "Leo Leaver", None).await;
    give(&w.app, &ids[0], "leo@example.com");
    diesel::update(cairn::schema::workspace_memberships::table.filter(
        cairn::schema::workspace_memberships::user_id.eq(w.app.user_id("leo@example.com")),
    ))
    .set(cairn::schema::workspace_memberships::active.eq(false))
    .execute(&mut w.app.db())
    .expect("deactivate");
    let worker = runner(&w.app, &mail.url());
    let done = round(&worker, &w.app, monday_nine());
    assert_eq!((done.jobs_run, done.emails_delivered), (1, 0));
    assert!(outbox(&w.app).is_empty());
    assert!(mail.drain().is_empty());
}
