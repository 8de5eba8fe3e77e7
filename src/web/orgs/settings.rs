//! An organization's settings: the profile form (checked as it is typed), the month its
//! fiscal year starts in (which the quarters of its cycles follow), and archiving.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::context::{OrgAdmin, OrgCtx};
use super::super::error::AppError;
use super::super::layout::{FieldErrors, Layout};
use super::super::{render, see_other};
use crate::activity::{self, ActivityEntry, History};
use crate::cycles::{self, FiscalMonth};
use crate::orgs::{
    self, currency, customer_names, optional_text, website, whole_number, EmployeeRange, OrgError,
    OrgProfile, Organization, Revenue, RevenuePeriod, Slug, TimeZone,
};
use crate::workspaces::PrivacyMode;

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
    #[serde(default)]
    time_zone: String,
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
            time_zone: org.time_zone().name().to_owned(),
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
        let time_zone = TimeZone::parse(&form.time_zone)
            .map_err(|e| errors.add("time_zone", e))
            .ok();
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
        match (
            name,
            slug,
            default_privacy_mode,
            customers,
            revenue,
            range,
            time_zone,
        ) {
            (
                Some(name),
                Some(slug),
                Some(default_privacy_mode),
                Some(customer_names),
                Some(revenue),
                Some(employees),
                Some(time_zone),
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
                time_zone,
            }),
            _ => Err(errors),
        }
    }
}

/// The fiscal year's first month as chosen: a number from 1 to 12, kept as sent.
#[derive(Deserialize, Clone)]
pub struct FiscalForm {
    #[serde(default)]
    fiscal_year_start_month: String,
}

impl FiscalForm {
    fn from_org(org: &Organization) -> Self {
        Self {
            fiscal_year_start_month: org.fiscal_year_start_month.to_string(),
        }
    }
}

impl TryFrom<&FiscalForm> for FiscalMonth {
    type Error = FieldErrors;

    fn try_from(form: &FiscalForm) -> Result<Self, FieldErrors> {
        let month = form.fiscal_year_start_month.trim().parse().unwrap_or(0);
        FiscalMonth::new(month).map_err(|e| {
            let mut errors = FieldErrors::default();
            errors.add("fiscal_year_start_month", e);
            errors
        })
    }
}

#[derive(Template)]
#[template(path = "orgs/settings.html")]
struct SettingsPage {
    layout: Layout,
    org: Organization,
    form: SettingsForm,
    errors: FieldErrors,
    fiscal: FiscalForm,
    fiscal_errors: FieldErrors,
    activity: Vec<ActivityEntry>,
    privacy_modes: &'static [PrivacyMode],
    periods: &'static [RevenuePeriod],
}

impl SettingsPage {
    fn time_zone_names(&self) -> impl Iterator<Item = &'static str> {
        orgs::time_zone_names()
    }

    fn months(&self) -> impl Iterator<Item = FiscalMonth> {
        FiscalMonth::all()
    }

    fn is_fiscal_month(&self, month: &FiscalMonth) -> bool {
        self.fiscal.fiscal_year_start_month.trim() == month.number().to_string()
    }
}

/// The settings page with both its forms: the one sent comes back as typed with its errors,
/// the other as stored.
async fn settings_page(
    ctx: &OrgCtx,
    form: SettingsForm,
    errors: FieldErrors,
    fiscal: FiscalForm,
    fiscal_errors: FieldErrors,
) -> Result<SettingsPage, AppError> {
    let activity = ctx
        .run(|conn, _, access| {
            activity::recent(conn, History::Organization(&access.org().id), 20)
                .map_err(AppError::from)
        })
        .await?;
    Ok(SettingsPage {
        layout: ctx
            .layout(&format!("{} settings", ctx.access.org().name))
            .await?,
        org: ctx.access.org().clone(),
        form,
        errors,
        fiscal,
        fiscal_errors,
        activity,
        privacy_modes: PrivacyMode::ALL,
        periods: RevenuePeriod::ALL,
    })
}

pub async fn page(admin: OrgAdmin) -> Result<HttpResponse, AppError> {
    let org = admin.access.org();
    let (form, fiscal) = (SettingsForm::from_org(org), FiscalForm::from_org(org));
    let page = settings_page(
        &admin,
        form,
        FieldErrors::default(),
        fiscal,
        FieldErrors::default(),
    );
    render(page.await?)
}

/// Profile errors shown with the fiscal year's form as stored.
async fn profile_refused(
    admin: &OrgAdmin,
    form: SettingsForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let fiscal = FiscalForm::from_org(admin.access.org());
    let page = settings_page(admin, form, errors, fiscal, FieldErrors::default());
    super::super::unprocessable(page.await?)
}

pub async fn save(
    admin: OrgAdmin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = form.into_inner();
    let profile = match OrgProfile::try_from(&form) {
        Ok(profile) => profile,
        Err(errors) => return profile_refused(&admin, form, errors).await,
    };
    match admin
        .run(move |conn, actor, admin| orgs::update_profile(conn, actor, admin, profile))
        .await
    {
        Ok(org) => {
            admin.flash("Settings saved.")?;
            Ok(see_other(&format!("/orgs/{}/settings", org.slug)))
        }
        Err(OrgError::SlugTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", OrgError::SlugTaken);
            profile_refused(&admin, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves the month the fiscal year starts in; a month not understood comes back next to its
/// field, as chosen.
pub async fn save_fiscal_year(
    admin: OrgAdmin,
    form: web::Form<FiscalForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let fiscal = form.into_inner();
    let month = match FiscalMonth::try_from(&fiscal) {
        Ok(month) => month,
        Err(errors) => {
            let settings = SettingsForm::from_org(admin.access.org());
            let page = settings_page(&admin, settings, FieldErrors::default(), fiscal, errors);
            return super::super::unprocessable(page.await?);
        }
    };
    let now = admin.state().config.clock.now();
    admin
        .run(move |conn, actor, admin| {
            cycles::set_fiscal_year_start(conn, actor, admin, month, now)
        })
        .await?;
    admin.flash(&format!(
        "Saved: the fiscal year starts in {}.",
        month.label()
    ))?;
    Ok(see_other(&format!(
        "/orgs/{}/settings",
        admin.access.org().slug
    )))
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
    "time_zone",
];

#[derive(Template)]
#[template(path = "partials/field_slots.html")]
struct FieldSlots {
    slots: Vec<(&'static str, Option<String>)>,
}

/// htmx: checks the settings form as it is being filled in (on every change) and answers
/// with each field's message slot, swapped out of band; nothing is saved.
pub async fn check(
    admin: OrgAdmin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = match OrgProfile::try_from(&form.into_inner()) {
        Ok(profile) => {
            let taken = admin
                .run(move |conn, _, access| {
                    orgs::slug_used_by_another(conn, &profile.slug, &access.org().id)
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

async fn set_archived(ctx: OrgAdmin, archived: bool) -> Result<HttpResponse, AppError> {
    ctx.run(move |conn, actor, admin| orgs::set_archived(conn, actor, admin, archived))
        .await?;
    let org = ctx.access.org();
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

pub async fn archive(ctx: OrgAdmin) -> Result<HttpResponse, AppError> {
    set_archived(ctx, true).await
}

pub async fn unarchive(ctx: OrgAdmin) -> Result<HttpResponse, AppError> {
    set_archived(ctx, false).await
}
