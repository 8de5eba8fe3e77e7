//! Who hears what, and exactly once: escalation to the manager, several runners on one
//! database, the mail server down and back.

use super::*;

#[tokio::test]
async fn a_key_result_still_without_a_check_in_goes_to_the_managers_next_reminder_once() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    let ids = key_results(&w, &["Hire two"]).await;
    w.member("max@example.com", "Max Manager", None).await;
    let mia = w
        .member("mia@example.com", "Mia Member", Some("max@example.com"))
        .await;
    give(&w.app, &ids[0], "mia@example.com");
    let settings = format!("{}/settings", w.base());
    let saved = w
        .admin
        .submit(
            &settings,
            &format!("{settings}/check-ins"),
            &[
                ("check_in_cadence", "weekly"),
                ("check_in_weekday", "monday"),
                ("reminder_hour", "9"),
                ("escalate_to_manager", "on"),
            ],
        )
        .await;
    saved.assert_redirect(&settings);
    let worker = runner(&w.app, &mail.url());

    round(&worker, &w.app, monday_nine());
    let first = smtp::decode(&mail.next_message().await);
    assert!(first.contains("To: mia@example.com"));
    assert!(mail.drain().is_empty(), "the manager owns nothing due yet");

    // A week later Mia is reminded again, and Max hears of it once.
    let next = monday_nine() + Duration::days(7);
    round(&worker, &w.app, next);
    let mut messages = [
        smtp::decode(&mail.next_message().await),
        smtp::decode(&mail.next_message().await),
    ];
    messages.sort_by_key(|m| !m.contains("To: max@example.com"));
    assert!(messages[0].contains("Still without a check-in"));
    assert!(messages[0].contains("Hire two"));
    assert!(messages[0].contains("Mia Member"));
    assert!(
        !messages[0].contains("/check-in/"),
        "nothing for Max to check in on"
    );
    assert!(messages[1].contains("To: mia@example.com"));
    round(&worker, &w.app, next + Duration::hours(3));
    assert!(mail.drain().is_empty());

    // Mia checks in after her reminder: the week after, Max hears nothing.
    set_clock(&w.app, next + Duration::days(1));
    let item = format!("{}/items/{}", w.base(), ids[0]);
    mia.get(&item).await;
    let saved = mia
        .htmx_post(
            &format!("{item}/check-ins"),
            &[("confidence", "6"), ("note", "")],
        )
        .await;
    assert!(saved.status.is_success(), "{}", saved.body);
    round(&worker, &w.app, next + Duration::days(7));
    let to_max = outbox(&w.app)
        .into_iter()
        .filter(|(to, _, _)| to == "max@example.com")
        .count();
    assert_eq!(to_max, 1, "escalated once");
}

#[tokio::test]
async fn runners_on_one_database_send_every_reminder_exactly_once() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    let ids = key_results(&w, &["One", "Two", "Three", "Four"]).await;
    let people = ["a@example.com", "b@example.com", "c@example.com"];
    for (n, email) in people.iter().enumerate() {
        w.member(email, &format!("Person {n}"), None).await;
        give(&w.app, &ids[n], email);
    }
    // Every runner on one clock, as instances behind a load balancer are: the second
    // instance's own first round runs at this instant too, alongside the three below.
    set_clock(&w.app, monday_nine());
    let _second = w.app.another_instance(&quiet(&mail.url()));
    let start = Arc::new(Barrier::new(3));
    let runners: Vec<_> = (0..3)
        .map(|_| {
            let (url, start, worker) = (
                w.app.database.url.clone(),
                start.clone(),
                runner(&w.app, &mail.url()),
            );
            tokio::task::spawn_blocking(move || {
                let mut conn = cairn::db::establish(&url).expect("connect");
                start.wait();
                for minutes in [0, 1, 2] {
                    worker
                        .run_round(&mut conn, monday_nine() + Duration::minutes(minutes))
                        .expect("round");
                }
            })
        })
        .collect();
    for runner in runners {
        runner.await.expect("runner");
    }
    let mut recipients = Vec::new();
    for _ in 0..4 {
        let message = smtp::decode(&mail.next_message().await);
        recipients.extend(
            message
                .lines()
                .find_map(|l| l.strip_prefix("To: ").map(str::to_owned)),
        );
    }
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "a@example.com",
            "admin@example.com",
            "b@example.com",
            "c@example.com"
        ]
    );
    assert!(mail.drain().is_empty(), "no reminder twice");
    // One message queued per person (the second instance may still be recording its last
    // delivery, so the statuses are not read here).
    let mut queued: Vec<String> = outbox(&w.app).into_iter().map(|(to, _, _)| to).collect();
    queued.sort();
    assert_eq!(queued, recipients);
}

#[tokio::test]
async fn a_reminder_survives_the_mail_server_being_down_and_is_sent_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let w = quiet_workspace(&smtp::smtp_url(port)).await;
    key_results(&w, &["Uptime"]).await;
    let worker = runner(&w.app, &smtp::smtp_url(port));
    let down = round(&worker, &w.app, monday_nine());
    assert_eq!((down.jobs_run, down.emails_delivered), (1, 0));
    assert_eq!(outbox(&w.app)[0].2, "pending");

    let mut mail = SmtpServer::start_on(port).await;
    let mut at = monday_nine();
    for _ in 0..3 {
        at += Duration::hours(1);
        round(&worker, &w.app, at);
    }
    let message = mail.next_message().await;
    assert!(smtp::decode(&message).contains("Uptime"));
    assert!(mail.drain().is_empty(), "sent once");
    assert_eq!(outbox(&w.app).len(), 1);
    set_clock(&w.app, at);
    let page = w.app.browser().get(&link_path(&message)).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "the link minted at send time works"
    );
}
