//! What the API sends and accepts about the onboarding scrape.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::item_models::utc;
use super::names::{ProfileFieldName, ScrapeStatusName, SuggestionSourceName};
use crate::scrape::{Fact, Prefill, ScrapeJob, Suggestion};

/// A website to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScrapeJob {
    /// An http or https address on the public internet, on port 80 or 443 (or one the
    /// operator allows); private, loopback and link-local addresses are refused, at every
    /// redirect too.
    #[schema(format = "uri", max_length = 2048, pattern = r"^https?://[^\s@/]+")]
    pub url: String,
}

/// Which suggestions to take into the profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyScrape {
    /// Names of profile fields the scrape suggested a value for.
    #[schema(min_items = 1)]
    pub fields: Vec<ProfileFieldName>,
}

/// A scrape as queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScrapeJobCreated {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ScrapeStatusName,
}

/// One suggested profile value and where it was read.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionOut {
    pub field: ProfileFieldName,
    /// As the profile field takes it (customers one per line).
    pub value: String,
    pub source: SuggestionSourceName,
}

impl From<&Suggestion> for SuggestionOut {
    fn from(s: &Suggestion) -> Self {
        Self {
            field: s.field.into(),
            value: s.value.clone(),
            source: s.source.into(),
        }
    }
}

/// Something the page says that no profile field holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactOut {
    pub label: String,
    pub value: String,
    pub source: SuggestionSourceName,
}

impl From<&Fact> for FactOut {
    fn from(f: &Fact) -> Self {
        Self {
            label: f.label.clone(),
            value: f.value.clone(),
            source: f.source.into(),
        }
    }
}

/// What a finished scrape suggests.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrefillOut {
    /// The page read, after redirects.
    pub page_url: String,
    pub suggestions: Vec<SuggestionOut>,
    pub facts: Vec<FactOut>,
    /// Why the language model added nothing, when one is configured and failed.
    pub llm_note: Option<String>,
}

impl From<&Prefill> for PrefillOut {
    fn from(p: &Prefill) -> Self {
        Self {
            page_url: p.page_url.clone(),
            suggestions: p.suggestions.iter().map(SuggestionOut::from).collect(),
            facts: p.facts.iter().map(FactOut::from).collect(),
            llm_note: p.llm_note.clone(),
        }
    }
}

/// A scrape and, once done, its suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScrapeJobOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub source_url: String,
    pub status: ScrapeStatusName,
    /// Once `done`.
    pub prefill: Option<PrefillOut>,
    /// Why it failed, once `failed`.
    pub error_message: Option<String>,
    /// The language model asked, when one is configured.
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub prompt_version: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<&ScrapeJob> for ScrapeJobOut {
    fn from(job: &ScrapeJob) -> Self {
        Self {
            id: job.id.clone(),
            organization_id: job.organization_id.clone(),
            source_url: job.source_url.clone(),
            status: job.status.into(),
            prefill: job.prefill().as_ref().map(PrefillOut::from),
            error_message: job.error_message.clone(),
            model_used: job.model_used.clone(),
            provider: job.provider.clone(),
            prompt_version: job.prompt_version.clone(),
            created_at: utc(job.created_at),
            finished_at: job.finished_at.map(utc),
        }
    }
}
