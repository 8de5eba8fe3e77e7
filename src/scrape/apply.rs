//! Applying chosen suggestions: the stored profile with those fields replaced goes through
//! the settings form's rules (`ProfileInput::parse`), so a bad suggestion is shown, never
//! saved, and what is saved is marked as coming from AI enrichment.

use super::{ProfileField, ScrapeError, ScrapeStatus};
use crate::activity::Actor;
use crate::db::AnyConnection;
use crate::orgs::{self, EnrichmentSource, OrgAdminAccess, Organization, ProfileInput};

/// Applies the finished scrape `id`'s suggestions for `fields` to the profile.
pub fn apply(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &OrgAdminAccess,
    id: &str,
    fields: &[ProfileField],
) -> Result<Organization, ScrapeError> {
    access.require_writable()?;
    let job = super::get(conn, access, id)?;
    if job.status != ScrapeStatus::Done {
        return Err(ScrapeError::NotFinished);
    }
    let prefill = job.prefill().unwrap_or_default();
    if fields.is_empty() {
        return Err(ScrapeError::Field {
            field: "fields",
            message: "Choose at least one suggestion to apply.".into(),
        });
    }
    let mut input = ProfileInput::from_org(access.org());
    for field in fields {
        let suggestion = prefill.suggestion(*field).ok_or(ScrapeError::Field {
            field: "fields",
            message: format!("There is no suggestion for {}.", field.label()),
        })?;
        *field.slot(&mut input) = suggestion.value.clone();
    }
    let profile = input.parse().map_err(ScrapeError::Profile)?;
    Ok(orgs::update_profile(
        conn,
        actor,
        access,
        profile,
        EnrichmentSource::Ai,
    )?)
}
