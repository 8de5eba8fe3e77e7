//! Organizations: the home list, creating one, its overview and creating workspaces in it.
//! Its settings (with archive) and its people have modules of their own.

mod fill_card;
pub mod members;
pub mod settings;
pub mod website_fill;

use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::context::{OrgAdmin, OrgCtx};
use super::error::AppError;
use super::identity::SignedIn;
use super::layout::{FieldErrors, Layout};
use super::nav::Nav;
use super::workspaces::WorkspaceForm;
use super::{render, see_other, AppState};
use crate::orgs::{self, NewOrganization, OrgError, OrgSummary, Organization, Slug};
use crate::workspaces::{self, PrivacyMode, WorkspaceSettings};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
    orgs: Vec<OrgSummary>,
    show_archived: bool,
    archived_count: usize,
    form: NewOrgForm,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    archived: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct NewOrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
}

impl TryFrom<&NewOrgForm> for NewOrganization {
    type Error = FieldErrors;

    fn try_from(form: &NewOrgForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = orgs::name(&form.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let slug = orgs::typed_slug(&form.slug)
            .map_err(|e| errors.add("slug", e))
            .ok()
            .flatten();
        match name {
            Some(name) if errors.is_empty() => Ok(NewOrganization { name, slug }),
            _ => Err(errors),
        }
    }
}

fn home_page(
    signed_in: &SignedIn,
    nav: Nav,
    show_archived: bool,
    form: NewOrgForm,
    errors: FieldErrors,
) -> HomePage {
    let first_name = signed_in
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    let archived_count = nav.orgs.iter().filter(|o| o.archived).count();
    let orgs = nav
        .orgs
        .iter()
        .filter(|o| show_archived || !o.archived)
        .cloned()
        .collect();
    HomePage {
        layout: signed_in.layout("Home", nav),
        first_name,
        orgs,
        show_archived,
        archived_count,
        form,
        errors,
    }
}

pub async fn home(
    signed_in: SignedIn,
    nav: Nav,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, AppError> {
    let show_archived = query.archived.is_some();
    render(home_page(
        &signed_in,
        nav,
        show_archived,
        NewOrgForm::default(),
        FieldErrors::default(),
    ))
}

pub async fn create(
    req: HttpRequest,
    signed_in: SignedIn,
    request_id: RequestId,
    state: web::Data<AppState>,
    form: web::Form<NewOrgForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    // The sidebar is read only when the form comes back, never for the redirect.
    let invalid = |errors| async {
        let nav = Nav::extract(&req).await?;
        super::unprocessable(home_page(&signed_in, nav, false, form.clone(), errors))
    };
    let new = match NewOrganization::try_from(&form) {
        Ok(new) => new,
        Err(errors) => return invalid(errors).await,
    };
    let actor = signed_in.actor(request_id);
    match state
        .db
        .run(move |conn| orgs::create(conn, &actor, new))
        .await
    {
        Ok(org) => {
            super::identity::flash(
                &signed_in.session,
                &format!("{} is ready. Create its first workspace.", org.name),
            )?;
            Ok(see_other(&format!("/orgs/{}", org.slug)))
        }
        Err(OrgError::SlugTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", OrgError::SlugTaken);
            invalid(errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct SlugQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
}

#[derive(Template)]
#[template(path = "partials/slug_field.html")]
struct SlugField {
    slug: String,
    placeholder: String,
    errors: FieldErrors,
}

/// htmx: validates the slug on blur and suggests one from the name while it is empty.
pub async fn slug_field(
    // Only signed-in people may probe which addresses are taken.
    _signed_in: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<SlugQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let placeholder = Slug::suggest(&query.name)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut errors = FieldErrors::default();
    if !query.slug.trim().is_empty() {
        match Slug::parse(&query.slug) {
            Err(e) => errors.add("slug", e),
            Ok(slug) => {
                let taken = state
                    .db
                    .run(move |conn| orgs::slug_available(conn, &slug).map(|free| !free))
                    .await?;
                if taken {
                    errors.add("slug", OrgError::SlugTaken);
                }
            }
        }
    }
    render(SlugField {
        slug: query.slug.trim().to_owned(),
        placeholder,
        errors,
    })
}

#[derive(Template)]
#[template(path = "orgs/overview.html")]
struct OverviewPage {
    layout: Layout,
    org: Organization,
    is_admin: bool,
    workspaces: Vec<crate::workspaces::Workspace>,
    form: WorkspaceForm,
    errors: FieldErrors,
    privacy_modes: &'static [PrivacyMode],
}

pub async fn overview(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    let form = WorkspaceForm::defaults_for(ctx.access.org());
    overview_page(&ctx, form, FieldErrors::default(), false).await
}

pub(super) async fn overview_page(
    ctx: &OrgCtx,
    form: WorkspaceForm,
    errors: FieldErrors,
    failed: bool,
) -> Result<HttpResponse, AppError> {
    let workspaces = ctx
        .run(|conn, actor, access| crate::workspaces::visible_to(conn, access, &actor.user_id))
        .await?;
    let access = &ctx.access;
    let page = OverviewPage {
        layout: ctx.layout(&access.org().name).await?,
        is_admin: access.is_admin(),
        org: access.org().clone(),
        workspaces,
        form,
        errors,
        privacy_modes: PrivacyMode::ALL,
    };
    if failed {
        super::unprocessable(page)
    } else {
        render(page)
    }
}

pub async fn create_workspace(
    ctx: OrgAdmin,
    form: web::Form<WorkspaceForm>,
) -> Result<HttpResponse, AppError> {
    ctx.access.require_writable()?;
    let form = form.into_inner();
    let settings = match WorkspaceSettings::try_from(&form) {
        Ok(settings) => settings,
        Err(errors) => return overview_page(&ctx, form, errors, true).await,
    };
    match ctx
        .run(move |conn, actor, admin| workspaces::create(conn, actor, admin, settings))
        .await
    {
        Ok(workspace) => {
            ctx.flash(&format!("Workspace {} created.", workspace.name))?;
            Ok(see_other(&format!(
                "/orgs/{}/w/{}",
                ctx.access.org().slug,
                workspace.slug
            )))
        }
        Err(OrgError::SlugTaken) => {
            overview_page(&ctx, form, super::workspaces::slug_taken_errors(), true).await
        }
        Err(e) => Err(e.into()),
    }
}
