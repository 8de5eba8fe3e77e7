//! The caller, organizations, workspaces, invites and workspace members.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Admin, Caller, Read};
use super::error::ApiError;
use super::models::{
    AcceptInvite, InviteOutcome, InviteResult, Joined, Me, Member, MemberList, NewInvite, NewOrg,
    NewWorkspace, Org, OrgList, PutMember, ScopeName, WorkspaceList, WorkspaceOut,
};
use super::paths::{MemberPath, OrgPath, WorkspacePath};
use super::{AdminErrors, ReadErrors};
use crate::accounts::Email;
use crate::invites::{self, InviteTarget, InviteToken};
use crate::orgs::{self, NewOrganization};
use crate::workspaces::{self, MembershipChange, WorkspaceSettings};

/// The token's user and scopes.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    security(("bearer" = ["read"])),
    responses((status = 200, body = Me), ReadErrors))]
pub async fn me(caller: Caller<Read>) -> Result<web::Json<Me>, ApiError> {
    let bearer = caller.bearer();
    Ok(web::Json(Me {
        id: bearer.user.id.clone(),
        email: bearer.user.email.clone(),
        name: bearer.user.name.clone(),
        scopes: bearer.scopes.iter().map(ScopeName::from).collect(),
    }))
}

/// The organizations the user belongs to.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organizations",
    security(("bearer" = ["read"])),
    responses((status = 200, body = OrgList), ReadErrors))]
pub async fn list_orgs(caller: Caller<Read>) -> Result<web::Json<OrgList>, ApiError> {
    let orgs = caller
        .run(|conn, actor| orgs::memberships(conn, &actor.user_id))
        .await?;
    Ok(web::Json(OrgList {
        orgs: orgs.iter().map(Org::from).collect(),
        next_cursor: None,
    }))
}

/// Creates an organization with the user as its owner (admin scope).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "organizations", request_body = NewOrg,
    security(("bearer" = ["admin"])),
    responses((status = 201, body = Org), AdminErrors))]
pub async fn create_org(
    caller: Caller<Admin>,
    body: Body<NewOrg>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = BTreeMap::new();
    let name = orgs::name(&body.name)
        .map_err(|e| fields.insert("name".into(), e.to_string()))
        .ok();
    let slug = orgs::typed_slug(body.slug.as_deref().unwrap_or_default())
        .map_err(|e| fields.insert("slug".into(), e.to_string()))
        .ok()
        .flatten();
    ApiError::fields(fields)?;
    let new = NewOrganization {
        name: name.unwrap_or_default(),
        slug,
    };
    let access = caller
        .run(move |conn, actor| {
            let org = orgs::create(conn, actor, new)?;
            orgs::access_by_id(conn, &actor.user_id, &org.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(Org::from(&access)))
}

/// The organization's workspaces the user may open.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/workspaces", tag = "workspaces",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = WorkspaceList), ReadErrors))]
pub async fn list_workspaces(
    caller: Caller<Read>,
    path: web::Path<OrgPath>,
) -> Result<web::Json<WorkspaceList>, ApiError> {
    let org_id = path.into_inner().org_id;
    let list = caller
        .run(move |conn, actor| {
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            workspaces::visible_to(conn, &access, &actor.user_id)
        })
        .await?;
    Ok(web::Json(WorkspaceList {
        workspaces: list.iter().map(WorkspaceOut::from).collect(),
        next_cursor: None,
    }))
}

/// Creates a workspace (admin scope; organization owners and admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/workspaces", tag = "workspaces",
    params(("org_id" = String, Path, format = Uuid)), request_body = NewWorkspace,
    security(("bearer" = ["admin"])),
    responses((status = 201, body = WorkspaceOut), AdminErrors))]
pub async fn create_workspace(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
    body: Body<NewWorkspace>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut fields = BTreeMap::new();
    let name = orgs::name(&body.name)
        .map_err(|e| fields.insert("name".into(), e.to_string()))
        .ok();
    let slug = orgs::workspace_slug(body.slug.as_deref().unwrap_or_default(), &body.name)
        .map_err(|e| fields.insert("slug".into(), e))
        .ok();
    ApiError::fields(fields)?;
    let (Some(name), Some(slug)) = (name, slug) else {
        return Err(ApiError::field("name", "Give the workspace a name."));
    };
    let org_id = path.into_inner().org_id;
    let workspace = caller
        .run(move |conn, actor| {
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            let settings = WorkspaceSettings {
                name,
                slug,
                privacy_mode: body
                    .privacy_mode
                    .map_or(access.org().default_privacy_mode, Into::into),
            };
            workspaces::create(conn, actor, &access.admin()?, settings)
        })
        .await?;
    Ok(HttpResponse::Created().json(WorkspaceOut::from(&workspace)))
}

/// Invites one address to the organization (and a workspace), sending the email as the
/// app does (admin scope).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/invites", tag = "invites",
    params(("org_id" = String, Path, format = Uuid)), request_body = NewInvite,
    security(("bearer" = ["admin"])),
    responses((status = 201, body = InviteOutcome), AdminErrors))]
pub async fn invite(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
    body: Body<NewInvite>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = Email::parse(&body.email).map_err(|e| ApiError::field("email", e.to_string()))?;
    let org_id = path.into_inner().org_id;
    let settings = caller.state().config.invites.clone();
    let role = body.workspace_role.into();
    let outcomes = caller
        .run(move |conn, actor| {
            let org = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            let workspace = match &body.workspace_id {
                Some(id) => {
                    let access = workspaces::access_by_id(conn, &actor.user_id, id)?;
                    if access.workspace().organization_id != org.org().id {
                        return Err(ApiError::field(
                            "workspace_id",
                            "Choose a workspace of this organization.",
                        ));
                    }
                    Some(access)
                }
                None => None,
            };
            let target = match &workspace {
                Some(ws) => InviteTarget::Workspace(ws),
                None => InviteTarget::Organization(&org),
            };
            Ok(invites::invite(
                conn,
                actor,
                &target,
                std::slice::from_ref(&email),
                role,
                &settings,
            )?)
        })
        .await?;
    let outcome = outcomes
        .first()
        .ok_or_else(|| ApiError::internal("the invite produced no outcome"))?;
    let (email, result) = match outcome {
        invites::InviteOutcome::Sent(e) => (e, InviteResult::Sent),
        invites::InviteOutcome::Resent(e) => (e, InviteResult::Resent),
        invites::InviteOutcome::AlreadyMember(e) => (e, InviteResult::AlreadyMember),
        invites::InviteOutcome::InvitedElsewhere(e) => (e, InviteResult::InvitedElsewhere),
        invites::InviteOutcome::OverHourlyLimit(_) => {
            return Err(ApiError::RateLimited { retry_after: 3600 })
        }
    };
    Ok(HttpResponse::Created().json(InviteOutcome {
        email: email.clone(),
        outcome: result,
    }))
}

/// Accepts an invite for the token's user, whose email must be the invited one (admin
/// scope: it changes the user's memberships).
#[utoipa::path(post, path = "/api/v1/invites/accept", tag = "invites", request_body = AcceptInvite,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = Joined), AdminErrors))]
pub async fn accept_invite(
    caller: Caller<Admin>,
    body: Body<AcceptInvite>,
) -> Result<web::Json<Joined>, ApiError> {
    let token = InviteToken::from_link(body.token.trim()).ok_or(ApiError::NotFound)?;
    let (user, now) = (caller.bearer().user.clone(), caller.now());
    let joined = caller
        .run(move |conn, actor| invites::accept(conn, &token, &user, &actor.request_id, now))
        .await?;
    Ok(web::Json(Joined {
        org_slug: joined.org_slug,
        workspace_slug: joined.workspace_slug,
    }))
}

/// The workspace's members with role, manager and active flag.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/members", tag = "workspaces",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = MemberList), ReadErrors))]
pub async fn list_members(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<MemberList>, ApiError> {
    let ws_id = path.into_inner().ws_id;
    let members = caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            workspaces::members(conn, &access.workspace().id)
        })
        .await?;
    Ok(web::Json(MemberList {
        members: members.iter().map(Member::from).collect(),
        next_cursor: None,
    }))
}

/// Puts an organization member into the workspace with this role, manager and active flag
/// (admin scope; workspace admins).
#[utoipa::path(put, path = "/api/v1/workspaces/{ws_id}/members/{user_id}", tag = "workspaces",
    params(("ws_id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    request_body = PutMember,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = Member), AdminErrors))]
pub async fn put_member(
    caller: Caller<Admin>,
    path: web::Path<MemberPath>,
    body: Body<PutMember>,
) -> Result<web::Json<Member>, ApiError> {
    let MemberPath { ws_id, user_id } = path.into_inner();
    let body = body.into_inner();
    let member = caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            let change = MembershipChange {
                role: Some(body.role.into()),
                manager_user_id: Some(body.manager_user_id),
                active: Some(body.active),
            };
            workspaces::set_member(conn, actor, &access.admin()?, &user_id, change)?;
            workspaces::members(conn, &access.workspace().id)?
                .into_iter()
                .find(|m| m.user_id == user_id)
                .ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(Member::from(&member)))
}
