//! The job runner: every instance runs one. Each round it queues the recurring work that
//! has come due (each occurrence once, by its dedupe key), runs due jobs one at a time, and
//! delivers due email from the outbox, all on the app's clock, so tests move time instead
//! of sleeping.
//!
//! A job's effects and its outcome are written in one transaction that commits only while
//! the claim holds: a job runs once even with several instances, and a job whose worker
//! died is taken over when its lease lapses.

mod dispatch;

use std::convert::Infallible;

use chrono::{Duration, NaiveDateTime};

use crate::clock::Clock;
use crate::db::{self, AnyConnection, Db, DbError};
use crate::jobs::{self, Claimed, JobContext, JobError, Outcome};
use crate::mail::{LinkSource, LinkTarget, MailError, Mailer};

/// How long a claimed job stays reserved for its worker. Jobs write their effects in one
/// transaction, so they take well under a second; the lease only has to outlast that.
const JOB_LEASE_SECS: i64 = 300;

/// Jobs run per round, so one instance cannot monopolize a large backlog.
const JOBS_PER_ROUND: usize = 50;

/// What one round did, for logs and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub scheduled: usize,
    pub jobs_run: usize,
    pub jobs_failed: usize,
    pub emails_delivered: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

impl From<diesel::result::Error> for WorkerError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// One instance's runner.
#[derive(Clone)]
pub struct Worker {
    /// This instance's name in job and outbox claims.
    pub id: String,
    pub mailer: Mailer,
    pub base_url: url::Url,
}

impl Worker {
    pub fn new(mailer: Mailer, base_url: url::Url) -> Self {
        Self {
            id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            mailer,
            base_url,
        }
    }

    /// Schedules, runs due jobs and delivers due mail, as of `now`.
    pub fn run_round(
        &self,
        conn: &mut AnyConnection,
        now: NaiveDateTime,
    ) -> Result<Round, WorkerError> {
        let mut round = Round {
            scheduled: dispatch::schedule(conn, now)?,
            ..Round::default()
        };
        let context = JobContext {
            now,
            base_url: &self.base_url,
        };
        for _ in 0..JOBS_PER_ROUND {
            let Some(job) =
                jobs::claim_next(conn, &self.id, now, Duration::seconds(JOB_LEASE_SECS))?
            else {
                break;
            };
            if self.run_job(conn, &context, &job)? {
                round.jobs_run += 1;
            } else {
                round.jobs_failed += 1;
            }
        }
        round.emails_delivered = self.mailer.deliver_due(conn, self, &self.id, now)?;
        Ok(round)
    }

    /// Runs one claimed job; returns whether it succeeded.
    fn run_job(
        &self,
        conn: &mut AnyConnection,
        context: &JobContext<'_>,
        job: &Claimed,
    ) -> Result<bool, WorkerError> {
        let ran = db::write_transaction(conn, |conn| {
            let result = dispatch::run(conn, context, job)?;
            if jobs::finish(conn, &self.id, job, Outcome::Done(result), context.now)? {
                Ok(())
            } else {
                Err(JobError::ClaimLost)
            }
        });
        match ran {
            Ok(()) => Ok(true),
            Err(JobError::ClaimLost) => {
                tracing::warn!(job_id = %job.id, kind = %job.kind, "job taken over by another worker; its effects were rolled back");
                Ok(false)
            }
            Err(error) => {
                tracing::warn!(job_id = %job.id, kind = %job.kind, attempts = job.attempts, error = %error, "job failed");
                let retry = Outcome::Retry {
                    error: error.to_string(),
                    at: context.now + jobs::backoff(job.attempts),
                };
                db::write_transaction(conn, |conn| {
                    jobs::finish(conn, &self.id, job, retry, context.now)
                })?;
                Ok(false)
            }
        }
    }
}

impl LinkSource for Worker {
    fn link_for(
        &self,
        conn: &mut AnyConnection,
        target: LinkTarget<'_>,
    ) -> Result<Option<String>, MailError> {
        dispatch::link_for(conn, &self.base_url, target)
    }
}

/// Runs rounds until the app stops, one poll interval apart.
pub async fn run(db: Db, worker: Worker, clock: Clock, poll: std::time::Duration) -> Infallible {
    loop {
        let (worker_for_round, now) = (worker.clone(), clock.now());
        match db
            .run(move |conn| worker_for_round.run_round(conn, now))
            .await
        {
            Ok(round) if round == Round::default() => {}
            Ok(round) => tracing::info!(?round, "job runner round"),
            Err(e) => tracing::warn!(error = %e, "the job runner failed"),
        }
        actix_web::rt::time::sleep(poll).await;
    }
}

/// Runs `round` until the app stops, one poll interval apart; `what` names what a round
/// did in the log.
async fn repeat<F, Fut>(what: &'static str, poll: std::time::Duration, mut round: F) -> Infallible
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, DbError>>,
{
    loop {
        match round().await {
            Ok(0) => {}
            Ok(done) => tracing::info!(done, "{what}"),
            Err(e) => tracing::warn!(error = %e, "{what} failed"),
        }
        actix_web::rt::time::sleep(poll).await;
    }
}

/// Sends due webhook deliveries until the app stops. Apart from the rounds, so a slow
/// endpoint never holds up jobs and mail.
pub async fn deliver_webhooks(
    db: Db,
    outbound: crate::outbound::Outbound,
    clock: Clock,
    poll: std::time::Duration,
) -> Infallible {
    let id = format!("webhooks-{}", uuid::Uuid::new_v4().simple());
    repeat("webhook deliveries", poll, || {
        crate::webhooks::deliver_due(&db, &outbound, &id, clock.now())
    })
    .await
}

/// Reads the websites admins asked to fill their profiles from, until the app stops; apart
/// from the rounds for the same reason as webhooks.
pub async fn read_websites(
    db: Db,
    scraper: crate::scrape::Scraper,
    clock: Clock,
    poll: std::time::Duration,
) -> Infallible {
    repeat("website scrapes", poll, || {
        crate::scrape::run_due(&db, &scraper, clock.now())
    })
    .await
}

/// Builds the reports people asked for, until the app stops; apart from the rounds, since
/// a configured language model may take seconds to answer.
pub async fn build_reports(
    db: Db,
    builder: crate::reports::ReportBuilder,
    clock: Clock,
    poll: std::time::Duration,
) -> Infallible {
    repeat("report builds", poll, || {
        crate::reports::build_due(&db, &builder, clock.now())
    })
    .await
}
