//! The gantt timeline of a workspace: which rows it shows (tree order, collapsed branches
//! left out, paged), where each bar sits on the chosen scale, the dependency arrows between
//! bars, and the CSV export. Everything but `plan` is pure geometry over dates, so the page
//! and its tests agree on every pixel (the geometry lives in `timeline`).

mod timeline;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

pub use timeline::{Bar, Range, RangeError, Scale, Tick, Timeline};

use super::{OkrError, TreeRow};
use crate::cycles::{self, Cycle, CycleFilter};
use crate::db::AnyConnection;
use crate::scope::{self, Viewer};

/// Rows per page: large plans stay readable and render quickly.
pub const PAGE_SIZE: usize = 200;
/// Height of one row, and of the date header above the rows, in pixels.
pub const ROW_HEIGHT: i64 = 36;
pub const HEADER_HEIGHT: i64 = 44;

/// One item on the gantt, with the dates its bar uses.
#[derive(Debug, Clone)]
pub struct GanttRow {
    pub row: TreeRow,
    /// The start date, else its cycle's first day, else the day the item was created, but
    /// never after the due date.
    pub start: NaiveDate,
    /// The due date, else its cycle's last day (the period pace runs over).
    due: Option<NaiveDate>,
    pub may_edit: bool,
}

impl GanttRow {
    pub fn due(&self) -> Option<NaiveDate> {
        self.due
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

/// The viewer's plan in a cycle (or the backlog, or all): visible items in tree order and
/// the links between them, with the visible set computed once.
pub fn plan(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    cycle: &CycleFilter,
) -> Result<Plan, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    let mut tree = super::tree_in(conn, viewer, &visible)?;
    tree.retain(|row| cycle.admits(row.item.cycle_id.as_deref()));
    // `tree` holds the live items the viewer may see.
    let live: HashSet<&str> = tree.iter().map(|r| r.item.id.as_str()).collect();
    let links = super::links::between(conn, viewer, &live)?
        .into_iter()
        .map(|link| (link.from_item_id, link.to_item_id))
        .collect();
    let editable = super::editable_ids(conn, viewer, &tree)?;
    let cycles: HashMap<String, Cycle> = cycles::list(conn, &viewer.organization_id)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let rows = tree
        .into_iter()
        .map(|row| {
            let item = &row.item;
            let cycle = item.cycle_id.as_ref().and_then(|id| cycles.get(id));
            let start = item
                .start_date
                .or(cycle.map(|c| c.start_date))
                .unwrap_or(item.created_at.date());
            let due = item.due_date.or(cycle.map(|c| c.end_date));
            let start = due.map_or(start, |due| start.min(due));
            let may_edit = editable.contains(&item.id);
            GanttRow {
                row,
                start,
                due,
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
                bar: row
                    .due()
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
        out.push_str(&crate::csv::line(&cells));
    }
    out
}
