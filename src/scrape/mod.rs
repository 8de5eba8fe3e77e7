//! The onboarding scrape (DESIGN §3 Phase 3): an organization admin names the company's
//! website, a background run reads it through the SSRF guard (`outbound`) and suggests
//! profile values, and the admin applies the ones they choose.
//!
//! - `extract` reads a page (JSON-LD, microdata, Open Graph, meta, title);
//! - `run` claims requested scrapes, fetches and reads them with no transaction open, and
//!   asks the language model when one is configured;
//! - `apply` takes chosen suggestions through the settings form's own rules.
//!
//! A scrape needs the organization's AI enrichment opt-in, an admin, and an organization
//! that is not archived.

mod apply;
mod extract;
mod run;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::db::{self, AnyConnection, DbError};
use crate::orgs::{OrgAdminAccess, OrgError, ProfileInput};
use crate::outbound::{OutboundPolicy, UrlRules};
use crate::schema::scrape_jobs;
use crate::text_enum;

pub use apply::apply;
pub use extract::{extract, page_text, Extracted, Fact, Source, Suggestion};
pub use run::{run_due, Scraper, PROMPT_VERSION};

text_enum! {
    pub enum ScrapeStatus {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
}

impl ScrapeStatus {
    /// Still to finish: a page polls while this holds.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Running)
    }
}

/// A profile field a scrape may suggest, named as the settings form and the API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Name,
    Industry,
    Website,
    CustomerNames,
    EmployeeCountMin,
    EmployeeCountMax,
    AddressStreet,
    AddressPostalCode,
    AddressCity,
    AddressCountry,
}

impl ProfileField {
    pub const ALL: &'static [ProfileField] = &[
        Self::Name,
        Self::Industry,
        Self::Website,
        Self::CustomerNames,
        Self::EmployeeCountMin,
        Self::EmployeeCountMax,
        Self::AddressStreet,
        Self::AddressPostalCode,
        Self::AddressCity,
        Self::AddressCountry,
    ];

    /// The field's name in the form and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Industry => "industry",
            Self::Website => "website",
            Self::CustomerNames => "customer_names",
            Self::EmployeeCountMin => "employee_count_min",
            Self::EmployeeCountMax => "employee_count_max",
            Self::AddressStreet => "address_street",
            Self::AddressPostalCode => "address_postal_code",
            Self::AddressCity => "address_city",
            Self::AddressCountry => "address_country",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.as_str() == raw.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Industry => "Industry",
            Self::Website => "Website",
            Self::CustomerNames => "Customers",
            Self::EmployeeCountMin => "Employees (from)",
            Self::EmployeeCountMax => "Employees (to)",
            Self::AddressStreet => "Street",
            Self::AddressPostalCode => "Postal code",
            Self::AddressCity => "City",
            Self::AddressCountry => "Country",
        }
    }

    /// The form field this names, to read or fill.
    fn slot(self, input: &mut ProfileInput) -> &mut String {
        match self {
            Self::Name => &mut input.name,
            Self::Industry => &mut input.industry,
            Self::Website => &mut input.website,
            Self::CustomerNames => &mut input.customer_names,
            Self::EmployeeCountMin => &mut input.employee_count_min,
            Self::EmployeeCountMax => &mut input.employee_count_max,
            Self::AddressStreet => &mut input.address_street,
            Self::AddressPostalCode => &mut input.address_postal_code,
            Self::AddressCity => &mut input.address_city,
            Self::AddressCountry => &mut input.address_country,
        }
    }

    /// The field's value in the profile as stored (customers one per line).
    pub fn current(self, input: &ProfileInput) -> String {
        self.slot(&mut input.clone()).clone()
    }
}

/// What a finished scrape suggests: version 1 of the stored `prefill_json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    pub version: u32,
    /// The page read, after redirects.
    pub page_url: String,
    pub suggestions: Vec<Suggestion>,
    pub facts: Vec<Fact>,
    /// Why the language model added nothing, when one is configured and failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_note: Option<String>,
}

impl Prefill {
    pub fn suggestion(&self, field: ProfileField) -> Option<&Suggestion> {
        self.suggestions.iter().find(|s| s.field == field)
    }
}

/// One requested scrape.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scrape_jobs)]
pub struct ScrapeJob {
    pub id: String,
    pub organization_id: String,
    pub requested_by_user_id: String,
    pub source_url: String,
    pub status: ScrapeStatus,
    /// What was sent to the language model, when one ran.
    pub input_json: Option<String>,
    pub prefill_json: Option<String>,
    pub error_message: Option<String>,
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub prompt_version: Option<String>,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl ScrapeJob {
    pub fn prefill(&self) -> Option<Prefill> {
        self.prefill_json
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw).ok())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    #[error("not found")]
    NotFound,
    #[error("Turn on AI enrichment in the profile first: filling from the website needs it.")]
    OptInOff,
    #[error("A fill from the website is already running; wait for it to finish.")]
    AlreadyRunning,
    #[error("This fill from the website has not finished yet.")]
    NotFinished,
    /// The rules refuse one field's input; `field` is its name in the form and the API.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// Applying would break the profile's rules; each problem by its field.
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or_default())]
    Profile(Vec<(&'static str, String)>),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ScrapeError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            e => Self::Db(DbError::Query(e)),
        }
    }
}

const MAX_URL_LENGTH: usize = 2048;

/// A website address to read, checked as far as it can be without resolving it.
#[derive(Debug, Clone)]
pub struct SourceUrl(Url);

impl SourceUrl {
    pub fn parse(
        raw: &str,
        policy: &OutboundPolicy,
        rules: &UrlRules,
    ) -> Result<Self, ScrapeError> {
        let field = |message: String| ScrapeError::Field {
            field: "url",
            message,
        };
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(field("Enter the website's address.".into()));
        }
        if raw.chars().count() > MAX_URL_LENGTH {
            return Err(field(format!(
                "An address has at most {MAX_URL_LENGTH} characters."
            )));
        }
        let url = Url::parse(raw)
            .map_err(|_| field("Enter a full address, like https://example.com.".into()))?;
        policy
            .check_url(&url, rules)
            .map_err(|refusal| field(format!("This address cannot be read: {refusal}.")))?;
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Queues a scrape of `url` for the organization; it runs in the background.
pub fn request(
    conn: &mut AnyConnection,
    user_id: &str,
    access: &OrgAdminAccess,
    url: &SourceUrl,
    now: NaiveDateTime,
) -> Result<ScrapeJob, ScrapeError> {
    access.require_writable()?;
    if !access.org().ai_enrichment_opt_in {
        return Err(ScrapeError::OptInOff);
    }
    db::write_transaction(conn, |conn| {
        let running: i64 = scrape_jobs::table
            .filter(scrape_jobs::organization_id.eq(&access.org().id))
            .filter(scrape_jobs::status.eq_any([ScrapeStatus::Pending, ScrapeStatus::Running]))
            .count()
            .get_result(conn)?;
        if running > 0 {
            return Err(ScrapeError::AlreadyRunning);
        }
        let id = db::new_id();
        diesel::insert_into(scrape_jobs::table)
            .values((
                scrape_jobs::id.eq(&id),
                scrape_jobs::organization_id.eq(&access.org().id),
                scrape_jobs::requested_by_user_id.eq(user_id),
                scrape_jobs::source_url.eq(url.as_str()),
                scrape_jobs::status.eq(ScrapeStatus::Pending),
                scrape_jobs::created_at.eq(now),
                scrape_jobs::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(load(conn, &id)?)
    })
}

fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<ScrapeJob> {
    scrape_jobs::table
        .find(id)
        .select(ScrapeJob::as_select())
        .first(conn)
}

/// One scrape of the organization; another organization's answers `NotFound`.
pub fn get(
    conn: &mut AnyConnection,
    access: &OrgAdminAccess,
    id: &str,
) -> Result<ScrapeJob, ScrapeError> {
    scrape_jobs::table
        .find(id)
        .filter(scrape_jobs::organization_id.eq(&access.org().id))
        .select(ScrapeJob::as_select())
        .first(conn)
        .map_err(ScrapeError::from)
}

/// The organization's most recent scrape, which the settings page shows.
pub fn latest(
    conn: &mut AnyConnection,
    access: &OrgAdminAccess,
) -> Result<Option<ScrapeJob>, ScrapeError> {
    Ok(scrape_jobs::table
        .filter(scrape_jobs::organization_id.eq(&access.org().id))
        .order((scrape_jobs::created_at.desc(), scrape_jobs::id.desc()))
        .select(ScrapeJob::as_select())
        .first(conn)
        .optional()?)
}

/// The organization a scrape belongs to, for callers that know only its id (the API).
pub fn organization_of(conn: &mut AnyConnection, id: &str) -> Result<String, ScrapeError> {
    scrape_jobs::table
        .find(id)
        .select(scrape_jobs::organization_id)
        .first(conn)
        .map_err(ScrapeError::from)
}
