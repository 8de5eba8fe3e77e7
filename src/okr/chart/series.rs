//! What the check-in chart shows (DESIGN §3 "Check-ins"): an item's readings, oldest first,
//! and what was expected of them, on the straight line from the baseline at the item's start
//! (its start date, else the day it was created) to the target at its due date; no line
//! without a due date. A stay-at metric holds its line, so its expected line is the target,
//! flat.

use chrono::NaiveDate;

use crate::okr::check_ins::CheckIn;
use crate::okr::measure::{KeyResultMeasure, MetricKind};
use crate::okr::Item;

/// One reading on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub on: NaiveDate,
    pub value: f64,
    /// The value as people read it: "12 deals", "Done", "40 %".
    pub label: String,
    /// The check-in's confidence, where the point is one.
    pub confidence: Option<i32>,
}

/// What the chart shows: the readings, oldest first, and what was expected of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub start: NaiveDate,
    pub due: Option<NaiveDate>,
    pub today: NaiveDate,
    /// Where the expected line starts and ends (a metric's baseline and target; 0 and 100
    /// for progress).
    pub baseline: f64,
    pub target: f64,
    /// A stay-at metric: the expected line is the target, held.
    pub holds_line: bool,
    /// Progress charts always span 0..100; metrics span their values.
    pub percent: bool,
    /// Decimals of the value labels.
    pub decimals: u32,
    pub points: Vec<Point>,
}

impl Series {
    /// An item's chart from its live check-ins (in any order): a metric's values from its
    /// baseline, a milestone's done (100) or not (0), and for key results measured by their
    /// actions and for objectives, whose check-ins carry no value, the progress today.
    pub fn of(item: &Item, check_ins: &[CheckIn], today: NaiveDate) -> Self {
        let start = item.start_date.unwrap_or(item.created_at.date());
        let mut check_ins: Vec<&CheckIn> = check_ins.iter().collect();
        check_ins.sort_by_key(|c| (c.effective_on, c.created_at));
        // Where it started shows, unless the first reading speaks for a day before the start.
        let begins_before = |points: &[Point]| points.first().is_none_or(|p| start <= p.on);
        let series = |baseline, target, holds_line, percent, decimals, points| Self {
            start,
            due: item.due_date,
            today,
            baseline,
            target,
            holds_line,
            percent,
            decimals,
            points,
        };
        match item.key_result_measure() {
            KeyResultMeasure::Metric(metric) => {
                let mut points: Vec<Point> = check_ins
                    .iter()
                    .filter_map(|c| {
                        c.value.map(|value| Point {
                            on: c.effective_on,
                            value: value.to_f64(),
                            label: metric.with_unit(value),
                            confidence: Some(c.confidence),
                        })
                    })
                    .collect();
                if begins_before(&points) {
                    points.insert(
                        0,
                        Point {
                            on: start,
                            value: metric.baseline.to_f64(),
                            label: format!("{} (baseline)", metric.with_unit(metric.baseline)),
                            confidence: None,
                        },
                    );
                }
                let holds_line = matches!(
                    metric.kind,
                    MetricKind::StayAtOrAbove | MetricKind::StayAtOrBelow
                );
                let (baseline, target) = (metric.baseline.to_f64(), metric.target.to_f64());
                series(baseline, target, holds_line, false, metric.decimals, points)
            }
            KeyResultMeasure::Milestone => {
                let done = |done: bool| Point {
                    on: start,
                    value: if done { 100.0 } else { 0.0 },
                    label: if done { "Done" } else { "Not done" }.to_owned(),
                    confidence: None,
                };
                let mut points: Vec<Point> = check_ins
                    .iter()
                    .map(|c| Point {
                        on: c.effective_on,
                        confidence: Some(c.confidence),
                        ..done(c.done == Some(true))
                    })
                    .collect();
                if begins_before(&points) {
                    points.insert(0, done(false));
                }
                series(0.0, 100.0, false, true, 0, points)
            }
            KeyResultMeasure::Actions => {
                let now = Point {
                    on: today,
                    value: item.progress_computed,
                    label: format!("{} %", item.progress_computed.round()),
                    confidence: item.last_confidence,
                };
                series(0.0, 100.0, false, true, 0, vec![now])
            }
        }
    }

    /// What was expected on a day: on the straight line from the baseline at the start to the
    /// target at the due date (before the start, the baseline; after the due date, the
    /// target), or the target a stay-at metric holds. `None` without a due date after the
    /// start.
    pub fn expected_on(&self, day: NaiveDate) -> Option<f64> {
        let due = self.due.filter(|due| *due > self.start)?;
        if self.holds_line {
            return Some(self.target);
        }
        let length = (due - self.start).num_days() as f64;
        let elapsed = ((day - self.start).num_days() as f64).clamp(0.0, length);
        Some(self.baseline + (self.target - self.baseline) * elapsed / length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okr::measure::{Measure, Number};
    use crate::okr::ItemType;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn series(due: Option<NaiveDate>) -> Series {
        Series {
            start: day(2027, 1, 1),
            due,
            today: day(2027, 1, 21),
            baseline: 0.0,
            target: 20.0,
            holds_line: false,
            percent: false,
            decimals: 0,
            points: vec![],
        }
    }

    #[test]
    fn the_expected_line_runs_from_baseline_at_the_start_to_target_at_the_due_date() {
        let s = series(Some(day(2027, 1, 11)));
        assert_eq!(s.expected_on(day(2027, 1, 1)), Some(0.0));
        assert_eq!(s.expected_on(day(2027, 1, 6)), Some(10.0));
        assert_eq!(s.expected_on(day(2027, 1, 11)), Some(20.0));
        assert_eq!(
            s.expected_on(day(2027, 3, 1)),
            Some(20.0),
            "after the due date"
        );
        assert_eq!(
            s.expected_on(day(2026, 12, 1)),
            Some(0.0),
            "before the start"
        );
        assert_eq!(series(None).expected_on(day(2027, 1, 6)), None);
        let backwards = series(Some(day(2026, 12, 1)));
        assert_eq!(backwards.expected_on(day(2027, 1, 6)), None);
        let held = Series {
            holds_line: true,
            ..series(Some(day(2027, 1, 11)))
        };
        assert_eq!(
            held.expected_on(day(2027, 1, 2)),
            Some(20.0),
            "the line to hold"
        );
    }

    fn item(measure: &str) -> Item {
        let created = day(2027, 1, 1).and_hms_opt(9, 0, 0).unwrap_or_default();
        Item {
            title: "Ten deals".into(),
            due_date: Some(day(2027, 3, 31)),
            progress_computed: 40.0,
            created_at: created,
            updated_at: created,
            measure: Measure::parse(measure).unwrap_or(Measure::Actions),
            metric_kind: Some(MetricKind::IncreaseTo),
            baseline: Number::from_stored("0"),
            target: Number::from_stored("20"),
            unit: Some("deals".into()),
            last_confidence: Some(6),
            ..Item::sample("kr", ItemType::KeyResult, None)
        }
    }

    fn check_in(on: NaiveDate, value: Option<&str>, done: Option<bool>) -> CheckIn {
        let at = on.and_hms_opt(12, 0, 0).unwrap_or_default();
        CheckIn {
            id: on.to_string(),
            organization_id: "o".into(),
            workspace_id: "w".into(),
            item_id: "kr".into(),
            author_user_id: "u".into(),
            effective_on: on,
            value: value.and_then(Number::from_stored),
            done,
            confidence: 6,
            note: None,
            created_at: at,
            updated_at: at,
            deleted_at: None,
            deleted_by_user_id: None,
        }
    }

    #[test]
    fn a_metric_starts_at_its_baseline_and_takes_its_check_ins_oldest_first() {
        let today = day(2027, 2, 1);
        let newest_first = [
            check_in(day(2027, 1, 20), Some("12"), None),
            check_in(day(2027, 1, 10), Some("5"), None),
        ];
        let s = Series::of(&item("metric"), &newest_first, today);
        let labels: Vec<&str> = s.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["0 deals (baseline)", "5 deals", "12 deals"]);
        assert_eq!(
            s.points[0].on,
            day(2027, 1, 1),
            "the start is the day it was created"
        );
        assert_eq!((s.baseline, s.target, s.percent), (0.0, 20.0, false));
        let on_the_first_day = [check_in(day(2027, 1, 1), Some("3"), None)];
        let s = Series::of(&item("metric"), &on_the_first_day, today);
        assert_eq!(
            s.points.len(),
            2,
            "a check-in on the start day still shows the start"
        );
        let before_the_start = [check_in(day(2026, 12, 20), Some("3"), None)];
        let s = Series::of(&item("metric"), &before_the_start, today);
        assert_eq!(
            s.points.len(),
            1,
            "a reading before the start has nothing before it"
        );
    }

    #[test]
    fn milestones_chart_done_as_100_and_actions_their_progress_today() {
        let today = day(2027, 2, 1);
        let s = Series::of(
            &item("milestone"),
            &[check_in(day(2027, 1, 20), None, Some(true))],
            today,
        );
        let values: Vec<f64> = s.points.iter().map(|p| p.value).collect();
        assert_eq!(values, [0.0, 100.0]);
        assert_eq!(s.points[1].label, "Done");
        assert!(s.percent);
        let s = Series::of(
            &item("actions"),
            &[check_in(day(2027, 1, 20), None, None)],
            today,
        );
        assert_eq!(s.points.len(), 1);
        assert_eq!((s.points[0].on, s.points[0].value), (today, 40.0));
        assert_eq!(s.points[0].label, "40 %");
    }
}
