//! Links between items, through the same `okr::links` functions (and so the same `scope`
//! checks) as the board: a link is listed, made or removed only where the caller may see both
//! ends.

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::error::ApiError;
use super::link_models::{LinkList, LinkOut, NewLink};
use super::paths::{LinkPath, WorkspacePath};
use super::{ChangeErrors, ReadErrors, WriteErrors};
use crate::okr::links;

/// The workspace's links whose both ends the user may see.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/links", tag = "links",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = LinkList), ReadErrors))]
pub async fn list_links(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<LinkList>, ApiError> {
    let list = caller
        .in_workspace(path.into_inner().ws_id, |conn, _, viewer| {
            links::in_workspace(conn, viewer)
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
    caller: Caller<Write>,
    path: web::Path<WorkspacePath>,
    body: Body<NewLink>,
) -> Result<HttpResponse, ApiError> {
    let NewLink {
        from_item_id,
        to_item_id,
    } = body.into_inner();
    let link = caller
        .in_workspace(path.into_inner().ws_id, move |conn, actor, viewer| {
            links::add(conn, actor, viewer, &from_item_id, &to_item_id)
        })
        .await?;
    Ok(HttpResponse::Created().json(LinkOut::from(&link)))
}

/// Removes a link (write scope).
#[utoipa::path(delete, path = "/api/v1/links/{link_id}", tag = "links",
    params(("link_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "Removed"), ChangeErrors))]
pub async fn delete_link(
    caller: Caller<Write>,
    path: web::Path<LinkPath>,
) -> Result<HttpResponse, ApiError> {
    caller
        .on_link(path.into_inner().link_id, |conn, actor, viewer, id| {
            links::remove_by_id(conn, actor, viewer, id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
