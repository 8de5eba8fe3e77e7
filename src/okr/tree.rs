//! Reading the tree the viewer may see: in tree order, narrowed by a filter, or as a flat
//! page of matches (the API).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::status::{Status, Statuses};
use super::{ActionStatus, Item, ItemType, OkrError};
use crate::cycles::CycleFilter;
use crate::db::AnyConnection;
use crate::schema::{okr_item_assignees, okr_items, users};
use crate::scope::{self, Viewer};

/// One row of the tree page, in tree order.
#[derive(Debug, Clone)]
pub struct TreeRow {
    pub item: Item,
    pub depth: usize,
    pub owner_name: String,
    pub assignee_names: Vec<String>,
    pub has_children: bool,
}

impl TreeRow {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.item.is_overdue(today)
    }
}

/// What the tree page narrows to; matches are shown with their ancestors for context.
#[derive(Debug, Clone, Default)]
pub struct TreeFilter {
    pub owner: Option<String>,
    pub assignee: Option<String>,
    pub item_type: Option<ItemType>,
    pub status: Option<ActionStatus>,
    pub overdue_on: Option<NaiveDate>,
    /// Words that must all appear in the title or description (any case).
    pub text: Option<String>,
    /// The status (on track, at risk…). It is derived from the whole workspace, so only
    /// the tree and the board, which have the statuses at hand, narrow by it.
    pub track: Option<Status>,
    /// One cycle, the backlog or all (every item carries its objective's cycle).
    pub cycle: CycleFilter,
}

impl TreeFilter {
    pub fn is_empty(&self) -> bool {
        self.owner.is_none()
            && self.assignee.is_none()
            && self.item_type.is_none()
            && self.status.is_none()
            && self.overdue_on.is_none()
            && self.text.is_none()
            && self.track.is_none()
            && self.cycle == CycleFilter::All
    }

    fn has_status(&self, item: &Item, statuses: &Statuses) -> bool {
        self.track
            .is_none_or(|track| statuses.of(item) == Some(track))
    }

    fn matches(&self, item: &Item, assignee_ids: &[String]) -> bool {
        let text_matches = self.text.as_ref().is_none_or(|text| {
            let haystack = format!(
                "{} {}",
                item.title,
                item.description.as_deref().unwrap_or("")
            )
            .to_lowercase();
            text.to_lowercase()
                .split_whitespace()
                .all(|word| haystack.contains(word))
        });
        self.owner
            .as_ref()
            .is_none_or(|owner| *owner == item.owner_user_id)
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| assignee_ids.contains(a))
            && self.item_type.is_none_or(|t| t == item.item_type)
            && self.status.is_none_or(|s| item.action_status == Some(s))
            && self.overdue_on.is_none_or(|today| item.is_overdue(today))
            && self.cycle.admits(item.cycle_id.as_deref())
            && text_matches
    }
}

/// The tree narrowed by a filter: matching rows and their ancestors, in tree order.
/// `statuses` are the workspace's of today (`status::statuses`), read once per page.
pub fn filtered_tree(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    filter: &TreeFilter,
    statuses: &Statuses,
) -> Result<Vec<TreeRow>, OkrError> {
    let rows = tree(conn, viewer)?;
    narrow(conn, viewer, rows, filter, statuses)
}

/// Rows of `tree` that match the filter, with their ancestors, in tree order.
pub(super) fn narrow(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: Vec<TreeRow>,
    filter: &TreeFilter,
    statuses: &Statuses,
) -> Result<Vec<TreeRow>, OkrError> {
    if filter.is_empty() {
        return Ok(rows);
    }
    let assignees: Vec<(String, String)> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .select((okr_item_assignees::item_id, okr_item_assignees::user_id))
        .load(conn)?;
    let mut by_item: HashMap<&str, Vec<String>> = HashMap::new();
    for (item, user) in &assignees {
        by_item.entry(item.as_str()).or_default().push(user.clone());
    }
    let parent_of: HashMap<&str, Option<&str>> = rows
        .iter()
        .map(|row| (row.item.id.as_str(), row.item.parent_id.as_deref()))
        .collect();
    let mut keep: HashSet<&str> = HashSet::new();
    for row in &rows {
        let ids = by_item
            .get(row.item.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if filter.matches(&row.item, ids) && filter.has_status(&row.item, statuses) {
            let mut current = Some(row.item.id.as_str());
            while let Some(id) = current {
                if !keep.insert(id) {
                    break;
                }
                current = parent_of.get(id).copied().flatten();
            }
        }
    }
    let keep: HashSet<String> = keep.into_iter().map(str::to_owned).collect();
    Ok(rows
        .into_iter()
        .filter(|row| keep.contains(&row.item.id))
        .collect())
}

/// The workspace an item belongs to (live or in the trash), so a request that names only the
/// item can check the caller's access to that workspace first.
pub fn workspace_of(conn: &mut AnyConnection, item_id: &str) -> Result<String, OkrError> {
    Ok(okr_items::table
        .find(item_id)
        .select(okr_items::workspace_id)
        .first(conn)?)
}

/// An item with the ids of the people assigned to it.
#[derive(Debug, Clone)]
pub struct Assigned {
    pub item: Item,
    pub assignee_ids: Vec<String>,
    /// Actions only: the skills it needs.
    pub skill_tags: Vec<crate::skills::SkillName>,
}

/// One page of a flat listing.
#[derive(Debug, Clone)]
pub struct ItemList {
    pub items: Vec<Assigned>,
    /// The id to continue after, when there is more.
    pub next_after: Option<String>,
}

/// The live items the viewer may see that match the filter itself (no ancestors added),
/// by id (ids sort by creation time), starting after `after`, at most `limit`. The status
/// (`track`) is not read here: the API has no status filter.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    filter: &TreeFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<ItemList, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    let mut query = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(okr_items::id.gt(after));
    }
    let items: Vec<Item> = query
        .order(okr_items::id.asc())
        .select(Item::as_select())
        .load(conn)?;
    let assignees: Vec<(String, String)> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .order(okr_item_assignees::user_id.asc())
        .select((okr_item_assignees::item_id, okr_item_assignees::user_id))
        .load(conn)?;
    let mut by_item: HashMap<String, Vec<String>> = HashMap::new();
    for (item, user) in assignees {
        by_item.entry(item).or_default().push(user);
    }
    let mut matching = items
        .into_iter()
        .filter(|item| visible.contains(&item.id))
        .map(|item| Assigned {
            assignee_ids: by_item.remove(&item.id).unwrap_or_default(),
            skill_tags: Vec::new(),
            item,
        })
        .filter(|a| filter.matches(&a.item, &a.assignee_ids));
    let mut page: Vec<Assigned> = matching.by_ref().take(limit).collect();
    let ids: Vec<&str> = page.iter().map(|a| a.item.id.as_str()).collect();
    let mut tags = crate::skills::tags::of_items(conn, &ids)?;
    for assigned in &mut page {
        assigned.skill_tags = tags.remove(&assigned.item.id).unwrap_or_default();
    }
    let next_after = match matching.next() {
        Some(_) => page.last().map(|a| a.item.id.clone()),
        None => None,
    };
    Ok(ItemList {
        items: page,
        next_after,
    })
}

/// The workspace's live items the viewer may see, in tree order (siblings by sort order).
/// Two queries whatever the size: items with owners, then assignees.
pub fn tree(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<TreeRow>, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    tree_in(conn, viewer, &visible)
}

pub(super) fn tree_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &scope::Visible,
) -> Result<Vec<TreeRow>, OkrError> {
    let rows: Vec<(Item, String)> = okr_items::table
        .inner_join(users::table.on(users::id.eq(okr_items::owner_user_id)))
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .order((
            okr_items::sort_order.asc(),
            okr_items::created_at.asc(),
            okr_items::id.asc(),
        ))
        .select((Item::as_select(), users::name))
        .load(conn)?;
    let rows: Vec<(Item, String)> = rows
        .into_iter()
        .filter(|(item, _)| visible.contains(&item.id))
        .collect();
    let assignees: Vec<(String, String)> = okr_item_assignees::table
        .inner_join(users::table.on(users::id.eq(okr_item_assignees::user_id)))
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .order(users::name.asc())
        .select((okr_item_assignees::item_id, users::name))
        .load(conn)?;
    let mut names_by_item: HashMap<String, Vec<String>> = HashMap::new();
    for (item_id, name) in assignees {
        names_by_item.entry(item_id).or_default().push(name);
    }
    let mut children: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    let ids: HashSet<&str> = rows.iter().map(|(item, _)| item.id.as_str()).collect();
    for (index, (item, _)) in rows.iter().enumerate() {
        // An item whose parent the viewer cannot see hangs at the top.
        let parent = item.parent_id.clone().filter(|p| ids.contains(p.as_str()));
        children.entry(parent).or_default().push(index);
    }
    let mut ordered = Vec::with_capacity(rows.len());
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    while let Some((index, depth)) = stack.pop() {
        let (item, owner_name) = &rows[index];
        let kids = children.get(&Some(item.id.clone()));
        if let Some(kids) = kids {
            stack.extend(kids.iter().rev().map(|&i| (i, depth + 1)));
        }
        ordered.push(TreeRow {
            item: item.clone(),
            depth,
            owner_name: owner_name.clone(),
            assignee_names: names_by_item.remove(&item.id).unwrap_or_default(),
            has_children: kids.is_some_and(|k| !k.is_empty()),
        });
    }
    Ok(ordered)
}
