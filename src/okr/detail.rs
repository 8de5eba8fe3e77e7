//! One item's page: the item with its parent, its links, the tree for the pickers and its
//! history.

use diesel::prelude::*;

use super::feed::{page_in, Feed};
use super::{
    assignees_of, check_may_edit, check_permission, cycle_items, links, load, tree_in, Item,
    ItemType, OkrError, TreeRow,
};
use crate::db::AnyConnection;
use crate::schema::users;
use crate::scope::{self, Viewer};
use crate::skills::{tags, SkillName};

/// One item as its page shows it.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: Item,
    pub owner_name: String,
    pub assignee_ids: Vec<String>,
    /// Actions only: the skills it needs.
    pub skill_tags: Vec<SkillName>,
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
        skill_tags: match item.item_type {
            ItemType::Action => tags::of_item(conn, item_id)?,
            _ => Vec::new(),
        },
        item,
        owner_name,
        parent,
        can_edit,
        can_close_out,
    })
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
    history_limit: usize,
) -> Result<ItemPage, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    Ok(ItemPage {
        detail: detail_in(conn, viewer, &visible, item_id)?,
        links: links::of_item_in(conn, viewer, &visible, item_id)?,
        tree: tree_in(conn, viewer, &visible)?,
        history: page_in(
            conn,
            viewer,
            &visible,
            Feed::Item(item_id),
            None,
            history_limit,
        )?
        .entries
        .into_iter()
        .map(|e| e.entry)
        .collect(),
    })
}
