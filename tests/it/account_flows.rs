//! The account flows beyond sign-up, end to end with mail delivered over SMTP to a server in
//! this process: forgot password (the link works once, for an hour; unknown addresses get
//! the same answer; asking is limited), changing name, password and email (confirmed from
//! the new address, the old one told), and deleting the account (refused for the last owner
//! of an organization, naming it).

use cairn::schema::{email_outbox, org_members, users};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, TestApp, PASSWORD};
use crate::smtp::{self, SmtpServer};

async fn app_with_mail(mail: &SmtpServer) -> TestApp {
    TestApp::spawn_with(&[
        ("SMTP_URL", &mail.url()),
        ("OUTBOX_POLL_MILLIS", "50"),
        ("OUTBOX_RETRY_SECONDS", "1"),
        ("BASE_URL", "http://okr.example.test"),
    ])
    .await
}

async fn logged_in(app: &TestApp, email: &str) -> Browser {
    let browser = app.browser();
    browser.log_in(email, PASSWORD).await.assert_redirect("/");
    browser
}

async fn is_signed_in(browser: &Browser) -> bool {
    browser.get("/account").await.status == StatusCode::OK
}

fn mails_to(app: &TestApp, address: &str) -> i64 {
    email_outbox::table
        .filter(email_outbox::to_address.eq(address))
        .count()
        .get_result(&mut app.db())
        .expect("count")
}

async fn ask_reset(browser: &Browser, email: &str) -> crate::harness::Page {
    browser
        .submit("/forgot-password", "/forgot-password", &[("email", email)])
        .await
}

#[tokio::test]
async fn a_reset_link_works_once_for_an_hour_and_ends_every_session() {
    let mut mail = SmtpServer::start().await;
    let app = app_with_mail(&mail).await;
    let first = app.person("ada@example.com", "Ada").await;
    let second = logged_in(&app, "ada@example.com").await;
    let visitor = app.browser();

    // The same answer for an unknown address, and nothing sent to it.
    let unknown = ask_reset(&visitor, "nobody@example.com").await;
    let known = ask_reset(&visitor, "ada@example.com").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        unknown
            .text_of("#forgot-sent")
            .map(|t| t.replace("nobody", "ada")),
        known.text_of("#forgot-sent")
    );
    assert_eq!(mails_to(&app, "nobody@example.com"), 0);
    let message = mail.next_message().await;
    assert!(message.contains("To: ada@example.com"), "{message}");
    let link = smtp::link_path(&message, "/reset-password/");
    let stored: String = email_outbox::table
        .filter(email_outbox::to_address.eq("ada@example.com"))
        .select(email_outbox::body_text)
        .first(&mut app.db())
        .expect("outbox");
    assert!(
        !stored.contains(&link),
        "no usable token rests in the outbox"
    );

    // Opening the link shows the form; a short password is refused beside the field.
    let form = visitor.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    let short = visitor.submit(&link, &link, &[("password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text_of("#password-error").is_some());
    let new_password = "a brand new password";
    visitor
        .submit(&link, &link, &[("password", new_password)])
        .await
        .assert_redirect("/login?logged_out=reset");
    assert!(!is_signed_in(&first).await && !is_signed_in(&second).await);
    let old = app.browser().log_in("ada@example.com", PASSWORD).await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.browser()
        .log_in("ada@example.com", new_password)
        .await
        .assert_redirect("/");

    // Once only.
    assert_eq!(visitor.get(&link).await.status, StatusCode::NOT_FOUND);
    let again = visitor
        .submit(&link, &link, &[("password", "yet another password")])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // For an hour only.
    ask_reset(&visitor, "ada@example.com").await;
    let late = smtp::link_path(&mail.next_message().await, "/reset-password/");
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(visitor.get(&late).await.status, StatusCode::NOT_FOUND);

    // Three asks an hour; a fourth is answered the same and sends nothing.
    for _ in 0..4 {
        assert_eq!(
            ask_reset(&visitor, "ada@example.com").await.status,
            StatusCode::OK
        );
    }
    assert_eq!(mails_to(&app, "ada@example.com"), 2 + 3);
}

#[tokio::test]
async fn name_password_and_email_change_from_the_account_page() {
    let mut mail = SmtpServer::start().await;
    let app = app_with_mail(&mail).await;
    let ada = app.person("ada@example.com", "Ada").await;
    app.person("grace@example.com", "Grace").await;
    let elsewhere = logged_in(&app, "ada@example.com").await;

    ada.submit("/account", "/account/name", &[("name", "Ada Lovelace")])
        .await
        .assert_redirect("/account");
    let long = "n".repeat(101);
    let refused = ada
        .submit("/account", "/account/name", &[("name", &long)])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr_of("#name", "value").as_deref(),
        Some(long.as_str())
    );
    let name: String = users::table
        .filter(users::email.eq("ada@example.com"))
        .select(users::name)
        .first(&mut app.db())
        .expect("user");
    assert_eq!(name, "Ada Lovelace");

    // The password: the current one is required; other sessions end, this one goes on.
    let wrong = ada
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text_of("#current_password-error").is_some());
    ada.submit(
        "/account",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new password"),
        ],
    )
    .await
    .assert_redirect("/account");
    assert!(is_signed_in(&ada).await, "this session goes on");
    assert!(!is_signed_in(&elsewhere).await, "the others end");

    // The email: a taken one is refused with what was typed; a new one is confirmed by a
    // link to it, and the current address is told.
    let taken = ada
        .submit(
            "/account",
            "/account/email",
            &[("email", "grace@example.com")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        taken.attr_of("#email", "value").as_deref(),
        Some("grace@example.com")
    );
    ada.submit(
        "/account",
        "/account/email",
        &[("email", "Ada.L@Example.com")],
    )
    .await
    .assert_redirect("/account");
    let (mut to_new, mut to_old) = (None, None);
    for _ in 0..2 {
        let message = mail.next_message().await;
        if message.contains("To: ada.l@example.com") {
            to_new = Some(message);
        } else if message.contains("To: ada@example.com") {
            to_old = Some(message);
        }
    }
    let to_old = to_old.expect("the current address is told");
    assert!(smtp::decode(&to_old).contains("ada.l@example.com"));
    assert!(
        !to_old.contains("/account/email/"),
        "the notice has no link"
    );
    let link = smtp::link_path(
        &to_new.expect("the new address gets a link"),
        "/account/email/",
    );
    let confirm = ada.get(&link).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(
        ada.get("/account")
            .await
            .text_of("#account-email")
            .as_deref(),
        Some("ada@example.com"),
        "nothing changes before the link is used"
    );
    ada.submit(&link, &link, &[])
        .await
        .assert_redirect("/account");
    assert_eq!(
        ada.get("/account")
            .await
            .text_of("#account-email")
            .as_deref(),
        Some("ada.l@example.com")
    );
    assert_eq!(
        ada.submit(&link, &link, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    app.browser()
        .log_in("ada.l@example.com", "a brand new password")
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn the_last_owner_of_an_organization_cannot_delete_the_account_but_others_can() {
    let mail = SmtpServer::start().await;
    let app = app_with_mail(&mail).await;
    let owner = app.person("owner@example.com", "Olive").await;
    let org = owner.create_org("Acme Robotics").await;
    let member = app.person("mia@example.com", "Mia").await;
    app.join_org(&org, "mia@example.com", "member");
    let mia_id = app.user_id("mia@example.com");

    let refused = owner
        .submit(
            "/account",
            "/account/delete",
            &[("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text_of("#delete_password-error")
        .is_some_and(|m| m.contains("Acme Robotics")));
    let wrong = member
        .submit(
            "/account",
            "/account/delete",
            &[("current_password", "wrong one")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(is_signed_in(&member).await);

    member
        .submit(
            "/account",
            "/account/delete",
            &[("current_password", PASSWORD)],
        )
        .await
        .assert_redirect("/login?logged_out=deleted");
    assert!(!is_signed_in(&member).await);
    let (name, email, disabled): (String, String, Option<chrono::NaiveDateTime>) = users::table
        .find(&mia_id)
        .select((users::name, users::email, users::disabled_at))
        .first(&mut app.db())
        .expect("the row stays for history");
    assert_eq!(name, "Deleted user");
    assert!(!email.contains("mia"));
    assert!(disabled.is_some());
    let memberships: i64 = org_members::table
        .filter(org_members::user_id.eq(&mia_id))
        .count()
        .get_result(&mut app.db())
        .expect("count");
    assert_eq!(memberships, 0);
    let again = app.browser().log_in("mia@example.com", PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The address is free for a new account.
    app.browser()
        .sign_up("mia@example.com", "Mia Again", PASSWORD)
        .await
        .assert_redirect("/");
}
