//! The check-in chart (DESIGN §3 "Check-ins"): a metric's value, or an item's progress, over
//! time against the expected line, straight from the baseline at the item's start (its start
//! date, else the day it was created) to the target at its due date; no line without a due
//! date. A stay-at metric holds its line, so its expected line is the target, flat. Pure:
//! the points and the geometry in SVG user units, tested here; the item page draws the SVG
//! and repeats the same points in a table for screen readers.

use chrono::{Datelike, NaiveDate};

use super::check_ins::CheckIn;
use super::measure::{KeyResultMeasure, MetricKind, Number};
use super::Item;

/// The drawing's size in user units; the page scales it to its width.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

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

/// A label on an axis, at `at` (x for dates, y for values).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// A reading as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub point: Point,
}

/// A straight line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
}

/// The chart as drawn: the plot area, the readings joined by a line, the expected line,
/// today's mark and the axes' labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// The readings joined, as an SVG path (`M x y L x y …`).
    pub line: String,
    pub dots: Vec<Dot>,
    pub expected: Option<Segment>,
    /// Where today is, when it falls in the range.
    pub today: Option<f64>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
}

/// Draws a series: dates run from the first of the start and the first reading to the last of
/// the due date, today and the last reading; values span the readings and the expected line
/// in round steps (progress: 0 to 100).
pub fn draw(series: &Series) -> Chart {
    let first = series
        .points
        .iter()
        .map(|p| p.on)
        .chain([series.start])
        .min()
        .unwrap_or(series.start);
    let last = series
        .points
        .iter()
        .map(|p| p.on)
        .chain(series.due)
        .chain([series.today])
        .max()
        .unwrap_or(series.today)
        .max(first + chrono::Duration::days(1));
    let span_days = (last - first).num_days() as f64;
    let (left, right, top, bottom) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let x = |day: NaiveDate| left + (day - first).num_days() as f64 / span_days * (right - left);

    let expected = series
        .due
        .filter(|due| *due > series.start)
        .and_then(|due| {
            Some((
                (series.start, series.expected_on(series.start)?),
                (due, series.expected_on(due)?),
            ))
        });
    let (low, high, step) = if series.percent {
        (0.0, 100.0, 25.0)
    } else {
        let values = series
            .points
            .iter()
            .map(|p| p.value)
            .chain(expected.iter().flat_map(|(a, b)| [a.1, b.1]))
            .chain([series.baseline, series.target]);
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        round_range(low, high)
    };
    let y = |value: f64| bottom - (value - low) / (high - low) * (bottom - top);

    let dots: Vec<Dot> = series
        .points
        .iter()
        .map(|point| Dot {
            x: x(point.on),
            y: y(point.value),
            point: point.clone(),
        })
        .collect();
    let line = dots
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{}{:.1} {:.1}", if i == 0 { "M" } else { " L" }, d.x, d.y))
        .collect();
    let expected = expected.map(|((from, a), (to, b))| Segment {
        x1: x(from),
        y1: y(a),
        x2: x(to),
        y2: y(b),
    });
    let today = (first..=last)
        .contains(&series.today)
        .then(|| x(series.today));
    let label_decimals = (0..=4)
        .find(|d| ((step * 10f64.powi(*d as i32)).fract()).abs() < 1e-9)
        .unwrap_or(4);
    let steps = ((high - low) / step).round() as usize;
    let y_ticks = (0..=steps)
        .map(|i| {
            let value = low + step * i as f64;
            Tick {
                at: y(value),
                label: value_label(value, label_decimals, series.percent),
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left,
        right,
        top,
        bottom,
        line,
        dots,
        expected,
        today,
        x_ticks: date_ticks(first, last)
            .into_iter()
            .map(|(day, label)| Tick { at: x(day), label })
            .collect(),
        y_ticks,
    }
}

/// A round range around `low..high` in about four steps of 1, 2, 2.5 or 5 times a power of
/// ten: (low, high, step).
fn round_range(low: f64, high: f64) -> (f64, f64, f64) {
    let (low, high) = if (high - low).abs() < 1e-9 {
        let pad = (low.abs() / 10.0).max(1.0);
        (low - pad, high + pad)
    } else {
        (low, high)
    };
    let raw = (high - low) / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw - 1e-12)
        .unwrap_or(10.0 * magnitude);
    (
        (low / step).floor() * step,
        (high / step).ceil() * step,
        step,
    )
}

/// A value label: thousands separated, with the step's decimals; progress with " %".
fn value_label(value: f64, decimals: u32, percent: bool) -> String {
    let text = Number::from_stored(&format!("{value:.*}", decimals as usize)).map_or_else(
        || format!("{value:.*}", decimals as usize),
        |n| n.display(decimals),
    );
    if percent {
        format!("{text} %")
    } else {
        text
    }
}

/// Up to five dates spread over the range, labelled by day and month (by month and year over
/// long ranges).
fn date_ticks(first: NaiveDate, last: NaiveDate) -> Vec<(NaiveDate, String)> {
    let days = (last - first).num_days();
    let parts = days.min(4);
    let long = days > 300;
    let mut ticks: Vec<(NaiveDate, String)> = Vec::new();
    for i in 0..=parts {
        let day = first + chrono::Duration::days(days * i / parts.max(1));
        let label = if long {
            format!("{} {}", month(day), day.year())
        } else {
            format!("{} {}", day.day(), month(day))
        };
        if ticks.last().is_none_or(|(d, _)| *d != day) {
            ticks.push((day, label));
        }
    }
    ticks
}

fn month(day: NaiveDate) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS[day.month0() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn point(on: NaiveDate, value: f64) -> Point {
        Point {
            on,
            value,
            label: value.to_string(),
            confidence: Some(6),
        }
    }

    fn series(points: Vec<Point>, due: Option<NaiveDate>) -> Series {
        Series {
            start: day(2027, 1, 1),
            due,
            today: day(2027, 1, 21),
            baseline: 0.0,
            target: 20.0,
            holds_line: false,
            percent: false,
            decimals: 0,
            points,
        }
    }

    #[test]
    fn the_expected_line_runs_from_baseline_at_the_start_to_target_at_the_due_date() {
        let s = series(vec![], Some(day(2027, 1, 11)));
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
        assert_eq!(series(vec![], None).expected_on(day(2027, 1, 6)), None);
        let backwards = series(vec![], Some(day(2026, 12, 1)));
        assert_eq!(backwards.expected_on(day(2027, 1, 6)), None);
        let held = Series {
            holds_line: true,
            ..series(vec![], Some(day(2027, 1, 11)))
        };
        assert_eq!(
            held.expected_on(day(2027, 1, 2)),
            Some(20.0),
            "the line to hold"
        );
    }

    #[test]
    fn geometry_places_dates_left_to_right_and_values_bottom_to_top() {
        let s = series(
            vec![point(day(2027, 1, 1), 0.0), point(day(2027, 1, 21), 12.0)],
            Some(day(2027, 1, 31)),
        );
        let chart = draw(&s);
        let (first, last) = (&chart.dots[0], &chart.dots[1]);
        assert_eq!(first.x, chart.left, "the start is the left edge");
        assert_eq!(
            first.y, chart.bottom,
            "0 is the bottom: the range starts at 0"
        );
        assert!(last.x > first.x && last.x < chart.right);
        assert!(last.y < first.y, "12 is above 0");
        assert_eq!(chart.today, Some(last.x), "the last reading is today");
        let expected = chart.expected.expect("a due date draws the expected line");
        assert_eq!((expected.x1, expected.y1), (chart.left, chart.bottom));
        assert_eq!(expected.x2, chart.right, "the due date ends the range");
        assert!(expected.y2 < last.y, "20 is above 12");
        assert!(chart.line.starts_with('M') && chart.line.contains(" L"));
        let labels: Vec<&str> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "5", "10", "15", "20"]);
        assert_eq!(chart.x_ticks[0].label, "1 Jan");
        assert_eq!(
            chart.x_ticks.last().map(|t| t.label.as_str()),
            Some("31 Jan")
        );
    }

    #[test]
    fn without_a_due_date_there_is_no_expected_line_and_the_range_ends_today() {
        let chart = draw(&series(vec![point(day(2027, 1, 11), 5.0)], None));
        assert_eq!(chart.expected, None);
        assert_eq!(chart.today, Some(chart.right));
    }

    #[test]
    fn value_ranges_are_round_and_hold_every_reading() {
        assert_eq!(round_range(0.0, 20.0), (0.0, 20.0, 5.0));
        let (low, high, step) = round_range(199.0, 800.0);
        assert!(
            low <= 199.0 && high >= 800.0 && step == 200.0,
            "{low} {high} {step}"
        );
        let (low, high, _) = round_range(99.5, 99.9);
        assert!(
            low <= 99.5 && high >= 99.9 && high - low < 1.0,
            "{low} {high}"
        );
        let (low, high, _) = round_range(7.0, 7.0);
        assert!(low < 7.0 && high > 7.0, "one value still gets a range");
        let percent = draw(&Series {
            percent: true,
            ..series(vec![point(day(2027, 1, 5), 40.0)], None)
        });
        let labels: Vec<&str> = percent.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0 %", "25 %", "50 %", "75 %", "100 %"]);
        let decimals = draw(&Series {
            baseline: 0.0,
            target: 2.0,
            ..series(vec![point(day(2027, 1, 5), 1.0)], None)
        });
        assert_eq!(decimals.y_ticks[1].label, "0.5");
    }

    fn item(measure: &str) -> Item {
        let created = day(2027, 1, 1).and_hms_opt(9, 0, 0).unwrap_or_default();
        Item {
            id: "kr".into(),
            organization_id: "o".into(),
            workspace_id: "w".into(),
            item_type: super::super::ItemType::KeyResult,
            title: "Ten deals".into(),
            description: None,
            owner_user_id: "u".into(),
            parent_id: None,
            start_date: None,
            due_date: Some(day(2027, 3, 31)),
            action_status: None,
            story_points: None,
            progress_computed: 40.0,
            sort_order: 0,
            position_x: None,
            position_y: None,
            deleted_at: None,
            deleted_by_user_id: None,
            created_at: created,
            updated_at: created,
            measure: super::super::measure::Measure::parse(measure)
                .unwrap_or(super::super::measure::Measure::Actions),
            metric_kind: Some(MetricKind::IncreaseTo),
            baseline: Number::from_stored("0"),
            target: Number::from_stored("20"),
            unit: Some("deals".into()),
            decimals: 0,
            weight: 1.0,
            current_value: None,
            current_done: None,
            last_check_in_on: None,
            last_confidence: Some(6),
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

    #[test]
    fn long_ranges_label_months_and_dates_never_repeat() {
        let ticks = date_ticks(day(2027, 1, 1), day(2028, 1, 1));
        assert_eq!(ticks[0].1, "Jan 2027");
        let short = date_ticks(day(2027, 1, 1), day(2027, 1, 3));
        let days: Vec<_> = short.iter().map(|t| t.0).collect();
        assert_eq!(days, [day(2027, 1, 1), day(2027, 1, 2), day(2027, 1, 3)]);
    }
}
