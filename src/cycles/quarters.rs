//! Quarters of a fiscal year, for "Create the next quarter". A fiscal year is named by the
//! calendar year it ends in (a year starting in October 2026 is 2027), so with the default
//! January start the names are plain calendar quarters: `2027 Q1` is January to March 2027.

use chrono::{Datelike, Months, NaiveDate};

use super::{Cycle, CycleDates, CycleError};

/// The month the organization's fiscal year starts in, 1 (January) to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalMonth(u32);

impl FiscalMonth {
    pub const JANUARY: Self = Self(1);

    pub fn new(month: i64) -> Result<Self, CycleError> {
        match u32::try_from(month) {
            Ok(m @ 1..=12) => Ok(Self(m)),
            _ => Err(CycleError::field(
                "fiscal_year_start_month",
                "Choose a month from January to December.",
            )),
        }
    }

    /// A stored month; anything out of range reads as January.
    pub fn from_stored(month: i32) -> Self {
        Self::new(i64::from(month)).unwrap_or(Self::JANUARY)
    }

    pub fn number(self) -> u32 {
        self.0
    }

    pub fn label(self) -> &'static str {
        MONTHS[(self.0 - 1) as usize]
    }

    pub fn all() -> impl Iterator<Item = Self> {
        (1..=12).map(Self)
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A quarter: its name and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarter {
    pub name: String,
    pub dates: CycleDates,
}

/// The fiscal quarter a day falls in.
pub fn quarter_containing(day: NaiveDate, fiscal: FiscalMonth) -> Option<Quarter> {
    // Months since the start of the fiscal year the day falls in, 0..12.
    let offset = (day.month() + 12 - fiscal.0) % 12;
    let quarter = offset / 3;
    let first_month = day
        .with_day(1)?
        .checked_sub_months(Months::new(offset % 3))?;
    let last_day = first_month.checked_add_months(Months::new(3))?.pred_opt()?;
    // The fiscal year ends in the calendar year of its last month.
    let year_start = first_month.checked_sub_months(Months::new(quarter * 3))?;
    let year_end = year_start.checked_add_months(Months::new(11))?;
    let dates = CycleDates::new(first_month, last_day).ok()?;
    Some(Quarter {
        name: format!("{} Q{}", year_end.year(), quarter + 1),
        dates,
    })
}

/// The quarter "Create the next quarter" offers: the first one starting after the latest
/// cycle ends, or the quarter containing today when there is none.
pub fn next_quarter(cycles: &[Cycle], fiscal: FiscalMonth, today: NaiveDate) -> Option<Quarter> {
    let Some(last_end) = cycles.iter().map(|c| c.end_date).max() else {
        return quarter_containing(today, fiscal);
    };
    let after = last_end.succ_opt()?;
    let quarter = quarter_containing(after, fiscal)?;
    if quarter.dates.start() == after {
        return Some(quarter);
    }
    quarter_containing(quarter.dates.end().succ_opt()?, fiscal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn calendar_quarters_with_a_january_year() {
        let q = quarter_containing(day(2027, 2, 14), FiscalMonth::JANUARY).unwrap();
        assert_eq!(q.name, "2027 Q1");
        assert_eq!(
            (q.dates.start(), q.dates.end()),
            (day(2027, 1, 1), day(2027, 3, 31))
        );
        let q = quarter_containing(day(2026, 12, 31), FiscalMonth::JANUARY).unwrap();
        assert_eq!(q.name, "2026 Q4");
        assert_eq!(q.dates.end(), day(2026, 12, 31));
    }

    #[test]
    fn a_fiscal_year_starting_in_october_is_named_by_the_year_it_ends_in() {
        let october = FiscalMonth::new(10).unwrap();
        let q = quarter_containing(day(2026, 11, 3), october).unwrap();
        assert_eq!(q.name, "2027 Q1");
        assert_eq!(
            (q.dates.start(), q.dates.end()),
            (day(2026, 10, 1), day(2026, 12, 31))
        );
        let q = quarter_containing(day(2027, 9, 30), october).unwrap();
        assert_eq!(q.name, "2027 Q4");
        assert_eq!(q.dates.start(), day(2027, 7, 1));
        let february = FiscalMonth::new(2).unwrap();
        let q = quarter_containing(day(2027, 1, 15), february).unwrap();
        assert_eq!(q.name, "2027 Q4");
        assert_eq!(
            (q.dates.start(), q.dates.end()),
            (day(2026, 11, 1), day(2027, 1, 31))
        );
    }

    #[test]
    fn months_outside_the_year_are_refused() {
        assert!(FiscalMonth::new(0).is_err());
        assert!(FiscalMonth::new(13).is_err());
        assert_eq!(FiscalMonth::from_stored(99), FiscalMonth::JANUARY);
    }
}
