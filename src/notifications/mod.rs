//! Notifications (DESIGN §3 "People"): what happened that concerns someone, in the app (a
//! bell and an inbox) and by email as they prefer. An event is queued as a job in the
//! transaction that causes it; the job decides, when it runs, who may see the item then,
//! and only they are notified.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use crate::db::AnyConnection;
use crate::{jobs, text_enum};

text_enum! {
    pub enum NotificationKind {
        Mentioned => "mentioned",
        Assigned => "assigned",
        MadeOwner => "made_owner",
        Comment => "comment",
        CheckIn => "check_in",
        InviteAccepted => "invite_accepted",
    }
}

/// The job kind that turns an event into notifications.
pub const NOTIFY_JOB: &str = "notifications.notify";

/// Something that happened, for the people it may concern.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub kind: NotificationKind,
    pub organization_id: String,
    pub workspace_id: Option<String>,
    pub item_id: Option<String>,
    pub comment_id: Option<String>,
    pub actor_user_id: Option<String>,
    /// Who it may concern; the actor is never notified of their own doing, and each
    /// recipient's visibility of the item is checked when the job runs.
    pub recipient_user_ids: Vec<String>,
}

/// Queues the event; call it in the transaction that causes it.
pub fn notify(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> QueryResult<()> {
    let mut event = event.clone();
    event
        .recipient_user_ids
        .retain(|id| Some(id) != event.actor_user_id.as_ref());
    event.recipient_user_ids.sort();
    event.recipient_user_ids.dedup();
    if event.recipient_user_ids.is_empty() {
        return Ok(());
    }
    jobs::enqueue(conn, NOTIFY_JOB, &event, now).map(|_| ())
}

mod deliver;
mod digest;
mod inbox;
mod preferences;
mod sight;
mod story;

pub use deliver::run;
pub use digest::{run_digest, schedule_digests, DIGEST_JOB};
pub use inbox::{
    inbox, list, mark_all_read, mark_read, unread_count, Entry, InboxPage, Notification,
    INBOX_PAGE, LIST_MAX,
};
pub use preferences::{
    get_preferences, set_preferences, DigestHour, EmailDelivery, NotificationPreferences,
};
pub use sight::who_sees_item;

use crate::db::DbError;

/// Why a notification read or change was refused.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// Not the reader's, or about an item hidden from them now.
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("cannot write the email: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A notification job that failed: database trouble keeps its source, the rest its reason.
impl From<NotificationError> for crate::jobs::JobError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::Db(e) => Self::Db(e),
            other => Self::Failed(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for NotificationError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}
