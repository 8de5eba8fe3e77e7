//! Items, their history and links, through the same `okr` functions (and so the same
//! `scope` checks) as the pages.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::error::ApiError;
use super::models::{
    ActivityList, ActivityOut, ItemList, ItemOut, ItemPatch, LinkList, LinkOut, NewItem, NewLink,
    Position,
};
use super::{ReadErrors, WriteErrors};
use crate::activity::Actor;
use crate::db::AnyConnection;
use crate::okr::board::{self, BoardPosition};
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{self, links, ActionStatus, ItemType, StoryPoints, TreeFilter};
use crate::scope::Viewer;
use crate::tokens::Scope;
use crate::web::AppState;
use crate::workspaces;

const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 100;
const DESCRIPTION_MAX: usize = 10_000;

#[derive(Deserialize)]
pub struct WorkspacePath {
    #[serde(deserialize_with = "super::path_id")]
    ws_id: String,
}

#[derive(Deserialize)]
pub struct ItemPath {
    #[serde(deserialize_with = "super::path_id")]
    item_id: String,
}

#[derive(Deserialize)]
pub struct LinkPath {
    #[serde(deserialize_with = "super::path_id")]
    link_id: String,
}

/// The viewer for a workspace the caller may open (404 otherwise).
fn viewer_in(
    conn: &mut AnyConnection,
    user_id: &str,
    workspace_id: &str,
) -> Result<Viewer, ApiError> {
    let access = workspaces::access_by_id(conn, user_id, workspace_id)?;
    Ok(Viewer::new(conn, &access)?)
}

/// The viewer for the workspace an item belongs to.
fn viewer_for_item(
    conn: &mut AnyConnection,
    user_id: &str,
    item_id: &str,
) -> Result<Viewer, ApiError> {
    let workspace_id = okr::workspace_of(conn, item_id)?;
    viewer_in(conn, user_id, &workspace_id)
}

/// An item as the caller sees it now.
fn item_out(conn: &mut AnyConnection, viewer: &Viewer, item_id: &str) -> Result<ItemOut, ApiError> {
    let detail = okr::detail(conn, viewer, item_id)?;
    Ok(ItemOut::new(&detail.item, &detail.assignee_ids))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// objective, key_result or action.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    item_type: Option<String>,
    /// Owner's user id.
    owner: Option<String>,
    /// An assignee's user id.
    assignee: Option<String>,
    /// pending, work_in_progress or done.
    status: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 1000; 100 when left out.
    limit: Option<String>,
}

impl ItemQuery {
    fn filter(&self) -> Result<(TreeFilter, usize), ApiError> {
        let mut fields = BTreeMap::new();
        let item_type = self.item_type.as_deref().and_then(|raw| {
            let parsed = ItemType::parse(raw);
            if parsed.is_none() {
                fields.insert("type".into(), "Use objective, key_result or action.".into());
            }
            parsed
        });
        let status = self.status.as_deref().and_then(|raw| {
            let parsed = ActionStatus::parse(raw);
            if parsed.is_none() {
                fields.insert(
                    "status".into(),
                    "Use pending, work_in_progress or done.".into(),
                );
            }
            parsed
        });
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    fields.insert("limit".into(), format!("Use 1 to {MAX_LIMIT}."));
                    DEFAULT_LIMIT
                }
            },
        };
        ApiError::fields(fields)?;
        Ok((
            TreeFilter {
                owner: self.owner.clone(),
                assignee: self.assignee.clone(),
                item_type,
                status,
                ..TreeFilter::default()
            },
            limit,
        ))
    }
}

/// The workspace's live items the user may see, by creation, a page at a time.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/items", tag = "items",
    params(("ws_id" = String, Path, format = Uuid), ItemQuery),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ItemList), ReadErrors))]
pub async fn list_items(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    query: web::Query<ItemQuery>,
) -> Result<web::Json<ItemList>, ApiError> {
    caller.require(Scope::Read)?;
    let (filter, limit) = query.filter()?;
    let cursor = query.into_inner().cursor;
    let (user_id, ws_id) = (caller.user_id(), path.into_inner().ws_id);
    let list = state
        .db
        .run(move |conn| {
            let viewer = viewer_in(conn, &user_id, &ws_id)?;
            Ok::<_, ApiError>(okr::list(conn, &viewer, &filter, cursor.as_deref(), limit)?)
        })
        .await?;
    Ok(web::Json(ItemList {
        items: list.items.iter().map(ItemOut::from).collect(),
        next_cursor: list.next_after,
    }))
}

/// Creates an item owned by the user (write scope).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/items", tag = "items",
    params(("ws_id" = String, Path, format = Uuid)), request_body = NewItem,
    security(("bearer" = ["write"])),
    responses((status = 201, body = ItemOut), WriteErrors))]
pub async fn create_item(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    body: web::Json<NewItem>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let body = body.into_inner();
    let title = okr::title(&body.title).map_err(|e| ApiError::field("title", e))?;
    let new = okr::NewItem {
        item_type: body.item_type.into(),
        title,
        parent_id: body.parent_id,
        due_date: body.due_date,
        position: None,
    };
    let (actor, user_id, ws_id) = (caller.actor(), caller.user_id(), path.into_inner().ws_id);
    let item = state
        .db
        .run(move |conn| {
            let viewer = viewer_in(conn, &user_id, &ws_id)?;
            let item = okr::create(conn, &actor, &viewer, new)?;
            item_out(conn, &viewer, &item.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(item))
}

#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ItemOut), ReadErrors))]
pub async fn show_item(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<ItemOut>, ApiError> {
    caller.require(Scope::Read)?;
    let (user_id, item_id) = (caller.user_id(), path.into_inner().item_id);
    let item = state
        .db
        .run(move |conn| {
            let viewer = viewer_for_item(conn, &user_id, &item_id)?;
            item_out(conn, &viewer, &item_id)
        })
        .await?;
    Ok(web::Json(item))
}

impl TryFrom<ItemPatch> for ItemChanges {
    type Error = ApiError;

    fn try_from(patch: ItemPatch) -> Result<Self, ApiError> {
        let mut fields = BTreeMap::new();
        let title = match patch.title.as_deref().map(okr::title) {
            Some(Err(e)) => {
                fields.insert("title".into(), e);
                None
            }
            other => other.and_then(Result::ok),
        };
        let description = patch.description.map(|d| {
            let text = d.as_deref().map(str::trim).unwrap_or("");
            if text.chars().count() > DESCRIPTION_MAX {
                fields.insert(
                    "description".into(),
                    "Keep the description under 10,000 characters.".into(),
                );
            }
            Some(text.to_owned()).filter(|t| !t.is_empty())
        });
        let story_points = patch.story_points.map(|points| {
            points.and_then(|raw| {
                let parsed = StoryPoints::parse(&raw);
                if parsed.is_none() {
                    fields.insert(
                        "story_points".into(),
                        "Use 0, 1, 2, 3, 5, 8, 13, 21, 40, ? or ∞.".into(),
                    );
                }
                parsed
            })
        });
        ApiError::fields(fields)?;
        Ok(ItemChanges {
            title,
            description,
            owner_user_id: patch.owner_user_id,
            assignee_user_ids: patch.assignee_user_ids,
            start_date: patch.start_date,
            due_date: patch.due_date,
            action_status: patch.action_status.map(Into::into),
            story_points,
        })
    }
}

/// Changes the given fields (write scope); the same rules as the item page.
#[utoipa::path(patch, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)), request_body = ItemPatch,
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), WriteErrors))]
pub async fn update_item(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
    body: web::Json<ItemPatch>,
) -> Result<web::Json<ItemOut>, ApiError> {
    caller.require(Scope::Write)?;
    let changes = ItemChanges::try_from(body.into_inner())?;
    let item = change(
        &caller,
        &state,
        path.into_inner().item_id,
        move |conn, actor, viewer, id| {
            edit::update(conn, actor, viewer, id, changes)?;
            item_out(conn, viewer, id)
        },
    )
    .await?;
    Ok(web::Json(item))
}

/// Runs a change to one item as the caller, in the item's workspace.
async fn change<T, F>(
    caller: &Caller,
    state: &AppState,
    item_id: String,
    work: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let (actor, user_id) = (caller.actor(), caller.user_id());
    state
        .db
        .run(move |conn| {
            let viewer = viewer_for_item(conn, &user_id, &item_id)?;
            work(conn, &actor, &viewer, &item_id)
        })
        .await
}

/// Moves the item and everything below it to the trash (write scope).
#[utoipa::path(delete, path = "/api/v1/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "In the trash"), ReadErrors))]
pub async fn delete_item(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    change(
        &caller,
        &state,
        path.into_inner().item_id,
        |conn, actor, viewer, id| Ok(edit::delete(conn, actor, viewer, id).map(drop)?),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Brings an item back from the trash with what was deleted with it (write scope).
#[utoipa::path(post, path = "/api/v1/items/{item_id}/restore", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), ReadErrors))]
pub async fn restore_item(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<ItemOut>, ApiError> {
    caller.require(Scope::Write)?;
    let item = change(
        &caller,
        &state,
        path.into_inner().item_id,
        |conn, actor, viewer, id| {
            edit::restore(conn, actor, viewer, id)?;
            item_out(conn, viewer, id)
        },
    )
    .await?;
    Ok(web::Json(item))
}

/// Places the item on the board (write scope); the same rules as dragging it there.
#[utoipa::path(put, path = "/api/v1/items/{item_id}/position", tag = "items",
    params(("item_id" = String, Path, format = Uuid)), request_body = Position,
    security(("bearer" = ["write"])),
    responses((status = 200, body = ItemOut), WriteErrors))]
pub async fn set_position(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
    body: web::Json<Position>,
) -> Result<web::Json<ItemOut>, ApiError> {
    caller.require(Scope::Write)?;
    let position =
        BoardPosition::new(body.x, body.y).map_err(|e| ApiError::field("x", e.to_string()))?;
    let item = change(
        &caller,
        &state,
        path.into_inner().item_id,
        move |conn, actor, viewer, id| {
            board::set_position(conn, actor, viewer, id, position)?;
            item_out(conn, viewer, id)
        },
    )
    .await?;
    Ok(web::Json(item))
}

/// The item's history, newest first (rows naming items the user may not see are left out).
#[utoipa::path(get, path = "/api/v1/items/{item_id}/activity", tag = "items",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ActivityList), ReadErrors))]
pub async fn item_activity(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<ActivityList>, ApiError> {
    caller.require(Scope::Read)?;
    let (user_id, item_id) = (caller.user_id(), path.into_inner().item_id);
    let entries = state
        .db
        .run(move |conn| {
            let viewer = viewer_for_item(conn, &user_id, &item_id)?;
            Ok::<_, ApiError>(okr::history(conn, &viewer, &item_id, 200)?)
        })
        .await?;
    Ok(web::Json(ActivityList {
        activity: entries.iter().map(ActivityOut::from).collect(),
        next_cursor: None,
    }))
}

/// The workspace's links whose both ends the user may see.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/links", tag = "links",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = LinkList), ReadErrors))]
pub async fn list_links(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<LinkList>, ApiError> {
    caller.require(Scope::Read)?;
    let (user_id, ws_id) = (caller.user_id(), path.into_inner().ws_id);
    let list = state
        .db
        .run(move |conn| {
            let viewer = viewer_in(conn, &user_id, &ws_id)?;
            Ok::<_, ApiError>(links::in_workspace(conn, &viewer)?)
        })
        .await?;
    Ok(web::Json(LinkList {
        links: list.iter().map(LinkOut::from).collect(),
        next_cursor: None,
    }))
}

/// Relates two items of the workspace (write scope).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/links", tag = "links",
    params(("ws_id" = String, Path, format = Uuid)), request_body = NewLink,
    security(("bearer" = ["write"])),
    responses((status = 201, body = LinkOut), WriteErrors))]
pub async fn create_link(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    body: web::Json<NewLink>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let body = body.into_inner();
    let (actor, user_id, ws_id) = (caller.actor(), caller.user_id(), path.into_inner().ws_id);
    let link = state
        .db
        .run(move |conn| {
            let viewer = viewer_in(conn, &user_id, &ws_id)?;
            Ok::<_, ApiError>(links::add(
                conn,
                &actor,
                &viewer,
                &body.from_item_id,
                &body.to_item_id,
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(LinkOut::from(&link)))
}

/// Removes a link (write scope).
#[utoipa::path(delete, path = "/api/v1/links/{link_id}", tag = "links",
    params(("link_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "Removed"), ReadErrors))]
pub async fn delete_link(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<LinkPath>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Write)?;
    let (actor, user_id, link_id) = (caller.actor(), caller.user_id(), path.into_inner().link_id);
    state
        .db
        .run(move |conn| {
            let workspace_id = links::workspace_of(conn, &link_id)?;
            let viewer = viewer_in(conn, &user_id, &workspace_id)?;
            Ok::<_, ApiError>(links::remove_by_id(conn, &actor, &viewer, &link_id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
