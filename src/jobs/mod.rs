//! The job queue behind all scheduled and background work (DESIGN §3 "People": scheduled
//! work). Domain modules queue jobs here; `worker` claims and runs them.
//!
//! A job is claimed by one worker at a time: on PostgreSQL the candidate row is read
//! `FOR UPDATE SKIP LOCKED`, so concurrent workers pass over each other's rows; on SQLite
//! the write transaction serializes the claim. Either way the claim itself is a conditional
//! update that re-checks the job is still free. The outcome is recorded only while the
//! claim holds, so a worker whose lease lapsed (and whose job another worker took over)
//! changes nothing.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::{self, AnyConnection};
use crate::schema::jobs;
use crate::text_enum;

text_enum! {
    pub enum JobState {
        Queued => "queued",
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
}

/// How many times a job is tried before it is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// Queues a job to run at `run_at`; call it inside the transaction that causes it.
pub fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &impl Serialize,
    run_at: NaiveDateTime,
) -> QueryResult<String> {
    insert(conn, kind, None, payload, run_at)
}

/// Queues a job unless one with the same `dedupe_key` was ever queued (a recurring
/// occurrence, such as one workspace's reminders on one day). Returns whether it was queued;
/// the unique key makes this hold across instances scheduling at once.
pub fn enqueue_once(
    conn: &mut AnyConnection,
    kind: &str,
    dedupe_key: &str,
    payload: &impl Serialize,
    run_at: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = jobs::table
        .filter(jobs::dedupe_key.eq(dedupe_key))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    // A savepoint, so a concurrent insert's unique violation leaves the caller's transaction
    // usable (PostgreSQL aborts a transaction on any error).
    let queued = conn.transaction(|conn| insert(conn, kind, Some(dedupe_key), payload, run_at));
    match queued {
        Ok(_) => Ok(true),
        Err(e) if db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

fn insert(
    conn: &mut AnyConnection,
    kind: &str,
    dedupe_key: Option<&str>,
    payload: &impl Serialize,
    run_at: NaiveDateTime,
) -> QueryResult<String> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let id = db::new_id();
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(&id),
            jobs::kind.eq(kind),
            jobs::payload_json.eq(payload),
            jobs::dedupe_key.eq(dedupe_key),
            jobs::run_at.eq(run_at),
            jobs::state.eq(JobState::Queued),
            jobs::attempts.eq(0),
            jobs::max_attempts.eq(MAX_ATTEMPTS),
            jobs::created_at.eq(run_at),
            jobs::updated_at.eq(run_at),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A job this worker holds until `locked_until`.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload_json: String,
    /// Counting this one.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A free job: queued and due, or running under a claim that lapsed (its worker died).
macro_rules! free_job {
    ($now:expr) => {
        jobs::state
            .eq(JobState::Queued)
            .and(jobs::run_at.le($now))
            .or(jobs::state
                .eq(JobState::Running)
                .and(jobs::locked_until.lt($now)))
    };
}

/// Claims the next due job for `worker` for `lease`; `None` when nothing is due.
pub fn claim_next(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease: Duration,
) -> QueryResult<Option<Claimed>> {
    db::write_transaction(conn, |conn| {
        let candidates: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => jobs::table
                .filter(free_job!(now))
                .order(jobs::run_at.asc())
                .limit(1)
                .select(jobs::id)
                .for_update()
                .skip_locked()
                .load(pg)?,
            AnyConnection::Sqlite(_) => jobs::table
                .filter(free_job!(now))
                .order(jobs::run_at.asc())
                .limit(1)
                .select(jobs::id)
                .load(conn)?,
        };
        for id in candidates {
            let won = diesel::update(jobs::table.find(&id).filter(free_job!(now)))
                .set((
                    jobs::state.eq(JobState::Running),
                    jobs::locked_by.eq(worker),
                    jobs::locked_until.eq(now + lease),
                    jobs::attempts.eq(jobs::attempts + 1),
                    jobs::updated_at.eq(now),
                ))
                .execute(conn)?;
            if won == 1 {
                let (kind, payload_json, attempts, max_attempts) = jobs::table
                    .find(&id)
                    .select((
                        jobs::kind,
                        jobs::payload_json,
                        jobs::attempts,
                        jobs::max_attempts,
                    ))
                    .first(conn)?;
                return Ok(Some(Claimed {
                    id,
                    kind,
                    payload_json,
                    attempts,
                    max_attempts,
                }));
            }
        }
        Ok(None)
    })
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, with an optional JSON result.
    Done(Option<String>),
    /// Failed this time: tried again at `at`, or marked failed after the last attempt.
    Retry { error: String, at: NaiveDateTime },
}

/// Records a claimed job's outcome if `worker` still holds the claim; returns whether it
/// did. Call it in the transaction that wrote the job's effects, and roll back on `false`:
/// the job was taken over and its effects belong to the other worker.
pub fn finish(
    conn: &mut AnyConnection,
    worker: &str,
    job: &Claimed,
    outcome: Outcome,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let mine = jobs::table
        .find(&job.id)
        .filter(jobs::locked_by.eq(worker))
        .filter(jobs::state.eq(JobState::Running));
    let released = (
        jobs::locked_by.eq(None::<String>),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::updated_at.eq(now),
    );
    let changed = match outcome {
        Outcome::Done(result) => diesel::update(mine)
            .set((
                released,
                jobs::state.eq(JobState::Done),
                jobs::result_json.eq(result),
                jobs::last_error.eq(None::<String>),
                jobs::finished_at.eq(Some(now)),
            ))
            .execute(conn)?,
        Outcome::Retry { error, at } => {
            let gave_up = job.attempts >= job.max_attempts;
            diesel::update(mine)
                .set((
                    released,
                    jobs::state.eq(if gave_up {
                        JobState::Failed
                    } else {
                        JobState::Queued
                    }),
                    jobs::run_at.eq(at),
                    jobs::last_error.eq(Some(error)),
                    jobs::finished_at.eq(gave_up.then_some(now)),
                ))
                .execute(conn)?
        }
    };
    Ok(changed == 1)
}

/// The wait before the next try after `attempts` failures: 30 s doubling, at most 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(7);
    Duration::seconds(30 * 2_i64.pow(doublings)).min(Duration::hours(1))
}

/// A job's state as the pages and tests read it.
#[derive(Debug, Clone, Queryable)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub state: JobState,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub result_json: Option<String>,
}

/// One job's state, e.g. for a page polling a report or scrape it queued.
pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<JobRow>> {
    jobs::table
        .find(id)
        .select((
            jobs::id,
            jobs::kind,
            jobs::state,
            jobs::attempts,
            jobs::last_error,
            jobs::result_json,
        ))
        .first(conn)
        .optional()
}

/// What a job's handler gets besides its connection and payload.
#[derive(Debug, Clone, Copy)]
pub struct JobContext<'a> {
    /// The runner's clock at the start of the round.
    pub now: NaiveDateTime,
    /// Where links in emails point.
    pub base_url: &'a url::Url,
}

/// Why a job did not finish. Anything but `ClaimLost` is retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("the payload is not understood: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("no handler for job kind {0:?}")]
    UnknownKind(String),
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("{0}")]
    Failed(String),
    /// Another worker took the job over; this one's effects are rolled back.
    #[error("the claim lapsed")]
    ClaimLost,
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(db::DbError::Query(e))
    }
}

/// Reads a job's payload.
pub fn payload<T: serde::de::DeserializeOwned>(job_payload: &str) -> Result<T, JobError> {
    Ok(serde_json::from_str(job_payload)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(240));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(50), Duration::hours(1));
    }
}
