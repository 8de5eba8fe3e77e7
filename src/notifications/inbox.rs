//! A person's notifications as the bell, the inbox and the API read them: newest first,
//! each checked again through `scope` at read time, so one about an item hidden from the
//! reader since is neither listed nor counted, and cannot be marked read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::sight::{Sight, Subject};
use super::story::{self, Facts, Story};
use super::{NotificationError, NotificationKind};
use crate::db::{self, AnyConnection};
use crate::schema::notifications;

/// Notifications per inbox page.
pub const INBOX_PAGE: usize = 50;
/// The most the API lists at once.
pub const LIST_MAX: usize = 100;
/// The bell counts at most this many unread notifications (and shows "99+" beyond 99).
const COUNT_MAX: i64 = 500;

/// One notification as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: String,
    pub organization_id: String,
    pub workspace_id: Option<String>,
    pub item_id: Option<String>,
    pub comment_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub kind: NotificationKind,
    pub read_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Notification {
    fn subject(&self) -> Subject<'_> {
        Subject {
            kind: self.kind,
            organization_id: &self.organization_id,
            workspace_id: self.workspace_id.as_deref(),
            item_id: self.item_id.as_deref(),
        }
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            kind: self.kind,
            organization_id: &self.organization_id,
            item_id: self.item_id.as_deref(),
            comment_id: self.comment_id.as_deref(),
            actor_user_id: self.actor_user_id.as_deref(),
        }
    }
}

/// A notification in the inbox: what it says and where it leads.
#[derive(Debug, Clone)]
pub struct Entry {
    pub notification: Notification,
    pub story: Story,
}

impl Entry {
    pub fn is_unread(&self) -> bool {
        self.notification.read_at.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct InboxPage {
    pub entries: Vec<Entry>,
    /// Pass back as the cursor for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

/// How many unread notifications the person may see now.
pub fn unread_count(conn: &mut AnyConnection, user_id: &str) -> Result<i64, NotificationError> {
    let unread: Vec<Notification> = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(COUNT_MAX)
        .select(Notification::as_select())
        .load(conn)?;
    let mut sight = Sight::default();
    let mut count = 0;
    for notification in &unread {
        if sight.allows(conn, user_id, &notification.subject())? {
            count += 1;
        }
    }
    Ok(count)
}

/// Up to `limit` notifications the person may see now, newest first, after `cursor` (the
/// id of the last one of the previous page).
pub fn list(
    conn: &mut AnyConnection,
    user_id: &str,
    unread_only: bool,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Notification>, Option<String>), NotificationError> {
    let mut after = match cursor {
        Some(id) => Some(
            notifications::table
                .find(id)
                .filter(notifications::user_id.eq(user_id))
                .select((notifications::created_at, notifications::id))
                .first::<(NaiveDateTime, String)>(conn)
                .optional()?
                .ok_or_else(|| NotificationError::Invalid {
                    field: "cursor",
                    message: "Pass the next_cursor of the previous page.".into(),
                })?,
        ),
        None => None,
    };
    let mut sight = Sight::default();
    let mut found: Vec<Notification> = Vec::new();
    let batch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
    loop {
        let mut query = notifications::table
            .filter(notifications::user_id.eq(user_id))
            .into_boxed();
        if unread_only {
            query = query.filter(notifications::read_at.is_null());
        }
        if let Some((at, id)) = &after {
            query = query.filter(
                notifications::created_at
                    .lt(*at)
                    .or(notifications::created_at
                        .eq(*at)
                        .and(notifications::id.lt(id.clone()))),
            );
        }
        let rows: Vec<Notification> = query
            .order((notifications::created_at.desc(), notifications::id.desc()))
            .limit(batch)
            .select(Notification::as_select())
            .load(conn)?;
        let exhausted = rows.len() < limit + 1;
        after = rows.last().map(|n| (n.created_at, n.id.clone()));
        for row in rows {
            if sight.allows(conn, user_id, &row.subject())? {
                found.push(row);
            }
        }
        if exhausted || found.len() > limit {
            break;
        }
    }
    let next_cursor = if found.len() > limit {
        found.truncate(limit);
        found.last().map(|n| n.id.clone())
    } else {
        None
    };
    Ok((found, next_cursor))
}

/// A page of the inbox (all, or only the unread), each notification told.
pub fn inbox(
    conn: &mut AnyConnection,
    user_id: &str,
    unread_only: bool,
    cursor: Option<&str>,
) -> Result<InboxPage, NotificationError> {
    let (rows, next_cursor) = list(conn, user_id, unread_only, cursor, INBOX_PAGE)?;
    Ok(InboxPage {
        entries: told(conn, rows)?,
        next_cursor,
    })
}

/// Each notification with what it says.
fn told(
    conn: &mut AnyConnection,
    rows: Vec<Notification>,
) -> Result<Vec<Entry>, NotificationError> {
    let facts: Vec<Facts<'_>> = rows.iter().map(Notification::facts).collect();
    let stories = story::tell(conn, &facts)?;
    Ok(rows
        .into_iter()
        .zip(stories)
        .map(|(notification, story)| Entry {
            notification,
            story,
        })
        .collect())
}

/// Marks the person's own notifications read; any id that is not theirs, or is about an
/// item hidden from them now, is refused as not found and nothing changes. Returns the
/// entries as they read now.
pub fn mark_read(
    conn: &mut AnyConnection,
    user_id: &str,
    ids: &[String],
    now: NaiveDateTime,
) -> Result<Vec<Entry>, NotificationError> {
    db::write_transaction(conn, |conn| {
        let mut wanted: Vec<&String> = ids.iter().collect();
        wanted.sort();
        wanted.dedup();
        let mut rows: Vec<Notification> = notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::id.eq_any(&wanted))
            .order((notifications::created_at.desc(), notifications::id.desc()))
            .select(Notification::as_select())
            .load(conn)?;
        if rows.len() != wanted.len() {
            return Err(NotificationError::NotFound);
        }
        let mut sight = Sight::default();
        for row in &rows {
            if !sight.allows(conn, user_id, &row.subject())? {
                return Err(NotificationError::NotFound);
            }
        }
        diesel::update(
            notifications::table
                .filter(notifications::user_id.eq(user_id))
                .filter(notifications::id.eq_any(&wanted))
                .filter(notifications::read_at.is_null()),
        )
        .set(notifications::read_at.eq(Some(now)))
        .execute(conn)?;
        for row in &mut rows {
            row.read_at.get_or_insert(now);
        }
        told(conn, rows)
    })
}

/// Marks every one of the person's notifications read.
pub fn mark_all_read(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(), NotificationError> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}
