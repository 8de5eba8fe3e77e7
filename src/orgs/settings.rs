//! Editing an organization: the paired profile values (employee range, revenue), saving
//! the profile, and archiving.

use diesel::prelude::*;
use serde_json::json;

use super::{
    org_subject, slug_clash, slug_taken, EnrichmentSource, OrgAdminAccess, OrgError, Organization,
    PrivacyMode, RevenuePeriod, Slug, TimeZone,
};
use crate::activity::{self, Actor};
use crate::db::{self, AnyConnection};
use crate::schema::organizations;

/// Employee count bounds; min ≤ max when both are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmployeeRange {
    pub min: Option<i32>,
    pub max: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The maximum must not be below the minimum.")]
pub struct EmployeeRangeError;

impl EmployeeRange {
    pub fn new(min: Option<i32>, max: Option<i32>) -> Result<Self, EmployeeRangeError> {
        match (min, max) {
            (Some(min), Some(max)) if min > max => Err(EmployeeRangeError),
            _ => Ok(Self { min, max }),
        }
    }
}

/// Revenue: an amount with its ISO 4217 currency and period, all three or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revenue {
    pub amount: i64,
    pub currency: String,
    pub period: RevenuePeriod,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevenueError {
    #[error("Enter the amount too.")]
    MissingAmount,
    #[error("Choose the currency too.")]
    MissingCurrency,
    #[error("Choose the period too.")]
    MissingPeriod,
}

impl Revenue {
    pub fn new(
        amount: Option<i64>,
        currency: Option<String>,
        period: Option<RevenuePeriod>,
    ) -> Result<Option<Self>, RevenueError> {
        match (amount, currency, period) {
            (None, None, None) => Ok(None),
            (Some(amount), Some(currency), Some(period)) => Ok(Some(Self {
                amount,
                currency,
                period,
            })),
            (None, _, _) => Err(RevenueError::MissingAmount),
            (_, None, _) => Err(RevenueError::MissingCurrency),
            (_, _, None) => Err(RevenueError::MissingPeriod),
        }
    }
}

/// Every editable profile field, already validated.
#[derive(Debug, Clone)]
pub struct OrgProfile {
    pub name: String,
    pub slug: Slug,
    pub default_privacy_mode: PrivacyMode,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub customer_names: Vec<String>,
    pub revenue: Option<Revenue>,
    pub employees: EmployeeRange,
    pub address_street: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_city: Option<String>,
    pub address_country: Option<String>,
    pub ai_enrichment_opt_in: bool,
    pub time_zone: TimeZone,
}

/// Saves the profile: typed by hand (`Manual`) or taken from a scrape's suggestions (`Ai`),
/// which becomes the source of the profile's facts.
pub fn update_profile(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &OrgAdminAccess,
    profile: OrgProfile,
    source: EnrichmentSource,
) -> Result<Organization, OrgError> {
    access.require_writable()?;
    db::write_transaction(conn, |conn| {
        let before: Organization = organizations::table
            .find(&access.org().id)
            .select(Organization::as_select())
            .first(conn)?;
        if slug_taken(conn, &profile.slug, Some(&before.id))? {
            return Err(OrgError::SlugTaken);
        }
        let now = db::now();
        let customers = (!profile.customer_names.is_empty())
            .then(|| serde_json::to_string(&profile.customer_names).unwrap_or_default());
        diesel::update(organizations::table.find(&before.id))
            .set((
                organizations::name.eq(&profile.name),
                organizations::slug.eq(profile.slug.as_str()),
                organizations::default_privacy_mode.eq(profile.default_privacy_mode),
                organizations::industry.eq(&profile.industry),
                organizations::website.eq(&profile.website),
                organizations::customer_names.eq(customers),
                organizations::revenue_amount.eq(profile.revenue.as_ref().map(|r| r.amount)),
                organizations::revenue_currency
                    .eq(profile.revenue.as_ref().map(|r| r.currency.clone())),
                organizations::revenue_period.eq(profile.revenue.as_ref().map(|r| r.period)),
                organizations::employee_count_min.eq(profile.employees.min),
                organizations::employee_count_max.eq(profile.employees.max),
                organizations::address_street.eq(&profile.address_street),
                organizations::address_postal_code.eq(&profile.address_postal_code),
                organizations::address_city.eq(&profile.address_city),
                organizations::address_country.eq(&profile.address_country),
                organizations::ai_enrichment_opt_in.eq(profile.ai_enrichment_opt_in),
                organizations::time_zone.eq(profile.time_zone.name()),
                organizations::last_enriched_at.eq(Some(now)),
                organizations::last_enrichment_source.eq(Some(source)),
                organizations::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(slug_clash)?;
        let after: Organization = organizations::table
            .find(&before.id)
            .select(Organization::as_select())
            .first(conn)?;
        activity::record(
            conn,
            actor,
            org_subject(&after),
            match source {
                EnrichmentSource::Manual => "organization.settings_updated",
                EnrichmentSource::Ai => "organization.profile_filled",
            },
            Some(before.profile_json()),
            Some(after.profile_json()),
        )?;
        Ok(after)
    })
}

/// Archives or unarchives. Archived organizations are read-only and hidden by default.
pub fn set_archived(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &OrgAdminAccess,
    archived: bool,
) -> Result<(), OrgError> {
    if archived == access.org().is_archived() {
        return Ok(());
    }
    db::write_transaction(conn, |conn| {
        let now = db::now();
        diesel::update(organizations::table.find(&access.org().id))
            .set((
                organizations::archived_at.eq(archived.then_some(now)),
                organizations::updated_at.eq(now),
            ))
            .execute(conn)?;
        let action = if archived {
            "organization.archived"
        } else {
            "organization.unarchived"
        };
        activity::record(
            conn,
            actor,
            org_subject(access.org()),
            action,
            Some(json!({ "archived": !archived })),
            Some(json!({ "archived": archived })),
        )?;
        Ok(())
    })
}
