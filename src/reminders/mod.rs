//! Check-in reminders (DESIGN §3 "People"): on a workspace's check-in day, from its reminder
//! hour in the organization's time zone, every owner of key results not checked in within
//! the cadence gets one email listing them with a one-time link that opens one form to check
//! in on all of them, without logging in. Optionally, a key result still without a check-in
//! two days after its reminder is listed in the owner's manager's next reminder.
//!
//! The schedule queues one job per workspace and local day (deduplicated across instances);
//! the job writes the link, the reminder rows and the email in one transaction; the link's
//! token is minted only when the email is sent.

mod day;
mod email;
mod job;
mod link;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{AnyConnection, DbError};
use crate::jobs;
use crate::orgs::Organization;
use crate::schema::{organizations, workspaces};
use crate::workspaces::{Cadence, Workspace};

pub use crate::mail::LinkToken;
pub use day::{checked_in_within, due_day, is_reminder_day};
pub use job::run;
pub use link::{check_in, mint_link, open, OneTimeCheckIn, OneTimeItem};

/// The job kind that sends one workspace's reminders for one local day.
pub const REMINDER_JOB: &str = "reminders.check_in";

/// How long a one-time check-in link works.
pub const LINK_DAYS: i64 = 7;

/// Days after its reminder that a key result still without a check-in goes to the manager.
pub const ESCALATE_AFTER_DAYS: i64 = 2;

/// Queues today's reminders for each live workspace whose reminder hour has come on a
/// reminder day, once per workspace and local day however many instances ask. Returns how
/// many were queued.
pub fn schedule(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let live: Vec<(Workspace, Organization)> = workspaces::table
        .inner_join(organizations::table)
        .filter(workspaces::archived_at.is_null())
        .filter(organizations::archived_at.is_null())
        .filter(workspaces::check_in_cadence.ne(Cadence::Off))
        .select((Workspace::as_select(), Organization::as_select()))
        .load(conn)?;
    let mut queued = 0;
    for (workspace, org) in live {
        let zone = org.time_zone().tz();
        let Some(day) = due_day(
            workspace.check_in_cadence(),
            workspace.reminders().hour,
            zone,
            now,
        ) else {
            continue;
        };
        let key = format!("check_in_reminders:{}:{day}", workspace.id);
        let due = job::Due {
            workspace_id: workspace.id,
            day,
        };
        if jobs::enqueue_once(conn, REMINDER_JOB, &key, &due, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Why a reminder or a one-time check-in did not go through.
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    /// Forged, or never sent: nothing to say about it.
    #[error("This check-in link is not valid. Use the link in your latest reminder, or check in from Cairn.")]
    NotFound,
    #[error("This check-in link has already been used. Check in from Cairn to add more.")]
    Used,
    #[error(
        "This check-in link has expired. Check in from Cairn, or wait for your next reminder."
    )]
    Expired,
    #[error("Fill in at least one key result to check in.")]
    NothingFilled,
    /// One row's input, refused by the check-in rules.
    #[error("{message}")]
    Field {
        item_id: String,
        field: &'static str,
        message: String,
    },
    #[error("cannot write the email: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ReminderError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

/// A reminder job that failed: database trouble keeps its source, the rest its reason.
impl From<ReminderError> for jobs::JobError {
    fn from(e: ReminderError) -> Self {
        match e {
            ReminderError::Db(e) => Self::Db(e),
            other => Self::Failed(other.to_string()),
        }
    }
}
