//! Relations between two items of a workspace (`objective_relation`). A link is visible when
//! both of its ends are.

use std::collections::HashSet;

use diesel::prelude::*;

use super::{check_may_edit, load, record, Item, OkrError};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::schema::okr_links;
use crate::scope::{self, Viewer};

const RELATION: &str = "objective_relation";

/// A link between two items.
#[derive(Debug, Clone, Queryable)]
pub struct Link {
    pub id: String,
    pub from_item_id: String,
    pub to_item_id: String,
    pub link_type: String,
}

/// The workspace's live links whose both ends the viewer may see, oldest first.
pub fn in_workspace(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<Link>, OkrError> {
    use crate::schema::okr_items;
    let visible = scope::visible_items(conn, viewer)?;
    let live: Vec<String> = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .select(okr_items::id)
        .load::<String>(conn)?;
    let shown: HashSet<&str> = live
        .iter()
        .map(String::as_str)
        .filter(|id| visible.contains(id))
        .collect();
    Ok(between(conn, viewer, &shown)?)
}

/// The workspace's live links with both ends among `shown` (items the viewer may see),
/// oldest first.
pub fn between(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    shown: &HashSet<&str>,
) -> QueryResult<Vec<Link>> {
    let links: Vec<Link> = okr_links::table
        .filter(okr_links::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_links::deleted_at.is_null())
        .order((okr_links::created_at.asc(), okr_links::id.asc()))
        .select((
            okr_links::id,
            okr_links::from_item_id,
            okr_links::to_item_id,
            okr_links::link_type,
        ))
        .load(conn)?;
    Ok(links
        .into_iter()
        .filter(|link| {
            shown.contains(link.from_item_id.as_str()) && shown.contains(link.to_item_id.as_str())
        })
        .collect())
}

/// The workspace a live link belongs to, so a request naming only the link can find its
/// viewer.
pub fn workspace_of(conn: &mut AnyConnection, link_id: &str) -> Result<String, OkrError> {
    Ok(okr_links::table
        .find(link_id)
        .filter(okr_links::deleted_at.is_null())
        .select(okr_links::workspace_id)
        .first(conn)?)
}

/// A link as an item's page shows it: the item at the other end.
#[derive(Debug, Clone)]
pub struct Linked {
    pub link_id: String,
    pub other: Item,
}

/// Links of an item whose other end the viewer may see.
pub fn of_item(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Vec<Linked>, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    of_item_in(conn, viewer, &visible, item_id)
}

/// `of_item` with a visible set already computed for this request.
pub(super) fn of_item_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &scope::Visible,
    item_id: &str,
) -> Result<Vec<Linked>, OkrError> {
    scope::check_in(conn, viewer, visible, item_id)?;
    let rows: Vec<(String, String, String)> = okr_links::table
        .filter(okr_links::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_links::deleted_at.is_null())
        .filter(
            okr_links::from_item_id
                .eq(item_id)
                .or(okr_links::to_item_id.eq(item_id)),
        )
        .order(okr_links::created_at.asc())
        .select((
            okr_links::id,
            okr_links::from_item_id,
            okr_links::to_item_id,
        ))
        .load(conn)?;
    let mut linked = Vec::new();
    for (link_id, from, to) in rows {
        let other_id = if from == item_id { to } else { from };
        if !visible.contains(&other_id) {
            continue;
        }
        let other = load(conn, &other_id)?;
        if other.deleted_at.is_none() {
            linked.push(Linked { link_id, other });
        }
    }
    Ok(linked)
}

/// Relates two visible items of the workspace; no self-links, no duplicates (either way).
/// Answers the new link.
pub fn add(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    from: &str,
    to: &str,
) -> Result<Link, OkrError> {
    viewer.require_writable()?;
    if from == to {
        return Err(OkrError::Refused(
            "An item cannot be linked to itself.".into(),
        ));
    }
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        scope::check_item(conn, viewer, from)?;
        scope::check_item(conn, viewer, to)?;
        let item = load(conn, from)?;
        check_may_edit(conn, viewer, &item)?;
        let existing: i64 = okr_links::table
            .filter(okr_links::deleted_at.is_null())
            .filter(
                okr_links::from_item_id
                    .eq(from)
                    .and(okr_links::to_item_id.eq(to))
                    .or(okr_links::from_item_id
                        .eq(to)
                        .and(okr_links::to_item_id.eq(from))),
            )
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Err(OkrError::AlreadyLinked);
        }
        let now = db::now();
        let id = db::new_id();
        diesel::insert_into(okr_links::table)
            .values((
                okr_links::id.eq(&id),
                okr_links::organization_id.eq(&viewer.organization_id),
                okr_links::workspace_id.eq(&viewer.workspace_id),
                okr_links::from_item_id.eq(from),
                okr_links::to_item_id.eq(to),
                okr_links::link_type.eq(RELATION),
                okr_links::created_at.eq(now),
                okr_links::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    OkrError::AlreadyLinked
                } else {
                    e.into()
                }
            })?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "item.linked",
            None,
            Some(serde_json::json!({ "linked_item_id": to })),
        )?;
        Ok(Link {
            id,
            from_item_id: from.to_owned(),
            to_item_id: to.to_owned(),
            link_type: RELATION.to_owned(),
        })
    })
}

/// Removes a link (softly) from an item the viewer may edit.
pub fn remove(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    link_id: &str,
) -> Result<(), OkrError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let linked = of_item(conn, viewer, item_id)?;
        let Some(link) = linked.into_iter().find(|l| l.link_id == link_id) else {
            return Err(OkrError::NotFound);
        };
        let item = load(conn, item_id)?;
        check_may_edit(conn, viewer, &item)?;
        unlink(conn, actor, viewer, &item, link_id, &link.other.id)
    })
}

/// Removes a link named only by its id, by the rule of the item pages: whoever may edit
/// either end may remove it (each end's page offers it). The history records it on the end
/// they may edit, the `from` end when both.
pub fn remove_by_id(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    link_id: &str,
) -> Result<(), OkrError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let (from, to): (String, String) = okr_links::table
            .find(link_id)
            .filter(okr_links::workspace_id.eq(&viewer.workspace_id))
            .filter(okr_links::deleted_at.is_null())
            .select((okr_links::from_item_id, okr_links::to_item_id))
            .first(conn)?;
        // Both ends must be visible and live, as on the pages.
        if !of_item(conn, viewer, &from)?
            .iter()
            .any(|l| l.link_id == link_id)
        {
            return Err(OkrError::NotFound);
        }
        let from_item = load(conn, &from)?;
        if check_may_edit(conn, viewer, &from_item).is_ok() {
            return unlink(conn, actor, viewer, &from_item, link_id, &to);
        }
        let to_item = load(conn, &to)?;
        check_may_edit(conn, viewer, &to_item)?;
        unlink(conn, actor, viewer, &to_item, link_id, &from)
    })
}

/// Marks the link removed and records it in `item`'s history.
fn unlink(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item: &Item,
    link_id: &str,
    other_id: &str,
) -> Result<(), OkrError> {
    let now = db::now();
    diesel::update(okr_links::table.find(link_id))
        .set((
            okr_links::deleted_at.eq(Some(now)),
            okr_links::updated_at.eq(now),
        ))
        .execute(conn)?;
    record(
        conn,
        actor,
        viewer,
        item,
        "item.unlinked",
        // The id only: whoever reads this history later may not see the other item.
        Some(serde_json::json!({ "linked_item_id": other_id })),
        None,
    )?;
    Ok(())
}
