//! The rules an item obeys, in one place for forms, the API and the writes: title and plan
//! dates, who may edit, and where an item may sit.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::{assignees_of, Item, ItemType, OkrError, TreeRow};
use crate::db::AnyConnection;
use crate::schema::okr_item_assignees;
use crate::scope::Viewer;

/// Item titles: trimmed, 1–200 characters.
pub fn title(raw: &str) -> Result<String, String> {
    let title = raw.trim();
    if title.is_empty() {
        return Err("Give it a title.".into());
    }
    if title.chars().count() > 200 {
        return Err("Keep the title under 200 characters.".into());
    }
    if title.chars().any(char::is_control) {
        return Err("Remove control characters from the title.".into());
    }
    Ok(title.to_owned())
}

pub use crate::calendar::PLAN_YEARS;

fn plan_window_message(label: &str) -> String {
    format!(
        "Choose a {label} between {} and {}.",
        PLAN_YEARS.start(),
        PLAN_YEARS.end()
    )
}

/// A typed date: strictly YYYY-MM-DD (chrono's `%Y` alone takes any signed year), inside
/// `PLAN_YEARS`. `label` names the field in the message, e.g. "due date".
pub fn plan_date(raw: &str, label: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let shape = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = shape
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("Enter the {label} as YYYY-MM-DD."))?;
    if !PLAN_YEARS.contains(&date.year()) {
        return Err(plan_window_message(label));
    }
    Ok(date)
}

/// The domain's own check of the window, for callers that hand over parsed dates (the JSON API).
pub(super) fn check_plan_dates(dates: &[(Option<NaiveDate>, &str)]) -> Result<(), OkrError> {
    for (date, label) in dates {
        if date.is_some_and(|d| !PLAN_YEARS.contains(&d.year())) {
            return Err(OkrError::Refused(plan_window_message(label)));
        }
    }
    Ok(())
}

/// Whether the viewer may change this item now: not in a closed cycle, and admins always;
/// others when they own it or are assigned to it (creating under an item is changing it).
pub(super) fn check_may_edit(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item: &Item,
) -> Result<(), OkrError> {
    crate::cycles::require_open(conn, item.cycle_id.as_deref())?;
    check_permission(conn, viewer, item)
}

/// The person half of `check_may_edit`, for the one change a closed cycle still takes: an
/// objective's outcome and closing note.
pub(super) fn check_permission(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item: &Item,
) -> Result<(), OkrError> {
    if may_edit(viewer, item, &assignees_of(conn, &item.id)?) {
        return Ok(());
    }
    Err(OkrError::NotYours)
}

/// The editing rule over an item's assignees already loaded.
fn may_edit(viewer: &Viewer, item: &Item, assignee_ids: &[String]) -> bool {
    viewer.is_admin()
        || item.owner_user_id == viewer.user_id
        || assignee_ids.contains(&viewer.user_id)
}

/// Which of these rows the viewer may edit, in two queries whatever their number (pages that
/// show many items). Nothing in a read-only workspace or a closed cycle.
pub fn editable_ids(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: &[TreeRow],
) -> QueryResult<HashSet<String>> {
    if viewer.require_writable().is_err() {
        return Ok(Default::default());
    }
    let mine: HashSet<String> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_item_assignees::user_id.eq(&viewer.user_id))
        .select(okr_item_assignees::item_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let closed = crate::cycles::closed_ids(conn, &viewer.organization_id)?;
    let me = std::slice::from_ref(&viewer.user_id);
    Ok(rows
        .iter()
        .filter(|row| {
            row.item
                .cycle_id
                .as_ref()
                .is_none_or(|c| !closed.contains(c))
        })
        .filter(|row| {
            let assignees: &[String] = if mine.contains(&row.item.id) { me } else { &[] };
            may_edit(viewer, &row.item, assignees)
        })
        .map(|row| row.item.id.clone())
        .collect())
}

/// Why an item cannot sit where it was put.
pub(super) fn placement_refusal(item_type: ItemType) -> OkrError {
    OkrError::Refused(
        match item_type {
            ItemType::Objective => {
                "An objective can only sit at the top or under another objective."
            }
            ItemType::KeyResult => "A key result belongs under an objective.",
            ItemType::Action => "An action belongs under a key result.",
        }
        .into(),
    )
}

/// Parents by item id, for walking up the viewer's tree.
pub fn parents(tree: &[TreeRow]) -> HashMap<&str, Option<&str>> {
    tree.iter()
        .map(|row| (row.item.id.as_str(), row.item.parent_id.as_deref()))
        .collect()
}

/// Whether `candidate` could become the parent of `item`: the type rules allow it and it is
/// not the item itself or below it (walking up the viewer's tree).
pub fn may_move_under(
    item: &Item,
    candidate: &Item,
    parents: &HashMap<&str, Option<&str>>,
) -> bool {
    if !item.item_type.allows_parent(Some(candidate.item_type)) || candidate.id == item.id {
        return false;
    }
    let mut current = candidate.parent_id.as_deref();
    while let Some(id) = current {
        if id == item.id {
            return false;
        }
        current = parents.get(id).copied().flatten();
    }
    true
}
