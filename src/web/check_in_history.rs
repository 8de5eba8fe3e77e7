//! The item page's check-ins (DESIGN §3 "Check-ins"): the history newest first, with what
//! the viewer may do to each, and the chart of the value or progress against the expected
//! line (`okr::chart`), in the words and numbers the page shows.

use chrono::NaiveDate;

use crate::markdown;
use crate::okr::chart::{self, Chart, Dot, Point, Series};
use crate::okr::check_ins::{CheckIn, CheckInEntry};
use crate::okr::measure::{KeyResultMeasure, Number};
use crate::okr::status::Status;
use crate::okr::Item;

/// The item page's check-ins: the history newest first, with what the viewer may do to
/// each, and the chart.
pub struct CheckInSection {
    pub entries: Vec<CheckInEntry>,
    pub series: Series,
    pub chart: Chart,
    pub can_check_in: bool,
    measure: KeyResultMeasure,
}

impl CheckInSection {
    pub fn new(item: &Item, entries: Vec<CheckInEntry>, today: NaiveDate, can_edit: bool) -> Self {
        let check_ins: Vec<CheckIn> = entries.iter().map(|e| e.check_in.clone()).collect();
        let series = Series::of(item, &check_ins, today);
        Self {
            chart: chart::draw(&series),
            series,
            entries,
            can_check_in: can_edit,
            measure: item.key_result_measure(),
        }
    }

    /// What a check-in reported: "12 deals", "Done"; nothing for a key result measured by
    /// its actions or an objective.
    pub(super) fn reading(&self, check_in: &CheckIn) -> Option<String> {
        match (&self.measure, check_in.value, check_in.done) {
            (KeyResultMeasure::Metric(metric), Some(value), _) => Some(metric.with_unit(value)),
            (KeyResultMeasure::Milestone, _, Some(true)) => Some("Done".into()),
            (KeyResultMeasure::Milestone, _, _) => Some("Not done".into()),
            _ => None,
        }
    }

    pub(super) fn band(&self, check_in: &CheckIn) -> Status {
        Status::of_confidence(check_in.confidence)
    }

    /// A reading's confidence band, for its dot's colour (the baseline has none).
    pub(super) fn dot_band(&self, dot: &Dot) -> Option<&'static str> {
        dot.point
            .confidence
            .map(|c| Status::of_confidence(c).as_str())
    }

    /// The note as sanitized HTML (`markdown::to_html`), safe to put in the page as it is.
    pub(super) fn note_html(&self, check_in: &CheckIn) -> Option<String> {
        check_in.note.as_deref().map(markdown::to_html)
    }

    /// What was expected on a reading's day, in the reading's terms.
    pub(super) fn expected(&self, point: &Point) -> Option<String> {
        let value = self.series.expected_on(point.on)?;
        Some(match &self.measure {
            KeyResultMeasure::Metric(metric) => {
                let shown = format!("{value:.*}", metric.decimals as usize);
                Number::from_stored(&shown).map_or(shown, |n| metric.with_unit(n))
            }
            _ => format!("{} %", value.round()),
        })
    }

    /// What the chart's vertical axis counts.
    pub(super) fn axis(&self) -> String {
        match &self.measure {
            KeyResultMeasure::Metric(metric) => metric
                .unit
                .clone()
                .map_or("Value".to_owned(), |unit| format!("Value ({unit})")),
            _ => "Progress".to_owned(),
        }
    }

    /// The chart in one sentence, for screen readers and as the figure's caption.
    pub(super) fn summary(&self) -> String {
        let latest = self.series.points.last().map(|p| p.label.clone());
        let expected = self.series.due.and_then(|due| {
            let point = Point {
                on: due,
                value: 0.0,
                label: String::new(),
                confidence: None,
            };
            Some(format!(
                "expected {} by {}",
                self.expected(&point)?,
                due.format("%-d %b %Y")
            ))
        });
        match (latest, expected) {
            (Some(latest), Some(expected)) => format!("Now {latest}; {expected}."),
            (Some(latest), None) => format!("Now {latest}; no due date, so no expected line."),
            (None, Some(expected)) => format!("No readings yet; {expected}."),
            (None, None) => "No readings yet.".to_owned(),
        }
    }
}
