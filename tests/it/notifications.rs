//! Notifications end to end: a change queues the event, the app's runner (on its fixed clock)
//! notifies whoever can see the item then, and mail goes out through the outbox to the SMTP
//! server in this process.

use cairn::notifications::{self, EmailDelivery, Event, NotificationKind, NotificationPreferences};
use cairn::schema::{email_outbox, jobs, notifications as notes, users};
use chrono::{Duration, Timelike};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, TestApp, Workspace};
use crate::smtp::{self, SmtpServer};

pub(crate) async fn workspace_with_mail(mail: &SmtpServer, privacy_mode: &str) -> Workspace {
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", &mail.url()),
        ("OUTBOX_POLL_MILLIS", "50"),
        ("BASE_URL", "http://okr.example.test"),
    ])
    .await;
    Workspace::in_app(app, privacy_mode).await
}

/// The kinds of the notifications a person has, oldest first.
pub(crate) fn kinds_of(ws: &Workspace, email: &str) -> Vec<String> {
    notes::table
        .filter(notes::user_id.eq(ws.app.user_id(email)))
        .order(notes::id.asc())
        .select(notes::kind)
        .load(&mut ws.app.db())
        .expect("notifications")
}

pub(crate) fn emails_to(ws: &Workspace, email: &str) -> i64 {
    email_outbox::table
        .filter(email_outbox::to_address.eq(email))
        .count()
        .get_result(&mut ws.app.db())
        .expect("outbox")
}

/// Waits (up to 20 s) for the runner to have given `email` `n` notifications.
pub(crate) async fn wait_for_rows(ws: &Workspace, email: &str, n: usize) {
    for _ in 0..400 {
        if kinds_of(ws, email).len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{email} did not get {n} notifications");
}

/// Makes `owner` the owner of `item` and `assignees` its assignees, through the item form.
pub(crate) async fn hand_over(
    ws: &Workspace,
    who: &Browser,
    item: &str,
    owner: &str,
    assignees: &[&str],
) {
    let title: String = cairn::schema::okr_items::table
        .find(item)
        .select(cairn::schema::okr_items::title)
        .first(&mut ws.app.db())
        .expect("item");
    let page = format!("{}/items/{item}", ws.base());
    let owner_id = ws.app.user_id(owner);
    let ids: Vec<String> = assignees.iter().map(|a| ws.app.user_id(a)).collect();
    let mut fields = vec![
        ("title", title.as_str()),
        ("description", ""),
        ("owner_user_id", owner_id.as_str()),
        ("start_date", ""),
        ("due_date", ""),
    ];
    fields.extend(ids.iter().map(|id| ("assignee_user_ids", id.as_str())));
    let saved = who.submit(&page, &page, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

fn message_to<'a>(messages: &'a [String], email: &str) -> Option<&'a String> {
    messages
        .iter()
        .find(|m| m.contains(&format!("To: {email}")) || m.contains(&format!("<{email}>")))
}

#[tokio::test]
async fn a_new_owner_and_new_assignees_are_told_by_email_and_never_the_actor() {
    let mut mail = SmtpServer::start().await;
    let ws = workspace_with_mail(&mail, "option_2").await;
    ws.member("ada@example.com", "Ada Lovelace", None).await;
    ws.member("bob@example.com", "Bob Babbage", None).await;
    ws.member("cy@example.com", "Cy Outside", None).await;
    let item = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;

    hand_over(
        &ws,
        &ws.admin,
        &item,
        "ada@example.com",
        &["bob@example.com", "admin@example.com"],
    )
    .await;
    let messages = vec![mail.next_message().await, mail.next_message().await];

    let to_ada = smtp::decode(message_to(&messages, "ada@example.com").expect("ada's email"));
    assert!(
        to_ada.contains("Adele Admin made you the owner of 'Grow revenue'"),
        "{to_ada}"
    );
    assert!(
        to_ada.contains(&format!(
            "http://okr.example.test{}/items/{item}",
            ws.base()
        )),
        "{to_ada}"
    );
    assert!(to_ada.contains("http://okr.example.test/account#notifications"));
    let to_bob = smtp::decode(message_to(&messages, "bob@example.com").expect("bob's email"));
    assert!(
        to_bob.contains("Adele Admin assigned you to 'Grow revenue'"),
        "{to_bob}"
    );
    assert_eq!(kinds_of(&ws, "ada@example.com"), ["made_owner"]);
    assert_eq!(kinds_of(&ws, "bob@example.com"), ["assigned"]);
    // The actor assigned themself: nothing for them; nor for someone the change is not about.
    assert!(kinds_of(&ws, "admin@example.com").is_empty());
    assert!(kinds_of(&ws, "cy@example.com").is_empty());
    assert_eq!(emails_to(&ws, "admin@example.com"), 0);

    // Saving again changes nobody's part: nobody is told again.
    hand_over(
        &ws,
        &ws.admin,
        &item,
        "ada@example.com",
        &["bob@example.com", "admin@example.com"],
    )
    .await;
    assert_eq!(
        jobs::table
            .filter(jobs::kind.eq(notifications::NOTIFY_JOB))
            .count()
            .get_result::<i64>(&mut ws.app.db())
            .expect("jobs"),
        2
    );
}

#[tokio::test]
async fn a_check_in_tells_the_owner_and_a_recipient_who_cannot_see_the_item_gets_nothing() {
    let mut mail = SmtpServer::start().await;
    let ws = workspace_with_mail(&mail, "option_2").await;
    ws.member("ada@example.com", "Ada Lovelace", None).await;
    ws.member("cy@example.com", "Cy Outside", None).await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    hand_over(&ws, &ws.admin, &objective, "ada@example.com", &[]).await;
    mail.next_message().await;

    let page = format!("{}/items/{objective}", ws.base());
    ws.admin.get(&page).await;
    let checked = ws
        .admin
        .htmx_post(
            &format!("{page}/check-ins"),
            &[("confidence", "6"), ("note", "Slow month")],
        )
        .await;
    assert!(checked.status.is_success(), "{}", checked.body);
    let to_ada = smtp::decode(&mail.next_message().await);
    assert!(
        to_ada.contains("Adele Admin checked in on 'Grow revenue'"),
        "{to_ada}"
    );
    assert_eq!(kinds_of(&ws, "ada@example.com"), ["made_owner", "check_in"]);

    // Cy cannot see the objective (need-to-know, nothing of theirs under it): an event naming
    // them reaches only Ada.
    let (org_id, ws_id): (String, String) = cairn::schema::okr_items::table
        .find(&objective)
        .select((
            cairn::schema::okr_items::organization_id,
            cairn::schema::okr_items::workspace_id,
        ))
        .first(&mut ws.app.db())
        .expect("item");
    let event = Event {
        kind: NotificationKind::Mentioned,
        organization_id: org_id,
        workspace_id: Some(ws_id),
        item_id: Some(objective.clone()),
        comment_id: None,
        actor_user_id: Some(ws.app.user_id("admin@example.com")),
        recipient_user_ids: vec![
            ws.app.user_id("cy@example.com"),
            ws.app.user_id("ada@example.com"),
        ],
    };
    notifications::notify(&mut ws.app.db(), &event, ws.app.clock.now()).expect("notify");
    let to_ada = smtp::decode(&mail.next_message().await);
    assert!(
        to_ada.contains("Adele Admin mentioned you on 'Grow revenue'"),
        "{to_ada}"
    );
    assert!(kinds_of(&ws, "cy@example.com").is_empty());
    assert_eq!(emails_to(&ws, "cy@example.com"), 0);
    assert!(mail.drain().is_empty());
}

fn prefer(ws: &Workspace, email: &str, choice: &NotificationPreferences) {
    notifications::set_preferences(
        &mut ws.app.db(),
        &ws.app.user_id(email),
        choice,
        ws.app.clock.now(),
    )
    .expect("preferences");
}

#[tokio::test]
async fn a_kind_turned_off_is_in_the_inbox_but_not_emailed() {
    let mail = SmtpServer::start().await;
    let ws = workspace_with_mail(&mail, "option_1").await;
    ws.member("ada@example.com", "Ada Lovelace", None).await;
    prefer(
        &ws,
        "ada@example.com",
        &NotificationPreferences {
            assigned: false,
            ..NotificationPreferences::default()
        },
    );
    let item = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    hand_over(&ws, &ws.admin, &item, "ada@example.com", &[]).await;
    wait_for_rows(&ws, "ada@example.com", 1).await;
    // The row and its email (had there been one) are written in one transaction.
    assert_eq!(emails_to(&ws, "ada@example.com"), 0);
    let emailed: Option<chrono::NaiveDateTime> = notes::table
        .filter(notes::user_id.eq(ws.app.user_id("ada@example.com")))
        .select(notes::emailed_at)
        .first(&mut ws.app.db())
        .expect("row");
    assert_eq!(emailed, None);
}

#[tokio::test]
async fn a_daily_digest_waits_for_its_hour_lists_the_day_and_comes_once() {
    let mut mail = SmtpServer::start().await;
    let ws = workspace_with_mail(&mail, "option_1").await;
    ws.member("ada@example.com", "Ada Lovelace", None).await;
    ws.member("bob@example.com", "Bob Babbage", None).await;
    // The digest hour is the next hour on the app's clock (the organization is on UTC).
    let now = ws.app.clock.now();
    let hour = (now.hour() + 1) % 24;
    prefer(
        &ws,
        "ada@example.com",
        &NotificationPreferences {
            delivery: EmailDelivery::DailyDigest,
            digest_hour: notifications::DigestHour::new(i32::try_from(hour).expect("hour"))
                .expect("hour"),
            ..NotificationPreferences::default()
        },
    );
    let first = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let second = ws.create(&ws.admin, "objective", None, "Cut churn").await;
    hand_over(&ws, &ws.admin, &first, "ada@example.com", &[]).await;
    hand_over(
        &ws,
        &ws.admin,
        &second,
        "bob@example.com",
        &["ada@example.com"],
    )
    .await;
    // Bob wants his at once; his email comes after both of Ada's rows were written.
    let to_bob = smtp::decode(&mail.next_message().await);
    assert!(
        to_bob.contains("made you the owner of 'Cut churn'"),
        "{to_bob}"
    );
    wait_for_rows(&ws, "ada@example.com", 2).await;
    assert_eq!(emails_to(&ws, "ada@example.com"), 0);
    assert_eq!(
        notifications::schedule_digests(&mut ws.app.db(), ws.app.clock.now()).expect("schedule"),
        0,
        "not before the hour"
    );

    let to_the_hour = Duration::minutes(i64::from(60 - now.minute()) + 1);
    ws.app.clock.advance(to_the_hour);
    let digest = smtp::decode(&mail.next_message().await);
    assert!(digest.contains("ada@example.com"), "{digest}");
    assert!(
        digest.contains("Your day in Cairn: 2 notifications"),
        "{digest}"
    );
    assert!(
        digest.contains("Adele Admin made you the owner of 'Grow revenue'"),
        "{digest}"
    );
    assert!(
        digest.contains("Adele Admin assigned you to 'Cut churn'"),
        "{digest}"
    );
    assert_eq!(emails_to(&ws, "ada@example.com"), 1);

    // Later the same day nothing is left to send, and the day's occurrence is taken.
    ws.app.clock.advance(Duration::hours(2));
    assert_eq!(
        notifications::schedule_digests(&mut ws.app.db(), ws.app.clock.now()).expect("schedule"),
        0
    );
    let unemailed: i64 = notes::table
        .inner_join(users::table.on(users::id.eq(notes::user_id)))
        .filter(users::email.eq("ada@example.com"))
        .filter(notes::emailed_at.is_null())
        .count()
        .get_result(&mut ws.app.db())
        .expect("count");
    assert_eq!(unemailed, 0);
}
