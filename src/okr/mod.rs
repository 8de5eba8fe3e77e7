//! The OKR tree of a workspace: objectives, key results under objectives, actions under key
//! results. Every read goes through `scope`; every change recomputes progress up the
//! ancestor chain in its own transaction and writes the activity log.

pub mod board;
pub mod edit;
pub mod gantt;
pub mod links;
pub mod progress;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection, DbError};
use crate::schema::{okr_item_assignees, okr_items, users};
use crate::scope::{self, Viewer};
use crate::text_enum;

text_enum! {
    pub enum ItemType {
        Objective => "objective",
        KeyResult => "key_result",
        Action => "action",
    }
}

impl ItemType {
    pub fn label(self) -> &'static str {
        match self {
            Self::Objective => "Objective",
            Self::KeyResult => "Key result",
            Self::Action => "Action",
        }
    }

    /// What this type of item may sit under: `None` is the top of the tree.
    fn allows_parent(self, parent: Option<ItemType>) -> bool {
        matches!(
            (self, parent),
            (Self::Objective, None | Some(Self::Objective))
                | (Self::KeyResult, Some(Self::Objective))
                | (Self::Action, Some(Self::KeyResult))
        )
    }

    /// The type a new child of this item gets.
    pub fn child_type(self) -> Option<ItemType> {
        match self {
            Self::Objective => Some(Self::KeyResult),
            Self::KeyResult => Some(Self::Action),
            Self::Action => None,
        }
    }
}

text_enum! {
    pub enum ActionStatus {
        Pending => "pending",
        WorkInProgress => "work_in_progress",
        Done => "done",
    }
}

impl ActionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::WorkInProgress => "In progress",
            Self::Done => "Done",
        }
    }
}

text_enum! {
    /// Fibonacci-like estimates; `?` is unknown and `∞` too big to estimate.
    pub enum StoryPoints {
        Zero => "0",
        One => "1",
        Two => "2",
        Three => "3",
        Five => "5",
        Eight => "8",
        Thirteen => "13",
        TwentyOne => "21",
        Forty => "40",
        Unknown => "?",
        Infinite => "∞",
    }
}

impl StoryPoints {
    /// The numeric value, when there is one.
    pub fn numeric(self) -> Option<f64> {
        self.as_str().parse().ok()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OkrError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("You can change only items you own or are assigned to.")]
    NotYours,
    #[error(transparent)]
    Org(#[from] crate::orgs::OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for OkrError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

impl From<scope::ScopeError> for OkrError {
    fn from(e: scope::ScopeError) -> Self {
        match e {
            scope::ScopeError::NotFound => Self::NotFound,
            scope::ScopeError::Db(e) => Self::Db(e),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = okr_items)]
pub struct Item {
    pub id: String,
    pub organization_id: String,
    pub workspace_id: String,
    pub item_type: ItemType,
    pub title: String,
    pub description: Option<String>,
    pub owner_user_id: String,
    pub parent_id: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub action_status: Option<ActionStatus>,
    pub story_points: Option<StoryPoints>,
    pub progress_computed: f64,
    pub sort_order: i32,
    pub position_x: Option<f64>,
    pub position_y: Option<f64>,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by_user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Item {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_date.is_some_and(|due| due < today) && self.progress_computed < 100.0
    }

    /// The item as the activity log records it: ids for machines, names and titles for the
    /// readable history.
    fn snapshot(&self, conn: &mut AnyConnection) -> QueryResult<serde_json::Value> {
        let owner: Option<String> = users::table
            .find(&self.owner_user_id)
            .select(users::name)
            .first(conn)
            .optional()?;
        let assignees: Vec<(String, String)> = okr_item_assignees::table
            .inner_join(users::table.on(users::id.eq(okr_item_assignees::user_id)))
            .filter(okr_item_assignees::item_id.eq(&self.id))
            .order(users::name.asc())
            .select((users::id, users::name))
            .load(conn)?;
        Ok(json!({
            "type": self.item_type.as_str(),
            "title": self.title,
            "description": self.description,
            // Only the id: a reader of this history may not be allowed to see a former parent.
            "parent_id": self.parent_id,
            "owner_user_id": self.owner_user_id,
            "owner": owner,
            "assignee_user_ids": assignees.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "assignees": assignees.iter().map(|(_, name)| name).collect::<Vec<_>>(),
            "start_date": self.start_date.map(|d| d.to_string()),
            "due_date": self.due_date.map(|d| d.to_string()),
            "action_status": self.action_status.map(ActionStatus::as_str),
            "story_points": self.story_points.map(StoryPoints::as_str),
        }))
    }
}

/// A validated new item.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub item_type: ItemType,
    pub title: String,
    pub parent_id: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// Where on the board, when created there; otherwise the automatic layout places it.
    pub position: Option<board::BoardPosition>,
}

/// Item titles: trimmed, 1–200 characters.
pub fn title(raw: &str) -> Result<String, String> {
    let title = raw.trim();
    if title.is_empty() {
        return Err("Give it a title.".into());
    }
    if title.chars().count() > 200 {
        return Err("Keep the title under 200 characters.".into());
    }
    if title.chars().any(char::is_control) {
        return Err("Remove control characters from the title.".into());
    }
    Ok(title.to_owned())
}

/// The years a plan's dates may fall in: wide enough for any real plan, and far enough
/// from chrono's limits that date arithmetic on the gantt never overflows.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

fn plan_window_message(label: &str) -> String {
    format!(
        "Choose a {label} between {} and {}.",
        PLAN_YEARS.start(),
        PLAN_YEARS.end()
    )
}

/// A typed date: strictly YYYY-MM-DD (chrono's `%Y` alone takes any signed year), inside
/// `PLAN_YEARS`. `label` names the field in the message, e.g. "due date".
pub fn plan_date(raw: &str, label: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let shape = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = shape
        .then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("Enter the {label} as YYYY-MM-DD."))?;
    if !PLAN_YEARS.contains(&date.year()) {
        return Err(plan_window_message(label));
    }
    Ok(date)
}

/// The domain's own check of the window, for callers that hand over parsed dates (the JSON API).
fn check_plan_dates(dates: &[(Option<NaiveDate>, &str)]) -> Result<(), OkrError> {
    for (date, label) in dates {
        if date.is_some_and(|d| !PLAN_YEARS.contains(&d.year())) {
            return Err(OkrError::Refused(plan_window_message(label)));
        }
    }
    Ok(())
}

fn load(conn: &mut AnyConnection, id: &str) -> Result<Item, OkrError> {
    Ok(okr_items::table
        .find(id)
        .select(Item::as_select())
        .first(conn)?)
}

fn assignees_of(conn: &mut AnyConnection, item_id: &str) -> QueryResult<Vec<String>> {
    okr_item_assignees::table
        .filter(okr_item_assignees::item_id.eq(item_id))
        .select(okr_item_assignees::user_id)
        .load(conn)
}

/// Whether the viewer may change this item: admins always; others when they own it or are
/// assigned to it (creating under an item is changing it).
fn check_may_edit(conn: &mut AnyConnection, viewer: &Viewer, item: &Item) -> Result<(), OkrError> {
    if may_edit(viewer, item, &assignees_of(conn, &item.id)?) {
        return Ok(());
    }
    Err(OkrError::NotYours)
}

/// The editing rule over an item's assignees already loaded.
fn may_edit(viewer: &Viewer, item: &Item, assignee_ids: &[String]) -> bool {
    viewer.is_admin()
        || item.owner_user_id == viewer.user_id
        || assignee_ids.contains(&viewer.user_id)
}

/// Which of these rows the viewer may edit, in one query whatever their number (pages that
/// show many items). Nothing in a read-only workspace.
fn editable_ids(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: &[TreeRow],
) -> QueryResult<std::collections::HashSet<String>> {
    if viewer.require_writable().is_err() {
        return Ok(Default::default());
    }
    let mine: std::collections::HashSet<String> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_item_assignees::user_id.eq(&viewer.user_id))
        .select(okr_item_assignees::item_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let me = std::slice::from_ref(&viewer.user_id);
    Ok(rows
        .iter()
        .filter(|row| {
            let assignees: &[String] = if mine.contains(&row.item.id) { me } else { &[] };
            may_edit(viewer, &row.item, assignees)
        })
        .map(|row| row.item.id.clone())
        .collect())
}

/// Item writes in one workspace run one at a time: on PostgreSQL this row lock does what
/// SQLite's `BEGIN IMMEDIATE` already does, so concurrent edits can neither deadlock on
/// rows locked in different orders nor overwrite each other's fields with stale values.
fn lock_workspace(conn: &mut AnyConnection, viewer: &Viewer) -> QueryResult<()> {
    use crate::schema::workspaces;
    diesel::update(workspaces::table.find(&viewer.workspace_id))
        .set(workspaces::updated_at.eq(workspaces::updated_at))
        .execute(conn)?;
    Ok(())
}

/// Why an item cannot sit where it was put.
fn placement_refusal(item_type: ItemType) -> OkrError {
    OkrError::Refused(
        match item_type {
            ItemType::Objective => {
                "An objective can only sit at the top or under another objective."
            }
            ItemType::KeyResult => "A key result belongs under an objective.",
            ItemType::Action => "An action belongs under a key result.",
        }
        .into(),
    )
}

/// The sort order that puts an item after its future siblings.
fn next_sort_order(
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

/// Writes an activity row about an item.
fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item: &Item,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> QueryResult<()> {
    activity::record(
        conn,
        actor,
        Subject {
            organization_id: &viewer.organization_id,
            workspace_id: Some(&viewer.workspace_id),
            kind: item.item_type.as_str(),
            id: &item.id,
        },
        action,
        before,
        after,
    )
}

/// Creates an item owned by its creator, at the end of its siblings.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    new: NewItem,
) -> Result<Item, OkrError> {
    viewer.require_writable()?;
    check_plan_dates(&[(new.due_date, "due date")])?;
    db::write_transaction(conn, |conn| {
        lock_workspace(conn, viewer)?;
        let parent = match &new.parent_id {
            Some(id) => {
                scope::check_item(conn, viewer, id)?;
                Some(load(conn, id)?)
            }
            None => None,
        };
        if let Some(parent) = &parent {
            check_may_edit(conn, viewer, parent)?;
        }
        if !new
            .item_type
            .allows_parent(parent.as_ref().map(|p| p.item_type))
        {
            return Err(placement_refusal(new.item_type));
        }
        let sort_order = next_sort_order(conn, &viewer.workspace_id, new.parent_id.as_deref())?;
        let id = db::new_id();
        let now = db::now();
        diesel::insert_into(okr_items::table)
            .values((
                okr_items::id.eq(&id),
                okr_items::organization_id.eq(&viewer.organization_id),
                okr_items::workspace_id.eq(&viewer.workspace_id),
                okr_items::item_type.eq(new.item_type),
                okr_items::title.eq(&new.title),
                okr_items::owner_user_id.eq(&actor.user_id),
                okr_items::parent_id.eq(&new.parent_id),
                okr_items::due_date.eq(new.due_date),
                okr_items::position_x.eq(new.position.map(board::BoardPosition::x)),
                okr_items::position_y.eq(new.position.map(board::BoardPosition::y)),
                okr_items::action_status
                    .eq((new.item_type == ItemType::Action).then_some(ActionStatus::Pending)),
                okr_items::progress_computed.eq(0.0),
                okr_items::sort_order.eq(sort_order),
                okr_items::created_at.eq(now),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        recompute_up(conn, new.parent_id.as_deref())?;
        let item = load(conn, &id)?;
        let item_snapshot = item.snapshot(conn)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "item.created",
            None,
            Some(item_snapshot),
        )?;
        Ok(item)
    })
}

/// Recomputes and stores progress from `start` up to the root, each from its live children.
fn recompute_up(conn: &mut AnyConnection, start: Option<&str>) -> Result<(), OkrError> {
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
        let children: Vec<(ItemType, Option<ActionStatus>, Option<StoryPoints>, f64)> =
            okr_items::table
                .filter(okr_items::parent_id.eq(&id))
                .filter(okr_items::deleted_at.is_null())
                .select((
                    okr_items::item_type,
                    okr_items::action_status,
                    okr_items::story_points,
                    okr_items::progress_computed,
                ))
                .load(conn)?;
        let value = match item.item_type {
            ItemType::Action => progress::of_action(item.action_status),
            ItemType::KeyResult => progress::of_key_result(
                &children
                    .iter()
                    .filter(|c| c.0 == ItemType::Action)
                    .map(|c| (c.1, c.2))
                    .collect::<Vec<_>>(),
            ),
            ItemType::Objective => {
                progress::of_objective(&children.iter().map(|c| c.3).collect::<Vec<_>>())
            }
        };
        diesel::update(okr_items::table.find(&id))
            .set(okr_items::progress_computed.eq(value))
            .execute(conn)?;
        current = item.parent_id;
    }
    Err(OkrError::Refused("The item tree has a loop.".into()))
}

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
}

impl TreeFilter {
    pub fn is_empty(&self) -> bool {
        self.owner.is_none()
            && self.assignee.is_none()
            && self.item_type.is_none()
            && self.status.is_none()
            && self.overdue_on.is_none()
            && self.text.is_none()
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
            && text_matches
    }
}

/// The tree narrowed by a filter: matching rows and their ancestors, in tree order.
pub fn filtered_tree(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    filter: &TreeFilter,
) -> Result<Vec<TreeRow>, OkrError> {
    let rows = tree(conn, viewer)?;
    narrow(conn, viewer, rows, filter)
}

/// Rows of `tree` that match the filter, with their ancestors, in tree order.
fn narrow(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    rows: Vec<TreeRow>,
    filter: &TreeFilter,
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
    let mut keep: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for row in &rows {
        let ids = by_item
            .get(row.item.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if filter.matches(&row.item, ids) {
            let mut current = Some(row.item.id.as_str());
            while let Some(id) = current {
                if !keep.insert(id) {
                    break;
                }
                current = parent_of.get(id).copied().flatten();
            }
        }
    }
    let keep: std::collections::HashSet<String> = keep.into_iter().map(str::to_owned).collect();
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
}

/// One page of a flat listing.
#[derive(Debug, Clone)]
pub struct ItemList {
    pub items: Vec<Assigned>,
    /// The id to continue after, when there is more.
    pub next_after: Option<String>,
}

/// The live items the viewer may see that match the filter itself (no ancestors added),
/// by id (ids sort by creation time), starting after `after`, at most `limit`.
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
            item,
        })
        .filter(|a| filter.matches(&a.item, &a.assignee_ids));
    let page: Vec<Assigned> = matching.by_ref().take(limit).collect();
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

fn tree_in(
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
    let ids: std::collections::HashSet<&str> =
        rows.iter().map(|(item, _)| item.id.as_str()).collect();
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

/// One item as its page shows it.
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: Item,
    pub owner_name: String,
    pub assignee_ids: Vec<String>,
    /// The parent, when the viewer may see it.
    pub parent: Option<Item>,
    pub can_edit: bool,
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
    Ok(ItemDetail {
        assignee_ids: assignees_of(conn, item_id)?,
        item,
        owner_name,
        parent,
        can_edit,
    })
}

/// Parents by item id, for walking up the viewer's tree.
pub fn parents(tree: &[TreeRow]) -> HashMap<&str, Option<&str>> {
    tree.iter()
        .map(|row| (row.item.id.as_str(), row.item.parent_id.as_deref()))
        .collect()
}

/// Whether `candidate` could become the parent of `item`: the type rules allow it and it is
/// not the item itself or below it (walking up the viewer's tree).
pub fn may_move_under(
    item: &Item,
    candidate: &Item,
    parents: &HashMap<&str, Option<&str>>,
) -> bool {
    if !item.item_type.allows_parent(Some(candidate.item_type)) || candidate.id == item.id {
        return false;
    }
    let mut current = candidate.parent_id.as_deref();
    while let Some(id) = current {
        if id == item.id {
            return false;
        }
        current = parents.get(id).copied().flatten();
    }
    true
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
fn live_ids(
    conn: &mut AnyConnection,
    viewer: &Viewer,
) -> QueryResult<std::collections::HashSet<String>> {
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
