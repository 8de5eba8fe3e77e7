//! Comments, through the same `comments` functions (and so the same `scope` checks) as the
//! pages: read and written only where their item is visible (404 otherwise, also for a
//! comment whose item is hidden); only their author changes or deletes them (403 for
//! anyone else's).

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::comment_models::{CommentIn, CommentList, CommentOut};
use super::error::ApiError;
use super::paths::{CommentPath, ItemPath};
use super::{ChangeErrors, ReadErrors, WriteErrors};
use crate::comments::{self, CommentBody};

/// The item's comments, newest last.
#[utoipa::path(get, path = "/api/v1/items/{item_id}/comments", tag = "comments",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = CommentList), ReadErrors))]
pub async fn list_comments(
    caller: Caller<Read>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<CommentList>, ApiError> {
    let entries = caller
        .on_item(path.into_inner().item_id, |conn, _, viewer, id| {
            comments::list(conn, viewer, id)
        })
        .await?;
    Ok(web::Json(CommentList {
        comments: entries
            .iter()
            .map(|e| CommentOut::from(&e.comment))
            .collect(),
        next_cursor: None,
    }))
}

/// Comments on an item the user can see (write scope); the members it mentions are told.
#[utoipa::path(post, path = "/api/v1/items/{item_id}/comments", tag = "comments",
    params(("item_id" = String, Path, format = Uuid)), request_body = CommentIn,
    security(("bearer" = ["write"])),
    responses((status = 201, body = CommentOut), WriteErrors))]
pub async fn create_comment(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
    body: Body<CommentIn>,
) -> Result<HttpResponse, ApiError> {
    let body = CommentBody::parse(&body.into_inner().body)?;
    let now = caller.now();
    let comment = caller
        .on_item(path.into_inner().item_id, move |conn, actor, viewer, id| {
            comments::add(conn, actor, viewer, id, &body, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(CommentOut::from(&comment)))
}

/// Changes the user's own comment (write scope); only members newly mentioned are told.
#[utoipa::path(patch, path = "/api/v1/comments/{comment_id}", tag = "comments",
    params(("comment_id" = String, Path, format = Uuid)), request_body = CommentIn,
    security(("bearer" = ["write"])),
    responses((status = 200, body = CommentOut), WriteErrors))]
pub async fn update_comment(
    caller: Caller<Write>,
    path: web::Path<CommentPath>,
    body: Body<CommentIn>,
) -> Result<web::Json<CommentOut>, ApiError> {
    let body = CommentBody::parse(&body.into_inner().body)?;
    let now = caller.now();
    let comment = caller
        .on_comment(
            path.into_inner().comment_id,
            move |conn, actor, viewer, id| comments::edit(conn, actor, viewer, id, &body, now),
        )
        .await?;
    Ok(web::Json(CommentOut::from(&comment)))
}

/// Deletes the user's own comment (write scope).
#[utoipa::path(delete, path = "/api/v1/comments/{comment_id}", tag = "comments",
    params(("comment_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "Deleted"), ChangeErrors))]
pub async fn delete_comment(
    caller: Caller<Write>,
    path: web::Path<CommentPath>,
) -> Result<HttpResponse, ApiError> {
    let now = caller.now();
    caller
        .on_comment(
            path.into_inner().comment_id,
            move |conn, actor, viewer, id| comments::delete(conn, actor, viewer, id, now),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
