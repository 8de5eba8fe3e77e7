//! A cycle's scorecard: its objectives and key results the viewer may see, in tree order,
//! with final progress, status, outcome and closing note, and where each objective was
//! carried over to. Printable as a page and downloadable as CSV.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::status::{self, Status};
use super::{ItemType, OkrError, TreeFilter, TreeRow};
use crate::cycles::{self, Cycle, CycleFilter, Outcome};
use crate::db::AnyConnection;
use crate::schema::okr_items;
use crate::scope::Viewer;

#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub row: TreeRow,
    pub status: Option<Status>,
    /// Names of the cycles a copy of this objective went to.
    pub carried_to: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Scorecard {
    pub cycle: Cycle,
    pub rows: Vec<ScoreRow>,
    /// The mean progress of the top-level objectives, when there are any.
    pub average: Option<f64>,
    pub successful: usize,
    pub not_successful: usize,
    pub without_outcome: usize,
}

impl Scorecard {
    /// Top-level objectives listed.
    pub fn objectives(&self) -> usize {
        self.rows.iter().filter(|r| is_top(&r.row)).count()
    }
}

fn is_top(row: &TreeRow) -> bool {
    row.item.item_type == ItemType::Objective && row.item.parent_id.is_none()
}

pub fn scorecard(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    cycle_id: &str,
    today: NaiveDate,
) -> Result<Scorecard, OkrError> {
    let cycle = cycles::get(conn, &viewer.organization_id, cycle_id)?;
    let statuses = status::statuses(conn, viewer, today)?;
    let filter = TreeFilter {
        cycle: CycleFilter::Cycle(cycle.id.clone()),
        ..TreeFilter::default()
    };
    let rows = super::filtered_tree(conn, viewer, &filter, &statuses)?;
    let carried = carried_to(conn, viewer, &rows)?;
    let rows: Vec<ScoreRow> = rows
        .into_iter()
        .filter(|row| row.item.item_type != ItemType::Action)
        .map(|row| ScoreRow {
            status: statuses.of(&row.item),
            carried_to: carried.get(&row.item.id).cloned().unwrap_or_default(),
            row,
        })
        .collect();
    let tops: Vec<&ScoreRow> = rows.iter().filter(|r| is_top(&r.row)).collect();
    let outcomes = |o: Option<Outcome>| tops.iter().filter(|r| r.row.item.outcome == o).count();
    let average = (!tops.is_empty()).then(|| {
        tops.iter()
            .map(|r| r.row.item.progress_computed)
            .sum::<f64>()
            / tops.len() as f64
    });
    Ok(Scorecard {
        average,
        successful: outcomes(Some(Outcome::Successful)),
        not_successful: outcomes(Some(Outcome::NotSuccessful)),
        without_outcome: outcomes(None),
        cycle,
        rows,
    })
}

/// For each shown objective, the cycles its live copies are in. Copies sit in the same
/// workspace, so a copy the viewer could not see is left out like any hidden item.
fn carried_to(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: &[TreeRow],
) -> Result<HashMap<String, Vec<String>>, OkrError> {
    let ids: Vec<&str> = rows
        .iter()
        .filter(|r| r.item.item_type == ItemType::Objective)
        .map(|r| r.item.id.as_str())
        .collect();
    let copies: Vec<(String, String, Option<String>)> = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .filter(okr_items::carried_over_from_id.eq_any(&ids))
        .select((
            okr_items::id,
            okr_items::carried_over_from_id.assume_not_null(),
            okr_items::cycle_id,
        ))
        .load(conn)?;
    if copies.is_empty() {
        return Ok(HashMap::new());
    }
    let visible = crate::scope::visible_items(conn, viewer)?;
    let names: HashMap<String, String> = cycles::list(conn, &viewer.organization_id)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let mut carried: HashMap<String, Vec<String>> = HashMap::new();
    for (copy, original, cycle) in copies {
        if let Some(name) = cycle
            .and_then(|c| names.get(&c))
            .filter(|_| visible.contains(&copy))
        {
            carried.entry(original).or_default().push(name.clone());
        }
    }
    Ok(carried)
}

/// The scorecard as CSV: one line per objective and key result.
pub fn csv(card: &Scorecard) -> String {
    let mut out = crate::csv::line(&[
        "type",
        "title",
        "owner",
        "progress",
        "status",
        "outcome",
        "closing_note",
        "carried_over_to",
    ]);
    for row in &card.rows {
        let item = &row.row.item;
        out.push_str(&crate::csv::line(&[
            item.item_type.label().to_owned(),
            item.title.clone(),
            row.row.owner_name.clone(),
            format!("{}", item.progress_computed.round()),
            row.status.map(|s| s.label().to_owned()).unwrap_or_default(),
            item.outcome
                .map(|o| o.label().to_owned())
                .unwrap_or_default(),
            item.closing_note.clone().unwrap_or_default(),
            row.carried_to.join("; "),
        ]));
    }
    out
}
