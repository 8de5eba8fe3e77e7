//! Changing items: fields, place in the tree, deletion and restore. Each change checks that
//! the viewer may see and edit the item, runs in one write transaction, recomputes progress
//! up the affected chains and writes the activity log.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::measure::{FieldError, KeyResultMeasure, Weight};
use super::measure_change::MeasureChange;
pub use super::placement::{move_to, reorder, revise, Direction, Placement};
use super::{
    check_may_edit, cycle_items, load, recompute_up, record, ActionStatus, Item, ItemType,
    OkrError, StoryPoints,
};
use crate::activity::Actor;
use crate::cycles::Outcome;
use crate::db::{self, AnyConnection};
use crate::schema::{okr_item_assignees, okr_items, workspace_memberships};
use crate::scope::{self, Viewer};
use crate::skills::{tags, SkillName};

/// The longest description an item may have, in characters.
pub const DESCRIPTION_MAX: usize = 10_000;

/// An item's description as typed: trimmed, at most `DESCRIPTION_MAX` characters; empty is
/// none.
pub fn description(raw: &str) -> Result<Option<String>, String> {
    let description = raw.trim();
    if description.chars().count() > DESCRIPTION_MAX {
        return Err("Keep the description under 10,000 characters.".into());
    }
    Ok(Some(description.to_owned()).filter(|d| !d.is_empty()))
}

/// Field changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_user_id: Option<String>,
    pub assignee_user_ids: Option<Vec<String>>,
    pub start_date: Option<Option<NaiveDate>>,
    pub due_date: Option<Option<NaiveDate>>,
    pub action_status: Option<ActionStatus>,
    pub story_points: Option<Option<StoryPoints>>,
    /// Key results only: applied on top of the stored measure (a whole measure converts).
    pub measure: Option<MeasureChange>,
    /// Objectives and key results only.
    pub weight: Option<Weight>,
    /// Top-level objectives only: the cycle (`Some(None)`: the backlog); the subtree follows.
    pub cycle_id: Option<Option<String>>,
    /// Objectives in a cycle only; the one change a closed cycle still takes, with the note.
    pub outcome: Option<Option<Outcome>>,
    pub closing_note: Option<Option<String>>,
    /// Actions only: the skills it needs, replacing those it has.
    pub skill_tags: Option<Vec<SkillName>>,
}

impl ItemChanges {
    /// Whether only the outcome and closing note change (allowed in a closed cycle).
    fn closes_out_only(&self) -> bool {
        let closing = Self {
            outcome: self.outcome,
            closing_note: self.closing_note.clone(),
            ..Self::default()
        };
        (self.outcome.is_some() || self.closing_note.is_some()) && closing == *self
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Only key results have a measure, and actions have no weight.
pub(super) fn check_measure_and_weight(
    item_type: ItemType,
    measure: Option<&KeyResultMeasure>,
    weight: Option<Weight>,
) -> Result<(), OkrError> {
    if item_type != ItemType::KeyResult && measure.is_some_and(|m| *m != KeyResultMeasure::Actions)
    {
        return Err(FieldError::new(
            "measure",
            "Only key results are measured by a number or a milestone.",
        )
        .into());
    }
    if item_type == ItemType::Action && weight.is_some() {
        return Err(FieldError::new(
            "weight",
            "Actions weigh by their story points, not a weight.",
        )
        .into());
    }
    Ok(())
}

/// Stores a key result's measure; the parts a measure does not use are cleared.
pub(super) fn set_measure(
    conn: &mut AnyConnection,
    item_id: &str,
    measure: &KeyResultMeasure,
) -> QueryResult<()> {
    let metric = measure.metric();
    diesel::update(okr_items::table.find(item_id))
        .set((
            okr_items::measure.eq(measure.measure()),
            okr_items::metric_kind.eq(metric.map(|m| m.kind)),
            okr_items::baseline.eq(metric.map(|m| m.baseline.to_stored())),
            okr_items::target.eq(metric.map(|m| m.target.to_stored())),
            okr_items::unit.eq(metric.and_then(|m| m.unit.clone())),
            okr_items::decimals.eq(metric.map_or(0, |m| m.decimals as i32)),
        ))
        .execute(conn)?;
    Ok(())
}

fn active_members(conn: &mut AnyConnection, workspace_id: &str) -> QueryResult<Vec<String>> {
    workspace_memberships::table
        .filter(workspace_memberships::workspace_id.eq(workspace_id))
        .filter(workspace_memberships::active.eq(true))
        .select(workspace_memberships::user_id)
        .load(conn)
}

/// A visible live objective whose outcome the viewer may set, closed cycle or not.
fn closable(conn: &mut AnyConnection, viewer: &Viewer, item_id: &str) -> Result<Item, OkrError> {
    viewer.require_writable()?;
    scope::check_item(conn, viewer, item_id)?;
    let item = load(conn, item_id)?;
    super::check_permission(conn, viewer, &item)?;
    Ok(item)
}

/// A visible, editable, live item of the viewer's workspace.
pub(super) fn editable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Item, OkrError> {
    viewer.require_writable()?;
    scope::check_item(conn, viewer, item_id)?;
    let item = load(conn, item_id)?;
    check_may_edit(conn, viewer, &item)?;
    Ok(item)
}

/// Changes an item's fields as of `now` (the app's clock); a new owner and new assignees are
/// notified.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    changes: ItemChanges,
    now: NaiveDateTime,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let before = if changes.closes_out_only() {
            closable(conn, viewer, item_id)?
        } else {
            editable(conn, viewer, item_id)?
        };
        if changes.outcome.is_some() || changes.closing_note.is_some() {
            cycle_items::check_takes_outcome(&before)?;
        }
        if let Some(cycle_id) = &changes.cycle_id {
            cycle_items::check_chooses_cycle(&before)?;
            cycle_items::check_target(conn, viewer, cycle_id.as_deref())?;
        }
        let before_json = before.snapshot(conn)?;
        let measure = changes
            .measure
            .as_ref()
            .map(|change| change.apply(&before.key_result_measure()))
            .transpose()?;
        check_measure_and_weight(before.item_type, measure.as_ref(), changes.weight)?;
        let is_action = before.item_type == ItemType::Action;
        if !is_action
            && (changes.action_status.is_some() || matches!(changes.story_points, Some(Some(_))))
        {
            return Err(OkrError::Refused(
                "Only actions have a status and story points.".into(),
            ));
        }
        if !is_action && changes.skill_tags.as_ref().is_some_and(|t| !t.is_empty()) {
            return Err(FieldError::new("skill_tags", "Only actions carry skill tags.").into());
        }
        let members = active_members(conn, &viewer.workspace_id)?;
        // Keeping a current owner or assignee who has since left is fine; adding one is not.
        if let Some(owner) = &changes.owner_user_id {
            if !members.contains(owner) && *owner != before.owner_user_id {
                return Err(OkrError::Refused(
                    "The owner must be an active member of this workspace.".into(),
                ));
            }
        }
        if let Some(assignees) = &changes.assignee_user_ids {
            let current = super::assignees_of(conn, item_id)?;
            if assignees
                .iter()
                .any(|a| !members.contains(a) && !current.contains(a))
            {
                return Err(OkrError::Refused(
                    "Assignees must be active members of this workspace.".into(),
                ));
            }
        }
        // Only the dates being set: an item saved before the window existed stays editable.
        super::check_plan_dates(&[
            (changes.start_date.flatten(), "start date"),
            (changes.due_date.flatten(), "due date"),
        ])?;
        let start = changes.start_date.unwrap_or(before.start_date);
        let due = changes.due_date.unwrap_or(before.due_date);
        if let (Some(start), Some(due)) = (start, due) {
            if start > due {
                return Err(FieldError::new(
                    "start_date",
                    "The start date must not be after the due date.",
                )
                .into());
            }
        }
        let assignees_before = super::assignees_of(conn, item_id)?;
        if let Some(measure) = &measure {
            set_measure(conn, item_id, measure)?;
        }
        diesel::update(okr_items::table.find(item_id))
            .set((
                okr_items::weight.eq(changes.weight.map_or(before.weight, Weight::value)),
                okr_items::title.eq(changes.title.as_ref().unwrap_or(&before.title)),
                okr_items::description.eq(changes
                    .description
                    .clone()
                    .unwrap_or(before.description.clone())),
                okr_items::owner_user_id.eq(changes
                    .owner_user_id
                    .as_ref()
                    .unwrap_or(&before.owner_user_id)),
                okr_items::start_date.eq(start),
                okr_items::due_date.eq(due),
                okr_items::action_status.eq(changes.action_status.or(before.action_status)),
                okr_items::story_points.eq(changes.story_points.unwrap_or(before.story_points)),
                okr_items::outcome.eq(changes.outcome.unwrap_or(before.outcome)),
                okr_items::closing_note.eq(changes
                    .closing_note
                    .clone()
                    .unwrap_or(before.closing_note.clone())),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        if let Some(cycle_id) = &changes.cycle_id {
            if *cycle_id != before.cycle_id {
                cycle_items::set_subtree(conn, item_id, cycle_id.as_deref())?;
            }
        }
        if let Some(assignees) = &changes.assignee_user_ids {
            diesel::delete(
                okr_item_assignees::table.filter(okr_item_assignees::item_id.eq(item_id)),
            )
            .execute(conn)?;
            let mut unique = assignees.clone();
            unique.sort();
            unique.dedup();
            for user_id in unique {
                diesel::insert_into(okr_item_assignees::table)
                    .values((
                        okr_item_assignees::item_id.eq(item_id),
                        okr_item_assignees::user_id.eq(user_id),
                        okr_item_assignees::organization_id.eq(&viewer.organization_id),
                        okr_item_assignees::workspace_id.eq(&viewer.workspace_id),
                        okr_item_assignees::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        if let (Some(skill_tags), true) = (&changes.skill_tags, is_action) {
            let item = tags::TaggedItem {
                organization_id: &viewer.organization_id,
                workspace_id: &viewer.workspace_id,
                item_id,
            };
            tags::set(conn, item, skill_tags, now)?;
        }
        recompute_up(conn, Some(item_id))?;
        let after = load(conn, item_id)?;
        super::notify_assignment(
            conn,
            actor,
            &after,
            (&before.owner_user_id, &assignees_before),
            now,
        )?;
        let after_json = after.snapshot(conn)?;
        // A save that changed nothing is no event: no history row reading "changed it"
        // without saying what, and no webhook delivery.
        if after_json != before_json {
            record(
                conn,
                actor,
                viewer,
                &after,
                "item.updated",
                Some(before_json),
                Some(after_json),
            )?;
        }
        Ok(after)
    })
}

/// Moves an item to the trash with everything below it.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let item = editable(conn, viewer, item_id)?;
        let now = db::now();
        let subtree = live_subtree(conn, item_id)?;
        diesel::update(okr_items::table.filter(okr_items::id.eq_any(&subtree)))
            .set((
                okr_items::deleted_at.eq(Some(now)),
                okr_items::deleted_by_user_id.eq(Some(&actor.user_id)),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        recompute_up(conn, item.parent_id.as_deref())?;
        let item_snapshot = item.snapshot(conn)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "item.deleted",
            Some(item_snapshot),
            None,
        )?;
        Ok(item)
    })
}

/// The item and its descendants that are live (`None`) or went to the trash at `deleted_at`.
fn subtree(
    conn: &mut AnyConnection,
    item_id: &str,
    deleted_at: Option<NaiveDateTime>,
) -> QueryResult<Vec<String>> {
    let mut found = vec![item_id.to_owned()];
    let mut frontier = vec![item_id.to_owned()];
    while !frontier.is_empty() {
        let children = okr_items::table
            .filter(okr_items::parent_id.eq_any(&frontier))
            .into_boxed();
        let children: Vec<String> = match deleted_at {
            None => children.filter(okr_items::deleted_at.is_null()),
            Some(at) => children.filter(okr_items::deleted_at.eq(at)),
        }
        .select(okr_items::id)
        .load(conn)?;
        found.extend(children.iter().cloned());
        frontier = children;
    }
    Ok(found)
}

pub(super) fn live_subtree(conn: &mut AnyConnection, item_id: &str) -> QueryResult<Vec<String>> {
    subtree(conn, item_id, None)
}

/// A deleted item as the trash lists it.
#[derive(Debug, Clone)]
pub struct Trashed {
    pub item: Item,
    pub deleted_by: Option<String>,
}

/// Items deleted at the top of a deletion (not those deleted with their parent) that the
/// viewer may restore: admins all, others their own or assigned ones.
pub fn trash(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<Trashed>, OkrError> {
    let deleted: Vec<(Item, Option<String>)> = okr_items::table
        .left_join(
            crate::schema::users::table.on(crate::schema::users::id
                .nullable()
                .eq(okr_items::deleted_by_user_id)),
        )
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_not_null())
        .order(okr_items::deleted_at.desc())
        .select((Item::as_select(), crate::schema::users::name.nullable()))
        .load(conn)?;
    let mut shown = Vec::new();
    for (item, deleted_by) in deleted {
        let deleted_with_parent = match &item.parent_id {
            Some(parent) => {
                let parent_deleted: Option<NaiveDateTime> = okr_items::table
                    .find(parent)
                    .select(okr_items::deleted_at)
                    .first(conn)?;
                parent_deleted == item.deleted_at
            }
            None => false,
        };
        if !deleted_with_parent && super::check_permission(conn, viewer, &item).is_ok() {
            shown.push(Trashed { item, deleted_by });
        }
    }
    Ok(shown)
}

/// Restores an item and what was deleted with it. An item whose parent is still in the trash
/// waits for the parent. Anything that is not in the trash, or that the viewer could not
/// edit, does not exist here (404), so restore reveals nothing about hidden items.
pub fn restore(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Item, OkrError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let item: Item = okr_items::table
            .find(item_id)
            .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
            .select(Item::as_select())
            .first(conn)?;
        let Some(deleted_at) = item.deleted_at else {
            return Err(OkrError::NotFound);
        };
        super::check_permission(conn, viewer, &item).map_err(|_| OkrError::NotFound)?;
        crate::cycles::require_open(conn, item.cycle_id.as_deref())?;
        if let Some(parent) = &item.parent_id {
            let parent_deleted: Option<NaiveDateTime> = okr_items::table
                .find(parent)
                .select(okr_items::deleted_at)
                .first(conn)?;
            if parent_deleted.is_some() {
                return Err(OkrError::Refused(
                    "Its parent is in the trash too; restore the parent first.".into(),
                ));
            }
        }
        // Everything below that went to the trash in the same deletion comes back with it.
        let restored = subtree(conn, item_id, Some(deleted_at))?;
        let now = db::now();
        diesel::update(okr_items::table.filter(okr_items::id.eq_any(&restored)))
            .set((
                okr_items::deleted_at.eq(None::<NaiveDateTime>),
                okr_items::deleted_by_user_id.eq(None::<String>),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        recompute_up(conn, item.parent_id.as_deref())?;
        let after = load(conn, item_id)?;
        let after_snapshot = after.snapshot(conn)?;
        record(
            conn,
            actor,
            viewer,
            &after,
            "item.restored",
            None,
            Some(after_snapshot),
        )?;
        Ok(after)
    })
}
