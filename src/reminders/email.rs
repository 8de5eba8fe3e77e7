//! The reminder email: the key results to check in on, each with its current value and
//! status, and the one-time link (filled in when the email is sent); for a manager, the key
//! results of their reports still without a check-in since their reminder.

use askama::Template;
use chrono::NaiveDate;

use super::ReminderError;
use crate::db::AnyConnection;
use crate::mail::{self, OutgoingEmail};
use crate::okr::status::Statuses;
use crate::okr::Item;
use crate::orgs::Organization;
use crate::workspaces::Workspace;

/// A key result as a reminder lists it.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    pub item_id: String,
    pub title: String,
    /// "12 / 20 deals", "Not done", or the progress from its actions.
    pub now: String,
    pub status: &'static str,
}

impl Listed {
    pub fn new(item: &Item, statuses: &Statuses) -> Self {
        Self {
            item_id: item.id.clone(),
            title: item.title.clone(),
            now: item
                .measured_summary()
                .unwrap_or_else(|| format!("{:.0}% from its actions", item.progress_computed)),
            status: statuses.of(item).map_or("No update", |s| s.label()),
        }
    }
}

/// A report's key result still without a check-in since its reminder.
#[derive(Debug, Clone)]
pub(super) struct Late {
    pub item: Listed,
    pub owner_name: String,
    pub reminded_on: NaiveDate,
    /// The reminders it answers for, marked escalated when the email is queued.
    pub reminder_ids: Vec<String>,
}

/// What one person hears.
#[derive(Debug, Default)]
pub(super) struct Letter {
    pub due: Vec<Listed>,
    pub late: Vec<Late>,
}

/// Who gets it, from where.
pub(super) struct Addressed<'a> {
    pub to: &'a str,
    pub name: &'a str,
    pub org: &'a Organization,
    pub workspace: &'a Workspace,
    /// The one-time link's row, when there is something to check in on.
    pub link_id: Option<&'a str>,
}

struct ReminderEmail<'a> {
    name: &'a str,
    workspace_name: &'a str,
    due: &'a [Listed],
    late: Vec<(&'a Late, String)>,
    link: Option<&'static str>,
    link_days: i64,
    workspace_link: String,
}

#[derive(Template)]
#[template(path = "emails/reminder.txt")]
struct ReminderText<'a> {
    email: &'a ReminderEmail<'a>,
}

#[derive(Template)]
#[template(path = "emails/reminder.html")]
struct ReminderHtml<'a> {
    email: &'a ReminderEmail<'a>,
}

/// Queues the email; its link is minted when it is sent.
pub(super) fn queue(
    conn: &mut AnyConnection,
    base_url: &url::Url,
    to: &Addressed<'_>,
    letter: &Letter,
) -> Result<(), ReminderError> {
    let workspace_path = format!("/orgs/{}/w/{}", to.org.slug, to.workspace.slug);
    let email = ReminderEmail {
        name: to.name,
        workspace_name: &to.workspace.name,
        due: &letter.due,
        late: letter
            .late
            .iter()
            .map(|late| {
                let path = format!("{workspace_path}/items/{}", late.item.item_id);
                (late, mail::absolute_link(base_url, &path, None))
            })
            .collect(),
        link: to.link_id.map(|_| mail::LINK_PLACEHOLDER),
        link_days: super::LINK_DAYS,
        workspace_link: mail::absolute_link(base_url, &workspace_path, None),
    };
    let subject = match (letter.due.len(), letter.late.len()) {
        (0, late) => format!(
            "{late} key result{} in {} still without a check-in",
            plural(late),
            to.workspace.name
        ),
        (due, _) => format!(
            "Time to check in: {due} key result{} in {}",
            plural(due),
            to.workspace.name
        ),
    };
    let body_text = ReminderText { email: &email }.render()?;
    let body_html = ReminderHtml { email: &email }.render()?;
    mail::enqueue(
        conn,
        &OutgoingEmail {
            organization_id: None,
            invite_id: None,
            check_in_link_id: to.link_id,
            account_link_id: None,
            to: to.to,
            subject: &subject,
            body_text: &body_text,
            body_html: &body_html,
        },
    )?;
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
