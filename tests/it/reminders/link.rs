//! The one-time link a reminder carries: once, without a session, only for its key results.

use super::*;

#[tokio::test]
async fn the_one_time_link_works_once_without_a_session_and_only_for_its_key_results() {
    let mut mail = SmtpServer::start().await;
    let w = quiet_workspace(&mail.url()).await;
    let ids = key_results(&w, &["Ten deals", "Docs site", "Not listed"]).await;
    let deals = &ids[0];
    diesel::update(okr_items::table.find(deals))
        .set((
            okr_items::measure.eq("metric"),
            okr_items::metric_kind.eq(Some("increase_to")),
            okr_items::baseline.eq(Some("0")),
            okr_items::target.eq(Some("10")),
            okr_items::unit.eq(Some("deals")),
        ))
        .execute(&mut w.app.db())
        .expect("metric");
    // Checked in on Sunday, so Monday's reminder leaves it out.
    diesel::update(okr_items::table.find(&ids[2]))
        .set(okr_items::last_check_in_on.eq(Some(utc(2031, 1, 5, 0, 0).date())))
        .execute(&mut w.app.db())
        .expect("checked in");
    let worker = runner(&w.app, &mail.url());
    set_clock(&w.app, monday_nine());
    round(&worker, &w.app, monday_nine());
    let message = mail.next_message().await;
    let text = smtp::decode(&message);
    assert!(
        text.contains("Ten deals: 0 / 10 deals (No update)"),
        "{text}"
    );
    let link = link_path(&message);
    let stored: Vec<(String, String)> = email_outbox::table
        .select((email_outbox::body_html, email_outbox::body_text))
        .load(&mut w.app.db())
        .expect("outbox");
    for (html, text) in &stored {
        assert!(
            !text.contains("/check-in/") && !html.contains("/check-in/"),
            "no usable link rests in the outbox"
        );
    }
    let hash: Option<String> = check_in_links::table
        .select(check_in_links::token_hash)
        .first(&mut w.app.db())
        .expect("link");
    assert!(hash.is_some_and(|h| h.len() == 64 && !link.contains(&h)));

    // Forged: nothing there, nothing changed.
    let stranger = w.app.browser();
    let forged = format!("/check-in/{}", "A".repeat(43));
    assert_eq!(stranger.get(&forged).await.status, StatusCode::NOT_FOUND);
    let posted = stranger
        .post_form_raw(&forged, &[(&format!("confidence.{deals}"), "7")])
        .await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    assert_eq!(check_in_count(&w.app, deals), 0);

    // No session: the page opens with the listed key results only.
    let fresh = w.app.browser();
    assert!(fresh.session_cookie().is_none());
    let page = fresh.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Ten deals") && page.body.contains("Docs site"));
    assert!(!page.body.contains("Not listed"));

    // A row refused: every typed value comes back, the message next to its field.
    let (value, confidence, note) = (
        format!("value.{deals}"),
        format!("confidence.{deals}"),
        format!("note.{deals}"),
    );
    let docs_note = format!("note.{}", ids[1]);
    let refused = stranger
        .post_form_raw(
            &link,
            &[
                (&value, "abc"),
                (&confidence, "7"),
                (&note, "typed"),
                (&docs_note, "kept too"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused
        .text_of(&format!("#confidence-{}-error", ids[1]))
        .is_some());
    assert_eq!(
        refused
            .attr_of(&format!("#value-{deals}"), "value")
            .as_deref(),
        Some("abc")
    );
    assert!(refused.body.contains("kept too"));
    let refused = stranger
        .post_form_raw(&link, &[(&value, "abc"), (&confidence, "7")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text_of(&format!("#value-{deals}-error")).is_some());
    assert_eq!(check_in_count(&w.app, deals), 0);

    // A value for a key result measured by its actions: the reason shows on its row.
    let (docs_value, docs_confidence) = (
        format!("value.{}", ids[1]),
        format!("confidence.{}", ids[1]),
    );
    let refused = stranger
        .post_form_raw(&link, &[(&docs_value, "5"), (&docs_confidence, "7")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of(&format!("#row-{} .form-error", ids[1]))
        .is_some_and(|e| e.contains("from its actions")));
    assert_eq!(check_in_count(&w.app, &ids[1]), 0);

    // Another item's id changes nothing, and alone it checks in on nothing.
    let other = format!("confidence.{}", ids[2]);
    let alone = stranger.post_form_raw(&link, &[(&other, "9")]).await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Posted from a browser that never had a session.
    let done = w
        .app
        .browser()
        .post_form_raw(
            &link,
            &[
                (&value, "4"),
                (&confidence, "7"),
                (&note, "Four signed"),
                (&other, "9"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("1 key result"));
    assert_eq!(check_in_count(&w.app, deals), 1);
    assert_eq!(
        check_in_count(&w.app, &ids[1]),
        0,
        "an empty row is left alone"
    );
    assert_eq!(check_in_count(&w.app, &ids[2]), 0, "not on the link");
    let current: Option<String> = okr_items::table
        .find(deals)
        .select(okr_items::current_value)
        .first(&mut w.app.db())
        .expect("item");
    assert_eq!(current.as_deref(), Some("4"));

    // Once only.
    let again = stranger
        .post_form_raw(&link, &[(&value, "5"), (&confidence, "7")])
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(stranger.get(&link).await.status, StatusCode::GONE);
    assert_eq!(check_in_count(&w.app, deals), 1);

    // Next week's link expires after seven days.
    let next_monday = monday_nine() + Duration::days(7);
    round(&worker, &w.app, next_monday);
    let link = link_path(&mail.next_message().await);
    set_clock(&w.app, next_monday + Duration::days(8));
    let expired = stranger.get(&link).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("expired"));
    let posted = stranger
        .post_form_raw(&link, &[(&value, "6"), (&confidence, "7")])
        .await;
    assert_eq!(posted.status, StatusCode::GONE);
    assert_eq!(check_in_count(&w.app, deals), 1);
}
