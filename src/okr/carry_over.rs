//! Carrying objectives over from one cycle to another (DESIGN §3 "Cycles"): each chosen
//! top-level objective is copied into the target cycle with its unfinished sub-objectives and
//! key results (a metric's baseline becomes its last value) and their open actions, without
//! check-ins, each copy pointing at its original. All or nothing, in one transaction.

use std::collections::HashMap;

use diesel::prelude::*;

use super::measure::{FieldError, KeyResultMeasure};
use super::{
    assignees_of, check_permission, load, lock_workspace, next_sort_order, recompute_up, record,
    ActionStatus, Item, ItemType, OkrError,
};
use crate::activity::Actor;
use crate::cycles::{self, Cycle, CycleError, CycleState, Outcome};
use crate::db::{self, AnyConnection};
use crate::schema::{okr_item_assignees, okr_items};
use crate::scope::{self, Viewer};

/// Which objectives to carry over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarryOver {
    /// These top-level objectives of the cycle.
    Items(Vec<String>),
    /// Every top-level objective of the cycle the viewer may change that is not done, not
    /// marked successful and not carried over to the target already.
    AllUnfinished,
}

/// The answer for named objectives that are not top-level objectives of the cycle the
/// viewer can see: one answer for hidden, missing and misplaced, so none can be told apart.
pub fn unseen_objectives() -> FieldError {
    FieldError::new(
        "item_ids",
        "Choose top-level objectives of this cycle that you can see.",
    )
}

/// The answer for a request naming no objectives.
pub fn no_objectives() -> FieldError {
    FieldError::new("item_ids", "Choose at least one objective.")
}

/// Whether an item still has work left: not at 100 % (and, for objectives, not marked a
/// success).
fn unfinished(item: &Item) -> bool {
    item.progress_computed < 100.0 && item.outcome != Some(Outcome::Successful)
}

/// Copies objectives of `from` into `to` and answers the copied top-level objectives.
pub fn carry_over(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    from_cycle_id: &str,
    to_cycle_id: &str,
    which: &CarryOver,
) -> Result<Vec<Item>, OkrError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        lock_workspace(conn, viewer)?;
        let from = cycles::get(conn, &viewer.organization_id, from_cycle_id)?;
        let to = target(conn, viewer, &from, to_cycle_id)?;
        let visible = scope::visible_items(conn, viewer)?;
        let items: Vec<Item> = okr_items::table
            .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
            .filter(okr_items::cycle_id.eq(&from.id))
            .filter(okr_items::deleted_at.is_null())
            .order((okr_items::sort_order.asc(), okr_items::id.asc()))
            .select(Item::as_select())
            .load(conn)?;
        let items: Vec<Item> = items
            .into_iter()
            .filter(|item| visible.contains(&item.id))
            .collect();
        let chosen = choose(conn, viewer, &items, &to, which)?;
        let mut children: HashMap<&str, Vec<&Item>> = HashMap::new();
        for item in &items {
            if let Some(parent) = &item.parent_id {
                children.entry(parent.as_str()).or_default().push(item);
            }
        }
        let mut copies = Vec::with_capacity(chosen.len());
        for original in chosen {
            let copy = copy_tree(conn, viewer, original, None, &to, &children)?;
            let after = copy.snapshot(conn)?;
            record(
                conn,
                actor,
                viewer,
                &copy,
                "item.carried_over",
                Some(serde_json::json!({
                    "carried_over_from_id": original.id,
                    "cycle": from.name,
                })),
                Some(after),
            )?;
            copies.push(copy);
        }
        Ok(copies)
    })
}

/// The cycle objectives go to: another of the organization's, not closed; and they come
/// from a cycle that has started (active or closed).
fn target(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    from: &Cycle,
    to_cycle_id: &str,
) -> Result<Cycle, OkrError> {
    if from.state == CycleState::Planning {
        return Err(CycleError::State(format!(
            "{} is still being planned; carry over from an active or closed cycle.",
            from.name
        ))
        .into());
    }
    let to = match cycles::get(conn, &viewer.organization_id, to_cycle_id) {
        Err(CycleError::NotFound) => {
            return Err(FieldError::new(
                "to_cycle_id",
                "Choose one of this organization's cycles to carry over to.",
            )
            .into())
        }
        other => other?,
    };
    if to.id == from.id {
        return Err(FieldError::new(
            "to_cycle_id",
            "Choose another cycle than the one they are in.",
        )
        .into());
    }
    if to.is_closed() {
        return Err(CycleError::Closed(to.name).into());
    }
    Ok(to)
}

/// The top-level objectives to copy, checked: each visible, in the cycle, changeable by the
/// viewer and not already carried over to the target.
fn choose<'a>(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    items: &'a [Item],
    to: &Cycle,
    which: &CarryOver,
) -> Result<Vec<&'a Item>, OkrError> {
    let tops: Vec<&Item> = items
        .iter()
        .filter(|item| item.item_type == ItemType::Objective && item.parent_id.is_none())
        .collect();
    let carried: Vec<String> = okr_items::table
        .filter(okr_items::cycle_id.eq(&to.id))
        .filter(okr_items::deleted_at.is_null())
        .filter(okr_items::carried_over_from_id.is_not_null())
        .select(okr_items::carried_over_from_id.assume_not_null())
        .load(conn)?;
    match which {
        CarryOver::AllUnfinished => {
            let mut chosen = Vec::new();
            for item in tops {
                if unfinished(item)
                    && !carried.contains(&item.id)
                    && check_permission(conn, viewer, item).is_ok()
                {
                    chosen.push(item);
                }
            }
            Ok(chosen)
        }
        CarryOver::Items(ids) => {
            if ids.is_empty() {
                return Err(no_objectives().into());
            }
            let mut chosen = Vec::new();
            for id in ids {
                if chosen.iter().any(|c: &&Item| &c.id == id) {
                    continue;
                }
                let Some(item) = tops.iter().find(|t| &t.id == id) else {
                    return Err(unseen_objectives().into());
                };
                check_permission(conn, viewer, item)?;
                if carried.contains(&item.id) {
                    return Err(OkrError::AlreadyCarried {
                        title: item.title.clone(),
                        cycle: to.name.clone(),
                    });
                }
                chosen.push(item);
            }
            Ok(chosen)
        }
    }
}

/// Copies `original` under `parent` (in the target cycle), then its unfinished children:
/// sub-objectives and key results, and actions that are not done.
fn copy_tree(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    original: &Item,
    parent: Option<&str>,
    to: &Cycle,
    children: &HashMap<&str, Vec<&Item>>,
) -> Result<Item, OkrError> {
    let copy_id = copy_one(conn, viewer, original, parent, to)?;
    for child in children.get(original.id.as_str()).into_iter().flatten() {
        let keep = match child.item_type {
            ItemType::Action => child.action_status != Some(ActionStatus::Done),
            _ => unfinished(child),
        };
        if keep {
            copy_tree(conn, viewer, child, Some(&copy_id), to, children)?;
        }
    }
    recompute_up(conn, Some(&copy_id))?;
    load(conn, &copy_id)
}

/// One copy: same title, description, owner, assignees, weight, measure and points; no
/// dates (the new cycle's apply), no board place, no check-ins. A metric starts from where
/// the original stands; a milestone starts not done.
fn copy_one(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    original: &Item,
    parent: Option<&str>,
    to: &Cycle,
) -> Result<String, OkrError> {
    let id = db::new_id();
    let now = db::now();
    let sort_order = next_sort_order(conn, &viewer.workspace_id, parent)?;
    let baseline = match original.key_result_measure() {
        KeyResultMeasure::Metric(metric) => Some(original.current_value.unwrap_or(metric.baseline)),
        _ => original.baseline,
    };
    let status = match original.item_type {
        ItemType::Action => original.action_status,
        _ => None,
    };
    diesel::insert_into(okr_items::table)
        .values((
            okr_items::id.eq(&id),
            okr_items::organization_id.eq(&viewer.organization_id),
            okr_items::workspace_id.eq(&viewer.workspace_id),
            okr_items::item_type.eq(original.item_type),
            okr_items::title.eq(&original.title),
            okr_items::description.eq(&original.description),
            okr_items::owner_user_id.eq(&original.owner_user_id),
            okr_items::parent_id.eq(parent),
            okr_items::action_status.eq(status),
            okr_items::story_points.eq(original.story_points),
            okr_items::progress_computed.eq(0.0),
            okr_items::sort_order.eq(sort_order),
            okr_items::measure.eq(original.measure),
            okr_items::metric_kind.eq(original.metric_kind),
            okr_items::baseline.eq(baseline.map(|b| b.to_stored())),
            okr_items::target.eq(original.target.map(|t| t.to_stored())),
            okr_items::unit.eq(&original.unit),
            okr_items::decimals.eq(original.decimals),
            okr_items::weight.eq(original.weight),
            okr_items::cycle_id.eq(&to.id),
            okr_items::carried_over_from_id.eq(&original.id),
            okr_items::created_at.eq(now),
            okr_items::updated_at.eq(now),
        ))
        .execute(conn)?;
    for user_id in assignees_of(conn, &original.id)? {
        diesel::insert_into(okr_item_assignees::table)
            .values((
                okr_item_assignees::item_id.eq(&id),
                okr_item_assignees::user_id.eq(user_id),
                okr_item_assignees::organization_id.eq(&viewer.organization_id),
                okr_item_assignees::workspace_id.eq(&viewer.workspace_id),
                okr_item_assignees::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(id)
}
