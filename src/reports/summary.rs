//! What an OKR summary says, computed from what its requester may see (`scope`): version 1
//! of the stored `output_json`. Every row names its item's id, so a reader who sees less
//! today can have the rows they may not see withheld (`Summary::for_reader`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cycles::{Cycle, CycleFilter};
use crate::db::AnyConnection;
use crate::okr::check_ins::CheckIn;
use crate::okr::measure::KeyResultMeasure;
use crate::okr::status::{self, Status};
use crate::okr::{self, ActionStatus, ItemType, OkrError, TreeFilter, TreeRow};
use crate::schema::check_ins;
use crate::scope::{Viewer, Visible};

/// The version of the shape below; a reader of stored reports branches on it.
pub const VERSION: u32 = 1;

/// How far back "completed lately" looks.
pub const COMPLETED_DAYS: i64 = 14;

/// The most points on the progress-over-time line (one a week).
const MAX_WEEKS: i64 = 53;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleRef {
    pub id: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

/// An objective's standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveRow {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub progress: f64,
    pub status: Option<Status>,
    /// The progress expected today, where the objective has a period.
    pub expected: Option<f64>,
}

/// A key result off track or at risk, with what its latest check-in said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionRow {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub status: Status,
    pub progress: f64,
    pub note: Option<String>,
    pub noted_on: Option<NaiveDate>,
}

/// An item of any type, with the figure the list is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub id: String,
    pub item_type: ItemType,
    pub title: String,
    pub owner: String,
    pub progress: f64,
    pub expected: Option<f64>,
    pub due_date: Option<NaiveDate>,
    /// For completions: the day it was done (its last change).
    pub on: Option<NaiveDate>,
}

/// How many key results were checked in on within the cadence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub key_results: usize,
    pub updated: usize,
    /// The key results not updated within the cadence.
    pub not_updated: Vec<ItemRow>,
}

impl Coverage {
    pub fn share(&self) -> Option<f64> {
        (self.key_results > 0).then(|| self.updated as f64 * 100.0 / self.key_results as f64)
    }
}

/// One owner's open actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Load {
    pub owner: String,
    pub open_actions: usize,
    pub story_points: u32,
}

/// Workspace progress on a day, from check-ins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressPoint {
    pub on: NaiveDate,
    pub progress: f64,
}

/// The narrative paragraph and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Narrative {
    pub text: String,
    /// `template` or `llm`.
    pub source: String,
    /// Why a configured model's narrative is not the one shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub version: u32,
    pub workspace: String,
    pub cycle: Option<CycleRef>,
    pub as_of: NaiveDate,
    /// The mean progress of the top-level objectives.
    pub progress: Option<f64>,
    /// The mean expected progress of those with a period.
    pub expected: Option<f64>,
    /// Objectives and key results by status.
    pub status_counts: BTreeMap<String, usize>,
    pub objectives: Vec<ObjectiveRow>,
    pub attention: Vec<AttentionRow>,
    pub behind_pace: Vec<ItemRow>,
    pub overdue: Vec<ItemRow>,
    pub completed: Vec<ItemRow>,
    pub coverage: Coverage,
    pub load: Vec<Load>,
    pub progress_over_time: Vec<ProgressPoint>,
    pub narrative: Narrative,
    /// Rows left out for this reader (0 as built).
    #[serde(default)]
    pub withheld: usize,
    /// The totals (progress, counts, coverage, load, the line) left out for this reader:
    /// they were computed over items the reader cannot see.
    #[serde(default)]
    pub totals_withheld: bool,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn row(row: &TreeRow, expected: Option<f64>) -> ItemRow {
    ItemRow {
        id: row.item.id.clone(),
        item_type: row.item.item_type,
        title: row.item.title.clone(),
        owner: row.owner_name.clone(),
        progress: row.item.progress_computed,
        expected,
        due_date: row.item.due_date,
        on: None,
    }
}

/// Builds the summary of `cycle` (or of everything) as `viewer` may see it on `today`.
pub fn build(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    workspace: &str,
    cycle: Option<&Cycle>,
    today: NaiveDate,
) -> Result<(Summary, Vec<String>), OkrError> {
    let statuses = status::statuses(conn, viewer, today)?;
    let filter = TreeFilter {
        cycle: cycle.map_or(CycleFilter::All, |c| CycleFilter::Cycle(c.id.clone())),
        ..TreeFilter::default()
    };
    let rows = okr::filtered_tree(conn, viewer, &filter, &statuses)?;
    let ids: Vec<String> = rows.iter().map(|r| r.item.id.clone()).collect();
    let key_results: Vec<&TreeRow> = rows
        .iter()
        .filter(|r| r.item.item_type == ItemType::KeyResult)
        .collect();
    let kr_ids: Vec<&str> = key_results.iter().map(|r| r.item.id.as_str()).collect();
    let readings: Vec<CheckIn> = check_ins::table
        .filter(check_ins::item_id.eq_any(&kr_ids))
        .filter(check_ins::deleted_at.is_null())
        .order((check_ins::effective_on.asc(), check_ins::created_at.asc()))
        .select(CheckIn::as_select())
        .load(conn)?;
    let mut by_item: HashMap<&str, Vec<&CheckIn>> = HashMap::new();
    for reading in &readings {
        by_item
            .entry(reading.item_id.as_str())
            .or_default()
            .push(reading);
    }

    let tops: Vec<&TreeRow> = rows
        .iter()
        .filter(|r| r.item.item_type == ItemType::Objective && r.depth == 0)
        .collect();
    let expected_of = |r: &TreeRow| statuses.pace(&r.item).map(|p| p.expected);
    let mut status_counts = BTreeMap::new();
    for r in rows.iter().filter(|r| r.item.item_type != ItemType::Action) {
        if let Some(status) = statuses.of(&r.item) {
            *status_counts.entry(status.as_str().to_owned()).or_insert(0) += 1;
        }
    }
    let objectives = tops
        .iter()
        .map(|r| ObjectiveRow {
            id: r.item.id.clone(),
            title: r.item.title.clone(),
            owner: r.owner_name.clone(),
            progress: r.item.progress_computed,
            status: statuses.of(&r.item),
            expected: expected_of(r),
        })
        .collect();
    let mut attention: Vec<AttentionRow> = key_results
        .iter()
        .filter_map(|r| {
            let status = statuses.of(&r.item)?;
            matches!(status, Status::OffTrack | Status::AtRisk).then(|| {
                let latest = by_item.get(r.item.id.as_str()).and_then(|c| c.last());
                AttentionRow {
                    id: r.item.id.clone(),
                    title: r.item.title.clone(),
                    owner: r.owner_name.clone(),
                    status,
                    progress: r.item.progress_computed,
                    note: latest.and_then(|c| c.note.clone()),
                    noted_on: latest.map(|c| c.effective_on),
                }
            })
        })
        .collect();
    // Off track before at risk, tree order within each.
    attention.sort_by_key(|r| r.status != Status::OffTrack);
    let behind_pace = rows
        .iter()
        .filter_map(|r| statuses.behind(&r.item).map(|p| row(r, Some(p.expected))))
        .collect();
    let overdue = rows
        .iter()
        .filter(|r| r.is_overdue(today))
        .map(|r| row(r, None))
        .collect();
    let since = today - Duration::days(COMPLETED_DAYS);
    let completed = rows
        .iter()
        .filter(|r| r.item.progress_computed >= 100.0)
        .filter_map(|r| {
            let on = match r.item.item_type {
                ItemType::Action => r.item.updated_at.date(),
                _ => r.item.last_check_in_on.unwrap_or(r.item.updated_at.date()),
            };
            (on > since && on <= today).then(|| ItemRow {
                on: Some(on),
                ..row(r, None)
            })
        })
        .collect();
    let not_updated: Vec<ItemRow> = key_results
        .iter()
        .filter(|r| r.item.progress_computed < 100.0)
        .filter(|r| !viewer.cadence.is_fresh(r.item.last_check_in_on, today))
        .map(|r| row(r, None))
        .collect();
    let open_krs = key_results
        .iter()
        .filter(|r| r.item.progress_computed < 100.0)
        .count();
    let coverage = Coverage {
        key_results: open_krs,
        updated: open_krs - not_updated.len(),
        not_updated,
    };
    let mut load: BTreeMap<String, Load> = BTreeMap::new();
    for r in rows.iter().filter(|r| {
        r.item.item_type == ItemType::Action && r.item.action_status != Some(ActionStatus::Done)
    }) {
        let entry = load.entry(r.owner_name.clone()).or_insert_with(|| Load {
            owner: r.owner_name.clone(),
            open_actions: 0,
            story_points: 0,
        });
        entry.open_actions += 1;
        entry.story_points += r
            .item
            .story_points
            .and_then(|p| p.numeric())
            .map_or(0, |n| n as u32);
    }
    let mut load: Vec<Load> = load.into_values().collect();
    load.sort_by(|a, b| {
        b.story_points
            .cmp(&a.story_points)
            .then(b.open_actions.cmp(&a.open_actions))
    });

    let start = cycle
        .map(|c| c.start_date)
        .or_else(|| readings.first().map(|c| c.effective_on))
        .unwrap_or(today);
    let progress_over_time = over_time(&key_results, &by_item, start, today);
    let mut summary = Summary {
        version: VERSION,
        workspace: workspace.to_owned(),
        cycle: cycle.map(|c| CycleRef {
            id: c.id.clone(),
            name: c.name.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
        }),
        as_of: today,
        progress: mean(tops.iter().map(|r| r.item.progress_computed)),
        expected: mean(tops.iter().filter_map(|r| expected_of(r))),
        status_counts,
        objectives,
        attention,
        behind_pace,
        overdue,
        completed,
        coverage,
        load,
        progress_over_time,
        narrative: Narrative {
            text: String::new(),
            source: "template".into(),
            note: None,
        },
        withheld: 0,
        totals_withheld: false,
    };
    summary.narrative.text = super::narrative::from_template(&summary);
    Ok((summary, ids))
}

/// A key result's progress as its reading on a day said: a metric's value against its
/// target, a milestone's done; one measured by its actions has no value in its readings, so
/// it counts with today's progress from its first check-in on.
fn progress_at(row: &TreeRow, reading: &CheckIn) -> f64 {
    match row.item.key_result_measure() {
        KeyResultMeasure::Metric(metric) => metric.progress(reading.value),
        KeyResultMeasure::Milestone if reading.done == Some(true) => 100.0,
        KeyResultMeasure::Milestone => 0.0,
        KeyResultMeasure::Actions => row.item.progress_computed,
    }
}

/// Weekly points from `start` to `today`: the mean over key results of what their latest
/// reading by then said (0 before their first).
fn over_time(
    key_results: &[&TreeRow],
    by_item: &HashMap<&str, Vec<&CheckIn>>,
    start: NaiveDate,
    today: NaiveDate,
) -> Vec<ProgressPoint> {
    if key_results.is_empty() || start > today {
        return Vec::new();
    }
    let weeks = ((today - start).num_days() / 7).min(MAX_WEEKS);
    let first = today - Duration::weeks(weeks);
    (0..=weeks)
        .map(|week| {
            let on = first + Duration::weeks(week);
            let progress = mean(key_results.iter().map(|kr| {
                by_item
                    .get(kr.item.id.as_str())
                    .and_then(|readings| readings.iter().rev().find(|c| c.effective_on <= on))
                    .map_or(0.0, |reading| progress_at(kr, reading))
            }))
            .unwrap_or(0.0);
            ProgressPoint { on, progress }
        })
        .collect()
}

impl Summary {
    /// The summary as `visible` lets a reader see it, built from the items `built_from`:
    /// rows of items the reader cannot see today are left out and counted, and when the
    /// reader cannot see everything it was built from, the totals go too (a count or an
    /// average over hidden items says something about them). A narrative written over what
    /// is now left out is written again from what is left, so no title reaches the reader.
    pub fn for_reader(mut self, visible: &Visible, built_from: &[String]) -> Self {
        let mut withheld = 0;
        let mut keep = |id: &str| {
            let shown = visible.contains(id);
            withheld += usize::from(!shown);
            shown
        };
        self.objectives.retain(|r| keep(&r.id));
        self.attention.retain(|r| keep(&r.id));
        for rows in [
            &mut self.behind_pace,
            &mut self.overdue,
            &mut self.completed,
            &mut self.coverage.not_updated,
        ] {
            rows.retain(|r| keep(&r.id));
        }
        self.withheld = withheld;
        if built_from.iter().all(|id| visible.contains(id)) {
            return self;
        }
        self.totals_withheld = true;
        self.progress = None;
        self.expected = None;
        self.status_counts.clear();
        self.coverage.key_results = 0;
        self.coverage.updated = 0;
        self.load.clear();
        self.progress_over_time.clear();
        self.narrative = Narrative {
            text: super::narrative::from_template(&self),
            source: "template".into(),
            note: Some("Written again for what you can see.".into()),
        };
        self
    }
}
