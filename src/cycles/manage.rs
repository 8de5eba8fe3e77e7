//! Changing cycles: create, rename and move dates, activate, close, reopen; and the fiscal
//! year the quarters are counted in. Org owners and admins only (the `OrgAdminAccess` proof),
//! each in one write transaction under the organization's row lock, so two overlapping
//! cycles cannot both pass the overlap check.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{get, list, next_quarter, Cycle, CycleDates, CycleError, CycleState, FiscalMonth};
use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::orgs::{self, OrgAdminAccess};
use crate::schema::{cycles, okr_items, organizations};
use crate::webhooks;

fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    cycle: &Cycle,
    action: &str,
    before: Option<serde_json::Value>,
) -> QueryResult<()> {
    let subject = Subject {
        organization_id: &cycle.organization_id,
        workspace_id: None,
        kind: "cycle",
        id: &cycle.id,
    };
    let after = Some(cycle.json());
    webhooks::publish(
        conn,
        actor,
        subject,
        action,
        before.as_ref(),
        after.as_ref(),
    )?;
    activity::record(conn, actor, subject, action, before, after)
}

/// Refuses dates that overlap another of the organization's cycles, naming it.
fn check_overlap(
    conn: &mut AnyConnection,
    organization_id: &str,
    dates: CycleDates,
    except: Option<&str>,
) -> Result<(), CycleError> {
    let mut query = cycles::table
        .filter(cycles::organization_id.eq(organization_id))
        .filter(cycles::start_date.le(dates.end()))
        .filter(cycles::end_date.ge(dates.start()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(cycles::id.ne(id));
    }
    let clash: Option<Cycle> = query.select(Cycle::as_select()).first(conn).optional()?;
    match clash {
        Some(other) => Err(CycleError::Overlap(format!(
            "{} ({})",
            other.name,
            other.dates_label()
        ))),
        None => Ok(()),
    }
}

fn check_name_free(
    conn: &mut AnyConnection,
    organization_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), CycleError> {
    let mut query = cycles::table
        .filter(cycles::organization_id.eq(organization_id))
        .filter(cycles::name.eq(name))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(cycles::id.ne(id));
    }
    if query.count().get_result::<i64>(conn)? > 0 {
        return Err(CycleError::NameTaken(name.to_owned()));
    }
    Ok(())
}

/// A unique-index refusal means a concurrent request took the name first.
fn name_clash(name: &str) -> impl FnOnce(diesel::result::Error) -> CycleError + '_ {
    move |e| {
        if db::is_unique_violation(&e) {
            CycleError::NameTaken(name.to_owned())
        } else {
            e.into()
        }
    }
}

/// Creates a cycle in `planning`.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    admin: &OrgAdminAccess,
    name: String,
    dates: CycleDates,
    now: NaiveDateTime,
) -> Result<Cycle, CycleError> {
    admin.require_writable()?;
    let org_id = admin.org().id.clone();
    db::write_transaction(conn, |conn| {
        orgs::lock(conn, &org_id)?;
        check_name_free(conn, &org_id, &name, None)?;
        check_overlap(conn, &org_id, dates, None)?;
        let id = db::new_id();
        diesel::insert_into(cycles::table)
            .values((
                cycles::id.eq(&id),
                cycles::organization_id.eq(&org_id),
                cycles::name.eq(&name),
                cycles::start_date.eq(dates.start()),
                cycles::end_date.eq(dates.end()),
                cycles::state.eq(CycleState::Planning),
                cycles::created_by_user_id.eq(&actor.user_id),
                cycles::created_at.eq(now),
                cycles::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(name_clash(&name))?;
        let cycle = get(conn, &org_id, &id)?;
        record(conn, actor, &cycle, "cycle.created", None)?;
        Ok(cycle)
    })
}

/// Renames a cycle or moves its dates. Refused when the dates would overlap another cycle
/// or leave some of its items' dates outside; a closed cycle keeps its dates.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    admin: &OrgAdminAccess,
    cycle_id: &str,
    name: String,
    dates: CycleDates,
    now: NaiveDateTime,
) -> Result<Cycle, CycleError> {
    admin.require_writable()?;
    let org_id = admin.org().id.clone();
    db::write_transaction(conn, |conn| {
        orgs::lock(conn, &org_id)?;
        let before = get(conn, &org_id, cycle_id)?;
        let moves_dates = (before.start_date, before.end_date) != (dates.start(), dates.end());
        if moves_dates && before.is_closed() {
            return Err(CycleError::Closed(before.name));
        }
        check_name_free(conn, &org_id, &name, Some(cycle_id))?;
        check_overlap(conn, &org_id, dates, Some(cycle_id))?;
        // The message sits at the end that moved in; a start moved later comes first.
        let field = if dates.start() <= before.start_date && dates.end() < before.end_date {
            "end_date"
        } else {
            "start_date"
        };
        check_items_inside(conn, cycle_id, dates, field)?;
        diesel::update(cycles::table.find(cycle_id))
            .set((
                cycles::name.eq(&name),
                cycles::start_date.eq(dates.start()),
                cycles::end_date.eq(dates.end()),
                cycles::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(name_clash(&name))?;
        let cycle = get(conn, &org_id, cycle_id)?;
        record(conn, actor, &cycle, "cycle.updated", Some(before.json()))?;
        Ok(cycle)
    })
}

/// "Create the next quarter": the quarter after the latest cycle (`next_quarter`), counted in
/// the organization's fiscal year and chosen under the same lock as the insert, so two
/// clicks at once cannot both pick it.
pub fn create_next_quarter(
    conn: &mut AnyConnection,
    actor: &Actor,
    admin: &OrgAdminAccess,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Cycle, CycleError> {
    admin.require_writable()?;
    let org = admin.org();
    db::write_transaction(conn, |conn| {
        orgs::lock(conn, &org.id)?;
        let fiscal = FiscalMonth::from_stored(org.fiscal_year_start_month);
        let quarter = next_quarter(&list(conn, &org.id)?, fiscal, today).ok_or_else(|| {
            CycleError::field(
                "start_date",
                "No quarter follows the latest cycle inside the years plans may use.",
            )
        })?;
        create(conn, actor, admin, quarter.name, quarter.dates, now)
    })
}

/// New dates may not leave a live item of the cycle starting or due outside them.
fn check_items_inside(
    conn: &mut AnyConnection,
    cycle_id: &str,
    dates: CycleDates,
    field: &'static str,
) -> Result<(), CycleError> {
    let outside = || {
        okr_items::table
            .filter(okr_items::cycle_id.eq(cycle_id))
            .filter(okr_items::deleted_at.is_null())
            .filter(
                okr_items::start_date
                    .lt(dates.start())
                    .or(okr_items::due_date.gt(dates.end()))
                    .or(okr_items::start_date.gt(dates.end()))
                    .or(okr_items::due_date.lt(dates.start())),
            )
    };
    let count: i64 = outside().count().get_result(conn)?;
    if count == 0 {
        return Ok(());
    }
    let first: String = outside()
        .order(okr_items::id.asc())
        .select(okr_items::title)
        .first(conn)?;
    let (others, pronoun) = match count {
        1 => (String::new(), "its"),
        2 => (" and 1 other item".to_owned(), "their"),
        n => (format!(" and {} other items", n - 1), "their"),
    };
    Err(CycleError::field(
        field,
        format!(
            "“{first}”{others} would fall outside these dates. Move {pronoun} dates first, \
             or choose dates that hold them."
        ),
    ))
}

/// Moves a cycle to its next state; a change its state does not allow is refused, saying why.
pub fn change_state(
    conn: &mut AnyConnection,
    actor: &Actor,
    admin: &OrgAdminAccess,
    cycle_id: &str,
    change: StateChange,
    now: NaiveDateTime,
) -> Result<Cycle, CycleError> {
    admin.require_writable()?;
    let org_id = admin.org().id.clone();
    db::write_transaction(conn, |conn| {
        orgs::lock(conn, &org_id)?;
        let before = get(conn, &org_id, cycle_id)?;
        let (allowed, to, action) = match change {
            StateChange::Activate => (
                before.state == CycleState::Planning,
                CycleState::Active,
                "cycle.activated",
            ),
            StateChange::Close => (!before.is_closed(), CycleState::Closed, "cycle.closed"),
            StateChange::Reopen => (before.is_closed(), CycleState::Active, "cycle.reopened"),
        };
        if !allowed {
            return Err(CycleError::State(format!(
                "{} is {}, so it cannot be {}.",
                before.name,
                before.state.label().to_lowercase(),
                change.done_label()
            )));
        }
        let (closed_at, closed_by) = match to {
            CycleState::Closed => (Some(now), Some(actor.user_id.clone())),
            _ => (None, None),
        };
        diesel::update(cycles::table.find(cycle_id))
            .set((
                cycles::state.eq(to),
                cycles::closed_at.eq(closed_at),
                cycles::closed_by_user_id.eq(closed_by),
                cycles::updated_at.eq(now),
            ))
            .execute(conn)?;
        let cycle = get(conn, &org_id, cycle_id)?;
        record(conn, actor, &cycle, action, Some(before.json()))?;
        Ok(cycle)
    })
}

/// A move between states: planning → active (activate), planning or active → closed
/// (close: its items and check-ins become read-only), closed → active (reopen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    Activate,
    Close,
    Reopen,
}

impl StateChange {
    fn done_label(self) -> &'static str {
        match self {
            Self::Activate => "activated",
            Self::Close => "closed",
            Self::Reopen => "reopened",
        }
    }
}

/// The month the organization's fiscal year starts in; quarters offered later follow it.
pub fn set_fiscal_year_start(
    conn: &mut AnyConnection,
    actor: &Actor,
    admin: &OrgAdminAccess,
    month: FiscalMonth,
    now: NaiveDateTime,
) -> Result<(), CycleError> {
    admin.require_writable()?;
    let org = admin.org();
    db::write_transaction(conn, |conn| {
        diesel::update(organizations::table.find(&org.id))
            .set((
                organizations::fiscal_year_start_month.eq(month.number() as i32),
                organizations::updated_at.eq(now),
            ))
            .execute(conn)?;
        activity::record(
            conn,
            actor,
            Subject {
                organization_id: &org.id,
                workspace_id: None,
                kind: "organization",
                id: &org.id,
            },
            "organization.fiscal_year_changed",
            Some(serde_json::json!({ "fiscal_year_start_month": org.fiscal_year_start_month })),
            Some(serde_json::json!({ "fiscal_year_start_month": month.number() })),
        )?;
        Ok(())
    })
}
