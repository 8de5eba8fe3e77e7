//! The check-in chart (DESIGN §3 "Check-ins"): a metric's value, or an item's progress, over
//! time against the expected line. Pure geometry in SVG user units, tested here; `series`
//! says what is drawn, the item page draws the SVG and repeats the same points in a table for
//! screen readers.

mod series;

pub use series::{Point, Series};

use chrono::{Datelike, NaiveDate};

use super::measure::Number;

/// The drawing's size in user units; the page scales it to its width.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 240.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

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

    #[test]
    fn long_ranges_label_months_and_dates_never_repeat() {
        let ticks = date_ticks(day(2027, 1, 1), day(2028, 1, 1));
        assert_eq!(ticks[0].1, "Jan 2027");
        let short = date_ticks(day(2027, 1, 1), day(2027, 1, 3));
        let days: Vec<_> = short.iter().map(|t| t.0).collect();
        assert_eq!(days, [day(2027, 1, 1), day(2027, 1, 2), day(2027, 1, 3)]);
    }
}
