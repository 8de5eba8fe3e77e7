//! When reminders fall due: pure functions of the cadence, the organization's time zone and
//! the instant, so they are tested without a database.
//!
//! The reminder day of each cadence, in the organization's local calendar:
//! - weekly: every week on the cadence's weekday;
//! - biweekly: that weekday in even ISO weeks (so it never drifts with the day it was set);
//! - monthly: the first such weekday of the month (its day of the month is 1–7);
//! - off: never.
//!
//! On the day, reminders are due from the reminder hour (local) until midnight. A local hour
//! skipped by a DST change counts as reached at the first instant after it.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::workspaces::{Cadence, CheckInCadence, ReminderHour};

/// Whether `day` (a local date) is a reminder day of the cadence.
pub fn is_reminder_day(cadence: CheckInCadence, day: NaiveDate) -> bool {
    let on_weekday = day.weekday() == cadence.weekday;
    match cadence.cadence {
        Cadence::Weekly => on_weekday,
        Cadence::Biweekly => on_weekday && day.iso_week().week().is_multiple_of(2),
        Cadence::Monthly => on_weekday && day.day() <= 7,
        Cadence::Off => false,
    }
}

/// The local date whose reminders are due at `now` (UTC) in `zone`: today when it is a
/// reminder day and its hour has come, else `None`.
pub fn due_day(
    cadence: CheckInCadence,
    hour: ReminderHour,
    zone: Tz,
    now: NaiveDateTime,
) -> Option<NaiveDate> {
    let local = zone.from_utc_datetime(&now);
    let day = local.date_naive();
    (is_reminder_day(cadence, day) && local.hour() >= hour.get()).then_some(day)
}

/// Whether a check-in on `last` (the day it speaks for) falls within the cadence's period
/// ending `today`: within the last 7 days (weekly), 14 (biweekly) or the last month. Such a
/// key result is up to date and needs no reminder. Off never reminds anyone.
pub fn checked_in_within(
    cadence: CheckInCadence,
    last: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    let Some(last) = last else {
        return false;
    };
    let period_start = match cadence.cadence {
        Cadence::Weekly => today.checked_sub_signed(chrono::Duration::days(7)),
        Cadence::Biweekly => today.checked_sub_signed(chrono::Duration::days(14)),
        Cadence::Monthly => today.checked_sub_months(Months::new(1)),
        Cadence::Off => return true,
    };
    period_start.is_none_or(|start| last > start)
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        day(y, m, d).and_hms_opt(h, min, 0).unwrap_or_default()
    }

    fn cadence(cadence: Cadence, weekday: Weekday) -> CheckInCadence {
        CheckInCadence { cadence, weekday }
    }

    fn hour(h: &str) -> ReminderHour {
        ReminderHour::parse(h).unwrap_or_default()
    }

    #[test]
    fn reminder_days_follow_the_cadence() {
        let weekly = cadence(Cadence::Weekly, Weekday::Mon);
        assert!(is_reminder_day(weekly, day(2027, 1, 4)));
        assert!(!is_reminder_day(weekly, day(2027, 1, 5)));
        // 2027-01-11 is in ISO week 2, 2027-01-04 in week 1.
        let biweekly = cadence(Cadence::Biweekly, Weekday::Mon);
        assert!(is_reminder_day(biweekly, day(2027, 1, 11)));
        assert!(!is_reminder_day(biweekly, day(2027, 1, 4)));
        assert!(is_reminder_day(biweekly, day(2027, 1, 25)));
        let monthly = cadence(Cadence::Monthly, Weekday::Fri);
        assert!(is_reminder_day(monthly, day(2027, 1, 1)), "first Friday");
        assert!(!is_reminder_day(monthly, day(2027, 1, 8)));
        assert!(is_reminder_day(monthly, day(2027, 2, 5)));
        let off = cadence(Cadence::Off, Weekday::Mon);
        assert!(!is_reminder_day(off, day(2027, 1, 4)));
    }

    #[test]
    fn two_zones_reach_monday_nine_at_different_instants() {
        let weekly = cadence(Cadence::Weekly, Weekday::Mon);
        let nine = hour("9");
        // Auckland (UTC+13 in January) is on Monday 9:00 at Sunday 20:00 UTC.
        let auckland = chrono_tz::Pacific::Auckland;
        assert_eq!(
            due_day(weekly, nine, auckland, utc(2027, 1, 3, 19, 59)),
            None
        );
        assert_eq!(
            due_day(weekly, nine, auckland, utc(2027, 1, 3, 20, 0)),
            Some(day(2027, 1, 4))
        );
        // Monday midnight there is Monday 11:00 UTC: the day is over.
        assert_eq!(
            due_day(weekly, nine, auckland, utc(2027, 1, 4, 11, 0)),
            None
        );
        // Los Angeles (UTC-8) is on Monday 9:00 at Monday 17:00 UTC.
        let la = chrono_tz::America::Los_Angeles;
        assert_eq!(due_day(weekly, nine, la, utc(2027, 1, 4, 16, 59)), None);
        assert_eq!(
            due_day(weekly, nine, la, utc(2027, 1, 4, 17, 0)),
            Some(day(2027, 1, 4))
        );
        assert_eq!(
            due_day(weekly, nine, la, utc(2027, 1, 5, 7, 59)),
            Some(day(2027, 1, 4)),
            "still Monday evening there"
        );
        assert_eq!(due_day(weekly, nine, la, utc(2027, 1, 5, 8, 0)), None);
    }

    #[test]
    fn across_the_date_line_the_local_day_decides() {
        let weekly = cadence(Cadence::Weekly, Weekday::Mon);
        // Kiritimati is UTC+14: its Monday starts on Sunday 10:00 UTC.
        let kiritimati = chrono_tz::Pacific::Kiritimati;
        assert_eq!(
            due_day(weekly, hour("0"), kiritimati, utc(2027, 1, 3, 10, 0)),
            Some(day(2027, 1, 4))
        );
        // Pago Pago is UTC-11: at the same instant it is still Saturday.
        let pago = chrono_tz::Pacific::Pago_Pago;
        assert_eq!(
            due_day(weekly, hour("0"), pago, utc(2027, 1, 3, 10, 0)),
            None
        );
        assert_eq!(
            due_day(weekly, hour("0"), pago, utc(2027, 1, 4, 11, 0)),
            Some(day(2027, 1, 4))
        );
    }

    #[test]
    fn a_reminder_hour_skipped_by_daylight_saving_counts_from_the_next_instant() {
        let sunday = cadence(Cadence::Weekly, Weekday::Sun);
        let la = chrono_tz::America::Los_Angeles;
        // 2027-03-14: clocks jump from 2:00 to 3:00 PST→PDT (10:00 UTC).
        assert_eq!(
            due_day(sunday, hour("2"), la, utc(2027, 3, 14, 9, 59)),
            None
        );
        assert_eq!(
            due_day(sunday, hour("2"), la, utc(2027, 3, 14, 10, 0)),
            Some(day(2027, 3, 14))
        );
        // After the change, 9:00 is 16:00 UTC.
        assert_eq!(
            due_day(sunday, hour("9"), la, utc(2027, 3, 14, 15, 59)),
            None
        );
        assert!(due_day(sunday, hour("9"), la, utc(2027, 3, 14, 16, 0)).is_some());
        // Auckland leaves daylight saving on 2027-04-04 (3:00 NZDT becomes 2:00 NZST): 9:00
        // is 21:00 UTC the day before.
        let auckland = chrono_tz::Pacific::Auckland;
        assert_eq!(
            due_day(sunday, hour("9"), auckland, utc(2027, 4, 3, 20, 59)),
            None
        );
        assert_eq!(
            due_day(sunday, hour("9"), auckland, utc(2027, 4, 3, 21, 0)),
            Some(day(2027, 4, 4))
        );
    }

    #[test]
    fn a_check_in_within_the_period_needs_no_reminder() {
        let weekly = cadence(Cadence::Weekly, Weekday::Mon);
        let monday = day(2027, 1, 11);
        assert!(checked_in_within(weekly, Some(day(2027, 1, 5)), monday));
        assert!(
            !checked_in_within(weekly, Some(day(2027, 1, 4)), monday),
            "a week ago is the last period"
        );
        assert!(!checked_in_within(weekly, None, monday));
        let monthly = cadence(Cadence::Monthly, Weekday::Mon);
        assert!(checked_in_within(monthly, Some(day(2026, 12, 20)), monday));
        assert!(!checked_in_within(monthly, Some(day(2026, 12, 11)), monday));
    }
}
