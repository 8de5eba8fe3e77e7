//! The workspace's trash over the API: what the caller may restore, as the trash page lists it.

use actix_web::web;
use serde::Serialize;
use utoipa::ToSchema;

use super::caller::{Caller, Read};
use super::error::ApiError;
use super::item_models::utc;
use super::names::ItemTypeName;
use super::paths::WorkspacePath;
use super::ReadErrors;
use crate::okr::edit::{self, Trashed};

/// A deleted item at the top of its deletion; what was deleted with it comes back with it.
/// Its parent is not named: the caller may restore an item under a parent they cannot see.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrashedOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[serde(rename = "type")]
    pub item_type: ItemTypeName,
    pub title: String,
    #[schema(format = DateTime)]
    pub deleted_at: Option<String>,
    #[schema(format = Uuid)]
    pub deleted_by_user_id: Option<String>,
    /// The name of whoever deleted it, while they have an account.
    pub deleted_by: Option<String>,
}

impl From<Trashed> for TrashedOut {
    fn from(trashed: Trashed) -> Self {
        let Trashed { item, deleted_by } = trashed;
        Self {
            id: item.id,
            item_type: item.item_type.into(),
            title: item.title,
            deleted_at: item.deleted_at.map(utc),
            deleted_by_user_id: item.deleted_by_user_id,
            deleted_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrashList {
    /// Newest deletion first.
    pub items: Vec<TrashedOut>,
}

/// The items in the workspace's trash that the caller may restore: admins every one, others
/// those they own or are assigned to.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/trash", tag = "items",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = TrashList), ReadErrors))]
pub async fn list_trash(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<TrashList>, ApiError> {
    let items = caller
        .in_workspace(path.into_inner().ws_id, |conn, _, viewer| {
            edit::trash(conn, viewer)
        })
        .await?;
    Ok(web::Json(TrashList {
        items: items.into_iter().map(TrashedOut::from).collect(),
    }))
}
