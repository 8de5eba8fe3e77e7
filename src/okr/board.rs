//! The board: every visible item as a card on a canvas. Cards the users placed stay where
//! they were put; the others take an automatic layout in tree layers that depends only on
//! the tree, so it is the same on every load.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::status::Statuses;
use super::{load, record, Item, ItemType, OkrError, TreeFilter, TreeRow};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::schema::okr_items;
use crate::scope::{self, Viewer};

/// Card size and spacing of the automatic layout, in board units (CSS pixels at 100 %).
pub const CARD_WIDTH: f64 = 240.0;
pub const CARD_HEIGHT: f64 = 144.0;
const COLUMN_GAP: f64 = 40.0;
const LAYER_GAP: f64 = 96.0;
const STACK_GAP: f64 = 20.0;
/// Columns of top-level items side by side before the next band starts below.
const BAND_COLUMNS: usize = 48;

/// How far from the origin a card may be put, either way on both axes: far beyond the
/// automatic layout of a workspace of tens of thousands of items (it wraps into bands),
/// small enough that every browser renders it.
pub const POSITION_LIMIT: f64 = 1_000_000.0;

/// A place on the board: finite and within `POSITION_LIMIT` on both axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoardPosition {
    x: f64,
    y: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("Positions must be numbers.")]
    NotANumber,
    #[error("Positions must lie between -1000000 and 1000000.")]
    OutOfBounds,
}

impl BoardPosition {
    pub fn new(x: f64, y: f64) -> Result<Self, PositionError> {
        for value in [x, y] {
            if !value.is_finite() {
                return Err(PositionError::NotANumber);
            }
            if value.abs() > POSITION_LIMIT {
                return Err(PositionError::OutOfBounds);
            }
        }
        // Sub-pixel precision is noise from zoomed drags; whole units keep the data tidy.
        Ok(Self {
            x: x.round(),
            y: y.round(),
        })
    }

    pub fn x(self) -> f64 {
        self.x
    }

    pub fn y(self) -> f64 {
        self.y
    }

    fn of(item: &Item) -> Option<Self> {
        Some(Self {
            x: item.position_x?,
            y: item.position_y?,
        })
    }

    fn json(position: Option<Self>) -> serde_json::Value {
        match position {
            Some(p) => serde_json::json!({ "x": p.x, "y": p.y }),
            None => serde_json::json!({ "x": null, "y": null }),
        }
    }
}

/// One card as the board shows it.
#[derive(Debug, Clone)]
pub struct Card {
    pub row: TreeRow,
    pub x: f64,
    pub y: f64,
    /// False while the card sits where the automatic layout put it.
    pub placed: bool,
    pub may_edit: bool,
}

impl Card {
    pub fn owner_initials(&self) -> String {
        initials(&self.row.owner_name)
    }
}

fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|w| w.chars().next());
    let last = words.last().and_then(|w| w.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// From a parent to its child.
    Parent,
    /// An `okr_links` relation.
    Link,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

#[derive(Debug, Clone)]
pub struct Board {
    pub cards: Vec<Card>,
    pub edges: Vec<Edge>,
}

/// The board of the viewer's workspace narrowed by a filter (matches and their ancestors,
/// like the tree). The automatic layout is computed from the cycle's whole visible tree, so
/// no other filter moves a card. `statuses` are today's, read once for the page.
pub fn board(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    filter: &TreeFilter,
    statuses: &Statuses,
) -> Result<Board, OkrError> {
    let mut rows = super::tree(conn, viewer)?;
    rows.retain(|row| filter.cycle.admits(row.item.cycle_id.as_deref()));
    let layout = automatic_layout(&rows);
    let rows = super::narrow(conn, viewer, rows, filter, statuses)?;
    let shown: HashSet<&str> = rows.iter().map(|r| r.item.id.as_str()).collect();
    let mut edges: Vec<Edge> = rows
        .iter()
        .filter_map(|row| {
            let parent = row.item.parent_id.as_deref()?;
            shown.contains(parent).then(|| Edge {
                from: parent.to_owned(),
                to: row.item.id.clone(),
                kind: EdgeKind::Parent,
            })
        })
        .collect();
    edges.extend(
        super::links::between(conn, viewer, &shown)?
            .into_iter()
            .map(|link| Edge {
                from: link.from_item_id,
                to: link.to_item_id,
                kind: EdgeKind::Link,
            }),
    );
    let editable = super::editable_ids(conn, viewer, &rows)?;
    let cards = rows
        .into_iter()
        .map(|row| {
            let placed = BoardPosition::of(&row.item);
            let (x, y) = match placed {
                Some(p) => (p.x, p.y),
                None => layout.get(&row.item.id).copied().unwrap_or((0.0, 0.0)),
            };
            let may_edit = editable.contains(&row.item.id);
            Card {
                row,
                x,
                y,
                placed: placed.is_some(),
                may_edit,
            }
        })
        .collect();
    Ok(Board { cards, edges })
}

/// Top-left corners of every row's card when nobody has placed it: objectives and their
/// key results in layers, each key result's actions stacked in a column below it. Every
/// subtree owns its own band of columns, so no two cards overlap.
pub fn automatic_layout(rows: &[TreeRow]) -> HashMap<String, (f64, f64)> {
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.item.id.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    // Rows come in tree order, so children are listed in sibling order.
    for (i, row) in rows.iter().enumerate() {
        match row.item.parent_id.as_deref().and_then(|p| index.get(p)) {
            Some(&parent) => children[parent].push(i),
            None => roots.push(i),
        }
    }
    let stacks = |i: usize| rows[i].item.item_type == ItemType::KeyResult;
    // Width in columns, children before parents (tree order reversed visits them first).
    let mut width = vec![1usize; rows.len()];
    for i in (0..rows.len()).rev() {
        if !stacks(i) {
            width[i] = children[i].iter().map(|&c| width[c]).sum::<usize>().max(1);
        }
    }
    let column = CARD_WIDTH + COLUMN_GAP;
    let layer = CARD_HEIGHT + LAYER_GAP;
    let mut positions = HashMap::with_capacity(rows.len());
    // Top-level items fill bands of at most BAND_COLUMNS columns, one band below the other,
    // so a workspace with thousands of objectives stays within `POSITION_LIMIT`.
    let mut next_column = 0usize;
    let mut band_top = 0.0;
    let mut band_bottom: f64 = 0.0;
    for &root in &roots {
        if next_column > 0 && next_column + width[root] > BAND_COLUMNS {
            next_column = 0;
            band_top = band_bottom + LAYER_GAP;
        }
        let mut stack = vec![(root, next_column, 0usize)];
        next_column += width[root];
        while let Some((i, first_column, depth)) = stack.pop() {
            let centre = first_column as f64 + (width[i] as f64 - 1.0) / 2.0;
            let y = band_top + depth as f64 * layer;
            positions.insert(rows[i].item.id.clone(), (centre * column, y));
            band_bottom = band_bottom.max(y + CARD_HEIGHT);
            if stacks(i) {
                for (n, &c) in children[i].iter().enumerate() {
                    let below = y + layer + n as f64 * (CARD_HEIGHT + STACK_GAP);
                    positions.insert(rows[c].item.id.clone(), (centre * column, below));
                    band_bottom = band_bottom.max(below + CARD_HEIGHT);
                }
                continue;
            }
            let mut start = first_column;
            for &c in &children[i] {
                stack.push((c, start, depth + 1));
                start += width[c];
            }
        }
    }
    positions
}

/// Puts an item at a place on the board; who may edit the item may move it.
pub fn set_position(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    position: BoardPosition,
) -> Result<Item, OkrError> {
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let before = super::edit::editable(conn, viewer, item_id)?;
        if BoardPosition::of(&before) == Some(position) {
            return Ok(before);
        }
        diesel::update(okr_items::table.find(item_id))
            .set((
                okr_items::position_x.eq(position.x),
                okr_items::position_y.eq(position.y),
            ))
            .execute(conn)?;
        let moved = (
            BoardPosition::json(BoardPosition::of(&before)),
            BoardPosition::json(Some(position)),
        );
        super::write::record_move(conn, actor, viewer, &before, moved)?;
        load(conn, item_id)
    })
}

/// Which cards "tidy up" returns to the automatic layout.
#[derive(Debug, Clone)]
pub enum Tidy {
    All,
    Only(Vec<String>),
}

/// Returns placed cards to the automatic layout: all of them or the chosen ones, of those
/// the viewer may tidy (admins any, others the items they own). Answers how many moved.
pub fn tidy_up(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    which: &Tidy,
) -> Result<usize, OkrError> {
    viewer.require_writable()?;
    db::write_transaction(conn, |conn| {
        super::lock_workspace(conn, viewer)?;
        let placed: Vec<Item> = okr_items::table
            .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
            .filter(okr_items::deleted_at.is_null())
            .filter(okr_items::position_x.is_not_null())
            .select(Item::as_select())
            .load(conn)?;
        let visible = scope::visible_items(conn, viewer)?;
        let closed = crate::cycles::closed_ids(conn, &viewer.organization_id)?;
        let chosen: Option<HashSet<&str>> = match which {
            Tidy::All => None,
            Tidy::Only(ids) => Some(ids.iter().map(String::as_str).collect()),
        };
        let mut moved = 0;
        for item in placed {
            let wanted = chosen.as_ref().is_none_or(|c| c.contains(item.id.as_str()));
            let frozen = item.cycle_id.as_ref().is_some_and(|c| closed.contains(c));
            let may = !frozen && (viewer.is_admin() || item.owner_user_id == viewer.user_id);
            if !wanted || !may || !visible.contains(&item.id) {
                continue;
            }
            diesel::update(okr_items::table.find(&item.id))
                .set((
                    okr_items::position_x.eq(None::<f64>),
                    okr_items::position_y.eq(None::<f64>),
                ))
                .execute(conn)?;
            record(
                conn,
                actor,
                viewer,
                &item,
                "item.positioned",
                Some(BoardPosition::json(BoardPosition::of(&item))),
                Some(BoardPosition::json(None)),
            )?;
            moved += 1;
        }
        Ok(moved)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_must_be_finite_and_bounded() {
        assert_eq!(
            BoardPosition::new(f64::NAN, 0.0),
            Err(PositionError::NotANumber)
        );
        assert_eq!(
            BoardPosition::new(0.0, f64::INFINITY),
            Err(PositionError::NotANumber)
        );
        assert_eq!(
            BoardPosition::new(POSITION_LIMIT + 1.0, 0.0),
            Err(PositionError::OutOfBounds)
        );
        let p = BoardPosition::new(-POSITION_LIMIT, 12.6).unwrap();
        assert_eq!((p.x(), p.y()), (-POSITION_LIMIT, 13.0));
    }

    fn row(id: &str, item_type: ItemType, parent: Option<&str>) -> TreeRow {
        TreeRow {
            item: Item::sample(id, item_type, parent),
            depth: 0,
            owner_name: "U".into(),
            assignee_names: Vec::new(),
            has_children: false,
        }
    }

    #[test]
    fn many_objectives_wrap_into_bands_without_overlaps() {
        let mut rows = Vec::new();
        for o in 0..120 {
            let objective = format!("o{o}");
            rows.push(row(&objective, ItemType::Objective, None));
            let kr = format!("{objective}k");
            rows.push(row(&kr, ItemType::KeyResult, Some(&objective)));
            for a in 0..3 {
                rows.push(row(&format!("{kr}a{a}"), ItemType::Action, Some(&kr)));
            }
        }
        let layout = automatic_layout(&rows);
        let places: Vec<(f64, f64)> = layout.values().copied().collect();
        assert_eq!(places.len(), rows.len());
        let widest = places.iter().map(|p| p.0).fold(0.0, f64::max);
        assert!(
            widest < BAND_COLUMNS as f64 * (CARD_WIDTH + COLUMN_GAP),
            "{widest}"
        );
        let objective_rows: std::collections::BTreeSet<i64> = layout
            .iter()
            .filter(|(id, _)| !id.contains('k'))
            .map(|(_, (_, y))| *y as i64)
            .collect();
        assert_eq!(objective_rows.len(), 3, "120 objectives make three bands");
        for (i, (x1, y1)) in places.iter().enumerate() {
            assert!(x1.abs() <= POSITION_LIMIT && y1.abs() <= POSITION_LIMIT);
            for (x2, y2) in &places[i + 1..] {
                let apart = (x1 - x2).abs() >= CARD_WIDTH || (y1 - y2).abs() >= CARD_HEIGHT;
                assert!(apart, "({x1},{y1}) overlaps ({x2},{y2})");
            }
        }
    }

    #[test]
    fn initials_take_first_and_last_words() {
        assert_eq!(initials("ada lovelace"), "AL");
        assert_eq!(initials("Grace Brewster Hopper"), "GH");
        assert_eq!(initials("Plato"), "P");
        assert_eq!(initials(""), "");
    }
}
