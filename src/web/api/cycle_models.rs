//! What the API sends and accepts about cycles, and how a body becomes the domain's input
//! (the same rules as the cycle page: `cycles::name`, `CycleDates`). Bodies refuse unknown
//! fields, so a misspelt field answers 422 instead of being ignored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use super::formats::{CycleName, PlanDate};
use super::item_models::utc;
use super::names::CycleStateName;
use crate::cycles::{self, Cycle, CycleDates, CycleError};
use crate::okr::CarryOver;

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Its last day (included).
    pub end_date: NaiveDate,
    pub state: CycleStateName,
    #[schema(format = Uuid)]
    pub created_by_user_id: String,
    /// When it was closed; null unless it is closed now.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    #[schema(format = Uuid)]
    pub closed_by_user_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&Cycle> for CycleOut {
    fn from(c: &Cycle) -> Self {
        Self {
            id: c.id.clone(),
            organization_id: c.organization_id.clone(),
            name: c.name.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            state: c.state.into(),
            created_by_user_id: c.created_by_user_id.clone(),
            closed_at: c.closed_at.map(utc),
            closed_by_user_id: c.closed_by_user_id.clone(),
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleList {
    /// Latest first.
    pub cycles: Vec<CycleOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// A new cycle, made in `planning`. Its dates may not overlap another of the organization's.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    #[schema(value_type = CycleName)]
    pub name: String,
    #[schema(value_type = PlanDate)]
    pub start_date: NaiveDate,
    /// On or after the start date.
    #[schema(value_type = PlanDate)]
    pub end_date: NaiveDate,
}

/// Fields to change; leave out what stays. Dates may not overlap another cycle or leave an
/// item of this one outside, and a closed cycle keeps its dates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CyclePatch {
    #[serde(default)]
    #[schema(value_type = Option<CycleName>)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<PlanDate>)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<PlanDate>)]
    pub end_date: Option<NaiveDate>,
}

/// A cycle's name and dates, checked by the domain's rules.
pub struct CycleFields {
    pub name: String,
    pub dates: CycleDates,
}

impl CycleFields {
    /// Checks both, so one answer names every wrong field.
    fn parse(name: &str, start: NaiveDate, end: NaiveDate) -> Result<Self, ApiError> {
        match (cycles::name(name), CycleDates::new(start, end)) {
            (Ok(name), Ok(dates)) => Ok(Self { name, dates }),
            (name, dates) => {
                let mut fields = BTreeMap::new();
                for error in [name.err(), dates.err()].into_iter().flatten() {
                    match error {
                        CycleError::Field { field, message } => {
                            fields.insert(field.to_owned(), message);
                        }
                        other => return Err(other.into()),
                    }
                }
                Err(ApiError::Validation {
                    message: "Some fields are not valid.".into(),
                    fields,
                })
            }
        }
    }
}

impl TryFrom<NewCycle> for CycleFields {
    type Error = ApiError;

    fn try_from(body: NewCycle) -> Result<Self, ApiError> {
        Self::parse(&body.name, body.start_date, body.end_date)
    }
}

impl CyclePatch {
    /// The patch laid over the stored cycle.
    pub fn over(self, cycle: &Cycle) -> Result<CycleFields, ApiError> {
        CycleFields::parse(
            self.name.as_deref().unwrap_or(&cycle.name),
            self.start_date.unwrap_or(cycle.start_date),
            self.end_date.unwrap_or(cycle.end_date),
        )
    }
}

/// Objectives to copy into another cycle: `item_ids`, or `all_unfinished: true` with the
/// `workspace_id` they are in. Copies take their key results (a metric's baseline is its
/// last value) and open actions, no check-ins; all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryOverBody {
    /// The cycle to copy into: another of the organization's, not closed.
    #[schema(format = Uuid)]
    pub to_cycle_id: String,
    /// Top-level objectives of this cycle, of one workspace.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub item_ids: Option<Vec<String>>,
    /// Every top-level objective of this cycle in the workspace that the user may change and
    /// that is not done, not successful and not carried over to the target already.
    #[serde(default)]
    pub all_unfinished: bool,
    /// The workspace the objectives are in: required with `all_unfinished`; with `item_ids`,
    /// the first item's when left out.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub workspace_id: Option<String>,
}

/// Where the objectives to carry over are.
pub enum CarryFrom {
    Workspace(String),
    /// The workspace of this item (the first one named).
    WorkspaceOf(String),
}

/// A carry-over as the domain takes it.
pub struct CarryOverRequest {
    pub from: CarryFrom,
    pub to_cycle_id: String,
    pub which: CarryOver,
}

impl TryFrom<CarryOverBody> for CarryOverRequest {
    type Error = ApiError;

    fn try_from(body: CarryOverBody) -> Result<Self, ApiError> {
        let (which, from) = match (body.item_ids, body.all_unfinished, body.workspace_id) {
            (Some(_), true, _) => {
                return Err(ApiError::field(
                    "all_unfinished",
                    "Send item_ids or all_unfinished, not both.",
                ))
            }
            (None, false, _) => {
                return Err(ApiError::field(
                    "item_ids",
                    "Send the objectives' item_ids, or all_unfinished: true.",
                ))
            }
            (None, true, None) => {
                return Err(ApiError::field(
                    "workspace_id",
                    "Name the workspace whose unfinished objectives to carry over.",
                ))
            }
            (None, true, Some(workspace)) => {
                (CarryOver::AllUnfinished, CarryFrom::Workspace(workspace))
            }
            (Some(ids), false, Some(workspace)) => {
                (CarryOver::Items(ids), CarryFrom::Workspace(workspace))
            }
            (Some(ids), false, None) => {
                let Some(first) = ids.first().cloned() else {
                    return Err(crate::okr::carry_over::no_objectives().into());
                };
                (CarryOver::Items(ids), CarryFrom::WorkspaceOf(first))
            }
        };
        Ok(Self {
            from,
            to_cycle_id: body.to_cycle_id,
            which,
        })
    }
}

/// The answer for a named item that is missing or in a workspace the user may not open: the
/// same as `okr::carry_over` gives for an item of the workspace hidden from the user, so the
/// two cannot be told apart.
pub fn unseen_items() -> ApiError {
    crate::okr::carry_over::unseen_objectives().into()
}
