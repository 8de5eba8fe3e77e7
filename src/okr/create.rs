//! Creating an item: validated input in, placed after its siblings, progress and activity
//! written in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::edit::{self, check_measure_and_weight, set_measure, ItemChanges};
use super::measure::{KeyResultMeasure, Weight};
use super::{
    board, check_may_edit, check_plan_dates, load, lock_workspace, next_sort_order,
    placement_refusal, recompute_up, record, ActionStatus, Item, ItemType, OkrError,
};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::schema::okr_items;
use crate::scope::{self, Viewer};

/// A validated new item.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub item_type: ItemType,
    pub title: String,
    pub parent_id: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// Where on the board, when created there; otherwise the automatic layout places it.
    pub position: Option<board::BoardPosition>,
    /// Key results only: what their progress comes from.
    pub measure: KeyResultMeasure,
    pub weight: Weight,
    /// The cycle a top-level objective joins (`None`: the backlog); items under a parent
    /// take the parent's, and asking for another is refused.
    pub cycle_id: Option<String>,
}

impl NewItem {
    /// A new item of `item_type` measured and weighted the default way.
    pub fn new(item_type: ItemType, title: String, parent_id: Option<String>) -> Self {
        Self {
            item_type,
            title,
            parent_id,
            due_date: None,
            position: None,
            measure: KeyResultMeasure::Actions,
            weight: Weight::DEFAULT,
            cycle_id: None,
        }
    }
}

/// Creates an item and sets the fields the item page edits (description, owner, assignees,
/// start date, status, story points) in one transaction, with the item page's rules; the
/// history records the creation and then the details set with it.
pub fn create_with_details(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    new: NewItem,
    details: ItemChanges,
    now: NaiveDateTime,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        let item = create(conn, actor, viewer, new)?;
        if details.is_empty() {
            return Ok(item);
        }
        edit::update(conn, actor, viewer, &item.id, details, now)
    })
}

/// Creates an item owned by its creator, at the end of its siblings.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    new: NewItem,
) -> Result<Item, OkrError> {
    viewer.require_writable()?;
    check_plan_dates(&[(new.due_date, "due date")])?;
    // An action given a weight other than the default is refused, not silently dropped.
    let weight =
        (new.item_type != ItemType::Action || new.weight != Weight::DEFAULT).then_some(new.weight);
    check_measure_and_weight(new.item_type, Some(&new.measure), weight)?;
    db::write_transaction(conn, |conn| {
        lock_workspace(conn, viewer)?;
        let parent = match &new.parent_id {
            Some(id) => {
                scope::check_item(conn, viewer, id)?;
                Some(load(conn, id)?)
            }
            None => None,
        };
        if let Some(parent) = &parent {
            check_may_edit(conn, viewer, parent)?;
        }
        if !new
            .item_type
            .allows_parent(parent.as_ref().map(|p| p.item_type))
        {
            return Err(placement_refusal(new.item_type));
        }
        let cycle_id =
            super::cycle_items::for_new(conn, viewer, new.cycle_id.as_deref(), parent.as_ref())?;
        let sort_order = next_sort_order(conn, &viewer.workspace_id, new.parent_id.as_deref())?;
        let id = db::new_id();
        let now = db::now();
        diesel::insert_into(okr_items::table)
            .values((
                okr_items::id.eq(&id),
                okr_items::organization_id.eq(&viewer.organization_id),
                okr_items::workspace_id.eq(&viewer.workspace_id),
                okr_items::item_type.eq(new.item_type),
                okr_items::title.eq(&new.title),
                okr_items::owner_user_id.eq(&actor.user_id),
                okr_items::parent_id.eq(&new.parent_id),
                okr_items::due_date.eq(new.due_date),
                okr_items::position_x.eq(new.position.map(board::BoardPosition::x)),
                okr_items::position_y.eq(new.position.map(board::BoardPosition::y)),
                okr_items::action_status
                    .eq((new.item_type == ItemType::Action).then_some(ActionStatus::Pending)),
                okr_items::progress_computed.eq(0.0),
                okr_items::sort_order.eq(sort_order),
                okr_items::weight.eq(new.weight.value()),
                okr_items::cycle_id.eq(&cycle_id),
                okr_items::created_at.eq(now),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        set_measure(conn, &id, &new.measure)?;
        recompute_up(conn, Some(&id))?;
        let item = load(conn, &id)?;
        let item_snapshot = item.snapshot(conn)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "item.created",
            None,
            Some(item_snapshot),
        )?;
        Ok(item)
    })
}
