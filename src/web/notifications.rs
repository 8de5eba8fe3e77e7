//! The inbox and the bell: a person's notifications, each one they may still see, with
//! mark read (in place, the bell updated beside it) and mark all read.

use actix_web::{web, HttpResponse, Responder};
use askama::Template;
use serde::Deserialize;

use super::error::AppError;
use super::htmx::Htmx;
use super::identity::SignedIn;
use super::layout::Layout;
use super::nav::{Bell, Nav};
use super::{render, see_other, AppState};
use crate::db::AnyConnection;
use crate::notifications::{self, Entry, InboxPage};

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct Inbox {
    layout: Layout,
    page: InboxPage,
    unread_only: bool,
}

/// One entry swapped in place after it was marked read, and the bell beside it.
#[derive(Template)]
#[template(path = "notifications/entry_swap.html")]
struct EntrySwap {
    entry: Entry,
    bell: Bell,
}

#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    unread: bool,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NotificationPath {
    notification_id: String,
}

pub async fn inbox(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    query: web::Query<InboxQuery>,
) -> Result<impl Responder, AppError> {
    let InboxQuery { unread, cursor } = query.into_inner();
    let user_id = signed_in.user.id.clone();
    let page = state
        .db
        .run(move |conn| notifications::inbox(conn, &user_id, unread, cursor.as_deref()))
        .await?;
    render(Inbox {
        layout: signed_in.layout("Notifications", nav),
        page,
        unread_only: unread,
    })
}

/// Opens what a notification is about, and counts it as read.
pub async fn open(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<NotificationPath>,
) -> Result<HttpResponse, AppError> {
    let to = mark(&state, &signed_in, path.into_inner(), |_, _, entry| {
        Ok(entry.story.path)
    })
    .await?;
    Ok(see_other(&to))
}

pub async fn mark_read(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<NotificationPath>,
    htmx: Htmx,
) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    if !htmx.0 {
        mark(&state, &signed_in, path, |_, _, _| Ok(())).await?;
        return Ok(see_other("/notifications"));
    }
    let swap = mark(&state, &signed_in, path, |conn, user_id, entry| {
        let unread = notifications::unread_count(conn, user_id)?;
        Ok(EntrySwap {
            entry,
            bell: Bell { unread, oob: true },
        })
    })
    .await?;
    render(swap)
}

pub async fn mark_all_read(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = signed_in.user.id.clone();
    let now = state.config.clock.now();
    state
        .db
        .run(move |conn| notifications::mark_all_read(conn, &user_id, now))
        .await?;
    Ok(see_other("/notifications"))
}

/// Marks one notification read and, in the same trip to the database, hands `then` the
/// entry as it reads now.
async fn mark<T: Send + 'static>(
    state: &AppState,
    signed_in: &SignedIn,
    path: NotificationPath,
    then: fn(&mut AnyConnection, &str, Entry) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let user_id = signed_in.user.id.clone();
    let now = state.config.clock.now();
    state
        .db
        .run(move |conn| {
            let entry = notifications::mark_read(conn, &user_id, &[path.notification_id], now)?
                .pop()
                .ok_or(AppError::NotFound)?;
            then(conn, &user_id, entry)
        })
        .await
}
