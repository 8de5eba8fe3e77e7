//! Where an item sits: under which parent (moving its subtree into the parent's cycle) and
//! in what order among the siblings the viewer sees. Each change checks that the viewer may
//! see and edit the item, runs in one write transaction and writes the activity log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::edit::{editable, live_subtree, update, ItemChanges};
use super::{check_may_edit, cycle_items, load, recompute_up, record, Item, OkrError};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::schema::okr_items;
use crate::scope::{self, Viewer};

/// Puts an item under another parent (or at the top), at the end of its new siblings.
pub fn move_to(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    new_parent: Option<&str>,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let item = editable(conn, viewer, item_id)?;
        if item.parent_id.as_deref() == new_parent {
            return Ok(item);
        }
        let parent = match new_parent {
            Some(parent_id) => {
                // A parent the viewer cannot see does not exist for them.
                scope::check_item(conn, viewer, parent_id)?;
                let parent = load(conn, parent_id)?;
                check_may_edit(conn, viewer, &parent)?;
                Some(parent)
            }
            None => None,
        };
        if !item
            .item_type
            .allows_parent(parent.as_ref().map(|p| p.item_type))
        {
            return Err(super::placement_refusal(item.item_type));
        }
        if let Some(parent_id) = new_parent {
            if live_subtree(conn, item_id)?
                .iter()
                .any(|id| id == parent_id)
            {
                return Err(OkrError::Refused(
                    "An item cannot move under itself or its own children.".into(),
                ));
            }
        }
        let sort_order = super::next_sort_order(conn, &viewer.workspace_id, new_parent)?;
        // Under a parent, the item joins the parent's cycle; at the top it keeps its own.
        if let Some(parent) = parent.as_ref().filter(|p| p.cycle_id != item.cycle_id) {
            cycle_items::set_subtree(conn, item_id, parent.cycle_id.as_deref())?;
        }
        diesel::update(okr_items::table.find(item_id))
            .set((
                okr_items::parent_id.eq(new_parent),
                okr_items::sort_order.eq(sort_order),
                okr_items::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        recompute_up(conn, item.parent_id.as_deref())?;
        recompute_up(conn, new_parent)?;
        let after = load(conn, item_id)?;
        let item_snapshot = item.snapshot(conn)?;
        let after_snapshot = after.snapshot(conn)?;
        record(
            conn,
            actor,
            viewer,
            &after,
            "item.moved",
            Some(item_snapshot),
            Some(after_snapshot),
        )?;
        Ok(after)
    })
}

/// Where a change puts an item; `None` leaves it where it is.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    /// The new parent (`Some(None)`: the top level), with the same rules as a move.
    pub parent_id: Option<Option<String>>,
    /// The place (0-based) among the siblings the viewer sees, after any move.
    pub sibling_position: Option<usize>,
}

impl Placement {
    /// Whether the item stays where it is.
    fn is_empty(&self) -> bool {
        self.parent_id.is_none() && self.sibling_position.is_none()
    }
}

/// Changes an item's fields and its place at once (the API's PATCH), all or nothing: the move
/// first, so the fields' rules (a cycle only at the top, say) see where the item is going,
/// then the fields, then the place among its new siblings.
pub fn revise(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    changes: ItemChanges,
    placement: Placement,
    now: NaiveDateTime,
) -> Result<(), OkrError> {
    db::write_transaction(conn, |conn| {
        if let Some(parent_id) = &placement.parent_id {
            move_to(conn, actor, viewer, item_id, parent_id.as_deref())?;
        }
        // A patch that changes nothing still answers as an edit would (rights included).
        if !changes.is_empty() || placement.is_empty() {
            update(conn, actor, viewer, item_id, changes, now)?;
        }
        if let Some(position) = placement.sibling_position {
            reorder(conn, actor, viewer, item_id, Direction::To(position))?;
        }
        Ok(())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    /// To this place (0-based) among the siblings the viewer sees (a drag in the tree).
    To(usize),
}

/// Swaps an item with its previous or next visible sibling.
pub fn reorder(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    direction: Direction,
) -> Result<(), OkrError> {
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let item = editable(conn, viewer, item_id)?;
        let siblings = okr_items::table
            .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
            .filter(okr_items::deleted_at.is_null())
            .into_boxed();
        let siblings = match &item.parent_id {
            Some(parent) => siblings.filter(okr_items::parent_id.eq(parent)),
            None => siblings.filter(okr_items::parent_id.is_null()),
        };
        let all: Vec<String> = siblings
            .order((
                okr_items::sort_order.asc(),
                okr_items::created_at.asc(),
                okr_items::id.asc(),
            ))
            .select(okr_items::id)
            .load(conn)?;
        let visible = scope::visible_items(conn, viewer)?;
        let shown: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|id| visible.contains(id))
            .collect();
        let Some(position) = shown.iter().position(|id| *id == item_id) else {
            return Err(OkrError::NotFound);
        };
        let target = match direction {
            Direction::Up => position.checked_sub(1),
            Direction::Down => Some(position + 1).filter(|&p| p < shown.len()),
            Direction::To(index) => Some(index.min(shown.len() - 1)),
        };
        let Some(neighbour) = target.filter(|&t| t != position) else {
            return Ok(());
        };
        let mut reordered = shown.clone();
        let moved = reordered.remove(position);
        reordered.insert(neighbour, moved);
        // The visible siblings take their new order in the places visible siblings held;
        // hidden siblings keep theirs, so admins see no scrambling. Renumbering everything
        // also settles equal sort orders from older data.
        let mut next_visible = reordered.into_iter();
        let final_order: Vec<&str> = all
            .iter()
            .map(|id| {
                if visible.contains(id) {
                    next_visible.next().unwrap_or(id.as_str())
                } else {
                    id.as_str()
                }
            })
            .collect();
        for (index, id) in final_order.iter().enumerate() {
            diesel::update(okr_items::table.find(*id))
                .set(okr_items::sort_order.eq(index as i32))
                .execute(conn)?;
        }
        record(
            conn,
            actor,
            viewer,
            &item,
            "item.reordered",
            Some(serde_json::json!({ "position": position + 1 })),
            Some(serde_json::json!({ "position": neighbour + 1 })),
        )?;
        Ok(())
    })
}
