//! A workspace's members: the list, adding an organization member, and changing one
//! membership's role, manager or active flag in place.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{WorkspaceAdmin, WorkspaceCtx};
use super::error::AppError;
use super::htmx::Htmx;
use super::layout::Layout;
use super::{render, see_other, unprocessable};
use crate::orgs::{self, OrgError, OrgMember};
use crate::workspaces::{self, MembershipChange, WorkspaceAccess, WorkspaceMember, WorkspaceRole};

/// The member a route under `/members/{user_id}` names.
#[derive(Deserialize)]
pub struct MemberRef {
    pub(super) user_id: String,
}

#[derive(Template)]
#[template(path = "workspaces/members.html")]
struct MembersPage {
    layout: Layout,
    access: WorkspaceAccess,
    list: MemberList,
    candidates: Vec<OrgMember>,
    add_error: Option<String>,
}

#[derive(Template)]
#[template(path = "partials/workspace_members.html")]
struct MemberList {
    base_path: String,
    csrf_token: String,
    members: Vec<WorkspaceMember>,
    can_manage: bool,
    roles: &'static [WorkspaceRole],
    /// A refused change: (user id, why).
    error: Option<(String, String)>,
}

impl MemberList {
    fn error_for(&self, user_id: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(id, _)| id == user_id)
            .map(|(_, message)| message.as_str())
    }

    /// Who could manage `member`: active members other than themselves, plus their current
    /// manager even when inactive, so that saving another field never clears it.
    fn possible_managers(&self, member: &WorkspaceMember) -> Vec<&WorkspaceMember> {
        let current = member.manager.as_ref().map(|(id, _)| id.as_str());
        self.members
            .iter()
            .filter(|m| {
                m.user_id != member.user_id && (m.active || Some(m.user_id.as_str()) == current)
            })
            .collect()
    }
}

async fn member_list(
    ctx: &WorkspaceCtx,
    error: Option<(String, String)>,
) -> Result<MemberList, AppError> {
    let workspace_id = ctx.access.workspace().id.clone();
    let members = ctx
        .run(move |conn, _, _| workspaces::members(conn, &workspace_id))
        .await?;
    Ok(MemberList {
        base_path: ctx.base(),
        csrf_token: ctx.signed_in.csrf_token.clone(),
        members,
        can_manage: ctx.access.is_admin() && ctx.access.require_writable().is_ok(),
        roles: WorkspaceRole::ALL,
        error,
    })
}

async fn members_page(
    ctx: &WorkspaceCtx,
    error: Option<(String, String)>,
    add_error: Option<String>,
) -> Result<MembersPage, AppError> {
    let list = member_list(ctx, error).await?;
    let access = &ctx.access;
    let (org_id, workspace_id) = (access.org().org().id.clone(), access.workspace().id.clone());
    let candidates = if list.can_manage {
        ctx.run(move |conn, _, _| orgs::members_outside_workspace(conn, &org_id, &workspace_id))
            .await?
    } else {
        Vec::new()
    };
    Ok(MembersPage {
        layout: ctx
            .layout(&format!("Members of {}", access.workspace().name))
            .await?,
        access: access.clone(),
        list,
        candidates,
        add_error,
    })
}

pub async fn page(ctx: WorkspaceCtx) -> Result<HttpResponse, AppError> {
    render(members_page(&ctx, None, None).await?)
}

#[derive(Deserialize)]
pub struct AddMemberForm {
    #[serde(default)]
    pub(super) user_id: String,
    #[serde(default)]
    role: String,
}

pub async fn add(
    ctx: WorkspaceAdmin,
    form: web::Form<AddMemberForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let role = WorkspaceRole::parse(&form.role)
        .ok_or_else(|| AppError::BadRequest("Choose a workspace role.".into()))?;
    let outcome = ctx
        .run(move |conn, actor, admin| {
            workspaces::add_member(conn, actor, admin, &form.user_id, role)
        })
        .await;
    match outcome {
        Ok(()) => {
            ctx.flash("Member added.")?;
            Ok(see_other(&format!("{}/members", ctx.base())))
        }
        Err(e @ (OrgError::NotOrgMember | OrgError::AlreadyMember(_))) => {
            unprocessable(members_page(&ctx, None, Some(e.to_string())).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// One field of a membership, as the inline editors send it.
#[derive(Deserialize)]
pub struct MemberForm {
    role: Option<String>,
    /// An empty value clears the manager.
    manager_user_id: Option<String>,
    active: Option<String>,
}

impl TryFrom<MemberForm> for MembershipChange {
    type Error = AppError;

    fn try_from(form: MemberForm) -> Result<Self, AppError> {
        let role = form
            .role
            .map(|raw| {
                WorkspaceRole::parse(&raw)
                    .ok_or_else(|| AppError::BadRequest("Choose a workspace role.".into()))
            })
            .transpose()?;
        let active = form
            .active
            .map(|raw| match raw.as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(AppError::BadRequest("Active must be true or false.".into())),
            })
            .transpose()?;
        Ok(MembershipChange {
            role,
            manager_user_id: form
                .manager_user_id
                .map(|id| Some(id).filter(|id| !id.is_empty())),
            active,
        })
    }
}

pub async fn update(
    htmx: Htmx,
    ctx: WorkspaceAdmin,
    path: web::Path<MemberRef>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let change = MembershipChange::try_from(form.into_inner())?;
    let target = user_id.clone();
    let outcome = ctx
        .run(move |conn, actor, admin| {
            workspaces::update_member(conn, actor, admin, &target, change)
        })
        .await;
    let error = match outcome {
        Ok(()) => None,
        Err(
            e @ (OrgError::ManagerCycle { .. } | OrgError::ManagerNotMember | OrgError::OwnManager),
        ) => Some((user_id, e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let failed = error.is_some();
    if htmx.0 {
        let list = member_list(&ctx, error).await?;
        return if failed {
            unprocessable(list)
        } else {
            render(list)
        };
    }
    if failed {
        return unprocessable(members_page(&ctx, error, None).await?);
    }
    Ok(see_other(&format!("{}/members", ctx.base())))
}
