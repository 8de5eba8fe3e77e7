//! Invites end to end: the app queues, its worker delivers over SMTP to a server in this
//! process, the test reads the link out of the message and accepts it like a person would.

use cairn::schema::{email_outbox, org_invites, org_members, workspace_memberships};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, TestApp, PASSWORD};
use crate::smtp::{self, SmtpServer};
use crate::snapshot::Snapshot;

const BASE_URL: &str = "http://okr.example.test";

/// An app whose outbox worker polls quickly and delivers to `smtp_url`.
async fn app_with_mail(smtp_url: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("SMTP_URL", smtp_url),
        ("OUTBOX_POLL_MILLIS", "50"),
        ("OUTBOX_RETRY_SECONDS", "1"),
        ("BASE_URL", BASE_URL),
    ];
    vars.extend_from_slice(extra);
    TestApp::spawn_with(&vars).await
}

struct Team {
    app: TestApp,
    owner: Browser,
    org: String,
    workspace: String,
}

async fn team(smtp_url: &str, extra: &[(&str, &str)]) -> Team {
    let app = app_with_mail(smtp_url, extra).await;
    let owner = app.person("owner@example.com", "Olive Owner").await;
    let org = owner.create_org("Acme").await;
    let workspace = owner.create_workspace(&org, "Platform", "option_1").await;
    Team {
        app,
        owner,
        org,
        workspace,
    }
}

impl Team {
    fn workspace_id(&self) -> String {
        use cairn::schema::workspaces;
        workspaces::table
            .filter(workspaces::slug.eq(&self.workspace))
            .select(workspaces::id)
            .first(&mut self.app.db())
            .expect("workspace")
    }

    async fn invite(&self, emails: &str, role: &str, to_workspace: bool) -> crate::harness::Page {
        let invites = format!("/orgs/{}/invites", self.org);
        let workspace_id = if to_workspace {
            self.workspace_id()
        } else {
            String::new()
        };
        self.owner
            .submit(
                &invites,
                &invites,
                &[
                    ("emails", emails),
                    ("role", role),
                    ("workspace_id", &workspace_id),
                ],
            )
            .await
    }

    fn invite_status(&self, email: &str) -> String {
        org_invites::table
            .filter(org_invites::normalized_email.eq(email))
            .select(org_invites::status)
            .first(&mut self.app.db())
            .expect("invite")
    }
}

fn header<'a>(message: &'a str, name: &str) -> &'a str {
    message
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .unwrap_or_default()
}

#[tokio::test]
async fn a_new_person_signs_up_from_the_emailed_link_and_lands_in_the_workspace() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let page = team
        .invite("New.Person@Example.com", "workspace_admin", true)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .text_of(".result-card")
        .unwrap_or_default()
        .contains("Invited new.person@example.com"));

    let message = mail.next_message().await;
    assert_eq!(header(&message, "To"), "new.person@example.com");
    assert!(header(&message, "Subject").contains("Olive Owner invited you to Acme on Cairn"));
    let text = smtp::decode(&message);
    for expected in [
        "Olive Owner invited you to join Acme",
        "in the workspace Platform",
        "as Workspace admin",
        "expires on",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        text.contains("text/html") && text.contains("text/plain"),
        "HTML and plain text bodies"
    );
    let link = smtp::invite_path(&message);
    assert!(
        text.contains(&format!("{BASE_URL}{link}")),
        "links use BASE_URL"
    );

    let newcomer = team.app.browser();
    let invite = newcomer.get(&link).await;
    assert_eq!(invite.status, StatusCode::OK);
    assert_eq!(
        invite.text_of("#invite-title").as_deref(),
        Some("Join Acme")
    );
    assert_eq!(
        invite.attr_of("#email", "value").as_deref(),
        Some("new.person@example.com")
    );

    // A bad password is refused next to its field, and nothing is used up.
    let page = newcomer
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Nia New"), ("password", "short")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#password-error").as_deref(),
        Some("Use at least 10 characters.")
    );
    assert_eq!(team.invite_status("new.person@example.com"), "pending");

    let page = newcomer
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Nia New"), ("password", PASSWORD)],
        )
        .await;
    page.assert_redirect(&format!("/orgs/{}/w/{}", team.org, team.workspace));
    assert_eq!(
        newcomer
            .get(&format!("/orgs/{}/w/{}", team.org, team.workspace))
            .await
            .status,
        StatusCode::OK
    );

    let user_id = team.app.user_id("new.person@example.com");
    let (invite_id, accepted_by, accepted_at): (
        String,
        Option<String>,
        Option<chrono::NaiveDateTime>,
    ) = org_invites::table
        .select((
            org_invites::id,
            org_invites::accepted_by_user_id,
            org_invites::accepted_at,
        ))
        .first(&mut team.app.db())
        .expect("invite");
    assert_eq!(accepted_by.as_deref(), Some(user_id.as_str()));
    assert!(accepted_at.is_some());
    assert_eq!(team.invite_status("new.person@example.com"), "accepted");
    let (role, via): (String, Option<String>) = workspace_memberships::table
        .filter(workspace_memberships::user_id.eq(&user_id))
        .select((
            workspace_memberships::role,
            workspace_memberships::invited_via_invite_id,
        ))
        .first(&mut team.app.db())
        .expect("workspace membership");
    assert_eq!(
        (role.as_str(), via.as_deref()),
        ("workspace_admin", Some(invite_id.as_str()))
    );

    let listing = team.owner.get(&format!("/orgs/{}/invites", team.org)).await;
    let row = listing.text_of(".invite-row").unwrap_or_default();
    assert!(
        row.contains("accepted") && row.contains("Delivered to the mail server"),
        "{row}"
    );
}

#[tokio::test]
async fn an_existing_user_logs_in_and_accepts() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let grace = team.app.person("grace@example.com", "Grace").await;
    grace.log_out().await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);

    let page = grace.get(&link).await;
    assert_eq!(
        page.attr_of(".auth-switch a", "href"),
        Some(format!("/login?next={link}"))
    );
    grace.get(&format!("/login?next={link}")).await;
    grace
        .post_form(
            "/login",
            &[
                ("email", "grace@example.com"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await
        .assert_redirect(&link);
    let page = grace.get(&link).await;
    assert!(
        page.attr_of(&format!("form[action='{link}/accept']"), "method")
            .is_some(),
        "a join button"
    );
    grace
        .post_form(&format!("{link}/accept"), &[])
        .await
        .assert_redirect(&format!("/orgs/{}", team.org));
    assert_eq!(
        grace.get(&format!("/orgs/{}", team.org)).await.status,
        StatusCode::OK
    );
    let role: String = org_members::table
        .filter(org_members::user_id.eq(team.app.user_id("grace@example.com")))
        .select(org_members::role)
        .first(&mut team.app.db())
        .expect("membership");
    assert_eq!(role, "member");
}

#[tokio::test]
async fn someone_logged_in_with_another_email_is_told_and_nothing_changes() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    team.invite("grace@example.com", "workspace_user", true)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);
    let other = team.app.person("other@example.com", "Otto").await;

    let page = other.get(&link).await;
    assert!(page
        .text_of("#wrong-account")
        .unwrap_or_default()
        .contains("this invite is for grace@example.com"));
    let page = other.post_form(&format!("{link}/accept"), &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(team.invite_status("grace@example.com"), "pending");
    assert_eq!(
        other.get(&format!("/orgs/{}", team.org)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_link_works_once_even_from_two_tabs_at_once() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let grace = team.app.person("grace@example.com", "Grace").await;
    team.invite("grace@example.com", "workspace_user", true)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);
    grace.get(&link).await;
    let token = grace.csrf_token();
    let accept = || {
        grace
            .client
            .post(grace.url(&format!("{link}/accept")))
            .form(&[("csrf_token", token.as_str())])
            .send()
    };
    let (first, second) = tokio::join!(accept(), accept());
    let mut statuses = vec![
        first.expect("POST").status(),
        second.expect("POST").status(),
    ];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::SEE_OTHER, StatusCode::GONE]);
    let memberships: i64 = workspace_memberships::table
        .filter(workspace_memberships::user_id.eq(team.app.user_id("grace@example.com")))
        .count()
        .get_result(&mut team.app.db())
        .expect("count");
    assert_eq!(memberships, 1);

    let again = team.app.browser().get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(
        again.text_of("#closed-message").as_deref(),
        Some("This invite has already been used.")
    );
}

/// Invites late@ and withdrawn@, reads both links from the mail, and lets late@'s expire.
async fn late_and_withdrawn(
    mail: &mut SmtpServer,
    team: &Team,
) -> std::collections::HashMap<String, String> {
    team.invite(
        "late@example.com, withdrawn@example.com",
        "workspace_user",
        false,
    )
    .await;
    let mut links = std::collections::HashMap::new();
    for _ in 0..2 {
        let message = mail.next_message().await;
        links.insert(
            header(&message, "To").to_owned(),
            smtp::invite_path(&message),
        );
    }
    diesel::update(org_invites::table.filter(org_invites::normalized_email.eq("late@example.com")))
        .set(org_invites::expires_at.eq(cairn::db::now() - chrono::Duration::minutes(1)))
        .execute(&mut team.app.db())
        .expect("age the invite");
    links
}

/// Withdraws the pending invite of `email` from the invites page.
async fn withdraw(team: &Team, email: &str) {
    let invite_id: String = org_invites::table
        .filter(org_invites::normalized_email.eq(email))
        .select(org_invites::id)
        .first(&mut team.app.db())
        .expect("invite");
    let invites = format!("/orgs/{}/invites", team.org);
    team.owner
        .submit(&invites, &format!("{invites}/{invite_id}/revoke"), &[])
        .await
        .assert_redirect(&invites);
}

#[tokio::test]
async fn expired_revoked_and_forged_links_are_refused_with_a_clear_page() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let links = late_and_withdrawn(&mut mail, &team).await;
    let page = team.app.browser().get(&links["late@example.com"]).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page
        .text_of("#closed-message")
        .unwrap_or_default()
        .starts_with("This invite has expired."));
    assert_eq!(
        team.invite_status("late@example.com"),
        "expired",
        "an expired invite is marked expired"
    );

    withdraw(&team, "withdrawn@example.com").await;
    let page = team
        .app
        .browser()
        .get(&links["withdrawn@example.com"])
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert_eq!(
        page.text_of("#closed-message").as_deref(),
        Some("This invite was withdrawn.")
    );

    let forged = format!("/invites/{}", "A".repeat(43));
    for path in [forged.as_str(), "/invites/not-a-token"] {
        let page = team.app.browser().get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page
            .text_of("#closed-message")
            .unwrap_or_default()
            .starts_with("This invite link is not valid."));
    }
}

#[tokio::test]
async fn resending_replaces_the_link() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let old_link = smtp::invite_path(&mail.next_message().await);

    // Inviting the same address again resends; so does the Resend button.
    let page = team
        .invite("GRACE@example.com", "workspace_user", false)
        .await;
    assert!(page
        .text_of(".result-card")
        .unwrap_or_default()
        .contains("was already invited; sent again"));
    let second_link = smtp::invite_path(&mail.next_message().await);
    let invite_id: String = org_invites::table
        .select(org_invites::id)
        .first(&mut team.app.db())
        .expect("invite");
    let invites = format!("/orgs/{}/invites", team.org);
    team.owner
        .submit(&invites, &format!("{invites}/{invite_id}/resend"), &[])
        .await
        .assert_redirect(&invites);
    let new_link = smtp::invite_path(&mail.next_message().await);

    assert_eq!(
        org_invites::table
            .count()
            .get_result::<i64>(&mut team.app.db())
            .expect("count"),
        1,
        "one invite per address"
    );
    for stale in [&old_link, &second_link] {
        assert_eq!(
            team.app.browser().get(stale).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        team.app.browser().get(&new_link).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_addresses_are_named_and_good_ones_still_go_out_within_the_hourly_limit() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[("INVITES_PER_ORG_PER_HOUR", "2")]).await;
    let page = team
        .invite(
            "one@example.com, not-an-email\ntwo@example.com; three@example.com",
            "workspace_user",
            false,
        )
        .await;
    let result = page.text_of(".result-card").unwrap_or_default();
    assert!(result.contains("Invited one@example.com"), "{result}");
    assert!(result.contains("Invited two@example.com"), "{result}");
    assert!(
        result.contains("Not sent to three@example.com: the organization's hourly limit"),
        "{result}"
    );
    assert_eq!(
        page.text_of(".invalid-address").as_deref(),
        Some("“not-an-email” was not invited: Enter an email address like name@example.com.")
    );
    assert_eq!(
        page.text_of("#emails").as_deref(),
        Some("not-an-email"),
        "the bad address stays in the box"
    );
    let mut delivered = vec![
        header(&mail.next_message().await, "To").to_owned(),
        header(&mail.next_message().await, "To").to_owned(),
    ];
    delivered.sort();
    assert_eq!(delivered, ["one@example.com", "two@example.com"]);
    assert_eq!(
        email_outbox::table
            .count()
            .get_result::<i64>(&mut team.app.db())
            .expect("count"),
        2
    );
}

#[tokio::test]
async fn only_admins_invite_and_workspace_admins_only_to_their_workspace() {
    let mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let member = team.app.person("member@example.com", "Mia").await;
    team.app.join_org(&team.org, "member@example.com", "member");
    let outsider = team.app.person("outsider@example.com", "Otto").await;
    let invites = format!("/orgs/{}/invites", team.org);
    assert_eq!(member.get(&invites).await.status, StatusCode::FORBIDDEN);
    assert_eq!(outsider.get(&invites).await.status, StatusCode::NOT_FOUND);

    // Make the member a workspace admin of Platform only.
    let other_ws = team
        .owner
        .create_workspace(&team.org, "Sales", "option_1")
        .await;
    let member_id = team.app.user_id("member@example.com");
    let members = format!("/orgs/{}/w/{}/members", team.org, team.workspace);
    team.owner
        .submit(
            &members,
            &members,
            &[("user_id", &member_id), ("role", "workspace_admin")],
        )
        .await
        .assert_redirect(&members);
    let page = member.get(&invites).await;
    assert_eq!(page.status, StatusCode::OK);
    let options: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("#workspace_id option").expect("selector"))
        .map(|o| o.text().collect())
        .collect();
    assert_eq!(
        options,
        ["Platform"],
        "no organization-wide invite, no other workspace"
    );
    let sales_id: String = {
        use cairn::schema::workspaces;
        workspaces::table
            .filter(workspaces::slug.eq(&other_ws))
            .select(workspaces::id)
            .first(&mut team.app.db())
            .expect("ws")
    };
    let page = member
        .post_form(
            &invites,
            &[
                ("emails", "x@example.com"),
                ("role", "workspace_user"),
                ("workspace_id", &sales_id),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#workspace_id-error").as_deref(),
        Some("Choose one of the listed workspaces.")
    );
    let page = member
        .submit(
            &invites,
            &invites,
            &[
                ("emails", "x@example.com"),
                ("role", "workspace_user"),
                ("workspace_id", &team.workspace_id()),
            ],
        )
        .await;
    assert!(page
        .text_of(".result-card")
        .unwrap_or_default()
        .contains("Invited x@example.com"));
}

/// Reserves a port nobody listens on (connections are refused) and returns it.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Polls the outbox's (recipient, status) rows, sorted by recipient, until `done` holds:
/// the workers run on their own schedule, so the test waits on what they leave behind.
async fn outbox_when(
    app: &TestApp,
    what: &str,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let rows: Vec<(String, String)> = email_outbox::table
            .order(email_outbox::to_address.asc())
            .select((email_outbox::to_address, email_outbox::status))
            .load(&mut app.db())
            .expect("outbox");
        if done(&rows) {
            return rows;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox never reached this state ({what}): {rows:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Polls the outbox row until `done` holds (the worker runs on its own schedule).
async fn wait_for_outbox(
    app: &TestApp,
    done: impl Fn(&(String, i32, Option<String>)) -> bool,
) -> (String, i32, Option<String>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let row: (String, i32, Option<String>) = email_outbox::table
            .select((
                email_outbox::status,
                email_outbox::attempts,
                email_outbox::last_error,
            ))
            .first(&mut app.db())
            .expect("outbox row");
        if done(&row) {
            return row;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "outbox never reached the state: {row:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn an_invite_survives_the_mail_server_being_down_and_is_delivered_once() {
    let port = closed_port();
    let team = team(&smtp::smtp_url(port), &[]).await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let (status, attempts, error) = wait_for_outbox(&team.app, |(_, attempts, error)| {
        *attempts >= 1 && error.is_some()
    })
    .await;
    assert!(
        status == "pending" || status == "sending",
        "a failed attempt is retried later: {status}"
    );
    assert!(attempts >= 1);
    assert!(error.unwrap_or_default().contains("delivery failed"));
    let listing = team.owner.get(&format!("/orgs/{}/invites", team.org)).await;
    assert!(listing
        .text_of(".invite-row")
        .unwrap_or_default()
        .contains("Waiting to send"));

    let mut mail = SmtpServer::start_on(port).await;
    // The retry falls due on the app's clock.
    team.app.clock.advance(chrono::Duration::hours(1));
    let message = mail.next_message().await;
    assert_eq!(header(&message, "To"), "grace@example.com");
    wait_for_outbox(&team.app, |(status, ..)| status == "sent").await;

    // Another delivery round (any instance's) finds nothing left to send.
    let base_url = url::Url::parse(BASE_URL).expect("url");
    let another = cairn::worker::Worker::new(mailer_for(&team.app, &mail.url()), base_url);
    let round = another
        .run_round(
            &mut team.app.db(),
            cairn::db::now() + chrono::Duration::hours(2),
        )
        .expect("deliver");
    assert_eq!(round.emails_delivered, 0);
    assert!(mail.drain().is_empty(), "delivered exactly once");
    let link = smtp::invite_path(&message);
    assert_eq!(team.app.browser().get(&link).await.status, StatusCode::OK);
}

#[tokio::test]
async fn several_instances_delivering_at_once_never_send_a_message_twice() {
    let mut mail = SmtpServer::start().await;
    // The app's own worker polls rarely, so these three usually do the work; should its
    // round come after the invites, it is a fourth instance and the rule is the same.
    let team = team(&mail.url(), &[("OUTBOX_POLL_MILLIS", "3600000")]).await;
    let addresses: Vec<String> = (0..12).map(|n| format!("person{n}@example.com")).collect();
    team.invite(&addresses.join(", "), "workspace_user", false)
        .await;

    let config = cairn::config::Config::from_lookup(|name| match name {
        "SMTP_URL" => Some(mail.url()),
        "CAIRN_DATA_DIR" => Some(team.app.data_dir.path().to_string_lossy().into_owned()),
        _ => None,
    })
    .expect("config");
    let start = std::sync::Arc::new(std::sync::Barrier::new(3));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (mailer, url, start) = (
                config.mailer.clone(),
                team.app.database.url.clone(),
                start.clone(),
            );
            // Off the test's runtime, which also runs the SMTP server.
            tokio::task::spawn_blocking(move || {
                let mut conn = cairn::db::establish(&url).expect("connect");
                start.wait();
                let base_url = url::Url::parse(BASE_URL).expect("url");
                cairn::worker::Worker::new(mailer, base_url)
                    .run_round(&mut conn, cairn::db::now())
                    .expect("deliver")
                    .emails_delivered
            })
        })
        .collect();
    let mut delivered = 0;
    for worker in workers {
        delivered += worker.await.expect("worker");
    }
    assert!(delivered > 0, "the instances delivered");
    outbox_when(&team.app, "every message sent", |rows| {
        rows.len() == 12 && rows.iter().all(|(_, status)| status == "sent")
    })
    .await;
    // A message is in the server's hands before its row is marked sent.
    let mut recipients: Vec<String> = mail
        .drain()
        .iter()
        .map(|message| header(message, "To").to_owned())
        .collect();
    assert_eq!(recipients.len(), 12, "one message each: {recipients:?}");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 12, "no message twice");
}

/// A mailer like the app's, for delivering by hand in a test.
fn mailer_for(app: &TestApp, smtp_url: &str) -> cairn::mail::Mailer {
    let data_dir = app.data_dir.path().to_string_lossy().into_owned();
    cairn::config::Config::from_lookup(|name| match name {
        "SMTP_URL" => Some(smtp_url.to_owned()),
        "CAIRN_DATA_DIR" => Some(data_dir.clone()),
        _ => None,
    })
    .expect("config")
    .mailer
}

#[tokio::test]
async fn no_usable_token_rests_in_the_outbox_and_a_withdrawn_invite_is_never_sent() {
    // The mail server is down until the withdrawal, so the worker cannot send ada's
    // message before it, however its rounds fall.
    let port = closed_port();
    let team = team(&smtp::smtp_url(port), &[]).await;
    team.invite(
        "grace@example.com, ada@example.com",
        "workspace_user",
        false,
    )
    .await;
    let bodies: Vec<(String, String)> = email_outbox::table
        .select((email_outbox::body_text, email_outbox::body_html))
        .load(&mut team.app.db())
        .expect("outbox");
    for (text, html) in &bodies {
        assert!(
            text.contains(cairn::mail::LINK_PLACEHOLDER)
                && html.contains(cairn::mail::LINK_PLACEHOLDER)
        );
        assert!(
            !text.contains("/invites/") && !html.contains("/invites/"),
            "no link stored: {text}"
        );
    }

    let ada_invite: String = org_invites::table
        .filter(org_invites::normalized_email.eq("ada@example.com"))
        .select(org_invites::id)
        .first(&mut team.app.db())
        .expect("invite");
    let invites = format!("/orgs/{}/invites", team.org);
    team.owner
        .submit(&invites, &format!("{invites}/{ada_invite}/revoke"), &[])
        .await
        .assert_redirect(&invites);

    let mut mail = SmtpServer::start_on(port).await;
    // The retry falls due on the app's clock.
    team.app.clock.advance(chrono::Duration::hours(1));
    let message = mail.next_message().await;
    outbox_when(&team.app, "grace's message sent, ada's cancelled", |rows| {
        rows == [
            ("ada@example.com".to_owned(), "cancelled".to_owned()),
            ("grace@example.com".to_owned(), "sent".to_owned()),
        ]
    })
    .await;
    assert_eq!(
        header(&message, "To"),
        "grace@example.com",
        "the withdrawn invite is not sent"
    );
    assert!(mail.drain().is_empty());
    // The link minted at send time is the one that works.
    let link = smtp::invite_path(&message);
    assert_eq!(team.app.browser().get(&link).await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_up_on_an_invite_while_logged_in_changes_nothing() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);
    let other = team.app.person("other@example.com", "Otto").await;
    other.get(&link).await;
    let page = other
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Grace"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(team.invite_status("grace@example.com"), "pending");
    let accounts: i64 = cairn::schema::users::table
        .filter(cairn::schema::users::email.eq("grace@example.com"))
        .count()
        .get_result(&mut team.app.db())
        .expect("count");
    assert_eq!(accounts, 0);
}

#[tokio::test]
async fn accepting_while_logged_out_leads_through_log_in_back_to_the_invite() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);
    let visitor = team.app.browser();
    visitor.get(&link).await;
    visitor
        .post_form(&format!("{link}/accept"), &[])
        .await
        .assert_redirect(&format!("/login?next={}", link.replace('/', "%2F")));
}

#[tokio::test]
async fn an_archived_organization_takes_no_new_members() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    team.invite("grace@example.com", "workspace_user", false)
        .await;
    let link = smtp::invite_path(&mail.next_message().await);
    let settings = format!("/orgs/{}/settings", team.org);
    team.owner
        .submit(&settings, &format!("/orgs/{}/archive", team.org), &[])
        .await
        .assert_redirect(&settings);
    let grace = team.app.person("grace@example.com", "Grace").await;
    grace.get(&link).await;
    let page = grace.post_form(&format!("{link}/accept"), &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is archived, so it is read-only"));
    assert_eq!(team.invite_status("grace@example.com"), "pending");
}

#[tokio::test]
async fn one_person_cannot_spam_by_spreading_invites_over_organizations() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[("INVITES_PER_USER_PER_HOUR", "2")]).await;
    team.invite("one@example.com", "workspace_user", false)
        .await;
    let other_org = team.owner.create_org("Second Org").await;
    let invites = format!("/orgs/{other_org}/invites");
    let page = team
        .owner
        .submit(
            &invites,
            &invites,
            &[
                ("emails", "two@example.com, three@example.com"),
                ("role", "workspace_user"),
                ("workspace_id", ""),
            ],
        )
        .await;
    let result = page.text_of(".result-card").unwrap_or_default();
    assert!(result.contains("Invited two@example.com"), "{result}");
    assert!(result.contains("Not sent to three@example.com"), "{result}");
    for _ in 0..2 {
        mail.next_message().await;
    }
    assert_eq!(
        email_outbox::table
            .count()
            .get_result::<i64>(&mut team.app.db())
            .expect("count"),
        2
    );
}

#[tokio::test]
async fn accepting_or_signing_up_on_an_expired_or_withdrawn_link_says_which_and_changes_nothing() {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let links = late_and_withdrawn(&mut mail, &team).await;
    withdraw(&team, "withdrawn@example.com").await;
    // Opening the expired link marks it expired; from here on nothing may change.
    let stranger = team.app.browser();
    stranger.get(&links["late@example.com"]).await;
    assert_eq!(team.invite_status("late@example.com"), "expired");

    let cases = [
        ("late@example.com", "This invite has expired."),
        ("withdrawn@example.com", "This invite was withdrawn."),
    ];
    for (email, says) in cases {
        let link = &links[email];
        let before = Snapshot::take(&team.app);
        stranger.get(link).await;
        let page = stranger
            .post_form(
                &format!("{link}/signup"),
                &[("name", "Newcomer"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::GONE, "sign-up for {email}");
        assert!(
            page.text_of("#closed-message")
                .unwrap_or_default()
                .starts_with(says),
            "sign-up for {email}: {}",
            page.body
        );
        before.assert_unchanged(&team.app, &format!("signing up on the link for {email}"));
    }
    // The invited people get accounts of their own, then try to accept.
    for (email, says) in cases {
        let link = &links[email];
        let invited = team.app.person(email, "Invited").await;
        let before = Snapshot::take(&team.app);
        invited.get(link).await;
        let page = invited.post_form(&format!("{link}/accept"), &[]).await;
        assert_eq!(page.status, StatusCode::GONE, "accepting for {email}");
        assert!(
            page.text_of("#closed-message")
                .unwrap_or_default()
                .starts_with(says),
            "accepting for {email}: {}",
            page.body
        );
        before.assert_unchanged(&team.app, &format!("accepting the link for {email}"));
    }
}

#[tokio::test]
async fn one_submission_invites_at_most_fifty_people() {
    let mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[]).await;
    let addresses: Vec<String> = (0..51).map(|n| format!("p{n}@example.com")).collect();
    let invites = format!("/orgs/{}/invites", team.org);
    team.owner.get(&invites).await;
    let before = Snapshot::take(&team.app);
    let page = team
        .owner
        .post_form(
            &invites,
            &[
                ("emails", &addresses.join("\n")),
                ("role", "workspace_user"),
                ("workspace_id", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Invite at most 50 people at once."),
        "{}",
        page.body
    );
    before.assert_unchanged(&team.app, "51 addresses at once");
}

/// Under a limit of 3 an hour (per organization, or per inviter), two invites and a resend
/// use it up: the next address is reported and not queued, the next resend is refused.
async fn resends_count_toward(limit: &str) {
    let mut mail = SmtpServer::start().await;
    let team = team(&mail.url(), &[(limit, "3")]).await;
    team.invite("one@example.com, two@example.com", "workspace_user", false)
        .await;
    let invites = format!("/orgs/{}/invites", team.org);
    let id_of = |email: &str| -> String {
        org_invites::table
            .filter(org_invites::normalized_email.eq(email))
            .select(org_invites::id)
            .first(&mut team.app.db())
            .expect("invite")
    };
    team.owner
        .submit(
            &invites,
            &format!("{invites}/{}/resend", id_of("one@example.com")),
            &[],
        )
        .await
        .assert_redirect(&invites);
    let page = team
        .invite("three@example.com", "workspace_user", false)
        .await;
    let result = page.text_of(".result-card").unwrap_or_default();
    assert!(
        result.contains("Not sent to three@example.com"),
        "{limit}: {result}"
    );
    assert!(
        !result.contains("Invited three@example.com"),
        "{limit}: {result}"
    );

    // The worker settles first, so what follows compares only the resend's doing. A
    // resend cancels the old message if it was not out yet.
    outbox_when(&team.app, "every message handled", |rows| {
        rows.len() == 3
            && rows
                .iter()
                .all(|(_, status)| status == "sent" || status == "cancelled")
    })
    .await;
    let before = Snapshot::take(&team.app);
    team.owner
        .submit(
            &invites,
            &format!("{invites}/{}/resend", id_of("two@example.com")),
            &[],
        )
        .await
        .assert_redirect(&invites);
    before.assert_unchanged(&team.app, &format!("{limit}: a resend past the limit"));
    assert_eq!(
        team.owner.get(&invites).await.text_of(".toast").as_deref(),
        Some("Not sent to two@example.com: the hourly limit for invitations is reached. Try again later.")
    );
    let queued: Vec<String> = email_outbox::table
        .order(email_outbox::to_address.asc())
        .select(email_outbox::to_address)
        .load(&mut team.app.db())
        .expect("outbox");
    assert_eq!(
        queued,
        ["one@example.com", "one@example.com", "two@example.com"],
        "{limit}"
    );
    assert_eq!(
        org_invites::table
            .filter(org_invites::normalized_email.eq("three@example.com"))
            .count()
            .get_result::<i64>(&mut team.app.db())
            .expect("count"),
        0,
        "{limit}: not queued"
    );
    assert!(mail
        .drain()
        .iter()
        .all(|message| header(message, "To") != "three@example.com"));
}

#[tokio::test]
async fn resending_counts_toward_the_organizations_hourly_limit() {
    resends_count_toward("INVITES_PER_ORG_PER_HOUR").await;
}

#[tokio::test]
async fn resending_counts_toward_the_inviters_hourly_limit() {
    resends_count_toward("INVITES_PER_USER_PER_HOUR").await;
}
