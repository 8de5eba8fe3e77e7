//! OKR summary reports over the API: asked for in a workspace (write scope), listed and
//! read (read scope). A report reads as the caller may see it today: rows about items the
//! caller cannot see are withheld and counted.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::error::ApiError;
use super::item_models::utc;
use super::names::ReportStatusName;
use super::paths::{ReportPath, WorkspacePath};
use super::{ReadErrors, WriteErrors};
use crate::reports::{self, Listed, Reading, Report};

/// A summary to build.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// A cycle of the organization; without one, everything in the workspace.
    #[schema(format = Uuid)]
    pub cycle_id: Option<String>,
}

/// A report as queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ReportStatusName,
}

/// A report in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportListed {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ReportStatusName,
    #[schema(format = Uuid)]
    pub cycle_id: Option<String>,
    pub cycle_name: Option<String>,
    #[schema(format = Uuid)]
    pub requested_by_user_id: String,
    pub requested_by: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Listed> for ReportListed {
    fn from(listed: &Listed) -> Self {
        let report: &Report = &listed.report;
        Self {
            id: report.id.clone(),
            status: report.status.into(),
            cycle_id: report.cycle_id.clone(),
            cycle_name: listed.cycle.clone(),
            requested_by_user_id: report.requested_by_user_id.clone(),
            requested_by: listed.requester.clone(),
            created_at: utc(report.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub reports: Vec<ReportListed>,
    pub next_cursor: Option<String>,
}

/// A report as the caller may read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub workspace_id: String,
    #[schema(format = Uuid)]
    pub cycle_id: Option<String>,
    pub status: ReportStatusName,
    /// Once `done`: the summary as markdown, without rows the caller may not see.
    pub output_markdown: Option<String>,
    /// Once `done`: the summary (version 1: `progress`, `expected`, `status_counts`,
    /// `objectives`, `attention`, `behind_pace`, `overdue`, `completed`, `coverage`, `load`,
    /// `progress_over_time`, `narrative`, `withheld`), without rows the caller may not see.
    #[schema(value_type = Object)]
    pub output_json: Option<serde_json::Value>,
    /// Why it failed, once `failed`.
    pub error_message: Option<String>,
    /// The language model that wrote the narrative, when one is configured.
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub prompt_version: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<Reading> for ReportOut {
    fn from(reading: Reading) -> Self {
        let report = reading.report;
        Self {
            id: report.id,
            workspace_id: report.workspace_id,
            cycle_id: report.cycle_id,
            status: report.status.into(),
            output_markdown: reading.markdown,
            output_json: reading.summary.and_then(|s| serde_json::to_value(s).ok()),
            error_message: report.error_message,
            model_used: report.model_used,
            provider: report.provider,
            prompt_version: report.prompt_version,
            created_at: utc(report.created_at),
            finished_at: report.finished_at.map(utc),
        }
    }
}

/// The workspace's latest reports, newest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/reports", tag = "reports",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ReportList), ReadErrors))]
pub async fn list_reports(
    caller: Caller<Read>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<ReportList>, ApiError> {
    let listed = caller
        .in_workspace(path.into_inner().ws_id, |conn, _, viewer| {
            reports::list(conn, viewer)
        })
        .await?;
    Ok(web::Json(ReportList {
        reports: listed.iter().map(ReportListed::from).collect(),
        next_cursor: None,
    }))
}

/// Asks for a summary of a cycle (or of everything); poll `GET /reports/{id}` for it.
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/reports", tag = "reports",
    params(("ws_id" = String, Path, format = Uuid)), request_body = NewReport,
    security(("bearer" = ["write"])),
    responses((status = 202, body = ReportCreated), WriteErrors))]
pub async fn create_report(
    caller: Caller<Write>,
    path: web::Path<WorkspacePath>,
    body: Body<NewReport>,
) -> Result<HttpResponse, ApiError> {
    let cycle_id = body.into_inner().cycle_id;
    let now = caller.now();
    let report = caller
        .in_workspace(path.into_inner().ws_id, move |conn, _, viewer| {
            reports::request(conn, viewer, cycle_id.as_deref(), now)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(ReportCreated {
        id: report.id,
        status: report.status.into(),
    }))
}

/// One report as the caller may read it today.
#[utoipa::path(get, path = "/api/v1/reports/{report_id}", tag = "reports",
    params(("report_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ReportOut), ReadErrors))]
pub async fn show_report(
    caller: Caller<Read>,
    path: web::Path<ReportPath>,
) -> Result<web::Json<ReportOut>, ApiError> {
    let reading = caller
        .on_report(path.into_inner().report_id, |conn, _, viewer, id| {
            reports::read(conn, viewer, id)
        })
        .await?;
    Ok(web::Json(ReportOut::from(reading)))
}
