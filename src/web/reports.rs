//! A workspace's reports: the list with "New summary", a report's page (polled while it is
//! built, its error with "Build again" when it failed), and its downloads. Every reading
//! goes through `reports::read`, which withholds rows about items the reader cannot see.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::{render, see_other, unprocessable};
use crate::cycles::{self, Cycle, CycleState};
use crate::reports::{self, charts, Listed, Reading, ReportError};

#[derive(Deserialize)]
pub struct ReportRef {
    report_id: String,
}

#[derive(Deserialize, Default)]
pub struct NewReportForm {
    #[serde(default)]
    cycle_id: String,
}

#[derive(Template)]
#[template(path = "reports/index.html")]
struct ReportsPage {
    layout: Layout,
    base: String,
    reports: Vec<Listed>,
    cycles: Vec<Cycle>,
    chosen: String,
    errors: FieldErrors,
    writable: bool,
}

async fn index_page(
    ctx: &WorkspaceCtx,
    chosen: Option<String>,
    errors: FieldErrors,
) -> Result<ReportsPage, AppError> {
    let org_id = ctx.viewer.organization_id.clone();
    let (listed, cycles) = ctx
        .run(move |conn, _, viewer| {
            let listed = reports::list(conn, viewer)?;
            Ok::<_, AppError>((listed, cycles::list(conn, &org_id)?))
        })
        .await?;
    // The active cycle by default, else everything.
    let chosen = chosen.unwrap_or_else(|| {
        cycles
            .iter()
            .find(|c| c.state == CycleState::Active)
            .map(|c| c.id.clone())
            .unwrap_or_default()
    });
    Ok(ReportsPage {
        layout: ctx.layout("Reports").await?,
        base: ctx.base(),
        reports: listed,
        cycles,
        chosen,
        errors,
        writable: ctx.viewer.require_writable().is_ok(),
    })
}

pub async fn index(ctx: WorkspaceCtx) -> Result<HttpResponse, AppError> {
    render(index_page(&ctx, None, FieldErrors::default()).await?)
}

/// Asks for a summary and opens its page, which shows the build's progress.
pub async fn create(
    ctx: WorkspaceCtx,
    form: web::Form<NewReportForm>,
) -> Result<HttpResponse, AppError> {
    let chosen = form.into_inner().cycle_id;
    let cycle_id = Some(chosen.trim().to_owned()).filter(|c| !c.is_empty());
    let now = ctx.state().config.clock.now();
    let created = ctx
        .run(move |conn, _, viewer| reports::request(conn, viewer, cycle_id.as_deref(), now))
        .await;
    match created {
        Ok(report) => Ok(see_other(&format!("{}/reports/{}", ctx.base(), report.id))),
        Err(ReportError::Field { field, message }) => {
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            unprocessable(index_page(&ctx, Some(chosen), errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reports/page.html")]
struct ReportPage {
    layout: Layout,
    base: String,
    reading: Reading,
    html: Option<String>,
    charts: Vec<String>,
    writable: bool,
}

#[derive(Template)]
#[template(path = "reports/progress.html")]
struct ProgressFragment {
    base: String,
    reading: Reading,
}

async fn reading(ctx: &WorkspaceCtx, report_id: String) -> Result<Reading, AppError> {
    Ok(ctx
        .run(move |conn, _, viewer| reports::read(conn, viewer, &report_id))
        .await?)
}

pub async fn show(ctx: WorkspaceCtx, path: web::Path<ReportRef>) -> Result<HttpResponse, AppError> {
    let reading = reading(&ctx, path.into_inner().report_id).await?;
    let charts = reading
        .summary
        .iter()
        .flat_map(|s| {
            [
                charts::progress_by_objective(s),
                charts::status_breakdown(s),
                charts::progress_over_time(s),
            ]
        })
        .flatten()
        .collect();
    let html = reading.markdown.as_deref().map(crate::markdown::to_html);
    render(ReportPage {
        layout: ctx.layout("Report").await?,
        base: ctx.base(),
        html,
        charts,
        writable: ctx.viewer.require_writable().is_ok(),
        reading,
    })
}

/// htmx, every two seconds while the report is built: the progress line, or a refresh of
/// the page once it is done or failed.
pub async fn progress(
    ctx: WorkspaceCtx,
    path: web::Path<ReportRef>,
) -> Result<HttpResponse, AppError> {
    let reading = reading(&ctx, path.into_inner().report_id).await?;
    if !reading.report.status.is_open() {
        return Ok(HttpResponse::Ok()
            .insert_header(("HX-Refresh", "true"))
            .finish());
    }
    render(ProgressFragment {
        base: ctx.base(),
        reading,
    })
}

fn download(reading: &Reading, extension: &str, content_type: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"okr-summary-{}.{extension}\"",
                reading.report.created_at.format("%Y-%m-%d")
            ),
        ))
        .body(body)
}

pub async fn markdown(
    ctx: WorkspaceCtx,
    path: web::Path<ReportRef>,
) -> Result<HttpResponse, AppError> {
    let reading = reading(&ctx, path.into_inner().report_id).await?;
    let body = reading.markdown.clone().ok_or(ReportError::NotFound)?;
    Ok(download(
        &reading,
        "md",
        "text/markdown; charset=utf-8",
        body,
    ))
}

pub async fn json(ctx: WorkspaceCtx, path: web::Path<ReportRef>) -> Result<HttpResponse, AppError> {
    let reading = reading(&ctx, path.into_inner().report_id).await?;
    let summary = reading.summary.as_ref().ok_or(ReportError::NotFound)?;
    let body =
        serde_json::to_string_pretty(summary).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(download(&reading, "json", "application/json", body))
}

/// Builds a failed report again.
pub async fn retry(
    ctx: WorkspaceCtx,
    path: web::Path<ReportRef>,
) -> Result<HttpResponse, AppError> {
    let report_id = path.into_inner().report_id;
    let now = ctx.state().config.clock.now();
    let report = ctx
        .run(move |conn, _, viewer| reports::retry(conn, viewer, &report_id, now))
        .await?;
    Ok(see_other(&format!("{}/reports/{}", ctx.base(), report.id)))
}
