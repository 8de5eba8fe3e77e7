//! Who should take an action: the workspace's active members ranked by their skills against
//! the action's tags and title, minus their load; and a one-click assign.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::edit::{self, ItemChanges};
use super::{
    assignees_of, check_may_edit, load, lock_workspace, ActionStatus, Item, ItemType, OkrError,
    StoryPoints,
};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::schema::{okr_item_assignees, okr_items};
use crate::scope::{self, Viewer, Visible};
use crate::skills::{self, scoring, Skills};
use crate::workspaces;

/// An action with its ranked candidates.
#[derive(Debug, Clone)]
pub struct AssigneeSuggestions {
    pub item: Item,
    pub skill_tags: Vec<skills::SkillName>,
    pub suggestions: Vec<scoring::Suggestion>,
    /// Whether the one asking may assign them (may edit the action, not archived).
    pub may_assign: bool,
}

/// Story points of the open (not done) live actions each person holds: those assigned to
/// them, and those they own with nobody assigned. Only actions `visible` to the one asking
/// count, so a need-to-know member's ranking says nothing about what is hidden from them.
fn open_points(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &Visible,
) -> QueryResult<HashMap<String, f64>> {
    let actions: Vec<(String, String, Option<StoryPoints>)> = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .filter(okr_items::item_type.eq(ItemType::Action))
        .filter(
            okr_items::action_status
                .ne(ActionStatus::Done)
                .or(okr_items::action_status.is_null()),
        )
        .select((
            okr_items::id,
            okr_items::owner_user_id,
            okr_items::story_points,
        ))
        .load(conn)?;
    let mut assigned: HashMap<String, Vec<String>> = HashMap::new();
    let rows: Vec<(String, String)> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .select((okr_item_assignees::item_id, okr_item_assignees::user_id))
        .load(conn)?;
    for (item_id, user_id) in rows {
        assigned.entry(item_id).or_default().push(user_id);
    }
    let mut points: HashMap<String, f64> = HashMap::new();
    for (id, owner, story_points) in actions.iter().filter(|(id, ..)| visible.contains(id)) {
        let value = story_points.and_then(StoryPoints::numeric).unwrap_or(0.0);
        let holders = assigned
            .get(id)
            .cloned()
            .unwrap_or_else(|| vec![owner.clone()]);
        for holder in holders {
            *points.entry(holder).or_default() += value;
        }
    }
    Ok(points)
}

/// The ranked candidates for a visible action: every active member of the workspace not yet
/// assigned to it. In every privacy mode an assignee sees the action (see `scope`), so each
/// of them could see it once assigned; org admins outside the workspace, inactive members
/// and people of other workspaces are never candidates.
pub fn assignee_suggestions(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<AssigneeSuggestions, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    scope::check_in(conn, viewer, &visible, item_id)?;
    let item = load(conn, item_id)?;
    if item.item_type != ItemType::Action {
        return Err(OkrError::Refused(
            "Only actions get assignee suggestions.".into(),
        ));
    }
    let skill_tags = skills::tags::of_item(conn, item_id)?;
    let assigned = assignees_of(conn, item_id)?;
    let members: Vec<workspaces::WorkspaceMember> =
        workspaces::members(conn, &viewer.workspace_id)?
            .into_iter()
            .filter(|m| m.active && !assigned.contains(&m.user_id))
            .collect();
    let profiles = skills::all_in(conn, &viewer.workspace_id)?;
    let points = open_points(conn, viewer, &visible)?;
    let none = Skills::default();
    let candidates: Vec<scoring::Candidate<'_>> = members
        .iter()
        .map(|m| scoring::Candidate {
            user_id: &m.user_id,
            name: &m.name,
            skills: profiles.get(&m.user_id).unwrap_or(&none),
            open_points: points.get(&m.user_id).copied().unwrap_or(0.0),
        })
        .collect();
    let dates = match (item.start_date, item.due_date) {
        (Some(start), Some(due)) => Some((start, due)),
        (Some(day), None) | (None, Some(day)) => Some((day, day)),
        (None, None) => None,
    };
    let suggestions = scoring::rank(
        &scoring::Action {
            tags: &skill_tags,
            title: &item.title,
            dates,
        },
        &candidates,
    );
    let may_assign =
        viewer.require_writable().is_ok() && check_may_edit(conn, viewer, &item).is_ok();
    Ok(AssigneeSuggestions {
        item,
        skill_tags,
        suggestions,
        may_assign,
    })
}

/// Adds one assignee to an action (the suggestion list's "Assign"), through the same rules
/// as the item page's save.
pub fn assign(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        // The list is read under the lock the save takes, so two assigns both land.
        lock_workspace(conn, viewer)?;
        scope::check_item(conn, viewer, item_id)?;
        let mut assignees = assignees_of(conn, item_id)?;
        if !assignees.iter().any(|a| a == user_id) {
            assignees.push(user_id.to_owned());
        }
        let changes = ItemChanges {
            assignee_user_ids: Some(assignees),
            ..ItemChanges::default()
        };
        edit::update(conn, actor, viewer, item_id, changes, now)
    })
}
