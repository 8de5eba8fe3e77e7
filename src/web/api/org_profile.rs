//! An organization's profile over the API: read and changed by its owners and admins, with
//! the settings form's rules (`orgs::ProfileInput::parse`), field by field.

use actix_web::web;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::caller::{Admin, Caller, Read};
use super::error::ApiError;
use super::formats::{Line100, Line20, Line200, PlaceName};
use super::item_models::{present, utc};
use super::models::PrivacyModeName;
use super::names::{OrgRoleName, RevenuePeriodName};
use super::paths::OrgPath;
use super::{AdminErrors, ReadErrors};
use crate::orgs::{self, EnrichmentSource, OrgAccess, ProfileInput};

/// The organization's profile as its settings page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgProfileOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub slug: String,
    /// What new workspaces start with.
    pub default_privacy_mode: PrivacyModeName,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub customer_names: Vec<String>,
    /// Revenue comes as all three of amount, currency and period, or none.
    pub revenue_amount: Option<i64>,
    /// ISO 4217.
    pub revenue_currency: Option<String>,
    pub revenue_period: Option<RevenuePeriodName>,
    pub employee_count_min: Option<i32>,
    pub employee_count_max: Option<i32>,
    pub address_street: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_city: Option<String>,
    pub address_country: Option<String>,
    pub ai_enrichment_opt_in: bool,
    /// An IANA time zone such as `Europe/Berlin`.
    pub time_zone: String,
    /// 1–12; changed on the settings page, where it moves the cycles' quarters.
    pub fiscal_year_start_month: i32,
    #[schema(format = DateTime)]
    pub archived_at: Option<String>,
    /// The caller's role in it.
    pub role: OrgRoleName,
}

impl From<&OrgAccess> for OrgProfileOut {
    fn from(access: &OrgAccess) -> Self {
        let org = access.org();
        Self {
            id: org.id.clone(),
            name: org.name.clone(),
            slug: org.slug.clone(),
            default_privacy_mode: org.default_privacy_mode.into(),
            industry: org.industry.clone(),
            website: org.website.clone(),
            customer_names: org.customer_name_list(),
            revenue_amount: org.revenue_amount,
            revenue_currency: org.revenue_currency.clone(),
            revenue_period: org.revenue_period.map(Into::into),
            employee_count_min: org.employee_count_min,
            employee_count_max: org.employee_count_max,
            address_street: org.address_street.clone(),
            address_postal_code: org.address_postal_code.clone(),
            address_city: org.address_city.clone(),
            address_country: org.address_country.clone(),
            ai_enrichment_opt_in: org.ai_enrichment_opt_in,
            time_zone: org.time_zone().name().to_owned(),
            fiscal_year_start_month: org.fiscal_year_start_month,
            archived_at: org.archived_at.map(utc),
            role: access.role().into(),
        }
    }
}

/// Profile fields to change; leave out what stays, null clears. The settings form's rules
/// apply to the result as a whole (revenue all or nothing, at most as many employees as the
/// maximum says).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    #[serde(default)]
    #[schema(value_type = Option<PlaceName>)]
    pub name: Option<String>,
    /// Lowercase letters, digits and single dashes, unique.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    pub default_privacy_mode: Option<PrivacyModeName>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Line100>)]
    pub industry: Option<Option<String>>,
    /// http or https.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 300, pattern = "^https?://[^\\s/]+")]
    pub website: Option<Option<String>>,
    /// At most 100 names of up to 120 characters, without control characters.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub customer_names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub revenue_amount: Option<Option<i64>>,
    /// ISO 4217, such as `EUR`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{3}$")]
    pub revenue_currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<RevenuePeriodName>)]
    pub revenue_period: Option<Option<RevenuePeriodName>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub employee_count_min: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000)]
    pub employee_count_max: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Line200>)]
    pub address_street: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Line20>)]
    pub address_postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Line100>)]
    pub address_city: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Line100>)]
    pub address_country: Option<Option<String>>,
    #[serde(default)]
    pub ai_enrichment_opt_in: Option<bool>,
    /// An IANA time zone such as `Europe/Berlin`.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl OrgPatch {
    /// The stored profile as typed, with this patch's values typed over it.
    fn over(self, mut input: ProfileInput) -> Result<ProfileInput, ApiError> {
        fn text(target: &mut String, value: Option<Option<String>>) {
            if let Some(value) = value {
                *target = value.unwrap_or_default();
            }
        }
        fn number(target: &mut String, value: Option<Option<i64>>) {
            if let Some(value) = value {
                *target = value.map(|n| n.to_string()).unwrap_or_default();
            }
        }
        if let Some(name) = self.name {
            input.name = name;
        }
        if let Some(slug) = self.slug {
            input.slug = slug;
        }
        if let Some(mode) = self.default_privacy_mode {
            input.default_privacy_mode = orgs::PrivacyMode::from(mode).as_str().to_owned();
        }
        if let Some(names) = self.customer_names {
            // The form takes one name a line; a name holding a line break would become two.
            if names.iter().any(|n| n.chars().any(char::is_control)) {
                return Err(ApiError::field(
                    "customer_names",
                    "Customer names cannot hold line breaks or other control characters.",
                ));
            }
            input.customer_names = names.join("\n");
        }
        text(&mut input.industry, self.industry);
        text(&mut input.website, self.website);
        number(&mut input.revenue_amount, self.revenue_amount);
        text(&mut input.revenue_currency, self.revenue_currency);
        if let Some(period) = self.revenue_period {
            input.revenue_period = period
                .map(|p| orgs::RevenuePeriod::from(p).as_str().to_owned())
                .unwrap_or_default();
        }
        number(&mut input.employee_count_min, self.employee_count_min);
        number(&mut input.employee_count_max, self.employee_count_max);
        text(&mut input.address_street, self.address_street);
        text(&mut input.address_postal_code, self.address_postal_code);
        text(&mut input.address_city, self.address_city);
        text(&mut input.address_country, self.address_country);
        if let Some(opt_in) = self.ai_enrichment_opt_in {
            input.ai_enrichment_opt_in = opt_in.then(|| "on".to_owned());
        }
        if let Some(zone) = self.time_zone {
            input.time_zone = zone;
        }
        Ok(input)
    }
}

/// The organization's profile (owners and admins, who see its settings page).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = OrgProfileOut), ReadErrors))]
pub async fn show_org(
    caller: Caller<Read>,
    path: web::Path<OrgPath>,
) -> Result<web::Json<OrgProfileOut>, ApiError> {
    let profile = caller
        .in_org(path.into_inner().org_id, |_, _, access| {
            access.require_admin()?;
            Ok::<_, ApiError>(OrgProfileOut::from(access))
        })
        .await?;
    Ok(web::Json(profile))
}

/// Changes the profile (admin scope; owners and admins), as the settings form saves it.
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)), request_body = OrgPatch,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = OrgProfileOut), AdminErrors))]
pub async fn update_org(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
    body: Body<OrgPatch>,
) -> Result<web::Json<OrgProfileOut>, ApiError> {
    let patch = body.into_inner();
    let profile = caller
        .in_org(path.into_inner().org_id, move |conn, actor, access| {
            let admin = access.admin()?;
            let input = patch.over(ProfileInput::from_org(access.org()))?;
            let profile = input.parse().map_err(ApiError::of_problems)?;
            let org = orgs::update_profile(conn, actor, &admin, profile, EnrichmentSource::Manual)?;
            let access = orgs::access_by_id(conn, &actor.user_id, &org.id)?;
            Ok::<_, ApiError>(OrgProfileOut::from(&access))
        })
        .await?;
    Ok(web::Json(profile))
}
