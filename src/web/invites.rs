//! Inviting people (the invites page) and accepting an invite (`/invites/{token}`).

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::context::OrgCtx;
use super::error::AppError;
use super::identity::{self, Visitor};
use super::layout::{FieldErrors, Layout, NoticePage};
use super::{render, see_other, unprocessable, AppState};
use crate::accounts::{self, DisplayName, Email, Password};
use crate::invites::{
    self, InviteDetails, InviteError, InviteListing, InviteOutcome, InviteTarget, InviteToken,
};
use crate::orgs::Organization;
use crate::workspaces::{self, Workspace, WorkspaceRole};

/// Addresses one submission may carry.
const MAX_ADDRESSES: usize = 50;

/// The invite a route under `/invites/{invite_id}` names.
#[derive(Deserialize)]
pub struct InviteRef {
    invite_id: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct InviteForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    workspace_id: String,
}

/// The addresses as typed: comma, semicolon, space or newline separated. Bad ones are
/// reported by name; good ones go ahead.
fn parse_addresses(raw: &str) -> (Vec<Email>, Vec<(String, String)>) {
    let mut good: Vec<Email> = Vec::new();
    let mut bad = Vec::new();
    for candidate in raw
        .split([',', ';', '\n', '\r', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match Email::parse(candidate) {
            Ok(email) if !good.contains(&email) => good.push(email),
            Ok(_) => {}
            Err(e) => bad.push((candidate.to_owned(), e.to_string())),
        }
    }
    (good, bad)
}

#[derive(Template)]
#[template(path = "invites/index.html")]
struct InvitesPage {
    layout: Layout,
    org: Organization,
    workspaces: Vec<Workspace>,
    can_invite_to_org: bool,
    invites: Vec<InviteListing>,
    now: chrono::NaiveDateTime,
    form: InviteForm,
    errors: FieldErrors,
    outcomes: Vec<InviteOutcome>,
    invalid: Vec<(String, String)>,
    roles: &'static [WorkspaceRole],
}

/// Someone who may invite here: an owner or admin (to the organization or any workspace),
/// or a workspace admin (to the workspaces they administer, listed in `workspaces`).
pub struct Inviter {
    ctx: OrgCtx,
    workspaces: Vec<Workspace>,
    /// Workspace ids a workspace admin is limited to; `None` for owners and admins.
    limit: Option<Vec<String>>,
}

impl FromRequest for Inviter {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (ctx, workspaces) = OrgCtx::with(req, |conn, access| {
                Ok(workspaces::administered_by(conn, access, access.user_id())?)
            })
            .await?;
            let limit = invites::managed_by(&ctx.access, &workspaces)?;
            Ok(Inviter {
                ctx,
                workspaces,
                limit,
            })
        })
    }
}

struct PageState {
    form: InviteForm,
    errors: FieldErrors,
    outcomes: Vec<InviteOutcome>,
    invalid: Vec<(String, String)>,
}

async fn invites_page(inviter: &Inviter, page: PageState) -> Result<InvitesPage, AppError> {
    let limit = inviter.limit.clone();
    let invites = inviter
        .ctx
        .run(move |conn, _, access| invites::list(conn, access, limit.as_deref()))
        .await?;
    let access = &inviter.ctx.access;
    Ok(InvitesPage {
        layout: inviter
            .ctx
            .layout(&format!("Invite people to {}", access.org().name))
            .await?,
        can_invite_to_org: access.is_admin(),
        org: access.org().clone(),
        workspaces: inviter.workspaces.clone(),
        invites,
        now: crate::db::now(),
        form: page.form,
        errors: page.errors,
        outcomes: page.outcomes,
        invalid: page.invalid,
        roles: WorkspaceRole::ALL,
    })
}

pub async fn index(inviter: Inviter) -> Result<HttpResponse, AppError> {
    let form = InviteForm {
        role: WorkspaceRole::User.as_str().to_owned(),
        ..InviteForm::default()
    };
    let page = PageState {
        form,
        errors: FieldErrors::default(),
        outcomes: Vec::new(),
        invalid: Vec::new(),
    };
    render(invites_page(&inviter, page).await?)
}

pub async fn create(
    inviter: Inviter,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let (access, workspaces) = (&inviter.ctx.access, &inviter.workspaces);
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let (emails, invalid) = parse_addresses(&form.emails);
    if emails.is_empty() && invalid.is_empty() {
        errors.add("emails", "Enter at least one email address.");
    }
    if emails.len() > MAX_ADDRESSES {
        errors.add(
            "emails",
            format!("Invite at most {MAX_ADDRESSES} people at once."),
        );
    }
    let role = WorkspaceRole::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Choose a workspace role.");
    }
    let workspace = match form.workspace_id.as_str() {
        "" => None,
        id => match workspaces.iter().find(|w| w.id == id) {
            Some(workspace) => Some(workspace.clone()),
            None => {
                errors.add("workspace_id", "Choose one of the listed workspaces.");
                None
            }
        },
    };
    if workspace.is_none() && !access.is_admin() && errors.get("workspace_id").is_none() {
        errors.add("workspace_id", "Choose the workspace to invite to.");
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        let page = PageState {
            form,
            errors,
            outcomes: Vec::new(),
            invalid,
        };
        return unprocessable(invites_page(&inviter, page).await?);
    };
    let settings = inviter.ctx.state().config.invites.clone();
    let outcomes = inviter
        .ctx
        .run(move |conn, actor, inviting| {
            let workspace_access = match workspace {
                Some(workspace) => Some(workspaces::access(
                    conn,
                    &actor.user_id,
                    &inviting.org().slug,
                    &workspace.slug,
                )?),
                None => None,
            };
            let target = match &workspace_access {
                Some(ws) => InviteTarget::Workspace(ws),
                None => InviteTarget::Organization(inviting),
            };
            invites::invite(conn, actor, &target, &emails, role, &settings)
        })
        .await?;
    let cleared = InviteForm {
        role: form.role.clone(),
        workspace_id: form.workspace_id.clone(),
        emails: invalid
            .iter()
            .map(|(typed, _)| typed.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let page = PageState {
        form: cleared,
        errors,
        outcomes,
        invalid,
    };
    render(invites_page(&inviter, page).await?)
}

async fn change(
    inviter: Inviter,
    path: web::Path<InviteRef>,
    resend: bool,
) -> Result<HttpResponse, AppError> {
    let limit = inviter.limit.clone();
    let settings = inviter.ctx.state().config.invites.clone();
    let invite_id = path.into_inner().invite_id;
    let outcome = inviter
        .ctx
        .run(move |conn, actor, access| {
            if resend {
                invites::resend(conn, actor, access, limit.as_deref(), &invite_id, &settings)
                    .map(Some)
            } else {
                invites::revoke(conn, actor, access, limit.as_deref(), &invite_id).map(|()| None)
            }
        })
        .await?;
    let message = match outcome {
        None => "Invite withdrawn; its link no longer works.".to_owned(),
        Some(InviteOutcome::OverHourlyLimit(email)) => {
            format!("Not sent to {email}: the hourly limit for invitations is reached. Try again later.")
        }
        Some(_) => "Invite sent again with a new link; the old link no longer works.".to_owned(),
    };
    inviter.ctx.flash(&message)?;
    Ok(see_other(&format!(
        "/orgs/{}/invites",
        inviter.ctx.access.org().slug
    )))
}

pub async fn revoke(
    inviter: Inviter,
    path: web::Path<InviteRef>,
) -> Result<HttpResponse, AppError> {
    change(inviter, path, false).await
}

pub async fn resend(
    inviter: Inviter,
    path: web::Path<InviteRef>,
) -> Result<HttpResponse, AppError> {
    change(inviter, path, true).await
}

#[derive(Template)]
#[template(path = "invites/accept.html")]
struct AcceptPage {
    layout: Layout,
    token: String,
    invite: InviteDetails,
    /// Signed in as someone else: who.
    wrong_account: Option<String>,
    name: String,
    errors: FieldErrors,
}

/// Used, withdrawn and expired invites get a page that says so (410); unknown ones 404.
fn closed(visitor: &Visitor, error: InviteError) -> Result<HttpResponse, AppError> {
    let (status, title) = match &error {
        InviteError::NotFound => (StatusCode::NOT_FOUND, "Invite not found"),
        InviteError::Expired => (StatusCode::GONE, "Invite expired"),
        InviteError::Revoked => (StatusCode::GONE, "Invite withdrawn"),
        InviteError::AlreadyUsed => (StatusCode::GONE, "Invite already used"),
        _ => return Err(error.into()),
    };
    NoticePage::answer(visitor, status, title, error.to_string())
}

fn token_of(path: &web::Path<String>) -> Option<InviteToken> {
    InviteToken::from_link(path.as_str())
}

fn accept_page(
    visitor: &Visitor,
    token: &str,
    invite: InviteDetails,
    name: String,
    errors: FieldErrors,
) -> AcceptPage {
    let wrong_account = visitor
        .user
        .as_ref()
        .filter(|user| !user.email.eq_ignore_ascii_case(&invite.email))
        .map(|user| user.email.clone());
    AcceptPage {
        layout: visitor.layout(&format!("Join {}", invite.org_name)),
        token: token.to_owned(),
        invite,
        wrong_account,
        name,
        errors,
    }
}

pub async fn show(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = token_of(&path) else {
        return closed(&visitor, InviteError::NotFound);
    };
    match state.db.run(move |conn| invites::open(conn, &token)).await {
        Ok(invite) => render(accept_page(
            &visitor,
            path.as_str(),
            invite,
            String::new(),
            FieldErrors::default(),
        )),
        Err(e) => closed(&visitor, e),
    }
}

fn joined_location(joined: &invites::Joined) -> String {
    match &joined.workspace_slug {
        Some(ws) => format!("/orgs/{}/w/{ws}", joined.org_slug),
        None => format!("/orgs/{}", joined.org_slug),
    }
}

/// A signed-in person accepts; anyone else logs in first and comes back to the invite.
pub async fn accept(
    visitor: Visitor,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = token_of(&path) else {
        return closed(&visitor, InviteError::NotFound);
    };
    let Some(user) = visitor.user.clone() else {
        return Err(AppError::SignInRequired {
            next: format!("/invites/{}", path.as_str()),
        });
    };
    let (request_id, now) = (request_id.to_string(), state.config.clock.now());
    match state
        .db
        .run(move |conn| invites::accept(conn, &token, &user, &request_id, now))
        .await
    {
        Ok(joined) => {
            identity::flash(&visitor.session, "Welcome aboard! You have joined.")?;
            Ok(see_other(&joined_location(&joined)))
        }
        Err(e @ (InviteError::WrongAccount { .. } | InviteError::Org(_))) => {
            Err(AppError::from(e).unprocessable())
        }
        Err(e) => closed(&visitor, e),
    }
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Someone new signs up right on the invite, with the invited email.
pub async fn sign_up(
    visitor: Visitor,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = token_of(&path) else {
        return closed(&visitor, InviteError::NotFound);
    };
    if let Some(user) = &visitor.user {
        return Err(AppError::Unprocessable(format!(
            "You are logged in as {}. Log out to create a new account for this invite.",
            user.email
        )));
    }
    // A closed or unknown invite costs no password hashing.
    let checking = InviteToken::from_link(path.as_str()).ok_or(AppError::NotFound)?;
    let invite = match state
        .db
        .run(move |conn| invites::open(conn, &checking))
        .await
    {
        Ok(invite) => invite,
        Err(e) => return closed(&visitor, e),
    };
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let name = DisplayName::parse(&form.name)
        .map_err(|e| errors.add("name", e))
        .ok();
    let password = Password::parse(form.password)
        .map_err(|e| errors.add("password", e))
        .ok();
    let (Some(name), Some(password)) = (name, password) else {
        let page = accept_page(
            &visitor,
            path.as_str(),
            invite,
            form.name.trim().to_owned(),
            errors,
        );
        return unprocessable(page);
    };
    let password_for_hash = password.clone();
    let password_hash =
        actix_web::rt::task::spawn_blocking(move || accounts::hash_password(&password_for_hash))
            .await
            .map_err(|_| AppError::Internal("password hashing was cancelled".into()))?
            .map_err(|e| AppError::Internal(Box::new(e)))?;
    let (request_id, now) = (request_id.to_string(), state.config.clock.now());
    let outcome = state
        .db
        .run(move |conn| {
            invites::accept_as_new_user(
                conn,
                &token,
                name,
                password,
                &password_hash,
                &request_id,
                now,
            )
        })
        .await;
    match outcome {
        Ok((user, joined)) => {
            identity::begin_session(&visitor.session, &user)?;
            identity::flash(&visitor.session, "Welcome to Cairn! You have joined.")?;
            Ok(see_other(&joined_location(&joined)))
        }
        Err(InviteError::Account(accounts::AccountError::EmailTaken)) => {
            Err(AppError::Unprocessable(
                "An account with this email already exists. Log in to accept the invite.".into(),
            ))
        }
        Err(e) => closed(&visitor, e),
    }
}
