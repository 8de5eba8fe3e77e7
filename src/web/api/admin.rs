//! Running an organization over the API: its members, its invites, archiving, and a
//! workspace's settings; the same domain calls and owner rules as the settings pages.

use actix_web::{web, HttpResponse};

use super::admin_models::{
    InviteList, InviteOut, OrgMemberList, OrgMemberOut, OrgMemberPatch, ResendOutcome, Resent,
    WorkspacePatch,
};
use super::body::Body;
use super::caller::{Admin, Caller, Read};
use super::error::ApiError;
use super::models::WorkspaceOut;
use super::paths::{InvitePath, OrgMemberPath, OrgPath, WorkspacePath};
use super::{AdminErrors, ChangeErrors, ReadErrors};
use crate::activity::Actor;
use crate::db::AnyConnection;
use crate::invites::{self, InviteOutcome};
use crate::orgs::{self, OrgAccess};
use crate::workspaces::{self, WorkspaceSettings};

/// The organization's members with their roles (any member may read them).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = OrgMemberList), ReadErrors))]
pub async fn list_org_members(
    caller: Caller<Read>,
    path: web::Path<OrgPath>,
) -> Result<web::Json<OrgMemberList>, ApiError> {
    let members = caller
        .in_org(path.into_inner().org_id, |conn, _, access| {
            orgs::members(conn, &access.org().id)
        })
        .await?;
    Ok(web::Json(OrgMemberList {
        members: members.iter().map(OrgMemberOut::from).collect(),
        next_cursor: None,
    }))
}

/// Changes a member's role (admin scope; owners and admins, and only owners touch owners).
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/members/{user_id}", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    request_body = OrgMemberPatch,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = OrgMemberOut), AdminErrors))]
pub async fn update_org_member(
    caller: Caller<Admin>,
    path: web::Path<OrgMemberPath>,
    body: Body<OrgMemberPatch>,
) -> Result<web::Json<OrgMemberOut>, ApiError> {
    let OrgMemberPath { org_id, user_id } = path.into_inner();
    let role = body.into_inner().role.into();
    let member = caller
        .in_org(org_id, move |conn, actor, access| {
            orgs::change_role(conn, actor, &access.admin()?, &user_id, role)?;
            orgs::members(conn, &access.org().id)?
                .into_iter()
                .find(|m| m.user_id == user_id)
                .ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(OrgMemberOut::from(&member)))
}

/// Removes someone from the organization; their workspace memberships go inactive and what
/// they own stays (admin scope; the last owner cannot go).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/members/{user_id}", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Removed"), ChangeErrors))]
pub async fn remove_org_member(
    caller: Caller<Admin>,
    path: web::Path<OrgMemberPath>,
) -> Result<HttpResponse, ApiError> {
    let OrgMemberPath { org_id, user_id } = path.into_inner();
    caller
        .in_org(org_id, move |conn, actor, access| {
            orgs::remove_member(conn, actor, &access.admin()?, &user_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Runs `work` for someone who manages invites in the organization, with the workspaces they
/// are limited to (`None`: all).
fn as_inviter<T>(
    conn: &mut AnyConnection,
    access: &OrgAccess,
    work: impl FnOnce(&mut AnyConnection, Option<&[String]>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let administered = workspaces::administered_by(conn, access, access.user_id())?;
    let limit = invites::managed_by(access, &administered)?;
    work(conn, limit.as_deref())
}

/// The organization's invites with their state and the delivery of their email (owners
/// and admins all, workspace admins their workspaces').
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/invites", tag = "invites",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = InviteList), ReadErrors))]
pub async fn list_invites(
    caller: Caller<Read>,
    path: web::Path<OrgPath>,
) -> Result<web::Json<InviteList>, ApiError> {
    let now = caller.now();
    let listed = caller
        .in_org(path.into_inner().org_id, |conn, _, access| {
            as_inviter(conn, access, |conn, limit| {
                Ok(invites::list(conn, access, limit)?)
            })
        })
        .await?;
    Ok(web::Json(InviteList {
        invites: listed.iter().map(|i| InviteOut::new(i, now)).collect(),
        next_cursor: None,
    }))
}

/// Runs `work` on one invite as someone who manages it (404 to anyone else).
async fn on_invite<T, F>(caller: &Caller<Admin>, invite_id: String, work: F) -> Result<T, ApiError>
where
    F: FnOnce(
            &mut AnyConnection,
            &Actor,
            &OrgAccess,
            Option<&[String]>,
            &str,
        ) -> Result<T, ApiError>
        + Send
        + 'static,
    T: Send + 'static,
{
    caller
        .run(move |conn, actor| {
            let org_id = invites::organization_of(conn, &invite_id)?;
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            as_inviter(conn, &access, |conn, limit| {
                work(conn, actor, &access, limit, &invite_id)
            })
        })
        .await
}

/// Sends a pending or expired invite again with a new link; the old link stops working
/// (admin scope).
#[utoipa::path(post, path = "/api/v1/invites/{invite_id}/resend", tag = "invites",
    params(("invite_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = Resent), ChangeErrors))]
pub async fn resend_invite(
    caller: Caller<Admin>,
    path: web::Path<InvitePath>,
) -> Result<web::Json<Resent>, ApiError> {
    let settings = caller.state().config.invites.clone();
    let outcome = on_invite(
        &caller,
        path.into_inner().invite_id,
        move |conn, actor, access, limit, id| {
            Ok(invites::resend(conn, actor, access, limit, id, &settings)?)
        },
    )
    .await?;
    Ok(web::Json(Resent {
        outcome: match outcome {
            InviteOutcome::OverHourlyLimit(_) => ResendOutcome::OverHourlyLimit,
            _ => ResendOutcome::Resent,
        },
    }))
}

/// Withdraws a pending invite; its link stops working at once (admin scope).
#[utoipa::path(post, path = "/api/v1/invites/{invite_id}/revoke", tag = "invites",
    params(("invite_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Withdrawn"), ChangeErrors))]
pub async fn revoke_invite(
    caller: Caller<Admin>,
    path: web::Path<InvitePath>,
) -> Result<HttpResponse, ApiError> {
    on_invite(
        &caller,
        path.into_inner().invite_id,
        |conn, actor, access, limit, id| Ok(invites::revoke(conn, actor, access, limit, id)?),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn archive_org(
    caller: Caller<Admin>,
    org_id: String,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    caller
        .in_org(org_id, move |conn, actor, access| {
            orgs::set_archived(conn, actor, &access.admin()?, archived)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Archives the organization: read-only for everyone, hidden by default (admin scope;
/// owners and admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/archive", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Archived"), ChangeErrors))]
pub async fn archive_organization(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, ApiError> {
    archive_org(caller, path.into_inner().org_id, true).await
}

/// Makes an archived organization writable again (admin scope; owners and admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/unarchive", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Writable again"), ChangeErrors))]
pub async fn unarchive_organization(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, ApiError> {
    archive_org(caller, path.into_inner().org_id, false).await
}

async fn archive_ws(
    caller: Caller<Admin>,
    ws_id: String,
    archived: bool,
) -> Result<HttpResponse, ApiError> {
    caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            workspaces::set_archived(conn, actor, &access.admin()?, archived)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Archives the workspace: read-only, its items kept (admin scope; workspace admins).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/archive", tag = "workspaces",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Archived"), ChangeErrors))]
pub async fn archive_workspace(
    caller: Caller<Admin>,
    path: web::Path<WorkspacePath>,
) -> Result<HttpResponse, ApiError> {
    archive_ws(caller, path.into_inner().ws_id, true).await
}

/// Makes an archived workspace writable again (admin scope; workspace admins, in an
/// organization that is not archived).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/unarchive", tag = "workspaces",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Writable again"), ChangeErrors))]
pub async fn unarchive_workspace(
    caller: Caller<Admin>,
    path: web::Path<WorkspacePath>,
) -> Result<HttpResponse, ApiError> {
    archive_ws(caller, path.into_inner().ws_id, false).await
}

/// Renames the workspace, changes its address or its privacy mode (admin scope; workspace
/// admins). Switching to need-to-know hides from members what is not theirs at once.
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws_id}", tag = "workspaces",
    params(("ws_id" = String, Path, format = Uuid)), request_body = WorkspacePatch,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = WorkspaceOut), AdminErrors))]
pub async fn update_workspace(
    caller: Caller<Admin>,
    path: web::Path<WorkspacePath>,
    body: Body<WorkspacePatch>,
) -> Result<web::Json<WorkspaceOut>, ApiError> {
    let ws_id = path.into_inner().ws_id;
    let patch = body.into_inner();
    let workspace = caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            let admin = access.admin()?;
            let current = access.workspace();
            let settings = WorkspaceSettings::parse(
                patch.name.as_deref().unwrap_or(&current.name),
                patch.slug.as_deref().unwrap_or(&current.slug),
                patch.privacy_mode.map_or(current.privacy_mode, Into::into),
            )
            .map_err(ApiError::of_problems)?;
            Ok::<_, ApiError>(workspaces::update_settings(conn, actor, &admin, settings)?)
        })
        .await?;
    Ok(web::Json(WorkspaceOut::from(&workspace)))
}
