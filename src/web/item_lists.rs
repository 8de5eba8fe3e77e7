//! The workspace's lists of item changes: its trash (moving items there and back) and its
//! activity feed.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::items::{refused, ItemRef};
use super::layout::Layout;
use super::{render, see_other};
use crate::okr::{
    self,
    edit::{self, Trashed},
    OkrError,
};

#[derive(Template)]
#[template(path = "items/trash.html")]
struct TrashPage {
    layout: Layout,
    base: String,
    items: Vec<Trashed>,
    can_restore: bool,
}

pub async fn trash(ctx: WorkspaceCtx) -> Result<HttpResponse, AppError> {
    let items = ctx.run(|conn, _, viewer| edit::trash(conn, viewer)).await?;
    render(TrashPage {
        layout: ctx
            .layout(&format!("Trash of {}", ctx.access.workspace().name))
            .await?,
        base: ctx.base(),
        can_restore: ctx.viewer.require_writable().is_ok(),
        items,
    })
}

#[derive(Template)]
#[template(path = "items/activity.html")]
struct ActivityPage {
    layout: Layout,
    base: String,
    feed: Vec<okr::FeedEntry>,
    /// Where the next page of older changes starts, when there is one.
    older: Option<String>,
    /// Whether this is a later page.
    paged: bool,
}

/// A page of the feed starts after a row.
#[derive(Deserialize)]
pub struct FeedQuery {
    before: Option<String>,
}

/// The workspace's item changes, as far as the viewer may see them, 100 a page.
pub async fn activity_feed(
    ctx: WorkspaceCtx,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    let before = query.into_inner().before;
    let paged = before.is_some();
    let page = ctx
        .run(move |conn, _, viewer| {
            okr::activity_page(conn, viewer, okr::Feed::Workspace, before.as_deref(), 100)
        })
        .await?;
    render(ActivityPage {
        layout: ctx
            .layout(&format!("Activity in {}", ctx.access.workspace().name))
            .await?,
        base: ctx.base(),
        feed: page.entries,
        older: page.next_cursor,
        paged,
    })
}

/// Moves an item (and what is under it) to the trash, back on the tree with "Undo".
pub async fn delete(ctx: WorkspaceCtx, path: web::Path<ItemRef>) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let id = item_id.clone();
    let deleted = ctx
        .run(move |conn, actor, viewer| edit::delete(conn, actor, viewer, &id))
        .await;
    match deleted {
        Ok(item) => {
            let tree = ctx.base();
            ctx.flash_undoable(
                &format!("Moved “{}” to the trash.", item.title),
                format!("{tree}/items/{}/restore?then=item", item.id),
            )?;
            Ok(see_other(&tree))
        }
        Err(e) => refused(&ctx, item_id, e).await,
    }
}

#[derive(Deserialize)]
pub struct RestoreQuery {
    /// `item`: back to the restored item (an undo), not the trash.
    #[serde(default)]
    then: String,
}

pub async fn restore(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    query: web::Query<RestoreQuery>,
) -> Result<HttpResponse, AppError> {
    let trash = format!("{}/trash", ctx.base());
    let item_id = path.into_inner().item_id;
    let back = match query.then.as_str() {
        "item" => format!("{}/items/{item_id}", ctx.base()),
        _ => trash.clone(),
    };
    let outcome = ctx
        .run(move |conn, actor, viewer| edit::restore(conn, actor, viewer, &item_id))
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&back)),
        Err(OkrError::Refused(message)) => {
            ctx.flash(&message)?;
            Ok(see_other(&trash))
        }
        Err(e) => Err(e.into()),
    }
}
