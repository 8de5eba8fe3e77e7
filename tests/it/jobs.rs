//! The job runner's queue: each job is claimed by one worker at a time, a lapsed claim is
//! taken over, the outcome counts only while the claim holds, and a recurring occurrence is
//! queued once.

use std::sync::{Arc, Barrier};

use cairn::jobs::{self, JobState, Outcome};
use cairn::schema::jobs as jobs_table;
use chrono::Duration;
use diesel::prelude::*;

use crate::harness::TestApp;

/// A time the app's own runner (on the app's clock, which the test leaves alone) has not
/// reached: the jobs below are for the test's workers only. Whole seconds, as both backends
/// store them alike.
fn future(app: &TestApp) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let at = app.clock.now() + Duration::days(1);
    at.with_nanosecond(0).unwrap_or(at)
}

type JobRow = (
    JobState,
    i32,
    Option<String>,
    chrono::NaiveDateTime,
    Option<String>,
);

fn config_mailer(app: &TestApp) -> cairn::mail::Mailer {
    let data_dir = app.data_dir.path().to_string_lossy().into_owned();
    cairn::config::Config::from_lookup(|name| match name {
        "CAIRN_DATA_DIR" => Some(data_dir.clone()),
        _ => None,
    })
    .expect("config")
    .mailer
}

#[tokio::test]
async fn concurrent_workers_claim_each_due_job_exactly_once() {
    // The app's own runner polls rarely, so the workers below do the work.
    let app = TestApp::spawn().await;
    let now = future(&app);
    let mut conn = app.db();
    for n in 0..30 {
        jobs::enqueue(
            &mut conn,
            "test.no_handler",
            &serde_json::json!({ "n": n }),
            now,
        )
        .expect("queue");
    }
    let start = Arc::new(Barrier::new(3));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (url, start, mailer) =
                (app.database.url.clone(), start.clone(), config_mailer(&app));
            tokio::task::spawn_blocking(move || {
                let mut conn = cairn::db::establish(&url).expect("connect");
                let worker = cairn::worker::Worker::new(
                    mailer,
                    url::Url::parse("http://cairn.test").expect("url"),
                );
                start.wait();
                let mut failed = 0;
                // Rounds until nothing is due: a round takes at most 50 jobs.
                loop {
                    let round = worker.run_round(&mut conn, now).expect("round");
                    if round.jobs_failed == 0 {
                        return failed;
                    }
                    failed += round.jobs_failed;
                }
            })
        })
        .collect();
    let mut tried = 0;
    for worker in workers {
        tried += worker.await.expect("worker");
    }
    assert_eq!(tried, 30, "every job was tried once, by one worker");
    let rows: Vec<JobRow> = jobs_table::table
        .select((
            jobs_table::state,
            jobs_table::attempts,
            jobs_table::last_error,
            jobs_table::run_at,
            jobs_table::locked_by,
        ))
        .load(&mut app.db())
        .expect("jobs");
    assert_eq!(rows.len(), 30);
    for (state, attempts, error, run_at, locked_by) in rows {
        assert_eq!((state, attempts), (JobState::Queued, 1), "retried later");
        assert!(error.unwrap_or_default().contains("no handler"));
        assert_eq!(
            run_at,
            now + jobs::backoff(1),
            "backoff after the first failure"
        );
        assert_eq!(locked_by, None, "the claim was released");
    }
}

#[tokio::test]
async fn a_lapsed_claim_is_taken_over_and_the_first_worker_cannot_finish() {
    let app = TestApp::spawn().await;
    let now = future(&app);
    let mut conn = app.db();
    let id = jobs::enqueue(&mut conn, "test.slow", &serde_json::json!({}), now).expect("queue");
    let lease = Duration::minutes(5);
    let first = jobs::claim_next(&mut conn, "first", now, lease)
        .expect("claim")
        .expect("a due job");
    assert_eq!(first.id, id);
    assert!(
        jobs::claim_next(&mut conn, "second", now + Duration::minutes(4), lease)
            .expect("claim")
            .is_none(),
        "held while the lease runs"
    );
    let second = jobs::claim_next(&mut conn, "second", now + Duration::minutes(6), lease)
        .expect("claim")
        .expect("taken over after the lease");
    assert_eq!((second.id.as_str(), second.attempts), (id.as_str(), 2));
    let late = jobs::finish(&mut conn, "first", &first, Outcome::Done(None), now).expect("finish");
    assert!(!late, "the first worker no longer holds it");
    assert_eq!(
        jobs::get(&mut conn, &id).expect("job").map(|j| j.state),
        Some(JobState::Running)
    );
    let done = jobs::finish(
        &mut conn,
        "second",
        &second,
        Outcome::Done(Some("{\"ok\":true}".into())),
        now,
    )
    .expect("finish");
    assert!(done);
    let job = jobs::get(&mut conn, &id).expect("job").expect("exists");
    assert_eq!(
        (job.state, job.result_json.as_deref()),
        (JobState::Done, Some("{\"ok\":true}"))
    );
}

#[tokio::test]
async fn a_recurring_occurrence_is_queued_once_and_a_job_gives_up_after_its_attempts() {
    let app = TestApp::spawn().await;
    let now = future(&app);
    let mut conn = app.db();
    let payload = serde_json::json!({});
    assert!(
        jobs::enqueue_once(&mut conn, "test.once", "once:2027-01-04", &payload, now)
            .expect("queue")
    );
    assert!(
        !jobs::enqueue_once(&mut conn, "test.once", "once:2027-01-04", &payload, now)
            .expect("queue")
    );
    let count: i64 = jobs_table::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(count, 1);

    let worker = cairn::worker::Worker::new(
        config_mailer(&app),
        url::Url::parse("http://cairn.test").expect("url"),
    );
    let mut at = now;
    for _ in 0..jobs::MAX_ATTEMPTS {
        let round = worker.run_round(&mut conn, at).expect("round");
        assert_eq!(round.jobs_failed, 1);
        at += Duration::hours(2);
    }
    let state: JobState = jobs_table::table
        .select(jobs_table::state)
        .first(&mut conn)
        .expect("job");
    assert_eq!(state, JobState::Failed, "no endless retries");
    assert_eq!(
        worker.run_round(&mut conn, at).expect("round").jobs_failed,
        0
    );
}

/// Two instances on one database, as behind a load balancer, share the work.
#[tokio::test]
async fn a_second_instance_on_the_same_database_serves_the_same_data() {
    let app = TestApp::spawn().await;
    let other = app.another_instance(&[]);
    let health = reqwest::get(format!("{}/healthz", other.base_url))
        .await
        .expect("health");
    assert!(health.status().is_success());
}
