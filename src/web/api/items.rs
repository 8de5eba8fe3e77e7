//! Items and their history, through the same `okr` functions (and so the same `scope`
//! checks) as the pages. Each handler states its scope in its `Caller`, turns its input into
//! the domain's, and runs one closure in the item's workspace.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::error::ApiError;
use super::item_models::{
    ActivityList, ActivityQuery, ItemList, ItemOut, ItemPatch, ItemQuery, NewItem, Position,
};
use super::paths::{ItemPath, WorkspacePath};
use super::{ChangeErrors, ReadErrors, WriteErrors};
use crate::cycles::{self, CycleError, CycleFilter};
use crate::db::AnyConnection;
use crate::okr;
use crate::okr::board::{self, BoardPosition};
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{status, Feed, TreeFilter};
use crate::scope::Viewer;

/// An item as the caller sees it now, with its status and pace on `today`.
fn item_out(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    today: NaiveDate,
) -> Result<ItemOut, ApiError> {
    let detail = okr::detail(conn, viewer, item_id)?;
    let statuses = status::statuses(conn, viewer, today).map_err(okr::OkrError::from)?;
    Ok(ItemOut::new(
        &detail.item,
        (&detail.assignee_ids, &detail.skill_tags),
        &statuses,
    ))
}

/// The `cycle` filter: everything when left out; a cycle id must be one of the workspace's
/// organization's (as `cycles::choose` decides for the pages), else the field is refused.
fn cycle_filter(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    raw: Option<&str>,
    today: NaiveDate,
) -> Result<CycleFilter, ApiError> {
    let Some(raw) = raw else {
        return Ok(CycleFilter::All);
    };
    let cycles = cycles::list(conn, &viewer.organization_id)?;
    cycles::choose(&cycles, Some(raw), today).map_err(|e| match e {
        CycleError::NotFound => ApiError::field(
            "cycle",
            "Use the id of one of this organization's cycles, backlog or all.",
        ),
        other => other.into(),
    })
}

/// The workspace's live items the user may see, by creation, a page at a time.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/items", tag = "items",
    params(("ws_id" = String, Path, format = Uuid), ItemQuery),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ItemList), ReadErrors))]
pub async fn list_items(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
    query: web::Query<ItemQuery>,
) -> Result<web::Json<ItemList>, ApiError> {
    let (filter, limit) = query.filter()?;
    let ItemQuery { cursor, cycle, .. } = query.into_inner();
    let today = caller.today();
    let list = caller
        .in_workspace(path.into_inner().ws_id, move |conn, _, viewer| {
            let filter = TreeFilter {
                cycle: cycle_filter(conn, viewer, cycle.as_deref(), today)?,
                ..filter
            };
            let list = okr::list(conn, viewer, &filter, cursor.as_deref(), limit)?;
            // One read of every status, for the whole page.
            let statuses = status::statuses(conn, viewer, today).map_err(okr::OkrError::from)?;
            let items = list
                .items
                .iter()
                .map(|a| ItemOut::new(&a.item, (&a.assignee_ids, &a.skill_tags), &statuses))
                .collect();
            Ok::<_, ApiError>(ItemList {
                items,
                next_cursor: list.next_after,
            })
        })
        .await?;
    Ok(web::Json(list))
}

/// Creates an item owned by the user (write scope).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/items", tag = "items",
    params(("ws_id" = String, Path, format = Uuid)), request_body = NewItem,
    security(("bearer" = ["write"])),
    responses((status = 201, body = ItemOut), WriteErrors))]
pub async fn create_item(
    caller: Caller<Write>,
    path: web::Path<WorkspacePath>,
    body: Body<NewItem>,
) -> Result<HttpResponse, ApiError> {
    let (new, details) = body.into_inner().parse()?;
    let (today, now) = (caller.today(), caller.now());
    let item = caller
        .in_workspace(path.into_inner().ws_id, move |conn, actor, viewer| {
            let item = okr::create_with_details(conn, actor, viewer, new, details, now)?;
            item_out(conn, viewer, &item.id, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(item))
}

#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ItemOut), ReadErrors))]
pub async fn show_item(
    caller: Caller<Read>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<ItemOut>, ApiError> {
    let today = caller.today();
    let item = caller
        .on_item(path.into_inner().item_id, move |conn, _, viewer, id| {
            item_out(conn, viewer, id, today)
        })
        .await?;
    Ok(web::Json(item))
}

/// Changes the given fields, the parent and the place among the siblings (write scope); the
/// same rules as the item page and the tree, all or nothing.
#[utoipa::path(patch, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)), request_body = ItemPatch,
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), WriteErrors))]
pub async fn update_item(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
    body: Body<ItemPatch>,
) -> Result<web::Json<ItemOut>, ApiError> {
    let mut patch = body.into_inner();
    let placement = patch.take_placement();
    let changes = ItemChanges::try_from(patch)?;
    let (today, now) = (caller.today(), caller.now());
    let item = caller
        .on_item(path.into_inner().item_id, move |conn, actor, viewer, id| {
            edit::revise(conn, actor, viewer, id, changes, placement, now)?;
            item_out(conn, viewer, id, today)
        })
        .await?;
    Ok(web::Json(item))
}

/// Moves the item and everything below it to the trash (write scope).
#[utoipa::path(delete, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "In the trash"), ChangeErrors))]
pub async fn delete_item(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    caller
        .on_item(path.into_inner().item_id, |conn, actor, viewer, id| {
            edit::delete(conn, actor, viewer, id).map(drop)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Brings an item back from the trash with what was deleted with it (write scope).
#[utoipa::path(post, path = "/api/v1/items/{item_id}/restore", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), ChangeErrors))]
pub async fn restore_item(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<ItemOut>, ApiError> {
    let today = caller.today();
    let item = caller
        .on_item(path.into_inner().item_id, move |conn, actor, viewer, id| {
            edit::restore(conn, actor, viewer, id)?;
            item_out(conn, viewer, id, today)
        })
        .await?;
    Ok(web::Json(item))
}

/// Places the item on the board (write scope); the same rules as dragging it there.
#[utoipa::path(put, path = "/api/v1/items/{item_id}/position", tag = "items",
    params(("item_id" = String, Path, format = Uuid)), request_body = Position,
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), WriteErrors))]
pub async fn set_position(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
    body: Body<Position>,
) -> Result<web::Json<ItemOut>, ApiError> {
    let position =
        BoardPosition::new(body.x, body.y).map_err(|e| ApiError::field("x", e.to_string()))?;
    let today = caller.today();
    let item = caller
        .on_item(path.into_inner().item_id, move |conn, actor, viewer, id| {
            board::set_position(conn, actor, viewer, id, position)?;
            item_out(conn, viewer, id, today)
        })
        .await?;
    Ok(web::Json(item))
}

/// The item's history, newest first, a page at a time; rows naming items the user may not
/// see, or items in the trash, are left out and the page is filled from the rest.
#[utoipa::path(get, path = "/api/v1/items/{item_id}/activity", tag = "items",
    params(("item_id" = String, Path, format = Uuid), ActivityQuery),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ActivityList), ReadErrors))]
pub async fn item_activity(
    caller: Caller<Read>,
    path: web::Path<ItemPath>,
    query: web::Query<ActivityQuery>,
) -> Result<web::Json<ActivityList>, ApiError> {
    let limit = query.limit()?;
    let cursor = query.into_inner().cursor;
    let page = caller
        .on_item(path.into_inner().item_id, move |conn, _, viewer, id| {
            okr::activity_page(conn, viewer, Feed::Item(id), cursor.as_deref(), limit)
        })
        .await?;
    Ok(web::Json(page.into()))
}

/// Changes to the workspace's items, newest first, a page at a time, as far as the user may
/// see them (the same rows as the activity page).
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/activity", tag = "items",
    params(("ws_id" = String, Path, format = Uuid), ActivityQuery),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ActivityList), ReadErrors))]
pub async fn workspace_activity(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
    query: web::Query<ActivityQuery>,
) -> Result<web::Json<ActivityList>, ApiError> {
    let limit = query.limit()?;
    let cursor = query.into_inner().cursor;
    let page = caller
        .in_workspace(path.into_inner().ws_id, move |conn, _, viewer| {
            okr::activity_page(conn, viewer, Feed::Workspace, cursor.as_deref(), limit)
        })
        .await?;
    Ok(web::Json(page.into()))
}
