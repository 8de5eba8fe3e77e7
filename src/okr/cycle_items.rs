//! Items and their cycle. A top-level objective chooses its cycle (none is the backlog) and
//! everything under it carries the same `cycle_id`: set when an item is created, moved under
//! another parent or its objective changes cycle. Closing a cycle freezes its items.

use diesel::prelude::*;

use super::measure::FieldError;
use super::{Item, ItemType, OkrError};
use crate::cycles::{self, CycleError};
use crate::db::AnyConnection;
use crate::schema::okr_items;
use crate::scope::Viewer;

/// The longest closing note, in characters.
pub const CLOSING_NOTE_MAX: usize = 2_000;

/// A closing note as typed: trimmed, at most `CLOSING_NOTE_MAX` characters; empty is none.
pub fn closing_note(raw: &str) -> Result<Option<String>, FieldError> {
    let note = raw.trim();
    if note.chars().count() > CLOSING_NOTE_MAX {
        return Err(FieldError::new(
            "closing_note",
            "Keep the closing note under 2,000 characters.",
        ));
    }
    Ok(Some(note.to_owned()).filter(|n| !n.is_empty()))
}

/// A cycle an item may be put into: one of the organization's, and not closed. `None` is the
/// backlog.
pub(super) fn check_target(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    cycle_id: Option<&str>,
) -> Result<(), OkrError> {
    let Some(id) = cycle_id else { return Ok(()) };
    match cycles::get(conn, &viewer.organization_id, id) {
        Ok(cycle) if cycle.is_closed() => Err(CycleError::Closed(cycle.name).into()),
        Ok(_) => Ok(()),
        Err(CycleError::NotFound) => Err(FieldError::new(
            "cycle_id",
            "Choose one of this organization's cycles, or the backlog.",
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// The cycle a new item joins: its parent's, or the one asked for at the top of the tree.
pub(super) fn for_new(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    requested: Option<&str>,
    parent: Option<&Item>,
) -> Result<Option<String>, OkrError> {
    match parent {
        Some(parent) if requested.is_some_and(|r| Some(r) != parent.cycle_id.as_deref()) => {
            Err(follows_parent())
        }
        Some(parent) => Ok(parent.cycle_id.clone()),
        None => {
            check_target(conn, viewer, requested)?;
            Ok(requested.map(str::to_owned))
        }
    }
}

fn follows_parent() -> OkrError {
    FieldError::new(
        "cycle_id",
        "Only a top-level objective chooses its cycle; the items under it follow it.",
    )
    .into()
}

/// Whether an item may choose its cycle: top-level objectives only.
pub(super) fn check_chooses_cycle(item: &Item) -> Result<(), OkrError> {
    if item.item_type == ItemType::Objective && item.parent_id.is_none() {
        Ok(())
    } else {
        Err(follows_parent())
    }
}

/// Whether an item may carry an outcome and closing note: objectives in a cycle.
pub(super) fn check_takes_outcome(item: &Item) -> Result<(), OkrError> {
    if item.item_type != ItemType::Objective {
        return Err(FieldError::new("outcome", "Only objectives have an outcome.").into());
    }
    if item.cycle_id.is_none() {
        return Err(FieldError::new(
            "outcome",
            "Put the objective in a cycle first; the backlog has no outcomes.",
        )
        .into());
    }
    Ok(())
}

/// Puts an item and everything below it (trashed included, so a restore stays in step)
/// into `cycle_id`. Answers how many rows moved.
pub(super) fn set_subtree(
    conn: &mut AnyConnection,
    root_id: &str,
    cycle_id: Option<&str>,
) -> QueryResult<usize> {
    let mut all = vec![root_id.to_owned()];
    let mut frontier = all.clone();
    // The bound only guards against a corrupt loop in the tree.
    for _ in 0..10_000 {
        if frontier.is_empty() {
            break;
        }
        frontier = okr_items::table
            .filter(okr_items::parent_id.eq_any(&frontier))
            .select(okr_items::id)
            .load(conn)?;
        all.extend(frontier.iter().cloned());
    }
    diesel::update(okr_items::table.filter(okr_items::id.eq_any(&all)))
        .set(okr_items::cycle_id.eq(cycle_id))
        .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_notes_are_trimmed_and_bounded() {
        assert_eq!(closing_note("  ").ok(), Some(None));
        assert_eq!(closing_note(" done ").ok(), Some(Some("done".into())));
        assert!(closing_note(&"x".repeat(CLOSING_NOTE_MAX + 1)).is_err());
    }

    #[test]
    fn only_top_level_objectives_choose_a_cycle_and_only_objectives_in_one_take_an_outcome() {
        let top = Item::sample("o", ItemType::Objective, None);
        assert!(check_chooses_cycle(&top).is_ok());
        assert!(check_chooses_cycle(&Item::sample("o2", ItemType::Objective, Some("o"))).is_err());
        assert!(check_chooses_cycle(&Item::sample("kr", ItemType::KeyResult, Some("o"))).is_err());
        assert!(
            check_takes_outcome(&top).is_err(),
            "the backlog has no outcomes"
        );
        let in_cycle = Item {
            cycle_id: Some("q1".into()),
            ..top
        };
        assert!(check_takes_outcome(&in_cycle).is_ok());
        let kr = Item {
            cycle_id: Some("q1".into()),
            ..Item::sample("kr", ItemType::KeyResult, Some("o"))
        };
        assert!(check_takes_outcome(&kr).is_err());
    }
}
