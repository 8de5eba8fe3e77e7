//! The workspace's lists of item changes: its trash and its activity feed.

use actix_web::HttpResponse;
use askama::Template;

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
}

/// The workspace's recent item changes, as far as the viewer may see them.
pub async fn activity_feed(ctx: WorkspaceCtx) -> Result<HttpResponse, AppError> {
    let feed = ctx
        .run(|conn, _, viewer| okr::activity_feed(conn, viewer, 200))
        .await?;
    render(ActivityPage {
        layout: ctx
            .layout(&format!("Activity in {}", ctx.access.workspace().name))
            .await?,
        base: ctx.base(),
        feed,
    })
}
