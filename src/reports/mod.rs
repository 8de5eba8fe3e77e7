//! OKR summary reports (DESIGN §3 Phase 3 "Reports"): asked for in a workspace, for a cycle
//! or for everything, built in the background from what the requester may see, stored as
//! JSON (`summary`), markdown and an input snapshot, and read through `scope` again, so a
//! reader who sees less today gets the rows they may not see withheld.
//!
//! - `summary` computes the figures; `narrative` writes the paragraph (templates, or the
//!   configured language model); `markdown` and `charts` present them;
//! - `run` claims requested reports and builds them, asking the model with no transaction
//!   open.

pub mod charts;
mod markdown;
mod narrative;
mod run;
mod summary;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::cycles::{self, CycleError};
use crate::db::{self, AnyConnection, DbError};
use crate::orgs::OrgError;
use crate::schema::{cycles as cycle_table, reports, users};
use crate::scope::{self, Viewer};
use crate::text_enum;

pub use markdown::render as markdown_of;
pub use narrative::PROMPT_VERSION;
pub use run::{build_due, ReportBuilder};
pub use summary::{
    AttentionRow, Coverage, CycleRef, ItemRow, Load, Narrative, ObjectiveRow, ProgressPoint,
    Summary, VERSION,
};

text_enum! {
    pub enum ReportStatus {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
}

impl ReportStatus {
    /// Still to finish: a page polls while this holds.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Running)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting",
            Self::Running => "Building",
            Self::Done => "Ready",
            Self::Failed => "Failed",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Report {
    pub id: String,
    pub organization_id: String,
    pub workspace_id: String,
    pub requested_by_user_id: String,
    pub cycle_id: Option<String>,
    pub status: ReportStatus,
    /// What the report was built from: the day, the requester, the items they could see.
    pub input_snapshot_json: Option<String>,
    pub output_markdown: Option<String>,
    pub output_json: Option<String>,
    pub error_message: Option<String>,
    pub model_used: Option<String>,
    pub provider: Option<String>,
    pub prompt_version: Option<String>,
    /// Exactly what was sent to the language model, when one wrote the narrative.
    pub llm_request_json: Option<String>,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A report as a list shows it: who asked, and for which cycle.
#[derive(Debug, Clone)]
pub struct Listed {
    pub report: Report,
    pub requester: String,
    pub cycle: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("Only a failed report can be built again.")]
    NotFailed,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Cycle(CycleError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ReportError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            e => Self::Db(DbError::Query(e)),
        }
    }
}

/// Asks for a summary of `cycle_id` (or of everything); it is built in the background.
pub fn request(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    cycle_id: Option<&str>,
    now: NaiveDateTime,
) -> Result<Report, ReportError> {
    viewer.require_writable()?;
    if let Some(cycle_id) = cycle_id {
        cycles::get(conn, &viewer.organization_id, cycle_id).map_err(|e| match e {
            CycleError::NotFound => ReportError::Field {
                field: "cycle_id",
                message: "Choose a cycle of this organization.".into(),
            },
            other => ReportError::Cycle(other),
        })?;
    }
    let id = db::new_id();
    diesel::insert_into(reports::table)
        .values((
            reports::id.eq(&id),
            reports::organization_id.eq(&viewer.organization_id),
            reports::workspace_id.eq(&viewer.workspace_id),
            reports::requested_by_user_id.eq(&viewer.user_id),
            reports::cycle_id.eq(cycle_id),
            reports::status.eq(ReportStatus::Pending),
            reports::created_at.eq(now),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(load(conn, &id)?)
}

fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<Report> {
    reports::table
        .find(id)
        .select(Report::as_select())
        .first(conn)
}

/// One report of the viewer's workspace; any other answers `NotFound`.
pub fn get(conn: &mut AnyConnection, viewer: &Viewer, id: &str) -> Result<Report, ReportError> {
    Ok(reports::table
        .find(id)
        .filter(reports::workspace_id.eq(&viewer.workspace_id))
        .select(Report::as_select())
        .first(conn)?)
}

/// The workspace's latest reports, newest first.
pub fn list(conn: &mut AnyConnection, viewer: &Viewer) -> Result<Vec<Listed>, ReportError> {
    let rows: Vec<(Report, String, Option<String>)> = reports::table
        .inner_join(users::table)
        .left_join(cycle_table::table)
        .filter(reports::workspace_id.eq(&viewer.workspace_id))
        .order((reports::created_at.desc(), reports::id.desc()))
        .limit(100)
        .select((
            Report::as_select(),
            users::name,
            cycle_table::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(report, requester, cycle)| Listed {
            report,
            requester,
            cycle,
        })
        .collect())
}

/// The workspace a report is of, for callers that know only its id (the API).
pub fn workspace_of(conn: &mut AnyConnection, id: &str) -> Result<String, ReportError> {
    Ok(reports::table
        .find(id)
        .select(reports::workspace_id)
        .first(conn)?)
}

/// Queues a failed report to be built again.
pub fn retry(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
    now: NaiveDateTime,
) -> Result<Report, ReportError> {
    viewer.require_writable()?;
    let report = get(conn, viewer, id)?;
    if report.status != ReportStatus::Failed {
        return Err(ReportError::NotFailed);
    }
    diesel::update(
        reports::table
            .find(id)
            .filter(reports::status.eq(ReportStatus::Failed)),
    )
    .set((
        reports::status.eq(ReportStatus::Pending),
        reports::error_message.eq(None::<String>),
        reports::started_at.eq(None::<NaiveDateTime>),
        reports::finished_at.eq(None::<NaiveDateTime>),
        reports::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(load(conn, id)?)
}

/// A report as one reader may read it: its summary without the rows about items the
/// reader cannot see today, and the markdown of that.
#[derive(Debug, Clone)]
pub struct Reading {
    pub report: Report,
    pub summary: Option<Summary>,
    pub markdown: Option<String>,
}

impl Reading {
    /// What was sent to the model, shown only when nothing is withheld from this reader (it
    /// names every item the requester could see).
    pub fn llm_request(&self) -> Option<&str> {
        match &self.summary {
            Some(summary) if summary.withheld == 0 && !summary.totals_withheld => {
                self.report.llm_request_json.as_deref()
            }
            _ => None,
        }
    }
}

/// Reads a report as `viewer` may see it today.
pub fn read(conn: &mut AnyConnection, viewer: &Viewer, id: &str) -> Result<Reading, ReportError> {
    let report = get(conn, viewer, id)?;
    let stored: Option<Summary> = report
        .output_json
        .as_deref()
        .and_then(|raw| serde_json::from_str(raw).ok());
    let built_from: Vec<String> = report
        .input_snapshot_json
        .as_deref()
        .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
        .and_then(|snapshot| serde_json::from_value(snapshot["visible_item_ids"].clone()).ok())
        .unwrap_or_default();
    let summary = match stored {
        Some(summary) => {
            let visible = scope::visible_items(conn, viewer)?;
            Some(summary.for_reader(&visible, &built_from))
        }
        None => None,
    };
    let markdown = summary.as_ref().map(markdown::render);
    Ok(Reading {
        report,
        summary,
        markdown,
    })
}
