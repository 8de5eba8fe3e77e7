//! Comments on items (DESIGN §3 "People"): anyone who may see an item may discuss it, in
//! markdown with `@[Name](user:<uuid>)` mentions, and change or delete (softly) what they
//! wrote. A comment is visible exactly when its item is (`scope`); writing needs the
//! organization and workspace not archived. Each write is logged on the item's history and
//! queues, in its transaction, the notifications it causes: a mention tells the mentioned,
//! a new comment tells the item's owner and assignees.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection, DbError};
use crate::notifications::{self, Event, NotificationKind};
use crate::okr::ItemType;
use crate::orgs::OrgError;
use crate::schema::{comments, okr_item_assignees, okr_items, users};
use crate::scope::{self, ScopeError, Viewer};
use crate::webhooks;

mod mentions;

pub use mentions::{mentioned_ids, Suggestion, SUGGESTIONS_MAX};

/// The longest comment, in characters.
pub const BODY_MAX: usize = 4_000;

/// Why a comment read or write was refused.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    /// The comment or its item is missing, or hidden from the viewer: the same answer.
    #[error("not found")]
    NotFound,
    #[error("You can change only your own comments.")]
    NotYours,
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// Archived organizations and workspaces are read-only.
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for CommentError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

impl From<ScopeError> for CommentError {
    fn from(e: ScopeError) -> Self {
        match e {
            ScopeError::NotFound => Self::NotFound,
            ScopeError::Db(e) => Self::Db(e),
        }
    }
}

/// A comment's text as written: at most 4,000 characters, trimmed, not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    /// The length counts what was sent, so the API document can say it exactly.
    pub fn parse(raw: &str) -> Result<Self, CommentError> {
        let refuse = |message: &str| CommentError::Field {
            field: "body",
            message: message.to_owned(),
        };
        if raw.chars().count() > BODY_MAX {
            return Err(refuse("Keep the comment to 4,000 characters or fewer."));
        }
        match raw.trim() {
            "" => Err(refuse("Write something first.")),
            body => Ok(Self(body.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: String,
    pub organization_id: String,
    pub workspace_id: String,
    pub item_id: String,
    pub author_user_id: String,
    pub body: String,
    /// A JSON array of user ids; read it with `mentioned_user_ids`.
    mentioned_user_ids: String,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Comment {
    pub fn mentioned_user_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.mentioned_user_ids).unwrap_or_default()
    }
}

/// A comment as the item page lists it, with what its reader may do to it.
#[derive(Debug, Clone)]
pub struct CommentEntry {
    pub comment: Comment,
    pub author_name: String,
    /// The reader wrote it and may still write here: they may edit and delete it.
    pub can_change: bool,
}

/// What an item's owner and assignees are, for telling them of a comment.
struct Concerned {
    organization_id: String,
    workspace_id: String,
    item_type: ItemType,
    people: Vec<String>,
}

/// A visible, live item's owner and assignees.
fn concerned(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Concerned, CommentError> {
    scope::check_item(conn, viewer, item_id)?;
    let (organization_id, workspace_id, item_type, owner): (String, String, ItemType, String) =
        okr_items::table
            .find(item_id)
            .select((
                okr_items::organization_id,
                okr_items::workspace_id,
                okr_items::item_type,
                okr_items::owner_user_id,
            ))
            .first(conn)?;
    let mut people: Vec<String> = okr_item_assignees::table
        .filter(okr_item_assignees::item_id.eq(item_id))
        .select(okr_item_assignees::user_id)
        .load(conn)?;
    people.insert(0, owner);
    Ok(Concerned {
        organization_id,
        workspace_id,
        item_type,
        people,
    })
}

fn load_live(conn: &mut AnyConnection, id: &str) -> Result<Comment, CommentError> {
    Ok(comments::table
        .find(id)
        .filter(comments::deleted_at.is_null())
        .select(Comment::as_select())
        .first(conn)?)
}

/// One live comment on an item the viewer sees.
pub fn get(conn: &mut AnyConnection, viewer: &Viewer, id: &str) -> Result<Comment, CommentError> {
    let comment = load_live(conn, id)?;
    if comment.workspace_id != viewer.workspace_id {
        return Err(CommentError::NotFound);
    }
    scope::check_item(conn, viewer, &comment.item_id)?;
    Ok(comment)
}

/// The workspace a comment belongs to (live or deleted), so a request that names only the
/// comment can check the caller's access to that workspace first.
pub fn workspace_of(conn: &mut AnyConnection, comment_id: &str) -> Result<String, CommentError> {
    Ok(comments::table
        .find(comment_id)
        .select(comments::workspace_id)
        .first(conn)?)
}

/// An item's live comments, oldest first (newest last), with what the viewer may do.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Vec<CommentEntry>, CommentError> {
    scope::check_item(conn, viewer, item_id)?;
    let rows: Vec<(Comment, String)> = comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_user_id)))
        .filter(comments::item_id.eq(item_id))
        .filter(comments::deleted_at.is_null())
        .order((comments::created_at.asc(), comments::id.asc()))
        .select((Comment::as_select(), users::name))
        .load(conn)?;
    let writable = viewer.require_writable().is_ok();
    Ok(rows
        .into_iter()
        .map(|(comment, author_name)| CommentEntry {
            can_change: writable && comment.author_user_id == viewer.user_id,
            author_name,
            comment,
        })
        .collect())
}

/// Members who can see the item and whose name contains `typed`, for the mention
/// autocomplete.
pub fn suggestions(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    typed: &str,
) -> Result<Vec<Suggestion>, CommentError> {
    scope::check_item(conn, viewer, item_id)?;
    mentions::suggestions(conn, viewer, item_id, typed)
}

fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: &Concerned,
    item_id: &str,
    action: &str,
    (before, after): (Option<&Comment>, Option<&Comment>),
) -> QueryResult<()> {
    let snapshot = |c: &Comment| json!({ "comment_id": c.id, "comment": c.body });
    let (before, after) = (before.map(snapshot), after.map(snapshot));
    let subject = Subject {
        organization_id: &item.organization_id,
        workspace_id: Some(&item.workspace_id),
        kind: item.item_type.as_str(),
        id: item_id,
    };
    webhooks::publish(
        conn,
        actor,
        subject,
        action,
        before.as_ref(),
        after.as_ref(),
    )?;
    activity::record(conn, actor, subject, action, before, after)
}

fn event(kind: NotificationKind, comment: &Comment, recipient_user_ids: Vec<String>) -> Event {
    Event {
        kind,
        organization_id: comment.organization_id.clone(),
        workspace_id: Some(comment.workspace_id.clone()),
        item_id: Some(comment.item_id.clone()),
        comment_id: Some(comment.id.clone()),
        actor_user_id: Some(comment.author_user_id.clone()),
        recipient_user_ids,
    }
}

/// Adds a comment on an item the viewer sees. The mentioned are told they were mentioned;
/// the item's owner and assignees who were not are told of the comment.
pub fn add(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    body: &CommentBody,
    now: NaiveDateTime,
) -> Result<Comment, CommentError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        let item = concerned(conn, viewer, item_id)?;
        let mentioned = mentions::members_mentioned(conn, &item.organization_id, body.as_str())?;
        let id = db::new_id();
        diesel::insert_into(comments::table)
            .values((
                comments::id.eq(&id),
                comments::organization_id.eq(&item.organization_id),
                comments::workspace_id.eq(&item.workspace_id),
                comments::item_id.eq(item_id),
                comments::author_user_id.eq(&actor.user_id),
                comments::body.eq(body.as_str()),
                comments::mentioned_user_ids.eq(json!(mentioned).to_string()),
                comments::created_at.eq(now),
                comments::updated_at.eq(now),
            ))
            .execute(conn)?;
        let comment = load_live(conn, &id)?;
        record(
            conn,
            actor,
            &item,
            item_id,
            "comment.created",
            (None, Some(&comment)),
        )?;
        let others: Vec<String> = item
            .people
            .iter()
            .filter(|person| !mentioned.contains(person))
            .cloned()
            .collect();
        notifications::notify(
            conn,
            &event(NotificationKind::Mentioned, &comment, mentioned),
            now,
        )?;
        notifications::notify(
            conn,
            &event(NotificationKind::Comment, &comment, others),
            now,
        )?;
        Ok(comment)
    })
}

/// A live comment the viewer wrote and may change, with its item.
fn own(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<(Comment, Concerned), CommentError> {
    viewer.require_writable()?;
    let comment = get(conn, viewer, id)?;
    if comment.author_user_id != viewer.user_id {
        return Err(CommentError::NotYours);
    }
    let item = concerned(conn, viewer, &comment.item_id)?;
    Ok((comment, item))
}

/// A comment the viewer wrote and may still change (what the edit form opens).
pub fn changeable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<Comment, CommentError> {
    Ok(own(conn, viewer, id)?.0)
}

/// Changes the viewer's own comment; only the people it newly mentions are told.
pub fn edit(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    id: &str,
    body: &CommentBody,
    now: NaiveDateTime,
) -> Result<Comment, CommentError> {
    db::write_transaction(conn, |conn| {
        let (before, item) = own(conn, viewer, id)?;
        let mentioned = mentions::members_mentioned(conn, &item.organization_id, body.as_str())?;
        diesel::update(comments::table.find(id))
            .set((
                comments::body.eq(body.as_str()),
                comments::mentioned_user_ids.eq(json!(mentioned).to_string()),
                comments::edited_at.eq(now),
                comments::updated_at.eq(now),
            ))
            .execute(conn)?;
        let after = load_live(conn, id)?;
        record(
            conn,
            actor,
            &item,
            &after.item_id,
            "comment.updated",
            (Some(&before), Some(&after)),
        )?;
        let already = before.mentioned_user_ids();
        let newly: Vec<String> = mentioned
            .into_iter()
            .filter(|person| !already.contains(person))
            .collect();
        notifications::notify(
            conn,
            &event(NotificationKind::Mentioned, &after, newly),
            now,
        )?;
        Ok(after)
    })
}

/// Deletes the viewer's own comment (softly: it stays, marked deleted, out of every list).
pub fn delete(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    id: &str,
    now: NaiveDateTime,
) -> Result<Comment, CommentError> {
    db::write_transaction(conn, |conn| {
        let (before, item) = own(conn, viewer, id)?;
        diesel::update(comments::table.find(id))
            .set((comments::deleted_at.eq(now), comments::updated_at.eq(now)))
            .execute(conn)?;
        record(
            conn,
            actor,
            &item,
            &before.item_id,
            "comment.deleted",
            (Some(&before), None),
        )?;
        Ok(before)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_trimmed_not_empty_and_at_most_4000_characters() {
        assert_eq!(
            CommentBody::parse("  hi  ")
                .map(|b| b.as_str().to_owned())
                .ok(),
            Some("hi".to_owned())
        );
        assert!(CommentBody::parse(" \n ").is_err());
        assert!(CommentBody::parse(&"é".repeat(BODY_MAX)).is_ok());
        assert!(matches!(
            CommentBody::parse(&"x".repeat(BODY_MAX + 1)),
            Err(CommentError::Field { field: "body", .. })
        ));
    }
}
