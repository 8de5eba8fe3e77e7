//! The gantt timeline of a workspace: which rows it shows (tree order, collapsed branches
//! left out, paged), where each bar sits on the chosen scale, the dependency arrows between
//! bars, and the CSV export. Everything but `plan` is pure geometry over dates, so the page
//! and its tests agree on every pixel.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, Duration, Months, NaiveDate};

use super::{OkrError, TreeRow};
use crate::db::AnyConnection;
use crate::scope::{self, Viewer};
use crate::text_enum;

/// Rows per page: large plans stay readable and render quickly.
pub const PAGE_SIZE: usize = 200;
/// Height of one row, and of the date header above the rows, in pixels.
pub const ROW_HEIGHT: i64 = 36;
pub const HEADER_HEIGHT: i64 = 44;

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

/// One item on the gantt, with the dates its bar uses.
#[derive(Debug, Clone)]
pub struct GanttRow {
    pub row: TreeRow,
    /// The start date, else the day the item was created, but never after the due date.
    pub start: NaiveDate,
    pub may_edit: bool,
}

impl GanttRow {
    pub fn due(&self) -> Option<NaiveDate> {
        self.row.item.due_date
    }
}

/// Everything the viewer may see of the workspace's plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Tree order.
    pub rows: Vec<GanttRow>,
    /// (from, to) item ids of links whose both ends are visible.
    pub links: Vec<(String, String)>,
}

impl Plan {
    /// Start and due of every scheduled item, for fitting the range.
    pub fn spans(&self) -> impl Iterator<Item = (NaiveDate, NaiveDate)> + '_ {
        self.rows
            .iter()
            .filter_map(|r| r.due().map(|due| (r.start, due)))
    }

    pub fn unscheduled(&self) -> impl Iterator<Item = &GanttRow> {
        self.rows.iter().filter(|r| r.due().is_none())
    }
}

/// The viewer's plan: visible items in tree order and the links between them, with the
/// visible set computed once.
pub fn plan(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Plan, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    let tree = super::tree_in(conn, viewer, &visible)?;
    // `tree` holds the live items the viewer may see.
    let live: HashSet<&str> = tree.iter().map(|r| r.item.id.as_str()).collect();
    let links = super::links::between(conn, viewer, &live)?
        .into_iter()
        .map(|link| (link.from_item_id, link.to_item_id))
        .collect();
    let editable = super::editable_ids(conn, viewer, &tree)?;
    let rows = tree
        .into_iter()
        .map(|row| {
            let created = row.item.created_at.date();
            let start = row.item.start_date.unwrap_or(created);
            let start = row.item.due_date.map_or(start, |due| start.min(due));
            let may_edit = editable.contains(&row.item.id);
            GanttRow {
                row,
                start,
                may_edit,
            }
        })
        .collect();
    Ok(Plan { rows, links })
}

/// A row as the chart draws it.
#[derive(Debug, Clone)]
pub struct ChartRow<'a> {
    pub row: &'a GanttRow,
    /// Top of the row in the chart.
    pub y: i64,
    pub bar: Option<Bar>,
    pub collapsed: bool,
    pub overdue: bool,
}

/// A dependency arrow between two bars on the page, as an SVG path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    pub from: String,
    pub to: String,
    pub path: String,
}

/// One page of the chart.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    pub timeline: Timeline,
    pub rows: Vec<ChartRow<'a>>,
    pub arrows: Vec<Arrow>,
    pub ticks: Vec<Tick>,
    pub today_x: Option<i64>,
    /// Page numbers from 1.
    pub page: usize,
    pub pages: usize,
    /// Rows shown over all pages (collapsed branches left out).
    pub shown: usize,
}

impl Chart<'_> {
    pub fn height(&self) -> i64 {
        HEADER_HEIGHT + ROW_HEIGHT * self.rows.len() as i64
    }
}

/// The rows left when the descendants of `collapsed` items are hidden.
pub fn expanded_rows<'a>(rows: &'a [GanttRow], collapsed: &HashSet<String>) -> Vec<&'a GanttRow> {
    let mut shown = Vec::with_capacity(rows.len());
    let mut hide_below: Option<usize> = None;
    for row in rows {
        let depth = row.row.depth;
        if hide_below.is_some_and(|d| depth > d) {
            continue;
        }
        hide_below =
            (row.row.has_children && collapsed.contains(&row.row.item.id)).then_some(depth);
        shown.push(row);
    }
    shown
}

/// Lays out page `page` (from 1; out-of-range pages show the last one) of the plan.
pub fn chart<'a>(
    plan: &'a Plan,
    timeline: Timeline,
    collapsed: &HashSet<String>,
    page: usize,
    today: NaiveDate,
) -> Chart<'a> {
    let shown = expanded_rows(&plan.rows, collapsed);
    let pages = shown.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let rows: Vec<ChartRow> = shown
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .enumerate()
        .map(|(index, row)| {
            let item = &row.row.item;
            ChartRow {
                row,
                y: HEADER_HEIGHT + ROW_HEIGHT * index as i64,
                bar: item
                    .due_date
                    .and_then(|due| timeline.bar(row.start, due, item.progress_computed)),
                collapsed: row.row.has_children && collapsed.contains(&item.id),
                overdue: row.row.is_overdue(today),
            }
        })
        .collect();
    let placed: HashMap<&str, (i64, Bar)> = rows
        .iter()
        .filter_map(|r| r.bar.map(|bar| (r.row.row.item.id.as_str(), (r.y, bar))))
        .collect();
    let arrows = plan
        .links
        .iter()
        .filter_map(|(from, to)| {
            let (from_y, from_bar) = placed.get(from.as_str())?;
            let (to_y, to_bar) = placed.get(to.as_str())?;
            Some(Arrow {
                from: from.clone(),
                to: to.clone(),
                path: arrow_path(*from_y, from_bar, *to_y, to_bar),
            })
        })
        .collect();
    Chart {
        ticks: timeline.ticks(),
        today_x: timeline.today_x(today),
        timeline,
        rows,
        arrows,
        page,
        pages,
        shown: shown.len(),
    }
}

/// From the end of one bar, out to the right, down (or up) to the other row, into its start.
fn arrow_path(from_y: i64, from: &Bar, to_y: i64, to: &Bar) -> String {
    let middle = ROW_HEIGHT / 2;
    let (x1, y1) = (from.end(), from_y + middle);
    let (x2, y2) = (to.x, to_y + middle);
    let elbow = x1 + 8;
    if x2 >= elbow + 8 {
        format!("M{x1} {y1}H{elbow}V{y2}H{x2}")
    } else {
        // The target starts before the source ends: go round between the rows.
        let between = if y2 > y1 { to_y } else { from_y };
        format!("M{x1} {y1}H{elbow}V{between}H{}V{y2}H{x2}", x2 - 8)
    }
}

/// The plan as CSV (title, type, owner, start, due, progress, status), every visible item
/// whatever is collapsed or paged.
pub fn csv(plan: &Plan) -> String {
    let mut out = String::from("title,type,owner,start,due,progress,status\r\n");
    for row in &plan.rows {
        let item = &row.row.item;
        let cells = [
            item.title.clone(),
            item.item_type.label().to_owned(),
            row.row.owner_name.clone(),
            row.start.to_string(),
            item.due_date.map(|d| d.to_string()).unwrap_or_default(),
            format!("{}", item.progress_computed.round()),
            item.action_status
                .map(|s| s.label().to_owned())
                .unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A cell quoted when needed; a leading = + - @ (or tab, carriage return) gets a `'` so a
/// spreadsheet shows it as text instead of running it as a formula.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
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

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@sum"), "'@sum");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }
}
