//! Inviting people (the invites page) and accepting an invite (`/invites/{token}`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::error::AppError;
use super::identity::{self, SignedIn, Visitor};
use super::layout::{FieldErrors, Layout};
use super::nav::Nav;
use super::orgs::actor;
use super::{render, see_other, unprocessable, with_status, AppState};
use crate::accounts::{self, DisplayName, Email, Password};
use crate::invites::{
    self, InviteDetails, InviteError, InviteListing, InviteOutcome, InviteTarget, InviteToken,
};
use crate::orgs::{self, OrgAccess, Organization};
use crate::workspaces::{self, Workspace, WorkspaceRole};

/// Addresses one submission may carry.
const MAX_ADDRESSES: usize = 50;

#[derive(Deserialize)]
pub struct OrgPath {
    org: String,
}

#[derive(Deserialize)]
pub struct InvitePath {
    org: String,
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

/// What the signed-in person may do with invites here: `None` workspaces means all
/// (owners and admins), otherwise the workspaces they administer.
async fn inviter(
    state: &AppState,
    signed_in: &SignedIn,
    org_slug: String,
) -> Result<(OrgAccess, Vec<Workspace>), AppError> {
    let user_id = signed_in.user.id.clone();
    let (access, workspaces) = state
        .db
        .run(move |conn| {
            let access = orgs::access(conn, &user_id, &org_slug)?;
            let workspaces = workspaces::administered_by(conn, &access, &user_id)?;
            Ok::<_, orgs::OrgError>((access, workspaces))
        })
        .await?;
    if !access.is_admin() && workspaces.is_empty() {
        return Err(AppError::Forbidden(format!(
            "Only owners, admins and workspace admins of {} can invite people.",
            access.org.name
        )));
    }
    Ok((access, workspaces))
}

/// Workspace ids a workspace admin is limited to; `None` for owners and admins.
fn limited_to(access: &OrgAccess, workspaces: &[Workspace]) -> Option<Vec<String>> {
    (!access.is_admin()).then(|| workspaces.iter().map(|w| w.id.clone()).collect())
}

struct PageState {
    form: InviteForm,
    errors: FieldErrors,
    outcomes: Vec<InviteOutcome>,
    invalid: Vec<(String, String)>,
}

async fn invites_page(
    state: &AppState,
    signed_in: &SignedIn,
    nav: Nav,
    access: OrgAccess,
    workspaces: Vec<Workspace>,
    page: PageState,
) -> Result<InvitesPage, AppError> {
    let limit = limited_to(&access, &workspaces);
    let listing_access = access.clone();
    let invites = state
        .db
        .run(move |conn| invites::list(conn, &listing_access, limit.as_deref()))
        .await?;
    Ok(InvitesPage {
        layout: signed_in.layout(&format!("Invite people to {}", access.org.name), nav),
        can_invite_to_org: access.is_admin(),
        org: access.org,
        workspaces,
        invites,
        now: crate::db::now(),
        form: page.form,
        errors: page.errors,
        outcomes: page.outcomes,
        invalid: page.invalid,
        roles: WorkspaceRole::ALL,
    })
}

pub async fn index(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, AppError> {
    let (access, workspaces) = inviter(&state, &signed_in, path.into_inner().org).await?;
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
    render(invites_page(&state, &signed_in, nav, access, workspaces, page).await?)
}

pub async fn create(
    signed_in: SignedIn,
    nav: Nav,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<OrgPath>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let (access, workspaces) = inviter(&state, &signed_in, path.into_inner().org).await?;
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
        return unprocessable(
            invites_page(&state, &signed_in, nav, access, workspaces, page).await?,
        );
    };
    let actor = actor(&signed_in, request_id);
    let settings = state.config.invites.clone();
    let (inviting, user_id) = (access.clone(), signed_in.user.id.clone());
    let outcomes = state
        .db
        .run(move |conn| {
            let workspace_access = match workspace {
                Some(workspace) => Some(workspaces::access(
                    conn,
                    &user_id,
                    &inviting.org.slug,
                    &workspace.slug,
                )?),
                None => None,
            };
            let target = match &workspace_access {
                Some(ws) => InviteTarget::Workspace(ws),
                None => InviteTarget::Organization(&inviting),
            };
            invites::invite(conn, &actor, &target, &emails, role, &settings)
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
    render(invites_page(&state, &signed_in, nav, access, workspaces, page).await?)
}

async fn change(
    signed_in: SignedIn,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: InvitePath,
    resend: bool,
) -> Result<HttpResponse, AppError> {
    let (access, workspaces) = inviter(&state, &signed_in, path.org).await?;
    let limit = limited_to(&access, &workspaces);
    let actor = actor(&signed_in, request_id);
    let settings = state.config.invites.clone();
    let changing = access.clone();
    let outcome = state
        .db
        .run(move |conn| {
            if resend {
                invites::resend(
                    conn,
                    &actor,
                    &changing,
                    limit.as_deref(),
                    &path.invite_id,
                    &settings,
                )
                .map(Some)
            } else {
                invites::revoke(conn, &actor, &changing, limit.as_deref(), &path.invite_id)
                    .map(|()| None)
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
    identity::flash(&signed_in.session, &message)?;
    Ok(see_other(&format!("/orgs/{}/invites", access.org.slug)))
}

pub async fn revoke(
    signed_in: SignedIn,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<InvitePath>,
) -> Result<HttpResponse, AppError> {
    change(signed_in, request_id, state, path.into_inner(), false).await
}

pub async fn resend(
    signed_in: SignedIn,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<InvitePath>,
) -> Result<HttpResponse, AppError> {
    change(signed_in, request_id, state, path.into_inner(), true).await
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

#[derive(Template)]
#[template(path = "invites/closed.html")]
struct ClosedPage {
    layout: Layout,
    title: &'static str,
    message: String,
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
    with_status(
        status,
        ClosedPage {
            layout: visitor.layout(title),
            title,
            message: error.to_string(),
        },
    )
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
    let request_id = request_id.to_string();
    match state
        .db
        .run(move |conn| invites::accept(conn, &token, &user, &request_id))
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
            .map_err(|e| AppError::Internal(e.to_string()))?;
    let request_id = request_id.to_string();
    let outcome = state
        .db
        .run(move |conn| {
            invites::accept_as_new_user(conn, &token, name, password, &password_hash, &request_id)
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
