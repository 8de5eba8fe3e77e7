//! What a comment tells whom, by email through the SMTP server in this process (the app's
//! runner notifies and sends): the mentioned, never a mentioned member who cannot see the
//! item, and the item's owner of a comment; an edit tells only the newly mentioned.

use cairn::notifications::NOTIFY_JOB;
use cairn::schema::jobs;
use diesel::prelude::*;
use reqwest::StatusCode;

use super::comment;
use crate::harness::Workspace;
use crate::notifications::{emails_to, kinds_of, workspace_with_mail};
use crate::smtp::{self, SmtpServer};

fn notify_jobs(w: &Workspace) -> i64 {
    jobs::table
        .filter(jobs::kind.eq(NOTIFY_JOB))
        .count()
        .get_result(&mut w.app.db())
        .expect("jobs")
}

fn mention(w: &Workspace, email: &str, name: &str) -> String {
    format!("@[{name}](user:{})", w.app.user_id(email))
}

#[tokio::test]
async fn a_mention_emails_the_mentioned_member_and_not_one_who_cannot_see_the_item() {
    let mut mail = SmtpServer::start().await;
    let w = workspace_with_mail(&mail, "option_2").await;
    w.member("ada@example.com", "Ada Lovelace", None).await;
    w.member("cy@example.com", "Cy Outside", None).await;
    let item = w.create(&w.admin, "objective", None, "Grow revenue").await;
    w.assign(&item, "ada@example.com");

    let body = format!(
        "Thoughts, {} and {}?",
        mention(&w, "ada@example.com", "Ada Lovelace"),
        mention(&w, "cy@example.com", "Cy Outside")
    );
    let posted = comment(&w, &w.admin, &item, &body).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    // The mention reads as a name, not a link.
    assert!(
        posted
            .body
            .contains("<span class=\"mention\">@Ada Lovelace</span>"),
        "{}",
        posted.body
    );
    let stored: String = cairn::schema::comments::table
        .select(cairn::schema::comments::mentioned_user_ids)
        .first(&mut w.app.db())
        .expect("comment");
    assert!(
        stored.contains(&w.app.user_id("cy@example.com")),
        "{stored}"
    );

    let to_ada = smtp::decode(&mail.next_message().await);
    assert!(to_ada.contains("To: ada@example.com"), "{to_ada}");
    assert!(
        to_ada.contains("Adele Admin mentioned you on 'Grow revenue'"),
        "{to_ada}"
    );
    assert!(
        to_ada.contains("Thoughts, @Ada Lovelace and @Cy Outside?"),
        "{to_ada}"
    );
    // Ada, assigned and mentioned, is told once: of the mention.
    assert_eq!(kinds_of(&w, "ada@example.com"), ["mentioned"]);
    // Cy was in the same event and cannot see the item: no row, no email.
    assert!(kinds_of(&w, "cy@example.com").is_empty());
    assert_eq!(emails_to(&w, "cy@example.com"), 0);
    assert!(
        kinds_of(&w, "admin@example.com").is_empty(),
        "never the actor"
    );
    assert!(mail.drain().is_empty());
}

#[tokio::test]
async fn the_owner_hears_of_a_comment_and_an_edit_tells_only_the_newly_mentioned() {
    let mut mail = SmtpServer::start().await;
    let w = workspace_with_mail(&mail, "option_1").await;
    let ada = w.member("ada@example.com", "Ada Lovelace", None).await;
    let bob = w.member("bob@example.com", "Bob Babbage", None).await;
    let item = w.create(&ada, "objective", None, "Ship it").await;

    let posted = comment(&w, &bob, &item, "On track?").await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let to_ada = smtp::decode(&mail.next_message().await);
    assert!(to_ada.contains("To: ada@example.com"), "{to_ada}");
    assert!(
        to_ada.contains("Bob Babbage commented on 'Ship it'"),
        "{to_ada}"
    );
    assert_eq!(kinds_of(&w, "ada@example.com"), ["comment"]);
    assert_eq!(notify_jobs(&w), 1);

    let id: String = cairn::schema::comments::table
        .select(cairn::schema::comments::id)
        .first(&mut w.app.db())
        .expect("comment");
    let edit = |body: String| {
        let path = format!("{}/comments/{id}", w.base());
        let bob = &bob;
        async move { bob.htmx_post(&path, &[("body", &body)]).await }
    };
    // Changing the words alone tells nobody.
    assert_eq!(edit("On track now?".into()).await.status, StatusCode::OK);
    assert_eq!(notify_jobs(&w), 1);
    let with_admin = format!(
        "On track, {}?",
        mention(&w, "admin@example.com", "Adele Admin")
    );
    assert_eq!(edit(with_admin.clone()).await.status, StatusCode::OK);
    let to_admin = smtp::decode(&mail.next_message().await);
    assert!(
        to_admin.contains("Bob Babbage mentioned you on 'Ship it'"),
        "{to_admin}"
    );
    assert_eq!(notify_jobs(&w), 2);
    // The same mention again is not news.
    assert_eq!(
        edit(format!("{with_admin} Really?")).await.status,
        StatusCode::OK
    );
    assert_eq!(notify_jobs(&w), 2);
    assert_eq!(kinds_of(&w, "ada@example.com"), ["comment"]);
}
