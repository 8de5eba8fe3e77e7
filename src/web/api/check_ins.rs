//! Check-ins, through the same `okr::check_ins` functions (and so the same `scope` checks) as
//! the pages: a check-in is read, written, changed or deleted only where its item is visible
//! (404 otherwise, also for a check-in id whose item is hidden), with the time from the app's
//! clock.

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::check_in_models::{CheckInChange, CheckInList, CheckInOut, CheckInPatch, NewCheckIn};
use super::error::ApiError;
use super::paths::{CheckInPath, ItemPath};
use super::{ChangeErrors, ReadErrors, WriteErrors};
use crate::okr::check_ins::{self, CheckInDraft};

/// The item's check-ins, newest first.
#[utoipa::path(get, path = "/api/v1/items/{item_id}/check-ins", tag = "check-ins",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = CheckInList), ReadErrors))]
pub async fn list_check_ins(
    caller: Caller<Read>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<CheckInList>, ApiError> {
    let now = caller.now();
    let entries = caller
        .on_item(path.into_inner().item_id, move |conn, _, viewer, id| {
            check_ins::history(conn, viewer, id, now)
        })
        .await?;
    Ok(web::Json(CheckInList {
        check_ins: entries
            .iter()
            .map(|e| CheckInOut::from(&e.check_in))
            .collect(),
        next_cursor: None,
    }))
}

/// Checks in on an objective or key result the user may edit (write scope): a metric takes
/// its `value`, a milestone `done`, every item a confidence and a note.
#[utoipa::path(post, path = "/api/v1/items/{item_id}/check-ins", tag = "check-ins",
    params(("item_id" = String, Path, format = Uuid)), request_body = NewCheckIn,
    security(("bearer" = ["write"])),
    responses((status = 201, body = CheckInOut), WriteErrors))]
pub async fn create_check_in(
    caller: Caller<Write>,
    path: web::Path<ItemPath>,
    body: Body<NewCheckIn>,
) -> Result<HttpResponse, ApiError> {
    let draft = CheckInDraft::try_from(body.into_inner())?;
    let now = caller.now();
    let check_in = caller
        .on_item(path.into_inner().item_id, move |conn, actor, viewer, id| {
            check_ins::add(conn, actor, viewer, id, draft, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(CheckInOut::from(&check_in)))
}

/// Changes the user's own latest check-in within 24 hours of writing it (write scope); what
/// is left out stays as it is.
#[utoipa::path(patch, path = "/api/v1/check-ins/{check_in_id}", tag = "check-ins",
    params(("check_in_id" = String, Path, format = Uuid)), request_body = CheckInPatch,
    security(("bearer" = ["write"])),
    responses((status = 200, body = CheckInOut), WriteErrors))]
pub async fn update_check_in(
    caller: Caller<Write>,
    path: web::Path<CheckInPath>,
    body: Body<CheckInPatch>,
) -> Result<web::Json<CheckInOut>, ApiError> {
    let change = CheckInChange::try_from(body.into_inner())?;
    let now = caller.now();
    let check_in = caller
        .on_check_in(
            path.into_inner().check_in_id,
            move |conn, actor, viewer, id| {
                // Read outside the write's transaction: only the author may change a check-in,
                // so the one race is with themselves.
                let draft = change.over(&check_ins::get(conn, viewer, id)?)?;
                check_ins::update(conn, actor, viewer, id, draft, now).map_err(ApiError::from)
            },
        )
        .await?;
    Ok(web::Json(CheckInOut::from(&check_in)))
}

/// Deletes a check-in (write scope): the user's own latest within 24 hours, or any, for
/// workspace admins.
#[utoipa::path(delete, path = "/api/v1/check-ins/{check_in_id}", tag = "check-ins",
    params(("check_in_id" = String, Path, format = Uuid)),
    security(("bearer" = ["write"])),
    responses((status = 204, description = "Deleted"), ChangeErrors))]
pub async fn delete_check_in(
    caller: Caller<Write>,
    path: web::Path<CheckInPath>,
) -> Result<HttpResponse, ApiError> {
    let now = caller.now();
    caller
        .on_check_in(
            path.into_inner().check_in_id,
            move |conn, actor, viewer, id| check_ins::delete(conn, actor, viewer, id, now),
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
