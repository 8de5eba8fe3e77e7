//! An organization's settings: the profile form (checked as it is typed), the month its
//! fiscal year starts in (which the quarters of its cycles follow), and archiving.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::context::OrgAdmin;
use super::super::error::AppError;
use super::super::layout::{FieldErrors, Layout};
use super::super::{render, see_other};
use crate::activity::{self, ActivityEntry, History};
use crate::cycles::{self, FiscalMonth};
use crate::orgs::{
    self, EnrichmentSource, OrgError, OrgProfile, Organization, ProfileInput, RevenuePeriod,
};
use crate::scrape;
use crate::workspaces::PrivacyMode;

use super::fill_card::{FillState, WebsiteFill};

/// The settings form as typed.
pub type SettingsForm = ProfileInput;

/// The profile from the form, or each field's message.
fn profile_of(form: &SettingsForm) -> Result<OrgProfile, FieldErrors> {
    form.parse().map_err(FieldErrors::from)
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
    fill: WebsiteFill,
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

/// The settings page with its forms: the one sent comes back as typed with its errors, the
/// others as stored.
async fn settings_page(
    admin: &OrgAdmin,
    form: SettingsForm,
    errors: FieldErrors,
    fiscal: FiscalForm,
    fiscal_errors: FieldErrors,
    fill: FillState,
) -> Result<SettingsPage, AppError> {
    let (activity, job) = admin
        .run(|conn, _, access| {
            let activity = activity::recent(
                conn,
                History::Organization(&access.org().id),
                20,
                crate::okr::history_words,
            )?;
            Ok::<_, AppError>((activity, scrape::latest(conn, access)?))
        })
        .await?;
    let org = admin.access.org();
    Ok(SettingsPage {
        layout: admin.layout(&format!("{} settings", org.name)).await?,
        org: org.clone(),
        form,
        errors,
        fiscal,
        fiscal_errors,
        activity,
        fill: WebsiteFill::new(org, &admin.signed_in.csrf_token, job, fill),
        privacy_modes: PrivacyMode::ALL,
        periods: RevenuePeriod::ALL,
    })
}

/// The page with the website fill's card as a refusal left it, the forms as stored.
pub async fn refused_with_fill(
    admin: &OrgAdmin,
    fill: FillState,
) -> Result<HttpResponse, AppError> {
    let org = admin.access.org();
    let page = settings_page(
        admin,
        SettingsForm::from_org(org),
        FieldErrors::default(),
        FiscalForm::from_org(org),
        FieldErrors::default(),
        fill,
    );
    super::super::unprocessable(page.await?)
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
        FillState::default(),
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
    let page = settings_page(
        admin,
        form,
        errors,
        fiscal,
        FieldErrors::default(),
        FillState::default(),
    );
    super::super::unprocessable(page.await?)
}

pub async fn save(
    admin: OrgAdmin,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = form.into_inner();
    let profile = match profile_of(&form) {
        Ok(profile) => profile,
        Err(errors) => return profile_refused(&admin, form, errors).await,
    };
    match admin
        .run(move |conn, actor, admin| {
            orgs::update_profile(conn, actor, admin, profile, EnrichmentSource::Manual)
        })
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
            let page = settings_page(
                &admin,
                settings,
                FieldErrors::default(),
                fiscal,
                errors,
                FillState::default(),
            );
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
    let mut errors = match profile_of(&form.into_inner()) {
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
