//! Outgoing email. Nothing is sent inside a request: a message is written to the
//! `email_outbox` table in the same transaction as whatever it announces, and a worker
//! delivers it with retries and exponential backoff. Several app instances may run the
//! worker against one database; a message is claimed by exactly one of them.

mod link_token;
mod transport;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{FileTransport, Message, Transport};

use crate::db::{self, AnyConnection, DbError};
use crate::schema::email_outbox;
use crate::text_enum;

pub(crate) use link_token::no_link_yet;
pub use link_token::LinkToken;
pub use transport::{MailTransport, Mailer, RetryPolicy, SmtpSettings};

text_enum! {
    pub enum DeliveryStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        /// Superseded (a newer email replaced it) or no longer wanted (the invite was
        /// withdrawn or used).
        Cancelled => "cancelled",
    }
}

impl DeliveryStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting to send",
            Self::Sending => "Sending",
            Self::Sent => "Delivered to the mail server",
            Self::Failed => "Could not be sent",
            Self::Cancelled => "Not sent (replaced or withdrawn)",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_URL: {0}")]
    Config(String),
    #[error("cannot build the message: {0}")]
    Message(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for MailError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// A message to queue.
pub struct OutgoingEmail<'a> {
    pub organization_id: Option<&'a str>,
    pub invite_id: Option<&'a str>,
    /// A reminder's one-time check-in link, minted when the message is sent.
    pub check_in_link_id: Option<&'a str>,
    /// A password reset or email change link, minted when the message is sent.
    pub account_link_id: Option<&'a str>,
    pub to: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
}

/// An absolute link into the app for an email: `path` under the base URL, with an optional
/// `#fragment` and never a query.
pub fn absolute_link(base_url: &url::Url, path: &str, fragment: Option<&str>) -> String {
    let mut url = base_url.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(fragment);
    url.to_string()
}

/// Queues a message; call it inside the transaction that creates what it announces.
pub fn enqueue(conn: &mut AnyConnection, email: &OutgoingEmail<'_>) -> QueryResult<String> {
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::id.eq(&id),
            email_outbox::organization_id.eq(email.organization_id),
            email_outbox::invite_id.eq(email.invite_id),
            email_outbox::check_in_link_id.eq(email.check_in_link_id),
            email_outbox::account_link_id.eq(email.account_link_id),
            email_outbox::to_address.eq(email.to),
            email_outbox::subject.eq(email.subject),
            email_outbox::body_text.eq(email.body_text),
            email_outbox::body_html.eq(email.body_html),
            email_outbox::status.eq(DeliveryStatus::Pending),
            email_outbox::attempts.eq(0),
            email_outbox::next_attempt_at.eq(now),
            email_outbox::created_at.eq(now),
            email_outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Messages queued for an organization since `since` (for sending limits).
pub fn queued_since(
    conn: &mut AnyConnection,
    organization_id: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    email_outbox::table
        .filter(email_outbox::organization_id.eq(organization_id))
        .filter(email_outbox::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Where the newest message about an invite stands.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub invite_id: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// The delivery state of the newest message about each of these invites.
pub fn latest_for_invites(
    conn: &mut AnyConnection,
    invite_ids: &[String],
) -> QueryResult<Vec<Delivery>> {
    let rows: Vec<(Option<String>, DeliveryStatus, i32, Option<String>)> = email_outbox::table
        .filter(email_outbox::invite_id.eq_any(invite_ids))
        .order(email_outbox::created_at.desc())
        .select((
            email_outbox::invite_id,
            email_outbox::status,
            email_outbox::attempts,
            email_outbox::last_error,
        ))
        .load(conn)?;
    let mut latest: Vec<Delivery> = Vec::new();
    for (invite_id, status, attempts, last_error) in rows {
        if let Some(invite_id) = invite_id {
            if !latest.iter().any(|d| d.invite_id == invite_id) {
                latest.push(Delivery {
                    invite_id,
                    status,
                    attempts,
                    last_error,
                });
            }
        }
    }
    Ok(latest)
}

/// How long a claimed message stays reserved for the worker that claimed it. One message is
/// claimed at a time, right before it is sent, so the lease only has to outlast one SMTP
/// conversation (at most three 20-second timeouts).
const CLAIM_LEASE_SECS: i64 = 120;

/// Where the link of an email goes, filled in at send time: invite emails are queued with
/// this placeholder, so no usable token ever rests in the outbox table.
pub const LINK_PLACEHOLDER: &str = "{{link}}";

/// What a message's link leads to.
#[derive(Debug, Clone, Copy)]
pub enum LinkTarget<'a> {
    Invite(&'a str),
    CheckIn(&'a str),
    Account(&'a str),
}

/// Supplies the link of a message at the moment it is sent: `None` means the message is no
/// longer wanted (the invite was withdrawn, used or has expired; the check-in link lapsed).
pub trait LinkSource {
    fn link_for(
        &self,
        conn: &mut AnyConnection,
        target: LinkTarget<'_>,
    ) -> Result<Option<String>, MailError>;
}

struct Claimed {
    id: String,
    invite_id: Option<String>,
    check_in_link_id: Option<String>,
    account_link_id: Option<String>,
    to_address: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i32,
}

/// Reserves the next due message for this worker. The reservation is a conditional update,
/// so two workers (on SQLite serialized by the write lock; on PostgreSQL by the row lock and
/// the re-checked condition) can never both hold one message.
fn claim_next(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Claimed>> {
    let candidates: Vec<String> = email_outbox::table
        .filter(email_outbox::status.eq_any([DeliveryStatus::Pending, DeliveryStatus::Sending]))
        // A message never tried is due whatever the worker's clock says: it was queued on
        // the system clock, which a test's fixed clock may lag. Retries wait for `now`.
        .filter(
            email_outbox::attempts
                .eq(0)
                .or(email_outbox::next_attempt_at.le(now)),
        )
        .filter(
            email_outbox::locked_until
                .is_null()
                .or(email_outbox::locked_until.lt(now)),
        )
        .order(email_outbox::next_attempt_at.asc())
        .limit(5)
        .select(email_outbox::id)
        .load(conn)?;
    let lease = now + chrono::Duration::seconds(CLAIM_LEASE_SECS);
    for id in candidates {
        let won = diesel::update(
            email_outbox::table
                .find(&id)
                .filter(
                    email_outbox::status.eq_any([DeliveryStatus::Pending, DeliveryStatus::Sending]),
                )
                .filter(
                    email_outbox::locked_until
                        .is_null()
                        .or(email_outbox::locked_until.lt(now)),
                ),
        )
        .set((
            email_outbox::status.eq(DeliveryStatus::Sending),
            email_outbox::locked_by.eq(worker),
            email_outbox::locked_until.eq(lease),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
            email_outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
        if won == 1 {
            let (
                invite_id,
                check_in_link_id,
                account_link_id,
                to_address,
                subject,
                body_text,
                body_html,
                attempts,
            ) = email_outbox::table
                .find(&id)
                .select((
                    email_outbox::invite_id,
                    email_outbox::check_in_link_id,
                    email_outbox::account_link_id,
                    email_outbox::to_address,
                    email_outbox::subject,
                    email_outbox::body_text,
                    email_outbox::body_html,
                    email_outbox::attempts,
                ))
                .first(conn)?;
            return Ok(Some(Claimed {
                id,
                invite_id,
                check_in_link_id,
                account_link_id,
                to_address,
                subject,
                body_text,
                body_html,
                attempts,
            }));
        }
    }
    Ok(None)
}

/// Cancels the unsent messages about an invite (it was withdrawn, resent or used).
pub fn cancel_unsent_for_invite(conn: &mut AnyConnection, invite_id: &str) -> QueryResult<usize> {
    diesel::update(
        email_outbox::table
            .filter(email_outbox::invite_id.eq(invite_id))
            .filter(
                email_outbox::status.eq_any([DeliveryStatus::Pending, DeliveryStatus::Sending]),
            ),
    )
    .set((
        email_outbox::status.eq(DeliveryStatus::Cancelled),
        email_outbox::updated_at.eq(db::now()),
    ))
    .execute(conn)
}

/// Records how a claimed message ended, only if this worker still holds it.
fn finish(conn: &mut AnyConnection, worker: &str, id: &str, outcome: Finished) -> QueryResult<()> {
    let mine = email_outbox::table
        .find(id)
        .filter(email_outbox::locked_by.eq(worker));
    let now = db::now();
    let released = (
        email_outbox::locked_by.eq(None::<String>),
        email_outbox::locked_until.eq(None::<NaiveDateTime>),
        email_outbox::updated_at.eq(now),
    );
    match outcome {
        Finished::Sent => diesel::update(mine)
            .set((
                released,
                email_outbox::status.eq(DeliveryStatus::Sent),
                email_outbox::sent_at.eq(Some(now)),
                email_outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Finished::Cancelled => diesel::update(mine)
            .set((released, email_outbox::status.eq(DeliveryStatus::Cancelled)))
            .execute(conn)?,
        Finished::Retry { error, at, gave_up } => diesel::update(mine)
            .set((
                released,
                email_outbox::status.eq(if gave_up {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Pending
                }),
                email_outbox::next_attempt_at.eq(at),
                email_outbox::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

enum Finished {
    Sent,
    Cancelled,
    Retry {
        error: String,
        at: NaiveDateTime,
        gave_up: bool,
    },
}

impl Mailer {
    fn message(&self, email: &Claimed, link: Option<&str>) -> Result<Message, MailError> {
        let to: Mailbox = email
            .to_address
            .parse()
            .map_err(|e| MailError::Message(format!("recipient: {e}")))?;
        let fill = |body: &str| match link {
            Some(link) => body.replace(LINK_PLACEHOLDER, link),
            None => body.to_owned(),
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(fill(&email.body_text)),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(fill(&email.body_html)),
                    ),
            )
            .map_err(|e| MailError::Message(e.to_string()))
    }

    fn send(&self, message: &Message, email: &Claimed) -> Result<(), MailError> {
        match &self.transport {
            MailTransport::Smtp(settings) => settings
                .transport()?
                .send(message)
                .map(|_| ())
                .map_err(|e| MailError::Delivery(e.to_string())),
            MailTransport::Files(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| MailError::Delivery(e.to_string()))?;
                FileTransport::new(dir)
                    .send(message)
                    .map(|id| {
                        // Development only (production requires SMTP_URL): the outbox folder
                        // stands in for a mail server, so the log says where the message is.
                        tracing::info!(to = %email.to_address, subject = %email.subject, file = %dir.join(format!("{id}.eml")).display(), "email written to the development outbox");
                    })
                    .map_err(|e| MailError::Delivery(e.to_string()))
            }
        }
    }

    /// Delivers what is due now, one message at a time; returns how many were delivered.
    /// Safe to run from any number of instances at once.
    pub fn deliver_due(
        &self,
        conn: &mut AnyConnection,
        links: &dyn LinkSource,
        worker: &str,
        now: NaiveDateTime,
    ) -> Result<usize, MailError> {
        let mut delivered = 0;
        // A bound per round, so one instance cannot monopolize a large backlog.
        for _ in 0..50 {
            let Some(email) = db::write_transaction(conn, |conn| claim_next(conn, worker, now))?
            else {
                break;
            };
            let target = match (
                &email.invite_id,
                &email.check_in_link_id,
                &email.account_link_id,
            ) {
                (Some(invite_id), ..) => Some(LinkTarget::Invite(invite_id)),
                (None, Some(link_id), _) => Some(LinkTarget::CheckIn(link_id)),
                (None, None, Some(link_id)) => Some(LinkTarget::Account(link_id)),
                (None, None, None) => None,
            };
            let link = match target {
                Some(target) => match links.link_for(conn, target)? {
                    Some(link) => Some(link),
                    None => {
                        finish(conn, worker, &email.id, Finished::Cancelled)?;
                        continue;
                    }
                },
                None => None,
            };
            let outcome = self
                .message(&email, link.as_deref())
                .and_then(|message| self.send(&message, &email));
            match outcome {
                Ok(()) => {
                    finish(conn, worker, &email.id, Finished::Sent)?;
                    delivered += 1;
                }
                Err(error) => {
                    let gave_up = email.attempts >= self.retry.max_attempts;
                    let wait = chrono::Duration::from_std(self.retry.wait_after(email.attempts))
                        .unwrap_or(chrono::Duration::hours(1));
                    tracing::warn!(outbox_id = %email.id, attempts = email.attempts, gave_up, error = %error, "email delivery failed");
                    let retry = Finished::Retry {
                        error: error.to_string(),
                        at: now + wait,
                        gave_up,
                    };
                    finish(conn, worker, &email.id, retry)?;
                }
            }
        }
        Ok(delivered)
    }
}
