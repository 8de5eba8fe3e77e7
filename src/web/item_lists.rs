//! The workspace's lists of item changes: its trash and its activity feed.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::layout::Layout;
use super::render;
use crate::okr::{
    self,
    edit::{self, Trashed},
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
