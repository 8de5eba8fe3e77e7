//! The caller's notifications: the same inbox reads as the bell and the inbox page, so one
//! about an item hidden from the caller now is neither listed nor counted, nor marked.

use std::collections::BTreeMap;

use actix_web::web;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::error::ApiError;
use super::item_models::utc;
use super::{ReadErrors, WriteErrors};
use crate::notifications::{self, Notification, NotificationError, LIST_MAX};

/// The most ids one call marks read.
const MARK_MAX: usize = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    #[schema(format = Uuid)]
    pub id: String,
    /// mentioned, assigned, made_owner, comment, check_in or invite_accepted.
    pub kind: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = Uuid)]
    pub workspace_id: Option<String>,
    #[schema(format = Uuid)]
    pub item_id: Option<String>,
    #[schema(format = Uuid)]
    pub comment_id: Option<String>,
    #[schema(format = Uuid)]
    pub actor_user_id: Option<String>,
    #[schema(format = DateTime)]
    pub read_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Notification> for NotificationOut {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.as_str().to_owned(),
            organization_id: n.organization_id,
            workspace_id: n.workspace_id,
            item_id: n.item_id,
            comment_id: n.comment_id,
            actor_user_id: n.actor_user_id,
            read_at: n.read_at.map(utc),
            created_at: utc(n.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationOut>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// `true` for only the unread ones.
    #[param(value_type = Option<bool>)]
    unread: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(format = Uuid)]
    cursor: Option<String>,
    /// 1 to 100; 50 when left out.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

impl NotificationQuery {
    fn parse(&self) -> Result<(bool, usize), ApiError> {
        let mut fields = BTreeMap::new();
        let unread = match self.unread.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                fields.insert("unread".into(), "Use true or false.".into());
                false
            }
        };
        let limit = match self.limit.as_deref() {
            None => notifications::INBOX_PAGE,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=LIST_MAX).contains(&n) => n,
                _ => {
                    fields.insert("limit".into(), format!("Use 1 to {LIST_MAX}."));
                    0
                }
            },
        };
        ApiError::fields(fields)?;
        Ok((unread, limit))
    }
}

/// Which notifications to mark read: `ids`, or `all`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The caller's notifications to mark read (1 to 100); leave out with `all`.
    #[schema(format = Uuid, max_items = 100, min_items = 1)]
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    /// `true` marks every notification read; leave out with `ids`.
    #[serde(default)]
    pub all: Option<bool>,
}

enum Marking {
    Ids(Vec<String>),
    All,
}

impl TryFrom<MarkRead> for Marking {
    type Error = ApiError;

    fn try_from(body: MarkRead) -> Result<Self, ApiError> {
        match (body.ids, body.all) {
            (Some(ids), None | Some(false)) if (1..=MARK_MAX).contains(&ids.len()) => {
                Ok(Self::Ids(ids))
            }
            (Some(_), None | Some(false)) => Err(ApiError::field(
                "ids",
                format!("Name 1 to {MARK_MAX} notifications."),
            )),
            (None, Some(true)) => Ok(Self::All),
            (Some(_), Some(true)) => {
                Err(ApiError::field("all", "Send either ids or all, not both."))
            }
            (None, None | Some(false)) => Err(ApiError::field(
                "ids",
                "Name the notifications to mark read, or send \"all\": true.",
            )),
        }
    }
}

/// What is left unread after marking.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread_count: i64,
}

/// The caller's notifications, newest first, about what they may see now.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(NotificationQuery),
    security(("bearer" = ["read"])),
    responses((status = 200, body = NotificationList), ReadErrors))]
pub async fn list_notifications(
    caller: Caller<Read>,
    query: web::Query<NotificationQuery>,
) -> Result<web::Json<NotificationList>, ApiError> {
    let (unread, limit) = query.parse()?;
    let cursor = query.into_inner().cursor;
    let (rows, next_cursor) = caller
        .run(move |conn, actor| {
            notifications::list(conn, &actor.user_id, unread, cursor.as_deref(), limit)
        })
        .await?;
    Ok(web::Json(NotificationList {
        notifications: rows.into_iter().map(NotificationOut::from).collect(),
        next_cursor,
    }))
}

/// Marks notifications read (write scope): the named `ids` (any that is not the caller's, or
/// is about an item hidden from them, answers 404 and nothing is marked), or `all`.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    request_body = MarkRead,
    security(("bearer" = ["write"])),
    responses((status = 200, body = UnreadCount), WriteErrors))]
pub async fn mark_read(
    caller: Caller<Write>,
    body: Body<MarkRead>,
) -> Result<web::Json<UnreadCount>, ApiError> {
    let marking = Marking::try_from(body.into_inner())?;
    let now = caller.now();
    let unread_count = caller
        .run(move |conn, actor| -> Result<i64, NotificationError> {
            match marking {
                Marking::Ids(ids) => {
                    notifications::mark_read(conn, &actor.user_id, &ids, now)?;
                }
                Marking::All => notifications::mark_all_read(conn, &actor.user_id, now)?,
            }
            notifications::unread_count(conn, &actor.user_id)
        })
        .await?;
    Ok(web::Json(UnreadCount { unread_count }))
}
