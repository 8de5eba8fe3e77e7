//! An organization's time zone: an IANA name (`Europe/Berlin`), in which its workspaces'
//! check-in reminders fall due.

use chrono_tz::{Tz, TZ_VARIANTS};

/// A time zone chrono-tz knows, kept by its canonical IANA name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeZoneError {
    #[error("Choose a time zone.")]
    Missing,
    #[error(
        "Not a time zone we know. Use an IANA name such as Europe/Berlin or America/New_York."
    )]
    Unknown,
}

impl TimeZone {
    /// Parses an IANA name as typed; case and surrounding spaces do not matter.
    pub fn parse(raw: &str) -> Result<Self, TimeZoneError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(TimeZoneError::Missing);
        }
        TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(raw))
            .map(|tz| Self(*tz))
            .ok_or(TimeZoneError::Unknown)
    }

    /// The stored name read back; one that is no longer known reads as UTC.
    pub fn from_stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self(Tz::UTC))
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// Every name the field accepts, for the form's suggestions.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_are_accepted_and_anything_else_refused() {
        assert_eq!(
            TimeZone::parse(" pacific/auckland ").map(TimeZone::name),
            Ok("Pacific/Auckland")
        );
        assert_eq!(
            TimeZone::parse("America/Los_Angeles").map(TimeZone::name),
            Ok("America/Los_Angeles")
        );
        assert_eq!(TimeZone::parse(""), Err(TimeZoneError::Missing));
        assert_eq!(TimeZone::parse("Mars/Olympus"), Err(TimeZoneError::Unknown));
        assert_eq!(TimeZone::parse("+02:00"), Err(TimeZoneError::Unknown));
        assert_eq!(TimeZone::from_stored("gone/zone").name(), "UTC");
        assert!(time_zone_names().any(|name| name == "Europe/Berlin"));
    }
}
