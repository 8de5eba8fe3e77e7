//! What the API sends and accepts about items and their history, and how a body becomes
//! the domain's input (the same rules as the pages' forms). Times are RFC 3339 UTC. Bodies
//! refuse unknown fields, so a misspelt field answers 422 instead of being ignored.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;
use super::formats::{ItemTitle, PlanDate, StoryPointsValue};
use super::measure_models::{json_number, noted, weight, MeasureFields};
use super::names::{
    ActionStatusName, ItemTypeName, MeasureName, MetricKindName, OutcomeName, StatusName,
};
use crate::okr::edit::{self, ItemChanges, Placement};
use crate::okr::measure::{KeyResultMeasure, Weight};
use crate::okr::status::Statuses;
use crate::okr::{self, ActionStatus, Item, ItemType, StoryPoints, TreeFilter};
use crate::okr::{ActivityPage, FeedEntry};
use crate::skills::{self, SkillName};

const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 100;

/// Stored times are UTC without an offset; the API says so.
pub(super) fn utc(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
    /// Actions only: the skills it needs, each spelled as the workspace spells it.
    pub skill_tags: Vec<String>,
    /// 0 to 100.
    pub progress: f64,
    /// Key results: what their progress comes from; null for objectives and actions.
    pub measure: Option<MeasureName>,
    /// Metrics only, like the baseline, target, unit and decimals.
    pub metric_kind: Option<MetricKindName>,
    #[schema(value_type = Option<f64>)]
    pub baseline: Option<serde_json::Number>,
    #[schema(value_type = Option<f64>)]
    pub target: Option<serde_json::Number>,
    pub unit: Option<String>,
    #[schema(minimum = 0, maximum = 4)]
    pub decimals: Option<u32>,
    /// Metrics: the latest check-in's value, else the baseline.
    #[schema(value_type = Option<f64>)]
    pub current_value: Option<serde_json::Number>,
    /// How much it counts in its parent's progress, 0 to 100; null for actions (their story
    /// points weigh them).
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub weight: Option<f64>,
    /// The day the latest check-in speaks for.
    pub last_check_in_on: Option<NaiveDate>,
    /// The latest check-in's confidence, 0 to 10.
    #[schema(minimum = 0, maximum = 10)]
    pub last_confidence: Option<i32>,
    /// Derived: null for actions that are not done.
    pub status: Option<StatusName>,
    /// The elapsed share of the item's period today, 0 to 100; null without a due date.
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub expected_progress: Option<f64>,
    /// The cycle of its top-level objective; null is the backlog.
    #[schema(format = Uuid)]
    pub cycle_id: Option<String>,
    /// Objectives in a cycle: how it ended.
    pub outcome: Option<OutcomeName>,
    /// Objectives in a cycle: why it ended so.
    pub closing_note: Option<String>,
    /// A carried-over copy: the item it was copied from.
    #[schema(format = Uuid)]
    pub carried_over_from_id: Option<String>,
    pub sort_order: i32,
    pub position_x: Option<f64>,
    pub position_y: Option<f64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ItemOut {
    /// The item with its status and pace from `statuses` (read once per answer).
    pub fn new(
        item: &Item,
        (assignee_ids, skill_tags): (&[String], &[SkillName]),
        statuses: &Statuses,
    ) -> Self {
        let key_result = item.item_type == ItemType::KeyResult;
        let measure = item.key_result_measure();
        let metric = measure.metric();
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
            skill_tags: skill_tags.iter().map(ToString::to_string).collect(),
            progress: item.progress_computed,
            measure: key_result.then(|| measure.measure().into()),
            metric_kind: metric.map(|m| m.kind.into()),
            baseline: metric.map(|m| json_number(m.baseline)),
            target: metric.map(|m| json_number(m.target)),
            unit: metric.and_then(|m| m.unit.clone()),
            decimals: metric.map(|m| m.decimals),
            current_value: metric.map(|m| json_number(item.current_value.unwrap_or(m.baseline))),
            weight: (item.item_type != ItemType::Action).then_some(item.weight),
            last_check_in_on: item.last_check_in_on,
            last_confidence: item.last_confidence,
            status: statuses.of(item).map(Into::into),
            expected_progress: statuses.pace(item).map(|p| p.expected),
            cycle_id: item.cycle_id.clone(),
            outcome: item.outcome.map(Into::into),
            closing_note: item.closing_note.clone(),
            carried_over_from_id: item.carried_over_from_id.clone(),
            sort_order: item.sort_order,
            position_x: item.position_x,
            position_y: item.position_y,
            created_at: utc(item.created_at),
            updated_at: utc(item.updated_at),
        }
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
    /// A cycle's id, `backlog` (what is in no cycle) or `all` (the default: the API picks no
    /// cycle on its own). An id that is not one of the organization's cycles is refused.
    pub cycle: Option<String>,
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
    #[schema(value_type = ItemTitle)]
    pub title: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<PlanDate>)]
    pub due_date: Option<NaiveDate>,
    /// Up to 10,000 characters of Markdown.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// An active member of the workspace; the caller when left out.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub owner_user_id: Option<String>,
    /// Active members of the workspace.
    #[serde(default)]
    pub assignee_user_ids: Option<Vec<String>>,
    /// Not after the due date.
    #[serde(default)]
    #[schema(value_type = Option<PlanDate>)]
    pub start_date: Option<NaiveDate>,
    /// Actions only; `pending` when left out.
    #[serde(default)]
    pub action_status: Option<ActionStatusName>,
    /// Actions only: one of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞.
    #[serde(default)]
    #[schema(value_type = Option<StoryPointsValue>)]
    pub story_points: Option<String>,
    /// Actions only: the skills it needs, up to 50 names of at most 40 characters (repeats
    /// in any case count once).
    #[serde(default)]
    pub skill_tags: Option<Vec<String>>,
    /// Key results: `actions` (the default), `metric` or `milestone`.
    #[serde(default)]
    pub measure: Option<MeasureName>,
    /// Metrics: required, like the baseline and target.
    #[serde(default)]
    pub metric_kind: Option<MetricKindName>,
    /// Metrics: where the number starts, with at most `decimals` decimals.
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub baseline: Option<serde_json::Number>,
    /// Metrics: where it should get to (or the line it should hold), with at most `decimals`
    /// decimals; for `increase_to` above the baseline, for `decrease_to` below it.
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub target: Option<serde_json::Number>,
    /// Metrics: up to 16 characters (`%`, `€`, `deals`); none when left out.
    #[serde(default)]
    #[schema(max_length = 16)]
    pub unit: Option<String>,
    /// Metrics: decimals shown and accepted, 0 to 4; 0 when never set.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4)]
    pub decimals: Option<serde_json::Number>,
    /// Objectives and key results: how much it counts in its parent, 0 to 100 with at most
    /// 2 decimals; 1 when never set.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 0.0, maximum = 100.0, multiple_of = 0.01)]
    pub weight: Option<serde_json::Number>,
    /// Top-level objectives: the cycle to join (open, of this organization); left out or
    /// null, the backlog. An item under a parent is in its parent's cycle and may name only
    /// that one.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub cycle_id: Option<String>,
}

impl NewItem {
    /// The new item and the fields set with it (the item page's), with every field's
    /// problem in one answer.
    pub fn parse(mut self) -> Result<(okr::NewItem, ItemChanges), ApiError> {
        let details = ItemPatch {
            description: self.description.take().map(Some),
            owner_user_id: self.owner_user_id.take(),
            assignee_user_ids: self.assignee_user_ids.take(),
            start_date: self.start_date.take().map(Some),
            action_status: self.action_status.take(),
            story_points: self.story_points.take().map(Some),
            skill_tags: self.skill_tags.take(),
            ..ItemPatch::default()
        };
        match (okr::NewItem::try_from(self), ItemChanges::try_from(details)) {
            (Ok(new), Ok(details)) => Ok((new, details)),
            (
                Err(ApiError::Validation {
                    message,
                    mut fields,
                }),
                Err(ApiError::Validation { fields: more, .. }),
            ) => {
                fields.extend(more);
                Err(ApiError::Validation { message, fields })
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }
}

impl TryFrom<NewItem> for okr::NewItem {
    type Error = ApiError;

    fn try_from(body: NewItem) -> Result<Self, ApiError> {
        let mut fields = BTreeMap::new();
        let title = okr::title(&body.title)
            .map_err(|e| fields.insert("title".into(), e))
            .ok();
        let measure = MeasureFields {
            measure: body.measure,
            metric_kind: body.metric_kind,
            baseline: body.baseline,
            target: body.target,
            unit: body.unit.map(Some),
            decimals: body.decimals,
        }
        .change(&mut fields);
        let weight = body.weight.and_then(|w| noted(&mut fields, weight(&w)));
        ApiError::fields(fields)?;
        // A new key result starts from the default measure, so a metric needs all its parts.
        let measure = match measure {
            Some(change) => change.apply(&KeyResultMeasure::Actions)?,
            None => KeyResultMeasure::Actions,
        };
        Ok(Self {
            parent_id: body.parent_id,
            due_date: body.due_date,
            measure,
            weight: weight.unwrap_or(Weight::DEFAULT),
            cycle_id: body.cycle_id,
            ..okr::NewItem::new(body.item_type.into(), title.unwrap_or_default(), None)
        })
    }
}

/// A present field set to null clears it; a missing field stays as it is.
pub(super) fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A whole number, also when written with a zero fraction (`3.0`), which JSON Schema counts
/// as an integer too.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = match number.as_u64() {
        Some(n) => Some(n),
        None => number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
            .map(|f| f as u64),
    };
    whole
        .and_then(|n| u32::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, got {number}")))
}

/// Fields to change; leave out what stays. Nullable fields clear with null.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    /// Moves the item under another parent visible to the caller (null: the top level), with
    /// the tree's rules: key results under objectives, actions under key results or actions,
    /// never under itself or its own children; it goes to the end of its new siblings and
    /// into the parent's cycle.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<Option<String>>,
    /// The place (0-based) among the siblings the caller sees, after any move; past the end
    /// means last.
    #[serde(default, deserialize_with = "whole_number")]
    #[schema(minimum = 0, maximum = 100000)]
    pub sibling_position: Option<u32>,
    #[serde(default)]
    #[schema(value_type = Option<ItemTitle>)]
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
    #[schema(value_type = Option<PlanDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<PlanDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub action_status: Option<ActionStatusName>,
    /// One of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞; null clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<StoryPointsValue>)]
    pub story_points: Option<Option<String>>,
    /// Actions only: the skills it needs, replacing those it has; up to 50 names of at most
    /// 40 characters.
    #[serde(default)]
    pub skill_tags: Option<Vec<String>>,
    /// Measure fields left out keep their stored values; a key result becoming a metric
    /// needs a kind, baseline and target unless it had them.
    /// Key results: `actions` (the default), `metric` or `milestone`.
    #[serde(default)]
    pub measure: Option<MeasureName>,
    /// Metrics: required, like the baseline and target.
    #[serde(default)]
    pub metric_kind: Option<MetricKindName>,
    /// Metrics: where the number starts, with at most `decimals` decimals.
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub baseline: Option<serde_json::Number>,
    /// Metrics: where it should get to (or the line it should hold), with at most `decimals`
    /// decimals; for `increase_to` above the baseline, for `decrease_to` below it.
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub target: Option<serde_json::Number>,
    /// Metrics: up to 16 characters; null clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 16)]
    pub unit: Option<Option<String>>,
    /// Metrics: decimals shown and accepted, 0 to 4; 0 when never set.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4)]
    pub decimals: Option<serde_json::Number>,
    /// Objectives and key results: how much it counts in its parent, 0 to 100 with at most
    /// 2 decimals; 1 when never set.
    #[serde(default)]
    #[schema(value_type = Option<f64>, minimum = 0.0, maximum = 100.0, multiple_of = 0.01)]
    pub weight: Option<serde_json::Number>,
    /// Top-level objectives: the cycle to move to (open, of this organization), with
    /// everything under it; null, the backlog.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub cycle_id: Option<Option<String>>,
    /// Objectives in a cycle: how it ended; null clears. With `closing_note`, the one change
    /// a closed cycle takes.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<OutcomeName>)]
    pub outcome: Option<Option<OutcomeName>>,
    /// Objectives in a cycle: up to 2,000 characters; null or empty clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub closing_note: Option<Option<String>>,
}

impl ItemPatch {
    /// Takes out where the patch puts the item, leaving the field changes.
    pub fn take_placement(&mut self) -> Placement {
        Placement {
            parent_id: self.parent_id.take(),
            sibling_position: self.sibling_position.take().map(|p| p as usize),
        }
    }
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
        let measure = MeasureFields {
            measure: patch.measure,
            metric_kind: patch.metric_kind,
            baseline: patch.baseline,
            target: patch.target,
            unit: patch.unit,
            decimals: patch.decimals,
        }
        .change(&mut fields);
        let weight = patch.weight.and_then(|w| noted(&mut fields, weight(&w)));
        let closing_note = patch.closing_note.map(|note| {
            noted(
                &mut fields,
                okr::closing_note(note.as_deref().unwrap_or("")),
            )
            .flatten()
        });
        let skill_tags = patch.skill_tags.and_then(|raw| {
            skills::names("skill_tags", &raw)
                .map_err(|e| fields.insert(e.field.into(), e.message))
                .ok()
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
            measure,
            weight,
            cycle_id: patch.cycle_id,
            outcome: patch.outcome.map(|o| o.map(Into::into)),
            closing_note,
            skill_tags,
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
pub struct ActivityOut {
    #[schema(format = Uuid)]
    pub id: String,
    /// The item changed.
    #[schema(format = Uuid)]
    pub item_id: String,
    pub item_title: String,
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

impl From<&FeedEntry> for ActivityOut {
    fn from(
        FeedEntry {
            entry: e,
            item_title,
        }: &FeedEntry,
    ) -> Self {
        Self {
            id: e.id.clone(),
            item_id: e.item_id.clone(),
            item_title: item_title.clone(),
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
    /// Newest first.
    pub activity: Vec<ActivityOut>,
    /// Pass as `cursor` for the next, older page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<ActivityPage> for ActivityList {
    fn from(page: ActivityPage) -> Self {
        Self {
            activity: page.entries.iter().map(ActivityOut::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// A page of activity: the rows the caller may read, newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// The `next_cursor` of the page before.
    #[param(format = Uuid)]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 200 (50 when left out).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

impl ActivityQuery {
    /// The page size, or the field's problem.
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.limit.as_deref().map(|raw| raw.trim().parse::<usize>()) {
            None => Ok(50),
            Some(Ok(n)) if (1..=200).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::field("limit", "Use 1 to 200.")),
        }
    }
}
