//! What the API sends and accepts about items, links and history, and how a body becomes
//! the domain's input (the same rules as the pages' forms). Times are RFC 3339 UTC. Bodies
//! refuse unknown fields, so a misspelt field answers 422 instead of being ignored.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use crate::activity::ActivityEntry;
use crate::okr::edit::{self, ItemChanges};
use crate::okr::links::Link;
use crate::okr::{self, ActionStatus, Assigned, Item, ItemType, StoryPoints, TreeFilter};

const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 100;

/// Stored times are UTC without an offset; the API says so.
fn utc(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemTypeName {
    Objective,
    KeyResult,
    Action,
}

impl From<crate::okr::ItemType> for ItemTypeName {
    fn from(t: crate::okr::ItemType) -> Self {
        match t {
            crate::okr::ItemType::Objective => Self::Objective,
            crate::okr::ItemType::KeyResult => Self::KeyResult,
            crate::okr::ItemType::Action => Self::Action,
        }
    }
}

impl From<ItemTypeName> for crate::okr::ItemType {
    fn from(t: ItemTypeName) -> Self {
        match t {
            ItemTypeName::Objective => Self::Objective,
            ItemTypeName::KeyResult => Self::KeyResult,
            ItemTypeName::Action => Self::Action,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatusName {
    Pending,
    WorkInProgress,
    Done,
}

impl From<crate::okr::ActionStatus> for ActionStatusName {
    fn from(s: crate::okr::ActionStatus) -> Self {
        match s {
            crate::okr::ActionStatus::Pending => Self::Pending,
            crate::okr::ActionStatus::WorkInProgress => Self::WorkInProgress,
            crate::okr::ActionStatus::Done => Self::Done,
        }
    }
}

impl From<ActionStatusName> for crate::okr::ActionStatus {
    fn from(s: ActionStatusName) -> Self {
        match s {
            ActionStatusName::Pending => Self::Pending,
            ActionStatusName::WorkInProgress => Self::WorkInProgress,
            ActionStatusName::Done => Self::Done,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub workspace_id: String,
    #[serde(rename = "type")]
    pub item_type: ItemTypeName,
    pub title: String,
    pub description: Option<String>,
    #[schema(format = Uuid)]
    pub owner_user_id: String,
    pub assignee_user_ids: Vec<String>,
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub action_status: Option<ActionStatusName>,
    /// One of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞ (actions only).
    pub story_points: Option<String>,
    /// 0 to 100.
    pub progress: f64,
    pub sort_order: i32,
    pub position_x: Option<f64>,
    pub position_y: Option<f64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ItemOut {
    pub fn new(item: &Item, assignee_ids: &[String]) -> Self {
        Self {
            id: item.id.clone(),
            workspace_id: item.workspace_id.clone(),
            item_type: item.item_type.into(),
            title: item.title.clone(),
            description: item.description.clone(),
            owner_user_id: item.owner_user_id.clone(),
            assignee_user_ids: assignee_ids.to_vec(),
            parent_id: item.parent_id.clone(),
            start_date: item.start_date,
            due_date: item.due_date,
            action_status: item.action_status.map(Into::into),
            story_points: item.story_points.map(|p| p.as_str().to_owned()),
            progress: item.progress_computed,
            sort_order: item.sort_order,
            position_x: item.position_x,
            position_y: item.position_y,
            created_at: utc(item.created_at),
            updated_at: utc(item.updated_at),
        }
    }
}

impl From<&Assigned> for ItemOut {
    fn from(a: &Assigned) -> Self {
        Self::new(&a.item, &a.assignee_ids)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// objective, key_result or action.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    item_type: Option<String>,
    /// Owner's user id.
    owner: Option<String>,
    /// An assignee's user id.
    assignee: Option<String>,
    /// pending, work_in_progress or done.
    status: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 1000; 100 when left out.
    limit: Option<String>,
}

impl ItemQuery {
    pub fn filter(&self) -> Result<(TreeFilter, usize), ApiError> {
        let mut fields = BTreeMap::new();
        let item_type = self.item_type.as_deref().and_then(|raw| {
            let parsed = ItemType::parse(raw);
            if parsed.is_none() {
                fields.insert("type".into(), "Use objective, key_result or action.".into());
            }
            parsed
        });
        let status = self.status.as_deref().and_then(|raw| {
            let parsed = ActionStatus::parse(raw);
            if parsed.is_none() {
                fields.insert(
                    "status".into(),
                    "Use pending, work_in_progress or done.".into(),
                );
            }
            parsed
        });
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    fields.insert("limit".into(), format!("Use 1 to {MAX_LIMIT}."));
                    DEFAULT_LIMIT
                }
            },
        };
        ApiError::fields(fields)?;
        Ok((
            TreeFilter {
                owner: self.owner.clone(),
                assignee: self.assignee.clone(),
                item_type,
                status,
                ..TreeFilter::default()
            },
            limit,
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[serde(rename = "type")]
    pub item_type: ItemTypeName,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
}

impl TryFrom<NewItem> for okr::NewItem {
    type Error = ApiError;

    fn try_from(body: NewItem) -> Result<Self, ApiError> {
        Ok(Self {
            item_type: body.item_type.into(),
            title: okr::title(&body.title).map_err(|e| ApiError::field("title", e))?,
            parent_id: body.parent_id,
            due_date: body.due_date,
            ..okr::NewItem::new(body.item_type.into(), String::new(), None)
        })
    }
}

/// A present field set to null clears it; a missing field stays as it is.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Fields to change; leave out what stays. Nullable fields clear with null.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub owner_user_id: Option<String>,
    #[serde(default)]
    pub assignee_user_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub action_status: Option<ActionStatusName>,
    /// One of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞; null clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub story_points: Option<Option<String>>,
}

impl TryFrom<ItemPatch> for ItemChanges {
    type Error = ApiError;

    fn try_from(patch: ItemPatch) -> Result<Self, ApiError> {
        let mut fields = BTreeMap::new();
        let title = match patch.title.as_deref().map(okr::title) {
            Some(Err(e)) => {
                fields.insert("title".into(), e);
                None
            }
            other => other.and_then(Result::ok),
        };
        let description = patch.description.map(|d| {
            edit::description(d.as_deref().unwrap_or("")).unwrap_or_else(|e| {
                fields.insert("description".into(), e);
                None
            })
        });
        let story_points = patch.story_points.map(|points| {
            points.and_then(|raw| {
                let parsed = StoryPoints::parse(&raw);
                if parsed.is_none() {
                    fields.insert(
                        "story_points".into(),
                        "Use 0, 1, 2, 3, 5, 8, 13, 21, 40, ? or ∞.".into(),
                    );
                }
                parsed
            })
        });
        ApiError::fields(fields)?;
        Ok(ItemChanges {
            title,
            description,
            owner_user_id: patch.owner_user_id,
            assignee_user_ids: patch.assignee_user_ids,
            start_date: patch.start_date,
            due_date: patch.due_date,
            action_status: patch.action_status.map(Into::into),
            story_points,
            ..ItemChanges::default()
        })
    }
}

/// Where the item sits on the board, in board units.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    #[schema(minimum = -1000000.0, maximum = 1000000.0)]
    pub x: f64,
    #[schema(minimum = -1000000.0, maximum = 1000000.0)]
    pub y: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
    pub link_type: String,
}

impl From<&Link> for LinkOut {
    fn from(l: &Link) -> Self {
        Self {
            id: l.id.clone(),
            from_item_id: l.from_item_id.clone(),
            to_item_id: l.to_item_id.clone(),
            link_type: l.link_type.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub links: Vec<LinkOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub action_type: String,
    #[schema(format = Uuid)]
    pub actor_user_id: String,
    /// The recorded state before the change (an object), or null.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The recorded state after the change (an object), or null.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&ActivityEntry> for ActivityOut {
    fn from(e: &ActivityEntry) -> Self {
        Self {
            id: e.id.clone(),
            action_type: e.action_type.clone(),
            actor_user_id: e.actor_user_id.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            request_id: e.request_id.clone(),
            created_at: utc(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub activity: Vec<ActivityOut>,
    /// Always null: the newest 200 rows.
    pub next_cursor: Option<String>,
}
