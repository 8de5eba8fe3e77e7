//! The organization profile as typed, and the one place its input rules live: the settings
//! form and the API both parse through `ProfileInput::parse`.

use serde::Deserialize;

use super::{
    currency, customer_names, optional_text, website, whole_number, EmployeeRange, OrgProfile,
    Organization, PrivacyMode, Revenue, RevenuePeriod, Slug, TimeZone,
};

/// Field problems in the order found.
#[derive(Default)]
struct Problems(Vec<(&'static str, String)>);

impl Problems {
    fn add(&mut self, field: &'static str, message: impl ToString) {
        self.0.push((field, message.to_string()));
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The organization profile as typed into the settings form (or sent to the API), every field
/// a string so what was typed can come back with the messages.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct ProfileInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub default_privacy_mode: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub customer_names: String,
    #[serde(default)]
    pub revenue_amount: String,
    #[serde(default)]
    pub revenue_currency: String,
    #[serde(default)]
    pub revenue_period: String,
    #[serde(default)]
    pub employee_count_min: String,
    #[serde(default)]
    pub employee_count_max: String,
    #[serde(default)]
    pub address_street: String,
    #[serde(default)]
    pub address_postal_code: String,
    #[serde(default)]
    pub address_city: String,
    #[serde(default)]
    pub address_country: String,
    #[serde(default)]
    pub ai_enrichment_opt_in: Option<String>,
    #[serde(default)]
    pub time_zone: String,
}

const MAX_EMPLOYEES: i64 = 10_000_000;
const MAX_REVENUE: i64 = 1_000_000_000_000_000;

impl ProfileInput {
    /// The profile as stored, as the form shows it.
    pub fn from_org(org: &Organization) -> Self {
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

impl ProfileInput {
    /// The profile with every rule of the settings form; each problem by its field.
    pub fn parse(&self) -> Result<OrgProfile, Vec<(&'static str, String)>> {
        let form = self;
        let mut errors = Problems::default();
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
        let name = super::name(&form.name)
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
                        super::RevenueError::MissingAmount => "revenue_amount",
                        super::RevenueError::MissingCurrency => "revenue_currency",
                        super::RevenueError::MissingPeriod => "revenue_period",
                    };
                    errors.add(field, e)
                })
                .ok(),
            _ => None,
        };
        let time_zone = TimeZone::parse(&form.time_zone)
            .map_err(|e| errors.add("time_zone", e))
            .ok();
        let employees = |field: &'static str, raw: &str, errors: &mut Problems| {
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
            _ => Err(errors.0),
        }
    }
}
