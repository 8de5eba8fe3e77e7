//! The "Fill from our website" card's state, shared by the settings page that shows it and
//! the handlers that poll and apply it: the latest scrape, its review rows, and what a
//! refusal leaves on the card.

use super::super::error::AppError;
use super::super::layout::FieldErrors;
use crate::orgs::{Organization, ProfileInput};
use crate::scrape::{Fact, Prefill, ProfileField, ScrapeError, ScrapeJob, Source};

/// What a refused website fill leaves on its card: the address as typed, the messages, and
/// the suggestions that were ticked.
#[derive(Default)]
pub struct FillState {
    pub url: Option<String>,
    pub errors: FieldErrors,
    pub chosen: Option<Vec<ProfileField>>,
}

impl FillState {
    /// The card after `refusal`: a field's problem next to it, a refusal of the whole
    /// request next to `field`; anything else is not the form's to show.
    pub fn refused(
        field: &'static str,
        url: impl Into<Option<String>>,
        refusal: ScrapeError,
        chosen: Option<Vec<ProfileField>>,
    ) -> Result<Self, AppError> {
        let mut errors = FieldErrors::default();
        match refusal {
            ScrapeError::Field { field, message } => errors.add(field, message),
            // A rule on a field without a row (say, revenue) is said under the list.
            ScrapeError::Profile(problems) => {
                for (name, message) in problems {
                    let shown = ProfileField::parse(name).map_or("fields", ProfileField::as_str);
                    errors.add(shown, message);
                }
            }
            e
            @ (ScrapeError::OptInOff | ScrapeError::AlreadyRunning | ScrapeError::NotFinished) => {
                errors.add(field, e)
            }
            other => return Err(other.into()),
        }
        Ok(Self {
            url: url.into(),
            errors,
            chosen,
        })
    }
}

/// One suggested field beside the profile's value.
pub struct ReviewRow {
    pub field: ProfileField,
    pub current: String,
    pub suggested: String,
    pub source: Source,
    pub checked: bool,
}

/// The card as shown: what can be done, the latest scrape, and a refusal's messages.
pub struct WebsiteFill {
    pub slug: String,
    pub csrf_token: String,
    pub opt_in: bool,
    pub archived: bool,
    pub url: String,
    pub errors: FieldErrors,
    pub job: Option<ScrapeJob>,
    pub prefill: Option<Prefill>,
    pub rows: Vec<ReviewRow>,
    /// What was sent to the language model, pretty-printed.
    pub sent: Option<String>,
}

impl WebsiteFill {
    pub fn new(
        org: &Organization,
        csrf_token: &str,
        job: Option<ScrapeJob>,
        state: FillState,
    ) -> Self {
        let current = ProfileInput::from_org(org);
        let prefill = job.as_ref().and_then(ScrapeJob::prefill);
        let rows = prefill
            .iter()
            .flat_map(|p| p.suggestions.iter())
            .map(|s| ReviewRow {
                field: s.field,
                current: s.field.current(&current),
                suggested: s.value.clone(),
                source: s.source,
                checked: state
                    .chosen
                    .as_ref()
                    .is_none_or(|chosen| chosen.contains(&s.field)),
            })
            .collect();
        let sent = job
            .as_ref()
            .and_then(|j| j.input_json.as_deref())
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
            .and_then(|v| serde_json::to_string_pretty(&v).ok());
        let url = state
            .url
            .or_else(|| job.as_ref().map(|j| j.source_url.clone()))
            .or_else(|| org.website.clone())
            .unwrap_or_default();
        Self {
            slug: org.slug.clone(),
            csrf_token: csrf_token.to_owned(),
            opt_in: org.ai_enrichment_opt_in,
            archived: org.is_archived(),
            url,
            errors: state.errors,
            job,
            prefill,
            rows,
            sent,
        }
    }

    /// Whether the page should ask again soon.
    pub fn polling(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.status.is_open())
    }

    pub fn facts(&self) -> &[Fact] {
        self.prefill.as_ref().map_or(&[], |p| p.facts.as_slice())
    }
}
