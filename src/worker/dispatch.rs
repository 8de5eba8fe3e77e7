//! Which code runs each kind of job and recurring schedule, and mints each kind of link.
//! Domain modules own their handlers; this is the one list of them.

use chrono::NaiveDateTime;

use crate::db::AnyConnection;
use crate::jobs::{Claimed, JobContext, JobError};
use crate::mail::{LinkTarget, MailError};
use crate::{notifications, reminders};

/// Queues the recurring work that has come due; returns how many occurrences were queued.
pub(super) fn schedule(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> Result<usize, diesel::result::Error> {
    Ok(notifications::schedule_digests(conn, now)? + reminders::schedule(conn, now)?)
}

/// Runs one job inside the transaction that records its outcome; the result is stored.
pub(super) fn run(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    job: &Claimed,
) -> Result<Option<String>, JobError> {
    match job.kind.as_str() {
        notifications::NOTIFY_JOB => notifications::run(conn, context, &job.payload_json),
        notifications::DIGEST_JOB => notifications::run_digest(conn, context, &job.payload_json),
        reminders::REMINDER_JOB => reminders::run(conn, context, &job.payload_json),
        _ => Err(JobError::UnknownKind(job.kind.clone())),
    }
}

/// The link of a message, minted as it is sent.
pub(super) fn link_for(
    conn: &mut AnyConnection,
    base_url: &url::Url,
    target: LinkTarget<'_>,
) -> Result<Option<String>, MailError> {
    match target {
        LinkTarget::Invite(invite_id) => crate::invites::mint_link(conn, base_url, invite_id),
        LinkTarget::CheckIn(link_id) => reminders::mint_link(conn, base_url, link_id),
        LinkTarget::Account(link_id) => crate::accounts::mint_link(conn, base_url, link_id),
    }
}
