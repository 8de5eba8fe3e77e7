//! The vocabulary of the OKR tree: item types and their placement, action statuses, story
//! points, the stored `Item` and the one error every OKR function answers.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use super::measure::{KeyResultMeasure, Measure, Metric, MetricKind, Number};
use super::progress::ProgressInput;
use crate::cycles::Outcome;
use crate::db::{AnyConnection, DbError};
use crate::schema::{cycles, okr_item_assignees, okr_items, users};
use crate::scope;
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
    pub(super) fn allows_parent(self, parent: Option<ItemType>) -> bool {
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
    #[error("These items are already linked.")]
    AlreadyLinked,
    /// An objective chosen for a carry-over already has its copy in the target cycle.
    #[error("“{title}” is already carried over to {cycle}.")]
    AlreadyCarried { title: String, cycle: String },
    #[error("You can change only items you own or are assigned to.")]
    NotYours,
    #[error("You can change only your own latest check-in, for 24 hours after writing it.")]
    CheckInLocked,
    /// The rules refuse one field's input; `field` is its name in forms and the API.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Org(#[from] crate::orgs::OrgError),
    /// A write into a closed cycle, or a cycle that is not the organization's.
    #[error(transparent)]
    Cycle(#[from] crate::cycles::CycleError),
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
    pub measure: Measure,
    pub metric_kind: Option<MetricKind>,
    pub baseline: Option<Number>,
    pub target: Option<Number>,
    pub unit: Option<String>,
    pub decimals: i32,
    pub weight: f64,
    pub current_value: Option<Number>,
    pub current_done: Option<bool>,
    pub last_check_in_on: Option<NaiveDate>,
    pub last_confidence: Option<i32>,
    pub cycle_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub closing_note: Option<String>,
    pub carried_over_from_id: Option<String>,
}

impl Item {
    /// A bare item for unit tests: created at the epoch, measured by its actions.
    #[cfg(test)]
    pub(crate) fn sample(id: &str, item_type: ItemType, parent: Option<&str>) -> Self {
        let now = NaiveDateTime::default();
        Self {
            id: id.into(),
            organization_id: "o".into(),
            workspace_id: "w".into(),
            item_type,
            title: id.into(),
            description: None,
            owner_user_id: "u".into(),
            parent_id: parent.map(Into::into),
            start_date: None,
            due_date: None,
            action_status: None,
            story_points: None,
            progress_computed: 0.0,
            sort_order: 0,
            position_x: None,
            position_y: None,
            deleted_at: None,
            deleted_by_user_id: None,
            created_at: now,
            updated_at: now,
            measure: Measure::Actions,
            metric_kind: None,
            baseline: None,
            target: None,
            unit: None,
            decimals: 0,
            weight: 1.0,
            current_value: None,
            current_done: None,
            last_check_in_on: None,
            last_confidence: None,
            cycle_id: None,
            outcome: None,
            closing_note: None,
            carried_over_from_id: None,
        }
    }

    /// What the key result's progress comes from (`Actions` for other items). A metric with
    /// parts missing cannot be stored; it would read as measured by actions.
    pub fn key_result_measure(&self) -> KeyResultMeasure {
        match (self.measure, self.metric_kind, self.baseline, self.target) {
            (Measure::Metric, Some(kind), Some(baseline), Some(target)) => {
                KeyResultMeasure::Metric(Metric {
                    kind,
                    baseline,
                    target,
                    unit: self.unit.clone(),
                    decimals: self.decimals.clamp(0, 4) as u32,
                })
            }
            (Measure::Milestone, ..) => KeyResultMeasure::Milestone,
            _ => KeyResultMeasure::Actions,
        }
    }

    /// "12 / 20 deals" for a metric, "Done" or "Not done" for a milestone.
    pub fn measured_summary(&self) -> Option<String> {
        match self.key_result_measure() {
            KeyResultMeasure::Metric(metric) => Some(metric.summary(self.current_value)),
            KeyResultMeasure::Milestone if self.current_done == Some(true) => Some("Done".into()),
            KeyResultMeasure::Milestone => Some("Not done".into()),
            KeyResultMeasure::Actions => None,
        }
    }

    /// Whether people check in on it: objectives and key results.
    pub fn takes_check_ins(&self) -> bool {
        self.item_type != ItemType::Action
    }

    /// What its progress depends on.
    pub fn progress_input(&self) -> ProgressInput {
        ProgressInput {
            item_type: self.item_type,
            status: self.action_status,
            points: self.story_points,
            weight: self.weight,
            measure: self.key_result_measure(),
            current_value: self.current_value,
            done: self.current_done == Some(true),
        }
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_date.is_some_and(|due| due < today) && self.progress_computed < 100.0
    }

    /// The item as the activity log records it: ids for machines, names and titles for the
    /// readable history.
    pub(super) fn snapshot(&self, conn: &mut AnyConnection) -> QueryResult<serde_json::Value> {
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
        let cycle: Option<String> = match &self.cycle_id {
            Some(id) => cycles::table
                .find(id)
                .select(cycles::name)
                .first(conn)
                .optional()?,
            None => None,
        };
        let skill_tags = match self.item_type {
            ItemType::Action => Some(crate::skills::tags::of_item(conn, &self.id)?),
            _ => None,
        };
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
            "skill_tags": skill_tags,
            "weight": self.weight,
            "measure": self.measure.as_str(),
            "metric_kind": self.metric_kind.map(MetricKind::as_str),
            "baseline": self.baseline.map(Number::to_stored),
            "target": self.target.map(Number::to_stored),
            "unit": self.unit,
            "decimals": self.decimals,
            "cycle_id": self.cycle_id,
            "cycle": cycle,
            "outcome": self.outcome.map(Outcome::as_str),
            "closing_note": self.closing_note,
            "carried_over_from_id": self.carried_over_from_id,
        }))
    }
}

impl From<super::measure::FieldError> for OkrError {
    fn from(e: super::measure::FieldError) -> Self {
        Self::Field {
            field: e.field,
            message: e.message,
        }
    }
}

/// The product's words for stored values in any history an OKR page shows: items' types,
/// statuses, measures and outcomes, cycles' states, and (through `orgs`) settings and roles.
pub fn history_words(field: &str, stored: &str) -> Option<&'static str> {
    use super::measure::{Measure, MetricKind};
    use crate::cycles::{CycleState, Outcome};
    match field {
        "type" => ItemType::parse(stored).map(ItemType::label),
        "action_status" => ActionStatus::parse(stored).map(ActionStatus::label),
        "measure" => Measure::parse(stored).map(Measure::label),
        "metric_kind" => MetricKind::parse(stored).map(MetricKind::label),
        "outcome" => Outcome::parse(stored).map(Outcome::label),
        "state" => CycleState::parse(stored).map(CycleState::label),
        _ => crate::orgs::history_words(field, stored),
    }
}
