//! The gantt page of a workspace, its CSV export and the date changes made on it.

use std::collections::HashSet;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::cycle_choice::CycleChoice;
use super::error::AppError;
use super::htmx::Htmx;
use super::items::ItemRef;
use super::layout::Layout;
use super::{html, see_other};
use crate::cycles::CycleFilter;
use crate::okr;
use crate::okr::edit::{self, ItemChanges};
use crate::okr::gantt::{self, Chart, Plan, Range, Scale, Timeline, HEADER_HEIGHT, ROW_HEIGHT};
use crate::okr::status::{self, Status, Statuses};
use crate::okr::Item;
use crate::workspaces::WorkspaceAccess;

/// The view as it stands in the URL, so a gantt can be shared and reloaded as it was.
#[derive(Deserialize, Default, Clone)]
pub struct GanttQuery {
    #[serde(default)]
    scale: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Item ids whose branches are folded, comma-separated.
    #[serde(default)]
    collapsed: String,
    #[serde(default)]
    page: String,
    /// The item whose dates the side panel edits.
    #[serde(default)]
    edit: String,
    /// An item whose branch folds or unfolds: a row's button sends it once, and the answer
    /// points the address at the resulting view.
    #[serde(default)]
    toggle: String,
    /// `all`, `backlog` or a cycle id; none is the default cycle.
    cycle: Option<String>,
}

/// The parsed view. Unknown values fall back to defaults, so a stale link still opens; a
/// range typed wrongly gets a message next to the picker.
#[derive(Clone)]
struct View {
    scale: Scale,
    range: Range,
    collapsed: Vec<String>,
    page: usize,
    edit: Option<String>,
    cycle: CycleFilter,
}

impl View {
    /// The view asked for in the chosen cycle; a URL naming no range shows the cycle's
    /// dates (all cycles and the backlog: the months around today).
    fn parse(query: &GanttQuery, today: NaiveDate, cycle: &CycleChoice) -> (Self, Option<String>) {
        let scale = Scale::parse(&query.scale).unwrap_or(Scale::Month);
        let default = cycle
            .chosen()
            .and_then(|c| Range::new(c.start_date, c.end_date, scale).ok())
            .unwrap_or_else(|| Range::around(today, scale));
        let typed = !query.from.trim().is_empty() || !query.to.trim().is_empty();
        let from = okr::plan_date(&query.from, "first day");
        let to = okr::plan_date(&query.to, "last day");
        let (range, error) = match (from, to) {
            (Ok(from), Ok(to)) => match Range::new(from, to, scale) {
                Ok(range) => (range, None),
                Err(e) => (default, Some(e.to_string())),
            },
            _ if query.from.trim().is_empty() || query.to.trim().is_empty() => (
                default,
                typed.then(|| "Enter both ends of the range as dates.".to_owned()),
            ),
            (Err(message), _) | (_, Err(message)) => (default, Some(message)),
        };
        let collapsed = query
            .collapsed
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .take(2_000)
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let mut collapsed = collapsed;
        let toggle = query.toggle.trim();
        if !toggle.is_empty() {
            if collapsed.iter().any(|c| c == toggle) {
                collapsed.retain(|c| c != toggle);
            } else {
                collapsed.push(toggle.to_owned());
            }
        }
        let view = Self {
            scale,
            range,
            collapsed,
            page: query.page.trim().parse().unwrap_or(1),
            edit: Some(query.edit.trim().to_owned()).filter(|e| !e.is_empty()),
            cycle: cycle.filter.clone(),
        };
        (view, error)
    }

    fn query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("cycle", self.cycle.as_param());
        query.append_pair("scale", self.scale.as_str());
        query.append_pair("from", &self.range.from.to_string());
        query.append_pair("to", &self.range.to.to_string());
        if !self.collapsed.is_empty() {
            query.append_pair("collapsed", &self.collapsed.join(","));
        }
        if self.page > 1 {
            query.append_pair("page", &self.page.to_string());
        }
        if let Some(edit) = &self.edit {
            query.append_pair("edit", edit);
        }
        query.finish()
    }

    fn with(&self, change: impl FnOnce(&mut Self)) -> Self {
        let mut view = self.clone();
        change(&mut view);
        view
    }
}

async fn load_plan(ctx: &WorkspaceCtx, cycle: &CycleChoice) -> Result<Plan, AppError> {
    let cycle = cycle.filter.clone();
    ctx.run(move |conn, _, viewer| Ok::<_, AppError>(gantt::plan(conn, viewer, &cycle)?))
        .await
}

/// The plan and today's statuses, for the page.
async fn load_chart_data(
    ctx: &WorkspaceCtx,
    cycle: &CycleChoice,
) -> Result<(Plan, Statuses), AppError> {
    let today = ctx.state().config.clock.today();
    let cycle = cycle.filter.clone();
    ctx.run(move |conn, _, viewer| {
        let statuses = status::statuses(conn, viewer, today)?;
        Ok::<_, AppError>((gantt::plan(conn, viewer, &cycle)?, statuses))
    })
    .await
}

/// The chart, pager, unscheduled list and side panel: what htmx swaps.
#[derive(Template)]
#[template(path = "partials/gantt.html")]
struct GanttPartial<'a> {
    base: String,
    csrf_token: String,
    view: View,
    chart: Chart<'a>,
    /// The first unscheduled items (a page's worth), and how many there are in all.
    unscheduled: Vec<&'a gantt::GanttRow>,
    unscheduled_total: usize,
    editing: Option<&'a gantt::GanttRow>,
    statuses: &'a Statuses,
    /// A refused date change: (item id, why).
    error: Option<(String, String)>,
    row_height: i64,
    header_height: i64,
    read_only: bool,
    range_error: Option<String>,
    fit_href: String,
    today_href: String,
    /// The chosen cycle's dates, when a cycle is chosen.
    cycle_href: Option<String>,
    scales: &'static [Scale],
    cycle: CycleChoice,
}

impl GanttPartial<'_> {
    fn href(&self, view: &View) -> String {
        format!("{}/gantt?{}", self.base, view.query())
    }

    fn page_href(&self, page: usize) -> String {
        self.href(&self.view.with(|v| v.page = page))
    }

    fn close_href(&self) -> String {
        self.href(&self.view.with(|v| v.edit = None))
    }

    /// Where a date form posts: the view comes along so the answer shows the same gantt.
    fn dates_action(&self, item_id: &str) -> String {
        let view = self.view.with(|v| v.edit = None);
        format!("{}/gantt/items/{item_id}/dates?{}", self.base, view.query())
    }

    fn dates_url(&self, item_id: &str) -> String {
        format!("{}/gantt/items/{item_id}/dates", self.base)
    }

    fn error_for(&self, item_id: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(id, _)| id == item_id)
            .map(|(_, message)| message.as_str())
    }

    fn status(&self, item: &Item) -> Option<Status> {
        self.statuses.of(item)
    }

    fn chart_width(&self) -> i64 {
        self.chart.timeline.width()
    }

    fn bar_y(&self, row_y: &i64) -> i64 {
        row_y + 9
    }

    fn text_y(&self, row_y: &i64) -> i64 {
        row_y + self.row_height / 2 + 4
    }
}

#[derive(Template)]
#[template(path = "gantt/page.html")]
struct GanttPage<'a> {
    layout: Layout,
    access: WorkspaceAccess,
    base: String,
    gantt: GanttPartial<'a>,
}

/// The gantt for a plan already loaded, its page number clamped to the pages there are.
fn gantt_partial<'a>(
    ctx: &WorkspaceCtx,
    (plan, statuses): &'a (Plan, Statuses),
    (query, cycle): (&GanttQuery, CycleChoice),
    error: Option<(String, String)>,
) -> GanttPartial<'a> {
    let today = statuses.today();
    let (mut view, range_error) = View::parse(query, today, &cycle);
    if let Some((id, _)) = &error {
        view.edit = Some(id.clone());
    }
    let collapsed: HashSet<String> = view.collapsed.iter().cloned().collect();
    let timeline = Timeline {
        scale: view.scale,
        range: view.range,
    };
    let chart = gantt::chart(plan, timeline, &collapsed, view.page, today);
    view.page = chart.page;
    let base = ctx.base();
    let editing = view
        .edit
        .as_ref()
        .and_then(|id| plan.rows.iter().find(|r| &r.row.item.id == id));
    let fitted = Range::fit(plan.spans(), view.scale, today);
    let href = |v: View| format!("{base}/gantt?{}", v.query());
    let cycle_range = cycle
        .chosen()
        .and_then(|c| Range::new(c.start_date, c.end_date, view.scale).ok());
    GanttPartial {
        cycle_href: cycle_range.map(|range| {
            href(view.with(|v| {
                v.range = range;
                v.page = 1;
            }))
        }),
        fit_href: href(view.with(|v| {
            v.range = fitted;
            v.page = 1;
        })),
        today_href: href(view.with(|v| {
            v.range = Range::around(today, v.scale);
            v.page = 1;
        })),
        range_error,
        scales: Scale::ALL,
        cycle: cycle.for_view("/gantt", vec![("scale", view.scale.as_str().to_owned())]),
        base,
        csrf_token: ctx.signed_in.csrf_token.clone(),
        chart,
        unscheduled: plan.unscheduled().take(gantt::PAGE_SIZE).collect(),
        unscheduled_total: plan.unscheduled().count(),
        editing,
        statuses,
        error,
        row_height: ROW_HEIGHT,
        header_height: HEADER_HEIGHT,
        read_only: ctx.viewer.require_writable().is_err(),
        view,
    }
}

/// The page, or for htmx the partial alone.
async fn render_gantt(
    htmx: bool,
    ctx: &WorkspaceCtx,
    gantt: GanttPartial<'_>,
) -> Result<String, AppError> {
    let body = if htmx {
        gantt.render()?
    } else {
        let base = gantt.base.clone();
        GanttPage {
            layout: ctx
                .layout(&format!("{} · Gantt", ctx.access.workspace().name))
                .await?,
            access: ctx.access.clone(),
            base,
            gantt,
        }
        .render()?
    };
    Ok(body)
}

pub async fn show(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    query: web::Query<GanttQuery>,
) -> Result<HttpResponse, AppError> {
    let cycle = CycleChoice::of(&ctx, query.cycle.clone()).await?;
    let data = load_chart_data(&ctx, &cycle).await?;
    let gantt = gantt_partial(&ctx, &data, (&query, cycle), None);
    // The view as shown (a page past the last one is the last), not as asked for.
    let address = gantt.href(&gantt.view);
    // A fold is a one-off instruction: the address to keep (and reload) is the view it gives.
    if !htmx.0 && !query.toggle.trim().is_empty() {
        return Ok(see_other(&address));
    }
    let body = render_gantt(htmx.0, &ctx, gantt).await?;
    let mut response = html(StatusCode::OK, body);
    if htmx.0 {
        if let Ok(value) = header::HeaderValue::from_str(&address) {
            response
                .headers_mut()
                .insert(header::HeaderName::from_static("hx-push-url"), value);
        }
    }
    Ok(response)
}

/// The CSV's cycle, as on the gantt.
#[derive(Deserialize)]
pub struct CsvQuery {
    cycle: Option<String>,
}

/// Every item of the gantt the viewer may see in the chosen cycle, as CSV.
pub async fn csv(ctx: WorkspaceCtx, query: web::Query<CsvQuery>) -> Result<HttpResponse, AppError> {
    let cycle = CycleChoice::of(&ctx, query.into_inner().cycle).await?;
    let plan = load_plan(&ctx, &cycle).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}-gantt.csv\"",
                ctx.access.workspace().slug
            ),
        ))
        .body(gantt::csv(&plan)))
}

/// New dates; a field left out stays as it is, an empty one clears the date.
#[derive(Deserialize)]
pub struct DatesForm {
    start_date: Option<String>,
    due_date: Option<String>,
}

impl TryFrom<&DatesForm> for ItemChanges {
    type Error = String;

    fn try_from(form: &DatesForm) -> Result<Self, String> {
        let date = |raw: &Option<String>, label: &str| {
            raw.as_deref()
                .map(|raw| match raw.trim() {
                    "" => Ok(None),
                    raw => okr::plan_date(raw, label).map(Some),
                })
                .transpose()
        };
        let start_date = date(&form.start_date, "start date")?;
        let due_date = date(&form.due_date, "due date")?;
        if start_date.is_none() && due_date.is_none() {
            return Err("Send a start date or a due date.".into());
        }
        Ok(ItemChanges {
            start_date,
            due_date,
            ..ItemChanges::default()
        })
    }
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// Changes an item's dates through the same rules as every edit. Scripts (asking for JSON)
/// get 204 or a JSON refusal; forms get the gantt back, with the reason next to the dates.
pub async fn set_dates(
    req: HttpRequest,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<DatesForm>,
) -> Result<HttpResponse, AppError> {
    let json = wants_json(&req);
    // The view the form was posted from rides in the query string; a garbled one is the default view.
    let query = web::Query::<GanttQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let item_id = path.into_inner().item_id;
    let cycle = CycleChoice::of(&ctx, query.cycle.clone()).await?;
    let outcome = match ItemChanges::try_from(&form.into_inner()) {
        Err(message) => Err(AppError::BadRequest(message)),
        Ok(changes) => {
            let (id, now) = (item_id.clone(), ctx.state().config.clock.now());
            ctx.run(move |conn, actor, viewer| edit::update(conn, actor, viewer, &id, changes, now))
                .await
                .map(drop)
                .map_err(AppError::from)
        }
    };
    match outcome {
        Ok(()) if json => Ok(HttpResponse::NoContent().finish()),
        Ok(()) => Ok(see_other(&format!(
            "{}/gantt?{}#row-{item_id}",
            ctx.base(),
            View::parse(&query, ctx.state().config.clock.today(), &cycle)
                .0
                .query()
        ))),
        // Scripts get the refusal as JSON (see `error::json_for_scripts`).
        Err(e) if json => Err(e),
        Err(
            e @ (AppError::BadRequest(_) | AppError::Unprocessable(_) | AppError::Forbidden(_)),
        ) => {
            // A malformed date is a mistake in the form like any other: 422 with the form.
            let status = match e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let message = e.to_string();
            let data = load_chart_data(&ctx, &cycle).await?;
            let gantt = gantt_partial(&ctx, &data, (&query, cycle), Some((item_id, message)));
            let body = render_gantt(false, &ctx, gantt).await?;
            Ok(html(status, body))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_round_trips_through_the_url() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 10).unwrap_or_default();
        let query = GanttQuery {
            scale: "week".into(),
            from: "2026-01-05".into(),
            to: "2026-02-01".into(),
            collapsed: "a,b".into(),
            page: "2".into(),
            edit: String::new(),
            toggle: "b".into(),
            cycle: Some("backlog".into()),
        };
        let all = CycleChoice {
            cycles: Vec::new(),
            filter: CycleFilter::Backlog,
            view: "/gantt",
            keep: Vec::new(),
            cycles_href: String::new(),
        };
        let (view, error) = View::parse(&query, today, &all);
        assert!(error.is_none());
        assert_eq!(
            view.query(),
            "cycle=backlog&scale=week&from=2026-01-05&to=2026-02-01&collapsed=a&page=2"
        );
        let backwards = GanttQuery {
            from: "2026-02-01".into(),
            to: "2026-01-01".into(),
            ..GanttQuery::default()
        };
        let (view, error) = View::parse(&backwards, today, &all);
        assert!(error.is_some());
        assert_eq!(view.range, Range::around(today, Scale::Month));
    }
}
