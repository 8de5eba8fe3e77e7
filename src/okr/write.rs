//! What every write to the tree shares (create, edit, board, links): loading an item,
//! the per-workspace lock, the activity row, and progress recomputed up the chain.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{progress, ActionStatus, Item, ItemType, OkrError, StoryPoints};
use crate::activity::{self, Actor, Subject};
use crate::db::AnyConnection;
use crate::notifications::{self, Event, NotificationKind};
use crate::schema::{okr_item_assignees, okr_items};
use crate::scope::Viewer;
use crate::webhooks;

pub(super) fn load(conn: &mut AnyConnection, id: &str) -> Result<Item, OkrError> {
    Ok(okr_items::table
        .find(id)
        .select(Item::as_select())
        .first(conn)?)
}

pub(super) fn assignees_of(conn: &mut AnyConnection, item_id: &str) -> QueryResult<Vec<String>> {
    okr_item_assignees::table
        .filter(okr_item_assignees::item_id.eq(item_id))
        .select(okr_item_assignees::user_id)
        .load(conn)
}

/// Tells the people an item newly concerns: a new owner ("made owner") and new assignees
/// ("assigned"), never the actor, given the owner and assignees it had before the change.
pub(super) fn notify_assignment(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: &Item,
    (owner_before, assignees_before): (&str, &[String]),
    now: NaiveDateTime,
) -> QueryResult<()> {
    let event = |kind, recipient_user_ids| Event {
        kind,
        organization_id: item.organization_id.clone(),
        workspace_id: Some(item.workspace_id.clone()),
        item_id: Some(item.id.clone()),
        comment_id: None,
        actor_user_id: Some(actor.user_id.clone()),
        recipient_user_ids,
    };
    if item.owner_user_id != owner_before {
        let made_owner = event(
            NotificationKind::MadeOwner,
            vec![item.owner_user_id.clone()],
        );
        notifications::notify(conn, &made_owner, now)?;
    }
    let added: Vec<String> = assignees_of(conn, &item.id)?
        .into_iter()
        .filter(|user| !assignees_before.contains(user))
        .collect();
    notifications::notify(conn, &event(NotificationKind::Assigned, added), now)
}

/// Item writes in one workspace run one at a time: on PostgreSQL this row lock does what
/// SQLite's `BEGIN IMMEDIATE` already does, so concurrent edits can neither deadlock on
/// rows locked in different orders nor overwrite each other's fields with stale values.
pub(super) fn lock_workspace(conn: &mut AnyConnection, viewer: &Viewer) -> QueryResult<()> {
    use crate::schema::workspaces;
    diesel::update(workspaces::table.find(&viewer.workspace_id))
        .set(workspaces::updated_at.eq(workspaces::updated_at))
        .execute(conn)?;
    Ok(())
}

/// The sort order that puts an item after its future siblings.
pub(super) fn next_sort_order(
    conn: &mut AnyConnection,
    workspace_id: &str,
    parent: Option<&str>,
) -> QueryResult<i32> {
    let siblings = okr_items::table
        .filter(okr_items::workspace_id.eq(workspace_id))
        .into_boxed();
    let siblings = match parent {
        Some(id) => siblings.filter(okr_items::parent_id.eq(id)),
        None => siblings.filter(okr_items::parent_id.is_null()),
    };
    let last: Option<i32> = siblings
        .select(diesel::dsl::max(okr_items::sort_order))
        .first(conn)?;
    Ok(last.map_or(0, |n| n + 1))
}

/// What history and webhooks say an item's change is about.
fn subject_of<'a>(viewer: &'a Viewer, item: &'a Item) -> Subject<'a> {
    Subject {
        organization_id: &viewer.organization_id,
        workspace_id: Some(&viewer.workspace_id),
        kind: item.item_type.as_str(),
        id: &item.id,
    }
}

/// Writes an activity row about an item, and queues it to the workspace's webhooks.
pub(super) fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item: &Item,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> QueryResult<()> {
    let subject = subject_of(viewer, item);
    webhooks::publish(
        conn,
        actor,
        subject,
        action,
        before.as_ref(),
        after.as_ref(),
    )?;
    activity::record(conn, actor, subject, action, before, after)
}

/// A board move: published like any change, and folded into the same person's move of the
/// same item within the last minute, so a run of nudges is one history row.
pub(super) fn record_move(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item: &Item,
    (before, after): (serde_json::Value, serde_json::Value),
) -> QueryResult<()> {
    let subject = subject_of(viewer, item);
    webhooks::publish(
        conn,
        actor,
        subject,
        "item.positioned",
        Some(&before),
        Some(&after),
    )?;
    activity::record_or_extend(
        conn,
        actor,
        subject,
        "item.positioned",
        (Some(before), Some(after)),
        chrono::Duration::minutes(1),
    )
}

/// What a parent's progress needs of each child: type, status, points, progress, weight.
type ChildRow = (
    ItemType,
    Option<ActionStatus>,
    Option<StoryPoints>,
    f64,
    f64,
);

/// Recomputes and stores progress from `start` up to the root, each from its live children.
pub(super) fn recompute_up(conn: &mut AnyConnection, start: Option<&str>) -> Result<(), OkrError> {
    let mut current = start.map(str::to_owned);
    // A chain is never longer than the tree; the bound only guards against a corrupt loop.
    for _ in 0..10_000 {
        let Some(id) = current else { return Ok(()) };
        // Lock the row before reading its children: a concurrent change under the same
        // parent then waits for this transaction and reads committed children (PostgreSQL;
        // SQLite's write transactions are serialized anyway).
        diesel::update(okr_items::table.find(&id))
            .set(okr_items::progress_computed.eq(okr_items::progress_computed))
            .execute(conn)?;
        let item = load(conn, &id)?;
        let children: Vec<ChildRow> = okr_items::table
            .filter(okr_items::parent_id.eq(&id))
            .filter(okr_items::deleted_at.is_null())
            .select((
                okr_items::item_type,
                okr_items::action_status,
                okr_items::story_points,
                okr_items::progress_computed,
                okr_items::weight,
            ))
            .load(conn)?;
        let value = match item.item_type {
            ItemType::Action => progress::of_action(item.action_status),
            ItemType::KeyResult => progress::of_key_result(
                &item.key_result_measure(),
                item.current_value,
                item.current_done == Some(true),
                &children
                    .iter()
                    .filter(|c| c.0 == ItemType::Action)
                    .map(|c| (c.1, c.2))
                    .collect::<Vec<_>>(),
            ),
            ItemType::Objective => {
                progress::of_objective(&children.iter().map(|c| (c.3, c.4)).collect::<Vec<_>>())
            }
        };
        diesel::update(okr_items::table.find(&id))
            .set(okr_items::progress_computed.eq(value))
            .execute(conn)?;
        current = item.parent_id;
    }
    Err(OkrError::Refused("The item tree has a loop.".into()))
}
