//! The activity the viewer may read, a page at a time: an item's history and the workspace
//! feed. Rows naming an item the viewer may not see, or one in the trash, are left out, and a
//! page is filled from the rows that remain, so a need-to-know member in a busy workspace
//! gets full pages rather than what happened to survive among the newest rows.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::OkrError;
use crate::activity::{self, ActivityEntry, History, Older};
use crate::db::AnyConnection;
use crate::schema::okr_items;
use crate::scope::{self, Viewer};

/// Rows read per round while filling a page.
const BATCH: i64 = 500;

/// Whose activity to read.
#[derive(Debug, Clone, Copy)]
pub enum Feed<'a> {
    /// One item's history (the item must be visible).
    Item(&'a str),
    /// Changes to every item of the workspace.
    Workspace,
}

/// An item change with the item's title.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub entry: ActivityEntry,
    pub item_title: String,
}

/// One page, newest first, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone)]
pub struct ActivityPage {
    pub entries: Vec<FeedEntry>,
    pub next_cursor: Option<String>,
}

/// A page of `limit` rows the viewer may read, older than the row `cursor` names (the first
/// page without one). A cursor that is not a row of this workspace's log is refused.
pub fn activity_page(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    feed: Feed<'_>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<ActivityPage, OkrError> {
    let visible = scope::visible_items(conn, viewer)?;
    page_in(conn, viewer, &visible, feed, cursor, limit)
}

pub(super) fn page_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &scope::Visible,
    feed: Feed<'_>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<ActivityPage, OkrError> {
    if let Feed::Item(item_id) = feed {
        scope::check_in(conn, viewer, visible, item_id)?;
    }
    let mut start = match cursor {
        None => None,
        Some(id) => Some(activity::older_than(conn, &viewer.workspace_id, id)?.ok_or(
            OkrError::Field {
                field: "cursor",
                message: "Unknown cursor; pass the next_cursor of the page before.".into(),
            },
        )?),
    };
    let history = match feed {
        Feed::Item(item_id) => History::Item(item_id),
        Feed::Workspace => History::WorkspaceItems(&viewer.workspace_id),
    };
    let live = live_ids(conn, viewer)?;
    let readable = |entry: &ActivityEntry| {
        std::iter::once(&entry.item_id)
            .chain(&entry.referenced_ids)
            .all(|id| visible.contains(id) && live.contains(id))
    };
    // One more than the page, so a full page knows whether another follows.
    let mut kept = Vec::new();
    'reading: loop {
        let rows = activity::older(
            conn,
            history,
            start.as_ref(),
            BATCH,
            super::types::history_words,
        )?;
        let exhausted = (rows.len() as i64) < BATCH;
        if let Some(last) = rows.last() {
            start = Some(Older {
                created_at: last.created_at,
                id: last.id.clone(),
            });
        }
        for row in rows {
            if readable(&row) {
                kept.push(row);
                if kept.len() > limit {
                    break 'reading;
                }
            }
        }
        if exhausted {
            break;
        }
    }
    let next_cursor = if kept.len() > limit {
        kept.truncate(limit);
        kept.last().map(|e| e.id.clone())
    } else {
        None
    };
    // Titles of the items and of the other items rows name (link ends, new parents), which
    // `readable` kept only where the viewer may see them.
    let ids: Vec<&str> = kept
        .iter()
        .flat_map(|e| std::iter::once(e.item_id.as_str()).chain(e.other_item_id()))
        .collect();
    let titles: HashMap<String, String> = okr_items::table
        .filter(okr_items::id.eq_any(&ids))
        .select((okr_items::id, okr_items::title))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let entries = kept
        .into_iter()
        .map(|mut entry| {
            entry.other_title = entry.other_item_id().and_then(|id| titles.get(id).cloned());
            FeedEntry {
                item_title: titles.get(&entry.item_id).cloned().unwrap_or_default(),
                entry,
            }
        })
        .collect();
    Ok(ActivityPage {
        entries,
        next_cursor,
    })
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
