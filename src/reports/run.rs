//! Building requested reports, the outbox's way: claim in a short transaction, build from
//! the database as the requester (through `scope`), ask the language model with no
//! transaction open, and record the outcome only while the claim holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::summary::{self, Narrative, Summary};
use super::{markdown, narrative, Report, ReportStatus};
use crate::cycles;
use crate::db::{self, AnyConnection, Db, DbError};
use crate::llm::{Exchange, Llm};
use crate::schema::{reports, workspaces};
use crate::scope::Viewer;

/// Longer than a build can take: the database reads and the model's limit.
const CLAIM_SECS: i64 = 120;

/// Reports built per round.
const BATCH: usize = 4;

/// What building a report takes besides the database.
#[derive(Clone)]
pub struct ReportBuilder {
    pub llm: Option<Llm>,
}

/// A free report: requested, or building under a claim that lapsed.
macro_rules! free_report {
    ($now:expr) => {
        reports::status.eq(ReportStatus::Pending).or(reports::status
            .eq(ReportStatus::Running)
            .and(reports::started_at.lt($now - chrono::Duration::seconds(CLAIM_SECS))))
    };
}

fn claim(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Option<Report>> {
    db::write_transaction(conn, |conn| {
        let next = reports::table
            .filter(free_report!(now))
            .order(reports::created_at.asc())
            .limit(1)
            .select(reports::id);
        let candidates: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => next.for_update().skip_locked().load(pg)?,
            AnyConnection::Sqlite(_) => next.load(conn)?,
        };
        for id in candidates {
            let won = diesel::update(reports::table.find(&id).filter(free_report!(now)))
                .set((
                    reports::status.eq(ReportStatus::Running),
                    reports::started_at.eq(Some(now)),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)?;
            if won == 1 {
                return super::load(conn, &id).map(Some);
            }
        }
        Ok(None)
    })
}

/// The figures, as the requester may see them now, and the snapshot of what they rest on.
fn figures(
    conn: &mut AnyConnection,
    report: &Report,
    now: NaiveDateTime,
) -> Result<(Summary, serde_json::Value), String> {
    let access =
        crate::workspaces::access_by_id(conn, &report.requested_by_user_id, &report.workspace_id)
            .map_err(|_| {
            "The person who asked for this report can no longer open the workspace.".to_owned()
        })?;
    let viewer = Viewer::new(conn, &access).map_err(|e| e.to_string())?;
    let cycle = match &report.cycle_id {
        Some(id) => Some(
            cycles::get(conn, &report.organization_id, id)
                .map_err(|_| "The report's cycle no longer exists.".to_owned())?,
        ),
        None => None,
    };
    let workspace: String = workspaces::table
        .find(&report.workspace_id)
        .select(workspaces::name)
        .first(conn)
        .map_err(|e| e.to_string())?;
    let today = now.date();
    let (summary, ids) = summary::build(conn, &viewer, &workspace, cycle.as_ref(), today)
        .map_err(|e| e.to_string())?;
    let snapshot = json!({
        "as_of": today,
        "requested_by_user_id": report.requested_by_user_id,
        "workspace_id": report.workspace_id,
        "cycle_id": report.cycle_id,
        "privacy": if viewer.is_admin() { "admin" } else { "member" },
        "visible_item_ids": ids,
    });
    Ok((summary, snapshot))
}

/// How one build ended.
enum Outcome {
    Built {
        summary: Box<Summary>,
        snapshot: serde_json::Value,
        asked: Option<Exchange>,
    },
    Failed(String),
}

fn finish(
    conn: &mut AnyConnection,
    report: &Report,
    claimed_at: NaiveDateTime,
    outcome: Outcome,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let mine = reports::table
        .find(&report.id)
        .filter(reports::status.eq(ReportStatus::Running))
        .filter(reports::started_at.eq(Some(claimed_at)));
    let changed = match outcome {
        Outcome::Failed(error) => diesel::update(mine)
            .set((
                reports::status.eq(ReportStatus::Failed),
                reports::error_message.eq(Some(error)),
                reports::finished_at.eq(Some(now)),
                reports::updated_at.eq(now),
            ))
            .execute(conn)?,
        Outcome::Built {
            summary,
            snapshot,
            asked,
        } => diesel::update(mine)
            .set((
                reports::status.eq(ReportStatus::Done),
                reports::input_snapshot_json.eq(Some(snapshot.to_string())),
                reports::output_json.eq(serde_json::to_string(&*summary).ok()),
                reports::output_markdown.eq(Some(markdown::render(&summary))),
                reports::error_message.eq(None::<String>),
                reports::prompt_version.eq(asked.as_ref().map(|_| narrative::PROMPT_VERSION)),
                reports::llm_request_json.eq(asked.as_ref().map(|a| a.sent.to_string())),
                reports::model_used.eq(asked.as_ref().map(|a| a.model.clone())),
                reports::provider.eq(asked.map(|a| a.provider)),
                reports::finished_at.eq(Some(now)),
                reports::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// Builds free reports as of `now`; returns how many finished (done or failed).
pub async fn build_due(
    db: &Db,
    builder: &ReportBuilder,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut finished = 0;
    for _ in 0..BATCH {
        let Some(report) = db
            .run(move |conn| Ok::<_, DbError>(claim(conn, now)?))
            .await?
        else {
            break;
        };
        let for_figures = report.clone();
        let figured = db
            .run(move |conn| Ok::<_, DbError>(figures(conn, &for_figures, now)))
            .await?;
        let outcome = match figured {
            Err(error) => Outcome::Failed(error),
            Ok((mut summary, snapshot)) => {
                let asked = builder.narrate(&mut summary).await;
                Outcome::Built {
                    summary: Box::new(summary),
                    snapshot,
                    asked,
                }
            }
        };
        if db
            .run(move |conn| Ok::<_, DbError>(finish(conn, &report, now, outcome, now)?))
            .await?
        {
            finished += 1;
        }
    }
    Ok(finished)
}

impl ReportBuilder {
    /// Asks the model for the narrative when one is configured; on failure the template's
    /// stands, with a note saying why. Answers the exchange, to be recorded.
    async fn narrate(&self, summary: &mut Summary) -> Option<Exchange> {
        let exchange = self.llm.as_ref()?.ask(&narrative::prompt(summary)).await;
        match &exchange.reply {
            Ok(text) if !text.trim().is_empty() => {
                summary.narrative = Narrative {
                    text: text.trim().to_owned(),
                    source: "llm".into(),
                    note: None,
                };
            }
            Ok(_) => {
                summary.narrative.note = Some(
                    "The language model answered nothing; this paragraph comes from templates."
                        .into(),
                )
            }
            Err(e) => {
                summary.narrative.note = Some(format!("{e}; this paragraph comes from templates."))
            }
        }
        Some(exchange)
    }
}
