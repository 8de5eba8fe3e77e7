//! How often a workspace checks in (DESIGN §3 "People": weekly on a weekday, biweekly,
//! monthly, or off; weekly on Monday by default). Status counts silence from it.

use chrono::{Duration, Months, NaiveDate, Weekday};

use crate::text_enum;

text_enum! {
    pub enum Cadence {
        Weekly => "weekly",
        Biweekly => "biweekly",
        Monthly => "monthly",
        Off => "off",
    }
}

impl Cadence {
    pub fn label(self) -> &'static str {
        match self {
            Self::Weekly => "Every week",
            Self::Biweekly => "Every two weeks",
            Self::Monthly => "Every month",
            Self::Off => "Off",
        }
    }
}

/// A workspace's check-in rhythm: the cadence and, for weekly and biweekly, the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInCadence {
    pub cadence: Cadence,
    pub weekday: Weekday,
}

impl Default for CheckInCadence {
    fn default() -> Self {
        Self {
            cadence: Cadence::Weekly,
            weekday: Weekday::Mon,
        }
    }
}

/// A cadence form's field that was not understood, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CadenceError {
    pub field: &'static str,
    pub message: &'static str,
}

/// The days of the week in order, for choosing the day check-ins fall due.
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Days of grace after a check-in falls due before silence counts.
pub const GRACE_DAYS: i64 = 2;

impl CheckInCadence {
    /// A cadence as chosen (`weekly`, `biweekly`, `monthly`, `off`) with its weekday by
    /// name (`monday`…). Weekly and biweekly need the day; the others keep the one given
    /// (or Monday), so switching back restores it.
    pub fn parse(cadence: &str, weekday: &str) -> Result<Self, CadenceError> {
        let cadence = Cadence::parse(cadence.trim()).ok_or(CadenceError {
            field: "check_in_cadence",
            message: "Choose every week, every two weeks, every month or off.",
        })?;
        let weekday = weekday.trim();
        let named = WEEKDAYS
            .into_iter()
            .find(|day| weekday_key(*day).eq_ignore_ascii_case(weekday));
        let weekday = match (named, cadence) {
            (Some(day), _) => day,
            (None, Cadence::Monthly | Cadence::Off) if weekday.is_empty() => Weekday::Mon,
            (None, _) => {
                return Err(CadenceError {
                    field: "check_in_weekday",
                    message: "Choose the day of the week check-ins fall due.",
                })
            }
        };
        Ok(Self { cadence, weekday })
    }

    /// From the stored ISO weekday (1 is Monday); a value out of range reads as Monday.
    pub fn from_stored(cadence: Cadence, iso_weekday: i32) -> Self {
        let weekday = u8::try_from(iso_weekday - 1)
            .ok()
            .and_then(|d| Weekday::try_from(d).ok())
            .unwrap_or(Weekday::Mon);
        Self { cadence, weekday }
    }

    pub fn iso_weekday(self) -> i32 {
        self.weekday.number_from_monday() as i32
    }

    /// The last day a check-in on `last` keeps an item up to date: one period plus the
    /// grace. `None` when the cadence is off (any check-in keeps it up to date).
    pub fn fresh_until(self, last: NaiveDate) -> Option<NaiveDate> {
        let next_due = match self.cadence {
            Cadence::Weekly => last.checked_add_signed(Duration::days(7)),
            Cadence::Biweekly => last.checked_add_signed(Duration::days(14)),
            Cadence::Monthly => last.checked_add_months(Months::new(1)),
            Cadence::Off => return None,
        };
        next_due.and_then(|d| d.checked_add_signed(Duration::days(GRACE_DAYS)))
    }

    /// Whether a check-in on `last` (or none) still counts on `today`.
    pub fn is_fresh(self, last: Option<NaiveDate>, today: NaiveDate) -> bool {
        match last {
            None => false,
            Some(last) => self.fresh_until(last).is_none_or(|until| today <= until),
        }
    }

    /// "Every week on Monday".
    pub fn describe(self) -> String {
        match self.cadence {
            Cadence::Weekly | Cadence::Biweekly => {
                format!("{} on {}", self.cadence.label(), weekday_name(self.weekday))
            }
            other => other.label().to_owned(),
        }
    }
}

/// The local hour (0–23, in the organization's time zone) a workspace's check-in reminders
/// go out on the day they fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderHour(u8);

impl Default for ReminderHour {
    fn default() -> Self {
        Self(9)
    }
}

impl ReminderHour {
    /// An hour as typed: a whole number from 0 to 23.
    pub fn parse(raw: &str) -> Result<Self, CadenceError> {
        raw.trim()
            .parse::<u8>()
            .ok()
            .filter(|hour| *hour < 24)
            .map(Self)
            .ok_or(CadenceError {
                field: "reminder_hour",
                message: "Enter a whole hour from 0 to 23.",
            })
    }

    /// From storage; a value out of range reads as the default.
    pub fn from_stored(hour: i32) -> Self {
        u8::try_from(hour)
            .ok()
            .filter(|hour| *hour < 24)
            .map_or_else(Self::default, Self)
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }

    pub fn stored(self) -> i32 {
        i32::from(self.0)
    }
}

/// When a workspace's reminders go out and whether late key results go up to managers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReminderSettings {
    pub hour: ReminderHour,
    /// A key result still without a check-in two days after its reminder is listed in its
    /// owner's manager's next reminder.
    pub escalate_to_manager: bool,
}

/// A weekday as forms send it: `monday`…`sunday`.
pub fn weekday_key(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn silence_counts_after_one_period_and_two_days_of_grace() {
        let weekly = CheckInCadence::default();
        let monday = day(2027, 1, 4);
        assert!(
            weekly.is_fresh(Some(monday), day(2027, 1, 13)),
            "7 + 2 days"
        );
        assert!(!weekly.is_fresh(Some(monday), day(2027, 1, 14)));
        assert!(
            !weekly.is_fresh(None, monday),
            "never checked in is never fresh"
        );
        let biweekly = CheckInCadence {
            cadence: Cadence::Biweekly,
            ..weekly
        };
        assert!(biweekly.is_fresh(Some(monday), day(2027, 1, 20)));
        assert!(!biweekly.is_fresh(Some(monday), day(2027, 1, 21)));
        let monthly = CheckInCadence {
            cadence: Cadence::Monthly,
            ..weekly
        };
        assert!(monthly.is_fresh(Some(day(2027, 1, 31)), day(2027, 3, 2)));
        assert!(!monthly.is_fresh(Some(day(2027, 1, 31)), day(2027, 3, 3)));
        let off = CheckInCadence {
            cadence: Cadence::Off,
            ..weekly
        };
        assert!(off.is_fresh(Some(day(2020, 1, 1)), monday));
        assert!(!off.is_fresh(None, monday));
    }

    #[test]
    fn a_chosen_cadence_needs_a_day_only_when_weekly() {
        let parsed = CheckInCadence::parse("biweekly", "Friday");
        assert_eq!(
            parsed.map(CheckInCadence::describe).as_deref(),
            Ok("Every two weeks on Friday")
        );
        assert_eq!(
            CheckInCadence::parse("monthly", "").map(|c| c.cadence),
            Ok(Cadence::Monthly)
        );
        assert_eq!(
            CheckInCadence::parse("weekly", "").map_err(|e| e.field),
            Err("check_in_weekday")
        );
        assert_eq!(
            CheckInCadence::parse("monthly", "someday").map_err(|e| e.field),
            Err("check_in_weekday")
        );
        assert_eq!(
            CheckInCadence::parse("daily", "monday").map_err(|e| e.field),
            Err("check_in_cadence")
        );
    }

    #[test]
    fn reminder_hours_are_whole_hours_of_the_day() {
        assert_eq!(ReminderHour::parse(" 0 ").map(ReminderHour::get), Ok(0));
        assert_eq!(ReminderHour::parse("23").map(ReminderHour::get), Ok(23));
        for refused in ["24", "-1", "9.5", "", "nine"] {
            assert_eq!(
                ReminderHour::parse(refused).map_err(|e| e.field),
                Err("reminder_hour"),
                "{refused:?}"
            );
        }
        assert_eq!(ReminderHour::from_stored(99), ReminderHour::default());
    }

    #[test]
    fn weekdays_round_trip_through_storage() {
        for iso in 1..=7 {
            assert_eq!(
                CheckInCadence::from_stored(Cadence::Weekly, iso).iso_weekday(),
                iso
            );
        }
        assert_eq!(
            CheckInCadence::from_stored(Cadence::Weekly, 0).weekday,
            Weekday::Mon
        );
        assert_eq!(
            CheckInCadence::from_stored(Cadence::Biweekly, 5).describe(),
            "Every two weeks on Friday"
        );
    }
}
