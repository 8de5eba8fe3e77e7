//! One item's page and the activity the viewer may read: the item with its parent, its
//! history and the workspace feed, with rows naming hidden or trashed items left out.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::{
    assignees_of, check_may_edit, check_permission, cycle_items, links, load, tree_in, Item,
    OkrError, TreeRow,
};
use crate::activity;
use crate::db::AnyConnection;
use crate::schema::{okr_items, users};
use crate::scope::{self, Viewer};

/// One item as its page shows it.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: Item,
    pub owner_name: String,
    pub assignee_ids: Vec<String>,
    /// The parent, when the viewer may see it.
    pub parent: Option<Item>,
    pub can_edit: bool,
    /// Whether the viewer may set its outcome and closing note (a closed cycle's too).
    pub can_close_out: bool,
}

pub fn detail(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<ItemDetail, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    detail_in(conn, viewer, &visible, item_id)
}

fn detail_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &scope::Visible,
    item_id: &str,
) -> Result<ItemDetail, OkrError> {
    scope::check_in(conn, viewer, visible, item_id)?;
    let item = load(conn, item_id)?;
    let owner_name = users::table
        .find(&item.owner_user_id)
        .select(users::name)
        .first(conn)?;
    let parent = match &item.parent_id {
        Some(parent_id) if scope::check_in(conn, viewer, visible, parent_id).is_ok() => {
            Some(load(conn, parent_id)?)
        }
        _ => None,
    };
    let can_edit = check_may_edit(conn, viewer, &item).is_ok();
    let can_close_out = cycle_items::check_takes_outcome(&item).is_ok()
        && check_permission(conn, viewer, &item).is_ok();
    Ok(ItemDetail {
        assignee_ids: assignees_of(conn, item_id)?,
        item,
        owner_name,
        parent,
        can_edit,
        can_close_out,
    })
}

/// An item change in the workspace feed, with the item's title.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub entry: crate::activity::ActivityEntry,
    pub item_title: String,
}

/// Recent changes to the items the viewer may see (an activity row is visible when its item
/// is), newest first.
pub fn activity_feed(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    limit: usize,
) -> Result<Vec<FeedEntry>, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    let entries = activity::recent(
        conn,
        activity::History::WorkspaceItems(&viewer.workspace_id),
        1000,
    )?;
    let live = live_ids(conn, viewer)?;
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|entry| visible.contains(&entry.item_id))
        .filter(|entry| {
            referenced_items(entry)
                .iter()
                .all(|id| visible.contains(id) && live.contains(*id))
        })
        .take(limit)
        .collect();
    let ids: Vec<&str> = entries.iter().map(|e| e.item_id.as_str()).collect();
    let titles: HashMap<String, String> = okr_items::table
        .filter(okr_items::id.eq_any(&ids))
        .filter(okr_items::deleted_at.is_null())
        .select((okr_items::id, okr_items::title))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(entries
        .into_iter()
        .filter_map(|entry| {
            let item_title = titles.get(&entry.item_id)?.clone();
            Some(FeedEntry { entry, item_title })
        })
        .collect())
}

/// Item ids an activity row refers to besides its own item (a former or new parent, a link
/// target), so a row is shown only when all of them are visible too.
fn referenced_items(entry: &crate::activity::ActivityEntry) -> Vec<&str> {
    entry.referenced_ids.iter().map(String::as_str).collect()
}

/// The workspace's live item ids. `Visible::All` also holds items in the trash, so without
/// this a row naming a deleted item showed to admins and open-mode members (with the
/// deleted item's id in its payload) while need-to-know members had it left out.
fn live_ids(conn: &mut AnyConnection, viewer: &Viewer) -> QueryResult<HashSet<String>> {
    Ok(okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .select(okr_items::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// An item's history as the viewer may read it: rows that mention an item the viewer may
/// not see (a hidden former parent, a hidden link target) are left out.
fn history_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &scope::Visible,
    item_id: &str,
    limit: i64,
) -> Result<Vec<crate::activity::ActivityEntry>, OkrError> {
    scope::check_in(conn, viewer, visible, item_id)?;
    let entries = activity::recent(conn, activity::History::Item(item_id), limit)?;
    let live = live_ids(conn, viewer)?;
    Ok(entries
        .into_iter()
        .filter(|entry| {
            referenced_items(entry)
                .iter()
                .all(|id| visible.contains(id) && live.contains(*id))
        })
        .collect())
}

/// An item's history as the viewer may read it, newest first.
pub fn history(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    limit: i64,
) -> Result<Vec<crate::activity::ActivityEntry>, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    history_in(conn, viewer, &visible, item_id, limit)
}

/// Everything an item's page shows, with the viewer's visible set computed once.
pub struct ItemPage {
    pub detail: ItemDetail,
    pub links: Vec<links::Linked>,
    /// The viewer's whole tree (for the link and move pickers).
    pub tree: Vec<TreeRow>,
    /// The item's history, without rows that mention an item the viewer may not see.
    pub history: Vec<crate::activity::ActivityEntry>,
}

pub fn item_page(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    history_limit: i64,
) -> Result<ItemPage, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    Ok(ItemPage {
        detail: detail_in(conn, viewer, &visible, item_id)?,
        links: links::of_item_in(conn, viewer, &visible, item_id)?,
        tree: tree_in(conn, viewer, &visible)?,
        history: history_in(conn, viewer, &visible, item_id, history_limit)?,
    })
}
