//! Cycles: the time boxes an organization plans in (DESIGN §3 "Cycles"), usually quarters.
//! A top-level objective belongs to one cycle or to the backlog, and everything under it
//! carries the same `cycle_id` (the OKR writes keep it so). A closed cycle is frozen: the
//! OKR writes ask `require_open` before changing anything in it.
//!
//! This module knows cycles, not items' rules: `okr` builds on it (moves, carry-over,
//! scorecards), never the other way round.

mod manage;
mod quarters;

pub use manage::{
    change_state, create, create_next_quarter, set_fiscal_year_start, update, StateChange,
};
pub use quarters::{next_quarter, quarter_containing, FiscalMonth, Quarter};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{AnyConnection, DbError};
use crate::orgs::OrgError;
use crate::schema::cycles;
use crate::text_enum;

text_enum! {
    pub enum CycleState {
        Planning => "planning",
        Active => "active",
        Closed => "closed",
    }
}

impl CycleState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Planning => "Planning",
            Self::Active => "Active",
            Self::Closed => "Closed",
        }
    }
}

text_enum! {
    /// How an objective ended when its cycle closed.
    pub enum Outcome {
        Successful => "successful",
        NotSuccessful => "not_successful",
    }
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Successful => "Successful",
            Self::NotSuccessful => "Not successful",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = cycles)]
pub struct Cycle {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub state: CycleState,
    pub created_by_user_id: String,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by_user_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Cycle {
    pub fn is_closed(&self) -> bool {
        self.state == CycleState::Closed
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.start_date..=self.end_date).contains(&day)
    }

    /// "1 Jan – 31 Mar 2027".
    pub fn dates_label(&self) -> String {
        let end = self.end_date.format("%-d %b %Y");
        if self.start_date.format("%Y").to_string() == self.end_date.format("%Y").to_string() {
            format!("{} – {end}", self.start_date.format("%-d %b"))
        } else {
            format!("{} – {end}", self.start_date.format("%-d %b %Y"))
        }
    }

    /// The day its statuses stand still at: the day it closed (or its end, if earlier);
    /// an open cycle moves with today.
    pub fn frozen_on(&self) -> Option<NaiveDate> {
        self.closed_at
            .filter(|_| self.is_closed())
            .map(|at| at.date().min(self.end_date))
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "state": self.state.as_str(),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error("not found")]
    NotFound,
    /// A write into a closed cycle; the API answers 409.
    #[error("This cycle is closed: {0} is read-only. An owner or admin can reopen it.")]
    Closed(String),
    #[error("A cycle named {0} already exists in this organization.")]
    NameTaken(String),
    /// Dates that overlap another of the organization's cycles, which the message names.
    #[error("These dates overlap {0}; cycles of one organization may not overlap.")]
    Overlap(String),
    /// The rules refuse one field's input; `field` is its name in forms and the API.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// A state change the cycle's state does not allow.
    #[error("{0}")]
    State(String),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CycleError {
    pub(crate) fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Field {
            field,
            message: message.into(),
        }
    }
}

impl From<diesel::result::Error> for CycleError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

/// A cycle's name: trimmed, 1–60 characters, no control characters.
pub fn name(raw: &str) -> Result<String, CycleError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(CycleError::field(
            "name",
            "Give the cycle a name, such as 2027 Q1.",
        ));
    }
    if name.chars().count() > 60 {
        return Err(CycleError::field(
            "name",
            "Keep the name under 60 characters.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(CycleError::field(
            "name",
            "Remove control characters from the name.",
        ));
    }
    Ok(name.to_owned())
}

/// A cycle's first and last day, in order and inside the years plans may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleDates {
    start: NaiveDate,
    end: NaiveDate,
}

impl CycleDates {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, CycleError> {
        use chrono::Datelike;
        for (date, field) in [(start, "start_date"), (end, "end_date")] {
            if !crate::calendar::PLAN_YEARS.contains(&date.year()) {
                return Err(CycleError::field(
                    field,
                    format!(
                        "Choose a date between {} and {}.",
                        crate::calendar::PLAN_YEARS.start(),
                        crate::calendar::PLAN_YEARS.end()
                    ),
                ));
            }
        }
        if end < start {
            return Err(CycleError::field(
                "end_date",
                "The cycle must end on or after the day it starts.",
            ));
        }
        Ok(Self { start, end })
    }

    pub fn start(self) -> NaiveDate {
        self.start
    }

    pub fn end(self) -> NaiveDate {
        self.end
    }
}

/// The organization's cycles, latest first.
pub fn list(conn: &mut AnyConnection, organization_id: &str) -> QueryResult<Vec<Cycle>> {
    cycles::table
        .filter(cycles::organization_id.eq(organization_id))
        .order((cycles::start_date.desc(), cycles::id.desc()))
        .select(Cycle::as_select())
        .load(conn)
}

/// One cycle of the organization; another organization's is not found.
pub fn get(
    conn: &mut AnyConnection,
    organization_id: &str,
    cycle_id: &str,
) -> Result<Cycle, CycleError> {
    Ok(cycles::table
        .filter(cycles::id.eq(cycle_id))
        .filter(cycles::organization_id.eq(organization_id))
        .select(Cycle::as_select())
        .first(conn)?)
}

/// The organization a cycle belongs to, so a request naming only the cycle (the API) can
/// check the caller's access first.
pub fn organization_of(conn: &mut AnyConnection, cycle_id: &str) -> Result<String, CycleError> {
    Ok(cycles::table
        .find(cycle_id)
        .select(cycles::organization_id)
        .first(conn)?)
}

/// Refuses a write into a closed cycle. `None` is the backlog, which never closes.
pub fn require_open(conn: &mut AnyConnection, cycle_id: Option<&str>) -> Result<(), CycleError> {
    let Some(cycle_id) = cycle_id else {
        return Ok(());
    };
    let (name, state): (String, CycleState) = cycles::table
        .find(cycle_id)
        .select((cycles::name, cycles::state))
        .first(conn)?;
    match state {
        CycleState::Closed => Err(CycleError::Closed(name)),
        _ => Ok(()),
    }
}

/// The ids of the organization's closed cycles, for pages that mark many items read-only.
pub fn closed_ids(
    conn: &mut AnyConnection,
    organization_id: &str,
) -> QueryResult<std::collections::HashSet<String>> {
    Ok(cycles::table
        .filter(cycles::organization_id.eq(organization_id))
        .filter(cycles::state.eq(CycleState::Closed))
        .select(cycles::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// What a view shows: one cycle, the backlog (objectives in no cycle) or everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CycleFilter {
    #[default]
    All,
    Backlog,
    Cycle(String),
}

impl CycleFilter {
    /// `all`, `backlog` or a cycle id, as in `?cycle=`.
    pub fn parse(raw: &str) -> Self {
        match raw.trim() {
            "" | "all" => Self::All,
            "backlog" => Self::Backlog,
            id => Self::Cycle(id.to_owned()),
        }
    }

    pub fn as_param(&self) -> &str {
        match self {
            Self::All => "all",
            Self::Backlog => "backlog",
            Self::Cycle(id) => id,
        }
    }

    /// Whether an item with this cycle is shown.
    pub fn admits(&self, cycle_id: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Backlog => cycle_id.is_none(),
            Self::Cycle(id) => cycle_id == Some(id.as_str()),
        }
    }

    /// The cycle a new top-level objective made under this view joins.
    pub fn new_objective_cycle(&self) -> Option<&str> {
        match self {
            Self::Cycle(id) => Some(id),
            Self::All | Self::Backlog => None,
        }
    }
}

/// The cycle a view opens on when the URL names none: the active cycle containing today,
/// else the latest active one, else everything. `cycles` are latest first (`list`).
pub fn default_filter(cycles: &[Cycle], today: NaiveDate) -> CycleFilter {
    let active = || cycles.iter().filter(|c| c.state == CycleState::Active);
    active()
        .find(|c| c.contains(today))
        .or_else(|| active().max_by_key(|c| (c.start_date, c.id.clone())))
        .map_or(CycleFilter::All, |c| CycleFilter::Cycle(c.id.clone()))
}

/// The `?cycle=` choice of a view, checked against the organization's cycles: a cycle id
/// that is not one of them is not found.
pub fn choose(
    cycles: &[Cycle],
    param: Option<&str>,
    today: NaiveDate,
) -> Result<CycleFilter, CycleError> {
    let filter = match param {
        None => return Ok(default_filter(cycles, today)),
        Some(raw) => CycleFilter::parse(raw),
    };
    match &filter {
        CycleFilter::Cycle(id) if !cycles.iter().any(|c| &c.id == id) => Err(CycleError::NotFound),
        _ => Ok(filter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn cycle(id: &str, start: NaiveDate, end: NaiveDate, state: CycleState) -> Cycle {
        Cycle {
            id: id.into(),
            organization_id: "org".into(),
            name: id.into(),
            start_date: start,
            end_date: end,
            state,
            created_by_user_id: "u".into(),
            closed_at: None,
            closed_by_user_id: None,
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn the_default_is_the_active_cycle_containing_today_else_the_latest_active_else_all() {
        let q4 = cycle(
            "q4",
            day(2026, 10, 1),
            day(2026, 12, 31),
            CycleState::Active,
        );
        let q1 = cycle("q1", day(2027, 1, 1), day(2027, 3, 31), CycleState::Active);
        let q2 = cycle(
            "q2",
            day(2027, 4, 1),
            day(2027, 6, 30),
            CycleState::Planning,
        );
        let cycles = vec![q2.clone(), q1.clone(), q4.clone()];
        assert_eq!(
            default_filter(&cycles, day(2026, 11, 5)),
            CycleFilter::Cycle("q4".into())
        );
        assert_eq!(
            default_filter(&cycles, day(2027, 5, 1)),
            CycleFilter::Cycle("q1".into())
        );
        assert_eq!(default_filter(&[q2], day(2027, 5, 1)), CycleFilter::All);
    }

    #[test]
    fn a_chosen_cycle_must_be_one_of_the_organizations() {
        let q1 = cycle("q1", day(2027, 1, 1), day(2027, 3, 31), CycleState::Active);
        let cycles = vec![q1];
        let today = day(2027, 2, 1);
        assert_eq!(
            choose(&cycles, Some("backlog"), today).ok(),
            Some(CycleFilter::Backlog)
        );
        assert_eq!(
            choose(&cycles, Some("all"), today).ok(),
            Some(CycleFilter::All)
        );
        assert!(matches!(
            choose(&cycles, Some("elsewhere"), today),
            Err(CycleError::NotFound)
        ));
        assert!(CycleFilter::Backlog.admits(None));
        assert!(!CycleFilter::Backlog.admits(Some("q1")));
        assert!(CycleFilter::Cycle("q1".into()).admits(Some("q1")));
    }

    #[test]
    fn dates_must_be_in_order_and_names_short() {
        assert!(CycleDates::new(day(2027, 1, 2), day(2027, 1, 1)).is_err());
        assert!(CycleDates::new(day(2027, 1, 1), day(2027, 1, 1)).is_ok());
        assert!(name("  ").is_err());
        assert_eq!(name(" 2027 Q1 ").ok().as_deref(), Some("2027 Q1"));
        assert!(name(&"x".repeat(61)).is_err());
    }
}
