//! An organization's cycles page (DESIGN §3 "Cycles"): every member sees the cycles, the
//! current one marked; owners and admins create them (by hand or with "Create the next
//! quarter"), rename them, move their dates, and activate, close and reopen them.
//!
//! Every form posts plainly and is answered with a redirect back here and a notice; a
//! refusal shows the page again (422) with the reason next to its field and what was typed.
//! htmx posts the same forms and swaps the `#cycles` part of the answer.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::context::{OrgAdmin, OrgCtx};
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::{render, see_other, unprocessable};
use crate::activity::Actor;
use crate::cycles::{
    self, Cycle, CycleDates, CycleError, CycleFilter, FiscalMonth, Quarter, StateChange,
};
use crate::db::AnyConnection;
use crate::okr;
use crate::orgs::{OrgAdminAccess, Organization};

/// A cycle's name and dates as typed; strings, so what was typed comes back.
#[derive(Deserialize, Default, Clone)]
pub struct CycleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
}

impl From<&Cycle> for CycleForm {
    fn from(cycle: &Cycle) -> Self {
        Self {
            name: cycle.name.clone(),
            start_date: cycle.start_date.to_string(),
            end_date: cycle.end_date.to_string(),
        }
    }
}

/// A cycle's name and dates, checked by the domain's rules.
struct CycleInput {
    name: String,
    dates: CycleDates,
}

impl TryFrom<&CycleForm> for CycleInput {
    type Error = FieldErrors;

    fn try_from(form: &CycleForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = cycles::name(&form.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let start = okr::plan_date(&form.start_date, "start date")
            .map_err(|e| errors.add("start_date", e))
            .ok();
        let end = okr::plan_date(&form.end_date, "end date")
            .map_err(|e| errors.add("end_date", e))
            .ok();
        let dates = match (start, end) {
            (Some(start), Some(end)) => match CycleDates::new(start, end) {
                Ok(dates) => Some(dates),
                Err(CycleError::Field { field, message }) => {
                    errors.add(field, message);
                    None
                }
                Err(other) => {
                    errors.add("end_date", other);
                    None
                }
            },
            _ => None,
        };
        match (name, dates) {
            (Some(name), Some(dates)) if errors.is_empty() => Ok(Self { name, dates }),
            _ => Err(errors),
        }
    }
}

/// The rules' refusal of a cycle's name or dates, as messages next to the fields; anything
/// else (not found, not allowed, ours) is the error page.
fn field_errors(e: CycleError) -> Result<FieldErrors, AppError> {
    let mut errors = FieldErrors::default();
    match e {
        CycleError::Field { field, message } => errors.add(field, message),
        e @ CycleError::NameTaken(_) => errors.add("name", e),
        e @ CycleError::Overlap(_) => errors.add("start_date", e),
        e @ CycleError::Closed(_) => errors.add("start_date", e),
        other => return Err(other.into()),
    }
    Ok(errors)
}

/// What the page has open: an edit form, or a refused change shown again where it was made.
enum Focus {
    Nothing,
    /// The create form, as typed.
    New(CycleForm, FieldErrors),
    /// One cycle's edit form (by id): as typed when refused, else (`None`) as stored.
    Edit(String, Option<CycleForm>, FieldErrors),
    /// A state change refused on one cycle (by id): why.
    State(String, String),
    /// "Create the next quarter" refused: why.
    NextQuarter(String),
}

#[derive(Template)]
#[template(path = "cycles/index.html")]
struct CyclesPage {
    layout: Layout,
    org: Organization,
    can_manage: bool,
    cycles: Vec<Cycle>,
    /// The cycle the views open on (the active one containing today, else the latest active).
    current: Option<String>,
    today: NaiveDate,
    fiscal: FiscalMonth,
    next: Option<Quarter>,
    /// What the last change did (the one-time notice, shown in the page so htmx swaps it).
    notice: Option<String>,
    focus: Focus,
    no_errors: FieldErrors,
}

impl CyclesPage {
    fn base(&self) -> String {
        format!("/orgs/{}/cycles", self.org.slug)
    }

    fn is_current(&self, cycle: &Cycle) -> bool {
        self.current.as_deref() == Some(cycle.id.as_str())
    }

    fn new_form(&self) -> (CycleForm, &FieldErrors) {
        match &self.focus {
            Focus::New(form, errors) => (form.clone(), errors),
            _ => (CycleForm::default(), &self.no_errors),
        }
    }

    /// The ids of a cycle's edit fields start with this.
    fn prefix(&self, cycle: &Cycle) -> String {
        format!("edit-{}", cycle.id)
    }

    fn is_editing(&self, cycle: &Cycle) -> bool {
        matches!(&self.focus, Focus::Edit(id, ..) if *id == cycle.id)
    }

    /// A cycle's edit form: as typed when it was refused, else as stored.
    fn edit_form(&self, cycle: &Cycle) -> (CycleForm, &FieldErrors) {
        match &self.focus {
            Focus::Edit(id, Some(form), errors) if *id == cycle.id => (form.clone(), errors),
            _ => (CycleForm::from(cycle), &self.no_errors),
        }
    }

    fn state_error(&self, cycle: &Cycle) -> Option<&str> {
        match &self.focus {
            Focus::State(id, message) if *id == cycle.id => Some(message),
            _ => None,
        }
    }

    fn next_quarter_error(&self) -> Option<&str> {
        match &self.focus {
            Focus::NextQuarter(message) => Some(message),
            _ => None,
        }
    }

    fn days(&self, cycle: &Cycle) -> i64 {
        (cycle.end_date - cycle.start_date).num_days() + 1
    }

    /// Where today stands in the cycle: "Day 45 of 90", "Starts in 12 days", "Closed on
    /// 3 Apr 2027", "Ended 5 days ago".
    fn timing(&self, cycle: &Cycle) -> String {
        let days_to = |from: NaiveDate, to: NaiveDate| (to - from).num_days();
        match cycle.closed_at.filter(|_| cycle.is_closed()) {
            Some(at) => format!("Closed on {}", at.format("%-d %b %Y")),
            None if cycle.contains(self.today) => format!(
                "Day {} of {}",
                days_to(cycle.start_date, self.today) + 1,
                self.days(cycle)
            ),
            None if self.today < cycle.start_date => match days_to(self.today, cycle.start_date) {
                1 => "Starts tomorrow".to_owned(),
                n => format!("Starts in {n} days"),
            },
            None => match days_to(cycle.end_date, self.today) {
                1 => "Ended yesterday".to_owned(),
                n => format!("Ended {n} days ago"),
            },
        }
    }

    /// The share of the cycle's days gone by today, while today falls in it.
    fn elapsed_percent(&self, cycle: &Cycle) -> Option<i64> {
        cycle
            .contains(self.today)
            .then(|| (self.today - cycle.start_date).num_days() * 100 / self.days(cycle))
    }
}

async fn page(ctx: &OrgCtx, focus: Focus) -> Result<CyclesPage, AppError> {
    let list = ctx
        .run(|conn, _, access| cycles::list(conn, &access.org().id).map_err(AppError::from))
        .await?;
    if let Focus::Edit(id, ..) | Focus::State(id, _) = &focus {
        if !list.iter().any(|c| c.id == *id) {
            return Err(AppError::NotFound);
        }
    }
    let org = ctx.access.org().clone();
    let today = ctx.state().config.clock.today();
    let fiscal = FiscalMonth::from_stored(org.fiscal_year_start_month);
    let current = match cycles::default_filter(&list, today) {
        CycleFilter::Cycle(id) => Some(id),
        CycleFilter::All | CycleFilter::Backlog => None,
    };
    let mut layout = ctx.layout(&format!("Cycles in {}", org.name)).await?;
    Ok(CyclesPage {
        notice: layout.flash.take().map(|flash| flash.message),
        layout,
        can_manage: ctx.access.is_admin() && !org.is_archived(),
        next: cycles::next_quarter(&list, fiscal, today),
        org,
        cycles: list,
        current,
        today,
        fiscal,
        focus,
        no_errors: FieldErrors::default(),
    })
}

fn cycles_path(ctx: &OrgCtx) -> String {
    format!("/orgs/{}/cycles", ctx.access.org().slug)
}

/// A change went through: back to the page, which says what happened.
fn done(ctx: &OrgCtx, notice: &str) -> Result<HttpResponse, AppError> {
    ctx.flash(notice)?;
    Ok(see_other(&cycles_path(ctx)))
}

async fn refuse(ctx: &OrgCtx, focus: Focus) -> Result<HttpResponse, AppError> {
    unprocessable(page(ctx, focus).await?)
}

#[derive(Deserialize)]
pub struct IndexQuery {
    /// The cycle whose edit form is open (the "Edit" link, which works without script).
    edit: Option<String>,
}

pub async fn index(ctx: OrgCtx, query: web::Query<IndexQuery>) -> Result<HttpResponse, AppError> {
    let focus = match query.into_inner().edit {
        Some(id) if ctx.access.is_admin() => Focus::Edit(id, None, FieldErrors::default()),
        _ => Focus::Nothing,
    };
    render(page(&ctx, focus).await?)
}

/// Parses the form and makes `change` with it; the rules' refusals come back as messages
/// for the form's fields.
async fn with_form<F>(admin: &OrgAdmin, form: &CycleForm, change: F) -> Result<Saved, AppError>
where
    F: FnOnce(
            &mut AnyConnection,
            &Actor,
            &OrgAdminAccess,
            CycleInput,
            NaiveDateTime,
        ) -> Result<Cycle, CycleError>
        + Send
        + 'static,
{
    admin.access.require_writable()?;
    let input = match CycleInput::try_from(form) {
        Ok(input) => input,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = admin.state().config.clock.now();
    match admin
        .run(move |conn, actor, admin| change(conn, actor, admin, input, now))
        .await
    {
        Ok(cycle) => Ok(Ok(cycle)),
        Err(e) => field_errors(e).map(Err),
    }
}

type Saved = Result<Cycle, FieldErrors>;

pub async fn create(admin: OrgAdmin, form: web::Form<CycleForm>) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let saved = with_form(&admin, &form, |conn, actor, admin, input, now| {
        cycles::create(conn, actor, admin, input.name, input.dates, now)
    });
    match saved.await? {
        Ok(cycle) => done(&admin, &format!("{} created, in planning.", cycle.name)),
        Err(errors) => refuse(&admin, Focus::New(form, errors)).await,
    }
}

pub async fn create_next_quarter(admin: OrgAdmin) -> Result<HttpResponse, AppError> {
    let clock = &admin.state().config.clock;
    let (today, now) = (clock.today(), clock.now());
    let created = admin
        .run(move |conn, actor, admin| cycles::create_next_quarter(conn, actor, admin, today, now))
        .await;
    match created {
        Ok(cycle) => done(
            &admin,
            &format!(
                "{} created ({}), in planning.",
                cycle.name,
                cycle.dates_label()
            ),
        ),
        Err(e @ (CycleError::NameTaken(_) | CycleError::Overlap(_) | CycleError::Field { .. })) => {
            refuse(&admin, Focus::NextQuarter(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The cycle a route under `/cycles/{cycle_id}` names.
#[derive(Deserialize)]
pub struct CycleRef {
    cycle_id: String,
}

pub async fn update(
    admin: OrgAdmin,
    path: web::Path<CycleRef>,
    form: web::Form<CycleForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (path.into_inner().cycle_id, form.into_inner());
    let target = id.clone();
    let saved = with_form(&admin, &form, move |conn, actor, admin, input, now| {
        cycles::update(conn, actor, admin, &target, input.name, input.dates, now)
    });
    match saved.await? {
        Ok(cycle) => done(&admin, &format!("{} saved.", cycle.name)),
        Err(errors) => refuse(&admin, Focus::Edit(id, Some(form), errors)).await,
    }
}

/// Makes a state change; `said` finishes the notice after the cycle's name.
async fn set_state(
    admin: OrgAdmin,
    path: web::Path<CycleRef>,
    change: StateChange,
    said: &'static str,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().cycle_id;
    let (target, now) = (id.clone(), admin.state().config.clock.now());
    match admin
        .run(move |conn, actor, admin| {
            cycles::change_state(conn, actor, admin, &target, change, now)
        })
        .await
    {
        Ok(cycle) => done(&admin, &format!("{}{said}", cycle.name)),
        Err(CycleError::State(message)) => refuse(&admin, Focus::State(id, message)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn activate(
    admin: OrgAdmin,
    path: web::Path<CycleRef>,
) -> Result<HttpResponse, AppError> {
    set_state(admin, path, StateChange::Activate, " is active.").await
}

pub async fn close(admin: OrgAdmin, path: web::Path<CycleRef>) -> Result<HttpResponse, AppError> {
    set_state(
        admin,
        path,
        StateChange::Close,
        " is closed: its objectives and check-ins are read-only.",
    )
    .await
}

pub async fn reopen(admin: OrgAdmin, path: web::Path<CycleRef>) -> Result<HttpResponse, AppError> {
    set_state(
        admin,
        path,
        StateChange::Reopen,
        " is open again: its items can be changed.",
    )
    .await
}
