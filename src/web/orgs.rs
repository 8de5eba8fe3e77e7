//! Organizations: home list, creation, settings, archive, members.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::context::{OrgAdmin, OrgCtx};
use super::error::AppError;
use super::htmx::Htmx;
use super::identity::SignedIn;
use super::layout::{FieldErrors, Layout};
use super::nav::Nav;
use super::{render, see_other, AppState};
use crate::activity::{self, ActivityEntry, Actor, History};
use crate::orgs::{
    self, currency, customer_names, optional_text, website, whole_number, EmployeeRange,
    NewOrganization, OrgError, OrgMember, OrgProfile, OrgRole, OrgSummary, Organization, Revenue,
    RevenuePeriod, Slug,
};
use crate::workspaces::PrivacyMode;

/// Who acts in this request, for the activity log.
pub fn actor(signed_in: &SignedIn, request_id: RequestId) -> Actor {
    Actor {
        user_id: signed_in.user.id.clone(),
        request_id: request_id.to_string(),
    }
}

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
    signed_in: SignedIn,
    nav: Nav,
    request_id: RequestId,
    state: web::Data<AppState>,
    form: web::Form<NewOrgForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let invalid =
        |errors| super::unprocessable(home_page(&signed_in, nav, false, form.clone(), errors));
    let new = match NewOrganization::try_from(&form) {
        Ok(new) => new,
        Err(errors) => return invalid(errors),
    };
    let actor = actor(&signed_in, request_id);
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
            invalid(errors)
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
    form: super::workspaces::WorkspaceForm,
    errors: FieldErrors,
    privacy_modes: &'static [PrivacyMode],
}

pub async fn overview(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    let form = super::workspaces::WorkspaceForm::defaults_for(&ctx.access.org);
    overview_page(&ctx, form, FieldErrors::default(), false).await
}

pub(super) async fn overview_page(
    ctx: &OrgCtx,
    form: super::workspaces::WorkspaceForm,
    errors: FieldErrors,
    failed: bool,
) -> Result<HttpResponse, AppError> {
    let workspaces = ctx
        .run(|conn, actor, access| crate::workspaces::visible_to(conn, access, &actor.user_id))
        .await?;
    let access = &ctx.access;
    let page = OverviewPage {
        layout: ctx.layout(&access.org.name).await?,
        is_admin: access.is_admin(),
        org: access.org.clone(),
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

/// The settings form as typed; every field a string so what the user typed comes back.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    default_privacy_mode: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    customer_names: String,
    #[serde(default)]
    revenue_amount: String,
    #[serde(default)]
    revenue_currency: String,
    #[serde(default)]
    revenue_period: String,
    #[serde(default)]
    employee_count_min: String,
    #[serde(default)]
    employee_count_max: String,
    #[serde(default)]
    address_street: String,
    #[serde(default)]
    address_postal_code: String,
    #[serde(default)]
    address_city: String,
    #[serde(default)]
    address_country: String,
    #[serde(default)]
    ai_enrichment_opt_in: Option<String>,
}

const MAX_EMPLOYEES: i64 = 10_000_000;
const MAX_REVENUE: i64 = 1_000_000_000_000_000;

impl SettingsForm {
    fn from_org(org: &Organization) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            name: org.name.clone(),
            slug: org.slug.clone(),
            default_privacy_mode: org.default_privacy_mode.as_str().to_owned(),
            industry: text(&org.industry),
            website: text(&org.website),
            customer_names: org.customer_name_list().join("\n"),
            revenue_amount: number(org.revenue_amount),
            revenue_currency: text(&org.revenue_currency),
            revenue_period: org
                .revenue_period
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            employee_count_min: number(org.employee_count_min.map(i64::from)),
            employee_count_max: number(org.employee_count_max.map(i64::from)),
            address_street: text(&org.address_street),
            address_postal_code: text(&org.address_postal_code),
            address_city: text(&org.address_city),
            address_country: text(&org.address_country),
            ai_enrichment_opt_in: org.ai_enrichment_opt_in.then(|| "on".to_owned()),
        }
    }
}

impl TryFrom<&SettingsForm> for OrgProfile {
    type Error = FieldErrors;

    fn try_from(form: &SettingsForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut text = |field: &'static str, raw: &str, max: usize| {
            optional_text(raw, max)
                .map_err(|e| errors.add(field, e))
                .ok()
                .flatten()
        };
        let industry = text("industry", &form.industry, 100);
        let address_street = text("address_street", &form.address_street, 200);
        let address_postal_code = text("address_postal_code", &form.address_postal_code, 20);
        let address_city = text("address_city", &form.address_city, 100);
        let address_country = text("address_country", &form.address_country, 100);
        let name = orgs::name(&form.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let slug = Slug::parse(&form.slug)
            .map_err(|e| errors.add("slug", e))
            .ok();
        let default_privacy_mode = PrivacyMode::parse(&form.default_privacy_mode);
        if default_privacy_mode.is_none() {
            errors.add("default_privacy_mode", "Choose Open or Need-to-know.");
        }
        let website = website(&form.website)
            .map_err(|e| errors.add("website", e))
            .ok()
            .flatten();
        let customers = customer_names(&form.customer_names)
            .map_err(|e| errors.add("customer_names", e))
            .ok();
        let amount = whole_number(&form.revenue_amount, MAX_REVENUE)
            .map_err(|e| errors.add("revenue_amount", e))
            .ok();
        let currency = currency(&form.revenue_currency)
            .map_err(|e| errors.add("revenue_currency", e))
            .ok();
        let period = match form.revenue_period.trim() {
            "" => Some(None),
            raw => match RevenuePeriod::parse(raw) {
                Some(period) => Some(Some(period)),
                None => {
                    errors.add("revenue_period", "Choose year, quarter or month.");
                    None
                }
            },
        };
        let revenue = match (amount, currency, period) {
            (Some(amount), Some(currency), Some(period)) => Revenue::new(amount, currency, period)
                .map_err(|e| {
                    let field = match e {
                        orgs::RevenueError::MissingAmount => "revenue_amount",
                        orgs::RevenueError::MissingCurrency => "revenue_currency",
                        orgs::RevenueError::MissingPeriod => "revenue_period",
                    };
                    errors.add(field, e)
                })
                .ok(),
            _ => None,
        };
        let employees = |field: &'static str, raw: &str, errors: &mut FieldErrors| {
            whole_number(raw, MAX_EMPLOYEES)
                .map(|n| n.and_then(|n| i32::try_from(n).ok()))
                .map_err(|e| errors.add(field, e))
                .ok()
        };
        let min = employees("employee_count_min", &form.employee_count_min, &mut errors);
        let max = employees("employee_count_max", &form.employee_count_max, &mut errors);
        let range = match (min, max) {
            (Some(min), Some(max)) => EmployeeRange::new(min, max)
                .map_err(|e| errors.add("employee_count_max", e))
                .ok(),
            _ => None,
        };
        match (name, slug, default_privacy_mode, customers, revenue, range) {
            (
                Some(name),
                Some(slug),
                Some(default_privacy_mode),
                Some(customer_names),
                Some(revenue),
                Some(employees),
            ) if errors.is_empty() => Ok(OrgProfile {
                name,
                slug,
                default_privacy_mode,
                industry,
                website,
                customer_names,
                revenue,
                employees,
                address_street,
                address_postal_code,
                address_city,
                address_country,
                ai_enrichment_opt_in: form.ai_enrichment_opt_in.is_some(),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "orgs/settings.html")]
struct SettingsPage {
    layout: Layout,
    org: Organization,
    form: SettingsForm,
    errors: FieldErrors,
    activity: Vec<ActivityEntry>,
    privacy_modes: &'static [PrivacyMode],
    periods: &'static [RevenuePeriod],
}

async fn settings_page(
    ctx: &OrgCtx,
    form: SettingsForm,
    errors: FieldErrors,
) -> Result<SettingsPage, AppError> {
    let activity = ctx
        .run(|conn, _, access| {
            activity::recent(conn, History::Organization(&access.org.id), 20)
                .map_err(AppError::from)
        })
        .await?;
    Ok(SettingsPage {
        layout: ctx
            .layout(&format!("{} settings", ctx.access.org.name))
            .await?,
        org: ctx.access.org.clone(),
        form,
        errors,
        activity,
        privacy_modes: PrivacyMode::ALL,
        periods: RevenuePeriod::ALL,
    })
}

pub async fn settings(admin: OrgAdmin) -> Result<HttpResponse, AppError> {
    let form = SettingsForm::from_org(&admin.access.org);
    render(settings_page(&admin, form, FieldErrors::default()).await?)
}

pub async fn save_settings(
    admin: OrgAdmin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = form.into_inner();
    let profile = match OrgProfile::try_from(&form) {
        Ok(profile) => profile,
        Err(errors) => return super::unprocessable(settings_page(&admin, form, errors).await?),
    };
    match admin
        .run(move |conn, actor, access| orgs::update_profile(conn, actor, access, profile))
        .await
    {
        Ok(org) => {
            admin.flash("Settings saved.")?;
            Ok(see_other(&format!("/orgs/{}/settings", org.slug)))
        }
        Err(OrgError::SlugTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", OrgError::SlugTaken);
            super::unprocessable(settings_page(&admin, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

const SETTINGS_FIELDS: &[&str] = &[
    "name",
    "slug",
    "default_privacy_mode",
    "industry",
    "website",
    "customer_names",
    "revenue_amount",
    "revenue_currency",
    "revenue_period",
    "employee_count_min",
    "employee_count_max",
    "address_street",
    "address_postal_code",
    "address_city",
    "address_country",
];

#[derive(Template)]
#[template(path = "partials/field_slots.html")]
struct FieldSlots {
    slots: Vec<(&'static str, Option<String>)>,
}

/// htmx: checks the settings form as it is being filled in (on every change) and answers
/// with each field's message slot, swapped out of band; nothing is saved.
pub async fn check_settings(
    admin: OrgAdmin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = match OrgProfile::try_from(&form.into_inner()) {
        Ok(profile) => {
            let taken = admin
                .run(move |conn, _, access| {
                    orgs::slug_used_by_another(conn, &profile.slug, &access.org.id)
                })
                .await?;
            let mut errors = FieldErrors::default();
            if taken {
                errors.add("slug", OrgError::SlugTaken);
            }
            errors
        }
        Err(errors) => errors,
    };
    let slots = SETTINGS_FIELDS
        .iter()
        .map(|field| (*field, errors.take(field)))
        .collect();
    render(FieldSlots { slots })
}

async fn set_archived(ctx: OrgCtx, archived: bool) -> Result<HttpResponse, AppError> {
    ctx.run(move |conn, actor, access| orgs::set_archived(conn, actor, access, archived))
        .await?;
    let org = &ctx.access.org;
    ctx.flash(&if archived {
        format!(
            "{} is archived: read-only and hidden from your home page.",
            org.name
        )
    } else {
        format!("{} is active again.", org.name)
    })?;
    Ok(see_other(&format!("/orgs/{}/settings", org.slug)))
}

pub async fn archive(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    set_archived(ctx, true).await
}

pub async fn unarchive(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    set_archived(ctx, false).await
}

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
        .run(|conn, _, access| orgs::members(conn, &access.org.id))
        .await?;
    let access = &ctx.access;
    Ok(MemberList {
        org_slug: access.org.slug.clone(),
        csrf_token: ctx.signed_in.csrf_token.clone(),
        members,
        can_manage: access.is_admin() && !access.org.is_archived(),
        my_role: access.role,
        roles: OrgRole::ALL,
        error,
    })
}

pub async fn members(ctx: OrgCtx) -> Result<HttpResponse, AppError> {
    let list = member_list(&ctx, None).await?;
    render(MembersPage {
        layout: ctx
            .layout(&format!("People in {}", ctx.access.org.name))
            .await?,
        org: ctx.access.org.clone(),
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
    ctx: OrgCtx,
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
        let list = member_list(&ctx, error).await?;
        return if failed {
            super::unprocessable(list)
        } else {
            render(list)
        };
    }
    if let Some((_, message)) = error {
        return Err(AppError::Unprocessable(message));
    }
    Ok(see_other(&format!("/orgs/{}/members", ctx.access.org.slug)))
}

pub async fn change_role(
    htmx: Htmx,
    ctx: OrgCtx,
    path: web::Path<MemberRef>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let role = OrgRole::parse(&form.role)
        .ok_or_else(|| AppError::BadRequest("Choose owner, admin or member.".into()))?;
    let target = user_id.clone();
    let outcome = ctx
        .run(move |conn, actor, access| orgs::change_role(conn, actor, access, &target, role))
        .await;
    member_change_response(htmx, ctx, user_id, outcome).await
}

pub async fn remove_member(
    htmx: Htmx,
    ctx: OrgCtx,
    path: web::Path<MemberRef>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner().user_id;
    let target = user_id.clone();
    let outcome = ctx
        .run(move |conn, actor, access| orgs::remove_member(conn, actor, access, &target))
        .await;
    member_change_response(htmx, ctx, user_id, outcome).await
}
