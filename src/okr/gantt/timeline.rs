//! The gantt's geometry: scales, the date range, and where each date, bar and header unit
//! sits in pixels. Pure functions over dates, so the page and its tests agree on every
//! pixel.

use chrono::{Datelike, Days, Duration, Months, NaiveDate};

use crate::text_enum;

text_enum! {
    pub enum Scale {
        Week => "week",
        Month => "month",
        Quarter => "quarter",
    }
}

impl Scale {
    pub fn label(self) -> &'static str {
        match self {
            Self::Week => "Weeks",
            Self::Month => "Months",
            Self::Quarter => "Quarters",
        }
    }

    /// Pixels per day.
    pub fn day_width(self) -> i64 {
        match self {
            Self::Week => 20,
            Self::Month => 5,
            Self::Quarter => 2,
        }
    }

    /// The first day of the header unit (Monday, first of month, first of quarter) holding `date`.
    fn unit_start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Self::Week => date
                .checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
                .unwrap_or(date),
            Self::Month => date.with_day(1).unwrap_or(date),
            Self::Quarter => {
                let month = (date.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date)
            }
        }
    }

    /// The first day of the unit after the one starting at `start`; `None` past chrono's last
    /// date. Everything here is checked: dates saved before the plan window came in may lie
    /// near chrono's limits, and a page must never panic on them.
    fn next_unit(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Week => start.checked_add_days(Days::new(7)),
            Self::Month => start.checked_add_months(Months::new(1)),
            Self::Quarter => start.checked_add_months(Months::new(3)),
        }
    }

    /// How many units the default range shows.
    fn default_units(self) -> u32 {
        match self {
            Self::Week => 12,
            Self::Month => 6,
            Self::Quarter => 4,
        }
    }

    /// The longest range the scale draws, so a page never holds a chart miles wide.
    pub fn max_days(self) -> i64 {
        match self {
            Self::Week => 366,
            Self::Month => 3 * 366,
            Self::Quarter => 10 * 366,
        }
    }

    /// The header's text for a unit, when the browser does not format it in the user's locale.
    pub fn tick_label(self, date: NaiveDate) -> String {
        match self {
            Self::Week => date.format("%-d %b").to_string(),
            Self::Month => date.format("%b %Y").to_string(),
            Self::Quarter => format!("Q{} {}", date.month0() / 3 + 1, date.year()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("The range must end on or after its start.")]
    Backwards,
    #[error("Show at most {days} days in {scale}; choose a coarser scale or a shorter range.")]
    TooLong { days: i64, scale: &'static str },
}

/// The days the chart shows, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Range {
    pub fn new(from: NaiveDate, to: NaiveDate, scale: Scale) -> Result<Self, RangeError> {
        if to < from {
            return Err(RangeError::Backwards);
        }
        let range = Self { from, to };
        if range.days() > scale.max_days() {
            return Err(RangeError::TooLong {
                days: scale.max_days(),
                scale: match scale {
                    Scale::Week => "weeks",
                    Scale::Month => "months",
                    Scale::Quarter => "quarters",
                },
            });
        }
        Ok(range)
    }

    /// The default view: from the unit before today's, a few units long.
    pub fn around(today: NaiveDate, scale: Scale) -> Self {
        let current = scale.unit_start(today);
        let from = scale.unit_start(current.pred_opt().unwrap_or(current));
        let mut end = from;
        for _ in 0..scale.default_units() {
            end = scale.next_unit(end).unwrap_or(end);
        }
        Self {
            from,
            to: end.pred_opt().filter(|&to| to >= from).unwrap_or(from),
        }
    }

    /// The whole units holding every bar, capped at the scale's longest range; around today
    /// when nothing is scheduled.
    pub fn fit(
        bars: impl Iterator<Item = (NaiveDate, NaiveDate)>,
        scale: Scale,
        today: NaiveDate,
    ) -> Self {
        let mut span: Option<(NaiveDate, NaiveDate)> = None;
        for (start, due) in bars {
            span = Some(match span {
                None => (start, due),
                Some((from, to)) => (from.min(start), to.max(due)),
            });
        }
        let Some((first, last)) = span else {
            return Self::around(today, scale);
        };
        let from = scale.unit_start(first);
        let to = scale
            .next_unit(scale.unit_start(last))
            .and_then(|next| next.pred_opt())
            .unwrap_or(NaiveDate::MAX);
        let longest = from
            .checked_add_signed(Duration::days(scale.max_days() - 1))
            .unwrap_or(NaiveDate::MAX);
        Self {
            from,
            to: to.min(longest),
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// A bar's place in pixels, clipped to the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub x: i64,
    pub width: i64,
    pub progress_width: i64,
}

impl Bar {
    pub fn end(&self) -> i64 {
        self.x + self.width
    }
}

/// A header unit: where it starts and how wide it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub date: NaiveDate,
    pub x: i64,
    pub width: i64,
    pub label: String,
}

/// A scale over a range: dates to x positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub scale: Scale,
    pub range: Range,
}

impl Timeline {
    /// The left edge of a day.
    pub fn x(&self, date: NaiveDate) -> i64 {
        (date - self.range.from).num_days() * self.scale.day_width()
    }

    pub fn width(&self) -> i64 {
        self.range.days() * self.scale.day_width()
    }

    /// A bar from the start of `start` to the end of `due`, or `None` when it lies wholly
    /// outside the range.
    pub fn bar(&self, start: NaiveDate, due: NaiveDate, progress: f64) -> Option<Bar> {
        if due < self.range.from || start > self.range.to {
            return None;
        }
        let left = self.x(start.max(self.range.from));
        let right = self.x(due.min(self.range.to)) + self.scale.day_width();
        // Progress is a share of the whole bar, so a clipped bar shows only its visible part.
        let full_left = self.x(start);
        let full_width = self.x(due) + self.scale.day_width() - full_left;
        let done =
            full_left + (full_width as f64 * progress.clamp(0.0, 100.0) / 100.0).round() as i64;
        Some(Bar {
            x: left,
            width: right - left,
            progress_width: done.clamp(left, right) - left,
        })
    }

    pub fn today_x(&self, today: NaiveDate) -> Option<i64> {
        (self.range.from <= today && today <= self.range.to)
            .then(|| self.x(today) + self.scale.day_width() / 2)
    }

    /// The header units; the first starts at the range's start even mid-unit.
    pub fn ticks(&self) -> Vec<Tick> {
        let mut ticks = Vec::new();
        let mut start = self.range.from;
        loop {
            let next = self
                .scale
                .next_unit(self.scale.unit_start(start))
                .filter(|&next| next > start);
            let end_x = next.map_or(self.width(), |next| self.x(next).min(self.width()));
            ticks.push(Tick {
                date: start,
                x: self.x(start),
                width: end_x - self.x(start),
                label: self.scale.tick_label(start),
            });
            match next {
                Some(next) if next <= self.range.to => start = next,
                _ => return ticks,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn timeline(scale: Scale, from: NaiveDate, to: NaiveDate) -> Timeline {
        Timeline {
            scale,
            range: Range::new(from, to, scale).unwrap_or(Range { from, to }),
        }
    }

    #[test]
    fn dates_map_to_pixels_per_scale() {
        for (scale, per_day) in [(Scale::Week, 20), (Scale::Month, 5), (Scale::Quarter, 2)] {
            let t = timeline(scale, day(2026, 1, 1), day(2026, 3, 31));
            assert_eq!(t.x(day(2026, 1, 1)), 0);
            assert_eq!(t.x(day(2026, 1, 11)), 10 * per_day);
            let bar = t.bar(day(2026, 1, 11), day(2026, 1, 20), 50.0);
            assert_eq!(
                bar,
                Some(Bar {
                    x: 10 * per_day,
                    width: 10 * per_day,
                    progress_width: 5 * per_day,
                })
            );
            assert_eq!(t.width(), 90 * per_day);
        }
    }

    #[test]
    fn bars_are_clipped_to_the_range_or_left_out() {
        let t = timeline(Scale::Week, day(2026, 1, 5), day(2026, 1, 18));
        let bar = t.bar(day(2026, 1, 1), day(2026, 1, 10), 100.0);
        assert_eq!(
            bar,
            Some(Bar {
                x: 0,
                width: 120,
                progress_width: 120,
            })
        );
        // Half of a 20-day bar is done by 31 Dec, before the range starts.
        let half = t.bar(day(2025, 12, 22), day(2026, 1, 10), 50.0);
        assert_eq!(half.map(|b| b.progress_width), Some(0));
        assert_eq!(t.bar(day(2026, 2, 1), day(2026, 2, 3), 0.0), None);
        assert_eq!(t.bar(day(2025, 2, 1), day(2025, 2, 3), 0.0), None);
    }

    #[test]
    fn ticks_follow_weeks_months_and_quarters() {
        let weeks = timeline(Scale::Week, day(2026, 1, 1), day(2026, 1, 18)).ticks();
        let dates: Vec<_> = weeks.iter().map(|t| (t.date, t.x, t.width)).collect();
        // 1 Jan 2026 is a Thursday: a partial first week, then Mondays.
        assert_eq!(
            dates,
            [
                (day(2026, 1, 1), 0, 80),
                (day(2026, 1, 5), 80, 140),
                (day(2026, 1, 12), 220, 140)
            ]
        );
        let quarters = timeline(Scale::Quarter, day(2026, 1, 1), day(2026, 12, 31)).ticks();
        let labels: Vec<_> = quarters.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]);
        let months = timeline(Scale::Month, day(2026, 1, 15), day(2026, 3, 31)).ticks();
        assert_eq!(months[1].date, day(2026, 2, 1));
        assert_eq!(months[1].x, 17 * 5);
    }

    #[test]
    fn ranges_are_checked_and_fitted() {
        assert_eq!(
            Range::new(day(2026, 2, 1), day(2026, 1, 1), Scale::Month),
            Err(RangeError::Backwards)
        );
        assert!(Range::new(day(2026, 1, 1), day(2028, 1, 1), Scale::Week).is_err());
        assert!(Range::new(day(2026, 1, 1), day(2028, 1, 1), Scale::Month).is_ok());
        let fitted = Range::fit(
            [
                (day(2026, 2, 10), day(2026, 3, 5)),
                (day(2026, 1, 20), day(2026, 2, 1)),
            ]
            .into_iter(),
            Scale::Month,
            day(2026, 6, 1),
        );
        assert_eq!(
            fitted,
            Range {
                from: day(2026, 1, 1),
                to: day(2026, 3, 31)
            }
        );
        let empty = Range::fit(std::iter::empty(), Scale::Week, day(2026, 1, 14));
        assert_eq!(empty.from, day(2026, 1, 5));
        assert_eq!(empty.days(), 12 * 7);
    }

    #[test]
    fn dates_at_chrono_limits_never_panic() {
        let (min, max) = (NaiveDate::MIN, NaiveDate::MAX);
        for scale in Scale::ALL.iter().copied() {
            let near_end = max - Duration::days(5);
            let fitted = Range::fit([(near_end, max)].into_iter(), scale, day(2026, 1, 1));
            assert_eq!(fitted.to, max);
            let spread = Range::fit([(min, max)].into_iter(), scale, day(2026, 1, 1));
            assert_eq!(spread.days(), scale.max_days());
            for range in [fitted, spread, Range { from: min, to: min }] {
                let t = Timeline { scale, range };
                let ticks = t.ticks();
                assert_eq!(ticks.iter().map(|t| t.width).sum::<i64>(), t.width());
                assert!(t.bar(min, max, 50.0).is_some());
            }
            assert!(Range::around(max, scale).days() >= 1);
            assert!(Range::around(min, scale).days() >= 1);
        }
    }

    #[test]
    fn today_is_marked_inside_the_range_only() {
        let t = timeline(Scale::Week, day(2026, 1, 5), day(2026, 1, 18));
        assert_eq!(t.today_x(day(2026, 1, 6)), Some(30));
        assert_eq!(t.today_x(day(2026, 1, 19)), None);
    }
}
