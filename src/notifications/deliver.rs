//! The job that turns an event into notifications: for each recipient who can see the item
//! now, a row in their inbox and, if they want this kind at once, one email through the
//! outbox. Someone who cannot see the item gets nothing, and no email names it.

use askama::Template;
use diesel::prelude::*;
use serde_json::json;

use super::preferences::{get_preferences, EmailDelivery};
use super::sight::{Sight, Subject};
use super::story::{self, Facts, Story};
use super::{Event, NotificationError};
use crate::db::{self, AnyConnection};
use crate::jobs::{self, JobContext, JobError};
use crate::mail::{self, OutgoingEmail};
use crate::schema::{comments, notifications, users};

/// A story with its absolute link, for an email.
pub(super) struct Told {
    pub sentence: String,
    pub excerpt: Option<String>,
    pub link: String,
}

impl Told {
    pub fn new(story: &Story, base_url: &url::Url) -> Self {
        Self {
            sentence: story.sentence(),
            excerpt: story.excerpt.clone(),
            link: mail::absolute_link(base_url, &story.path, None),
        }
    }
}

struct NotificationEmail {
    sentence: String,
    excerpt: Option<String>,
    link: String,
    preferences_link: String,
}

#[derive(Template)]
#[template(path = "emails/notification.txt")]
struct NotificationText<'a> {
    email: &'a NotificationEmail,
}

#[derive(Template)]
#[template(path = "emails/notification.html")]
struct NotificationHtml<'a> {
    email: &'a NotificationEmail,
}

/// Where every notification email sends people to change what they get.
pub(super) fn preferences_link(base_url: &url::Url) -> String {
    mail::absolute_link(base_url, "/account", Some("notifications"))
}

/// The recipient's address, if their account is still active.
pub(super) fn active_address(
    conn: &mut AnyConnection,
    user_id: &str,
) -> QueryResult<Option<String>> {
    users::table
        .find(user_id)
        .filter(users::disabled_at.is_null())
        .select(users::email)
        .first(conn)
        .optional()
}

/// Runs `NOTIFY_JOB`: the payload is an `Event`.
pub fn run(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    payload: &str,
) -> Result<Option<String>, JobError> {
    let event: Event = jobs::payload(payload)?;
    Ok(notify_now(conn, context, &event)?)
}

fn notify_now(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    event: &Event,
) -> Result<Option<String>, NotificationError> {
    if let Some(comment_id) = &event.comment_id {
        let gone: Option<Option<chrono::NaiveDateTime>> = comments::table
            .find(comment_id)
            .select(comments::deleted_at)
            .first(conn)
            .optional()?;
        if !matches!(gone, Some(None)) {
            return Ok(Some(json!({ "notified": 0 }).to_string()));
        }
    }
    let subject = Subject {
        kind: event.kind,
        organization_id: &event.organization_id,
        workspace_id: event.workspace_id.as_deref(),
        item_id: event.item_id.as_deref(),
    };
    let mut sight = Sight::default();
    let mut notified = 0;
    let mut emailed = 0;
    // `notify` already left the actor out of the recipients.
    for recipient in &event.recipient_user_ids {
        let Some(address) = active_address(conn, recipient)? else {
            continue;
        };
        if !sight.allows(conn, recipient, &subject)? {
            continue;
        }
        let id = db::new_id();
        diesel::insert_into(notifications::table)
            .values((
                notifications::id.eq(&id),
                notifications::user_id.eq(recipient),
                notifications::organization_id.eq(&event.organization_id),
                notifications::workspace_id.eq(&event.workspace_id),
                notifications::item_id.eq(&event.item_id),
                notifications::comment_id.eq(&event.comment_id),
                notifications::actor_user_id.eq(&event.actor_user_id),
                notifications::kind.eq(event.kind),
                notifications::created_at.eq(context.now),
            ))
            .execute(conn)?;
        notified += 1;
        let wants = get_preferences(conn, recipient)?;
        if wants.emails(event.kind) && wants.delivery == EmailDelivery::Immediate {
            send(conn, context, event, &address)?;
            diesel::update(notifications::table.find(&id))
                .set(notifications::emailed_at.eq(Some(context.now)))
                .execute(conn)?;
            emailed += 1;
        }
    }
    Ok(Some(
        json!({ "notified": notified, "emailed": emailed }).to_string(),
    ))
}

fn send(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    event: &Event,
    to: &str,
) -> Result<(), NotificationError> {
    let facts = [Facts {
        kind: event.kind,
        organization_id: &event.organization_id,
        item_id: event.item_id.as_deref(),
        comment_id: event.comment_id.as_deref(),
        actor_user_id: event.actor_user_id.as_deref(),
    }];
    let Some(story) = story::tell(conn, &facts)?.pop() else {
        return Ok(());
    };
    let told = Told::new(&story, context.base_url);
    let email = NotificationEmail {
        sentence: told.sentence,
        excerpt: told.excerpt,
        link: told.link,
        preferences_link: preferences_link(context.base_url),
    };
    let body_text = render(NotificationText { email: &email })?;
    let body_html = render(NotificationHtml { email: &email })?;
    mail::enqueue(
        conn,
        &OutgoingEmail {
            organization_id: Some(&event.organization_id),
            invite_id: None,
            check_in_link_id: None,
            account_link_id: None,
            to,
            subject: &email.sentence,
            body_text: &body_text,
            body_html: &body_html,
        },
    )?;
    Ok(())
}

pub(super) fn render(template: impl Template) -> Result<String, NotificationError> {
    Ok(template.render()?)
}
