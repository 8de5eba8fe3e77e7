//! The people of an organization: the list, and changing a person's role or removing them.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::context::{OrgAdmin, OrgCtx};
use super::super::error::AppError;
use super::super::htmx::Htmx;
use super::super::layout::Layout;
use super::super::{render, see_other};
use crate::orgs::{self, OrgError, OrgMember, OrgRole, Organization};

#[derive(Template)]
#[template(path = "orgs/members.html")]
struct MembersPage {
    layout: Layout,
    org: Organization,
    list: MemberList,
}

#[derive(Template)]
#[template(path = "partials/org_members.html")]
struct MemberList {
    org_slug: String,
    csrf_token: String,
    members: Vec<OrgMember>,
    can_manage: bool,
    my_role: OrgRole,
    roles: &'static [OrgRole],
    /// A refused change: (user id, why).
    error: Option<(String, String)>,
}

impl MemberList {
    /// Admins manage members and admins; only owners touch owners.
    fn can_edit(&self, member: &OrgMember) -> bool {
        self.can_manage && (self.my_role == OrgRole::Owner || member.role != OrgRole::Owner)
    }

    fn assignable_roles(&self) -> impl Iterator<Item = &OrgRole> {
        self.roles
            .iter()
            .filter(|role| self.my_role == OrgRole::Owner || **role != OrgRole::Owner)
    }

    fn error_for(&self, user_id: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(id, _)| id == user_id)
            .map(|(_, message)| message.as_str())
    }
}

async fn member_list(
    ctx: &OrgCtx,
    error: Option<(String, String)>,
) -> Result<MemberList, AppError> {
    let members = ctx
        .run(|conn, _, access| orgs::members(conn, &access.org().id))
        .await?;
    let access = &ctx.access;
    Ok(MemberList {
        org_slug: access.org().slug.clone(),
        csrf_token: ctx.signed_in.csrf_token.clone(),
        members,
        can_manage: access.is_admin() && !access.org().is_archived(),
        my_role: access.role(),
        roles: OrgRole::ALL,
        error,
    })
}

pub async fn page(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    let list = member_list(&ctx, None).await?;
    render(MembersPage {
        layout: ctx
            .layout(&format!("People in {}", ctx.access.org().name))
            .await?,
        org: ctx.access.org().clone(),
        list,
    })
}

/// The member a route under `/members/{user_id}` names.
#[derive(Deserialize)]
pub struct MemberRef {
    user_id: String,
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// Answers a member change: the refreshed list to htmx, the page (or a redirect) otherwise.
async fn member_change_response(
    htmx: Htmx,
    ctx: &OrgCtx,
    user_id: String,
    outcome: Result<(), OrgError>,
) -> Result<HttpResponse, AppError> {
    let error = match outcome {
        Ok(()) => None,
        Err(e @ (OrgError::LastOwner | OrgError::NotOwner)) => Some((user_id, e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let failed = error.is_some();
    if htmx.0 {
        let list = member_list(ctx, error).await?;
        return if failed {
            super::super::unprocessable(list)
        } else {
            render(list)
        };
    }
    if let Some((_, message)) = error {
        return Err(AppError::Unprocessable(message));
    }
    Ok(see_other(&format!(
        "/orgs/{}/members",
        ctx.access.org().slug
    )))
}

pub async fn change_role(
    htmx: Htmx,
    ctx: OrgAdmin,
    path: web::Path<MemberRef>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let role = OrgRole::parse(&form.role)
        .ok_or_else(|| AppError::BadRequest("Choose owner, admin or member.".into()))?;
    let target = user_id.clone();
    let outcome = ctx
        .run(move |conn, actor, admin| orgs::change_role(conn, actor, admin, &target, role))
        .await;
    member_change_response(htmx, &ctx, user_id, outcome).await
}

pub async fn remove(
    htmx: Htmx,
    ctx: OrgAdmin,
    path: web::Path<MemberRef>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let target = user_id.clone();
    let outcome = ctx
        .run(move |conn, actor, admin| orgs::remove_member(conn, actor, admin, &target))
        .await;
    member_change_response(htmx, &ctx, user_id, outcome).await
}
