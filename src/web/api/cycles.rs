//! An organization's cycles, through the same `cycles` functions as the cycle page: members
//! read them, organization owners and admins (with an `admin` token) create, change, activate,
//! close and reopen them. A cycle of an organization the user is not in answers 404.
//! Carrying objectives over is an item write (`write` scope), through `okr::carry_over`.

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Admin, Caller, Read, Write};
use super::cycle_models::{
    unseen_items, CarryFrom, CarryOverBody, CarryOverRequest, CycleFields, CycleList, CycleOut,
    CyclePatch, NewCycle,
};
use super::error::ApiError;
use super::item_models::{ItemList, ItemOut};
use super::paths::{CyclePath, OrgPath};
use super::{AdminErrors, ChangeErrors, ReadErrors, WriteErrors};
use crate::activity::Actor;
use crate::cycles::{self, StateChange};
use crate::db::AnyConnection;
use crate::okr::{self, status};
use crate::scope::Viewer;

/// The organization's cycles, latest first.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/cycles", tag = "cycles",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = CycleList), ReadErrors))]
pub async fn list_cycles(
    caller: Caller<Read>,
    path: web::Path<OrgPath>,
) -> Result<web::Json<CycleList>, ApiError> {
    let list = caller
        .in_org(path.into_inner().org_id, |conn, _, access| {
            cycles::list(conn, &access.org().id)
        })
        .await?;
    Ok(web::Json(CycleList {
        cycles: list.iter().map(CycleOut::from).collect(),
        next_cursor: None,
    }))
}

/// Creates a cycle in `planning` (admin scope; organization owners and admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/cycles", tag = "cycles",
    params(("org_id" = String, Path, format = Uuid)), request_body = NewCycle,
    security(("bearer" = ["admin"])),
    responses((status = 201, body = CycleOut), AdminErrors))]
pub async fn create_cycle(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
    body: Body<NewCycle>,
) -> Result<HttpResponse, ApiError> {
    let CycleFields { name, dates } = CycleFields::try_from(body.into_inner())?;
    let now = caller.now();
    let cycle = caller
        .in_org(path.into_inner().org_id, move |conn, actor, access| {
            cycles::create(conn, actor, &access.admin()?, name, dates, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(CycleOut::from(&cycle)))
}

#[utoipa::path(get, path = "/api/v1/cycles/{cycle_id}", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = CycleOut), ReadErrors))]
pub async fn show_cycle(
    caller: Caller<Read>,
    path: web::Path<CyclePath>,
) -> Result<web::Json<CycleOut>, ApiError> {
    let cycle = caller
        .on_cycle(path.into_inner().cycle_id, |conn, _, access, id| {
            cycles::get(conn, &access.org().id, id)
        })
        .await?;
    Ok(web::Json(CycleOut::from(&cycle)))
}

/// Renames a cycle or moves its dates (admin scope; organization owners and admins).
#[utoipa::path(patch, path = "/api/v1/cycles/{cycle_id}", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)), request_body = CyclePatch,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = CycleOut), AdminErrors))]
pub async fn update_cycle(
    caller: Caller<Admin>,
    path: web::Path<CyclePath>,
    body: Body<CyclePatch>,
) -> Result<web::Json<CycleOut>, ApiError> {
    let patch = body.into_inner();
    let now = caller.now();
    let cycle = caller
        .on_cycle(
            path.into_inner().cycle_id,
            move |conn, actor, access, id| {
                let admin = access.admin()?;
                // Read before the write's transaction: only admins change cycles, and the later
                // of two concurrent changes wins.
                let CycleFields { name, dates } =
                    patch.over(&cycles::get(conn, &admin.org().id, id)?)?;
                cycles::update(conn, actor, &admin, id, name, dates, now).map_err(ApiError::from)
            },
        )
        .await?;
    Ok(web::Json(CycleOut::from(&cycle)))
}

async fn change_state(
    caller: Caller<Admin>,
    path: web::Path<CyclePath>,
    change: StateChange,
) -> Result<web::Json<CycleOut>, ApiError> {
    let now = caller.now();
    let cycle = caller
        .on_cycle(
            path.into_inner().cycle_id,
            move |conn, actor, access, id| {
                cycles::change_state(conn, actor, &access.admin()?, id, change, now)
                    .map_err(ApiError::from)
            },
        )
        .await?;
    Ok(web::Json(CycleOut::from(&cycle)))
}

/// Planning → active (admin scope; organization owners and admins).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/activate", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = CycleOut), ChangeErrors))]
pub async fn activate_cycle(
    caller: Caller<Admin>,
    path: web::Path<CyclePath>,
) -> Result<web::Json<CycleOut>, ApiError> {
    change_state(caller, path, StateChange::Activate).await
}

/// Planning or active → closed: its items and check-ins become read-only, but for each
/// objective's outcome and closing note (admin scope; organization owners and admins).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/close", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = CycleOut), ChangeErrors))]
pub async fn close_cycle(
    caller: Caller<Admin>,
    path: web::Path<CyclePath>,
) -> Result<web::Json<CycleOut>, ApiError> {
    change_state(caller, path, StateChange::Close).await
}

/// Closed → active again (admin scope; organization owners and admins).
#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/reopen", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = CycleOut), ChangeErrors))]
pub async fn reopen_cycle(
    caller: Caller<Admin>,
    path: web::Path<CyclePath>,
) -> Result<web::Json<CycleOut>, ApiError> {
    change_state(caller, path, StateChange::Reopen).await
}

/// Copies objectives of this cycle into another (write scope): each with its unfinished key
/// results (a metric starting from its last value) and open actions, no check-ins, linked to
/// its original. All or nothing; answers the copied objectives.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/carry-over", tag = "cycles",
    params(("cycle_id" = String, Path, format = Uuid)), request_body = CarryOverBody,
    security(("bearer" = ["write"])),
    responses((status = 201, body = ItemList), WriteErrors))]
pub async fn carry_over(
    caller: Caller<Write>,
    path: web::Path<CyclePath>,
    body: Body<CarryOverBody>,
) -> Result<HttpResponse, ApiError> {
    let request = CarryOverRequest::try_from(body.into_inner())?;
    let from_cycle_id = path.into_inner().cycle_id;
    let today = caller.today();
    let work = move |conn: &mut AnyConnection, actor: &Actor, viewer: &Viewer| {
        let copies = okr::carry_over(
            conn,
            actor,
            viewer,
            &from_cycle_id,
            &request.to_cycle_id,
            &request.which,
        )?;
        copied(conn, viewer, &copies, today)
    };
    let list = match request.from {
        CarryFrom::Workspace(id) => caller.in_workspace(id, work).await?,
        CarryFrom::WorkspaceOf(item) => {
            caller
                .in_workspace_of_item(item, unseen_items(), work)
                .await?
        }
    };
    Ok(HttpResponse::Created().json(list))
}

/// The copies as the caller sees them now, with one read of the statuses.
fn copied(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    copies: &[okr::Item],
    today: chrono::NaiveDate,
) -> Result<ItemList, ApiError> {
    let statuses = status::statuses(conn, viewer, today).map_err(okr::OkrError::from)?;
    let mut items = Vec::with_capacity(copies.len());
    for copy in copies {
        let detail = okr::detail(conn, viewer, &copy.id)?;
        items.push(ItemOut::new(
            &detail.item,
            (&detail.assignee_ids, &detail.skill_tags),
            &statuses,
        ));
    }
    Ok(ItemList {
        items,
        next_cursor: None,
    })
}
