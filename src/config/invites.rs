//! The invites section: how long an invite lasts and how many invitation emails may go out
//! per hour.

use std::time::Duration;

use super::{ConfigError, Vars};

#[derive(Debug, Clone)]
pub struct InviteSettings {
    pub expiry: Duration,
    /// Invitation emails (new and resent) one organization may send per hour.
    pub per_org_per_hour: u32,
    /// Invitation emails one person may send per hour, across all organizations (anyone can
    /// create organizations, so the per-organization cap alone would not stop spam).
    pub per_user_per_hour: u32,
}

pub(super) fn settings(vars: &Vars<'_>) -> Result<InviteSettings, ConfigError> {
    Ok(InviteSettings {
        expiry: Duration::from_secs(vars.number("INVITE_EXPIRY_DAYS", 7, 1, 365)? * 86_400),
        per_org_per_hour: vars.number("INVITES_PER_ORG_PER_HOUR", 50, 1, 100_000)? as u32,
        per_user_per_hour: vars.number("INVITES_PER_USER_PER_HOUR", 100, 1, 100_000)? as u32,
    })
}
