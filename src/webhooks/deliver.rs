//! Sending due deliveries, the outbox's way: claim in a short transaction, send with no
//! transaction open, record the outcome only while the claim holds. A delivery whose worker
//! died is taken over when its lease lapses, so an endpoint may hear of an event twice
//! (at least once, as every webhook sender promises); `X-Cairn-Delivery` lets it tell.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;

use super::DeliveryState;
use crate::db::{self, AnyConnection, Db, DbError};
use crate::jobs;
use crate::mail::{self, OutgoingEmail};
use crate::outbound::{Outbound, OutboundError};
use crate::schema::{webhook_deliveries, webhooks, workspaces};

/// Tries per delivery (30 s doubling between them: about an hour in all).
pub const MAX_ATTEMPTS: i32 = 8;
/// Failed attempts in a row after which an endpoint is disabled.
pub const DISABLE_AFTER: i32 = 10;
/// Deliveries sent at once per round.
const BATCH: i64 = 20;
/// Longer than a send can take (the client gives up after 10 s).
const LEASE_SECS: i64 = 60;

/// `X-Cairn-Signature`: `sha256=` and the hex HMAC-SHA256, keyed by the endpoint's
/// secret, of `"{timestamp}.{body}"` (the timestamp is `X-Cairn-Timestamp`, Unix seconds;
/// a receiver refuses old ones to stop replays).
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

struct Claimed {
    id: String,
    webhook_id: String,
    url: String,
    secret: String,
    event: String,
    payload_json: String,
    attempts: i32,
}

/// A delivery that may be sent: pending and due, or sending under a lapsed claim, to an
/// endpoint still live.
macro_rules! free_delivery {
    ($now:expr) => {
        webhook_deliveries::state
            .eq(DeliveryState::Pending)
            .and(webhook_deliveries::next_attempt_at.le($now))
            .or(webhook_deliveries::state
                .eq(DeliveryState::Sending)
                .and(webhook_deliveries::locked_until.lt($now)))
    };
}

fn claim(conn: &mut AnyConnection, worker: &str, now: NaiveDateTime) -> QueryResult<Vec<Claimed>> {
    db::write_transaction(conn, |conn| {
        let due = webhook_deliveries::table
            .inner_join(webhooks::table)
            .filter(free_delivery!(now))
            .filter(webhooks::deleted_at.is_null())
            .filter(webhooks::disabled_at.is_null())
            .order(webhook_deliveries::next_attempt_at.asc())
            .limit(BATCH)
            .select(webhook_deliveries::id);
        let candidates: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
            AnyConnection::Sqlite(_) => due.load(conn)?,
        };
        let mut claimed = Vec::new();
        for id in candidates {
            let won = diesel::update(
                webhook_deliveries::table
                    .find(&id)
                    .filter(free_delivery!(now)),
            )
            .set((
                webhook_deliveries::state.eq(DeliveryState::Sending),
                webhook_deliveries::locked_by.eq(worker),
                webhook_deliveries::locked_until.eq(now + Duration::seconds(LEASE_SECS)),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::updated_at.eq(now),
            ))
            .execute(conn)?;
            if won == 1 {
                let (webhook_id, url, secret, event, payload_json, attempts) =
                    webhook_deliveries::table
                        .inner_join(webhooks::table)
                        .filter(webhook_deliveries::id.eq(&id))
                        .select((
                            webhooks::id,
                            webhooks::url,
                            webhooks::secret,
                            webhook_deliveries::event,
                            webhook_deliveries::payload_json,
                            webhook_deliveries::attempts,
                        ))
                        .first(conn)?;
                claimed.push(Claimed {
                    id,
                    webhook_id,
                    url,
                    secret,
                    event,
                    payload_json,
                    attempts,
                });
            }
        }
        Ok(claimed)
    })
}

/// What one attempt came to.
struct Attempt {
    status: Option<u16>,
    error: Option<String>,
    duration_ms: i32,
}

impl Attempt {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|code| (200..300).contains(&code))
    }
}

async fn send(outbound: &Outbound, delivery: &Claimed, now: NaiveDateTime) -> Attempt {
    let timestamp = now.and_utc().timestamp();
    let headers = [
        ("X-Cairn-Event", delivery.event.clone()),
        ("X-Cairn-Delivery", delivery.id.clone()),
        ("X-Cairn-Timestamp", timestamp.to_string()),
        (
            "X-Cairn-Signature",
            sign(&delivery.secret, timestamp, &delivery.payload_json),
        ),
    ];
    let started = Instant::now();
    let answered = match Url::parse(&delivery.url) {
        Ok(url) => {
            outbound
                .post_json(&url, &headers, delivery.payload_json.clone())
                .await
        }
        Err(e) => Err(OutboundError::Failed(e.to_string())),
    };
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    match answered {
        Ok(code) if (200..300).contains(&code) => Attempt {
            status: Some(code),
            error: None,
            duration_ms,
        },
        // Redirects are not followed: an endpoint that moved must be registered again.
        Ok(code) => Attempt {
            status: Some(code),
            error: Some(format!("The endpoint answered {code}.")),
            duration_ms,
        },
        Err(e) => Attempt {
            status: None,
            error: Some(e.to_string()),
            duration_ms,
        },
    }
}

/// Sends what is due as of `now`; answers how many deliveries succeeded.
pub async fn deliver_due(
    db: &Db,
    outbound: &Outbound,
    worker: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let claimer = worker.to_owned();
    let claimed = db
        .run(move |conn| claim(conn, &claimer, now).map_err(DbError::from))
        .await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let attempts =
        futures_util::future::join_all(claimed.iter().map(|d| send(outbound, d, now))).await;
    let delivered = attempts.iter().filter(|a| a.succeeded()).count();
    let worker = worker.to_owned();
    db.run(move |conn| {
        for (delivery, attempt) in claimed.iter().zip(&attempts) {
            db::write_transaction(conn, |conn| finish(conn, &worker, delivery, attempt, now))?;
        }
        Ok::<_, DbError>(())
    })
    .await?;
    Ok(delivered)
}

/// Records an attempt while the claim holds, and counts it for or against the endpoint.
fn finish(
    conn: &mut AnyConnection,
    worker: &str,
    delivery: &Claimed,
    attempt: &Attempt,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mine = webhook_deliveries::table
        .find(&delivery.id)
        .filter(webhook_deliveries::locked_by.eq(worker))
        .filter(webhook_deliveries::state.eq(DeliveryState::Sending));
    let endpoint = webhooks::table.find(&delivery.webhook_id);
    // An endpoint disabled or deleted while this was on its way takes no retries.
    let still_live = endpoint
        .filter(webhooks::disabled_at.is_null())
        .filter(webhooks::deleted_at.is_null())
        .count()
        .get_result::<i64>(conn)?
        > 0;
    let (state, next_attempt_at) = if attempt.succeeded() {
        (DeliveryState::Delivered, now)
    } else if delivery.attempts >= MAX_ATTEMPTS || !still_live {
        (DeliveryState::Failed, now)
    } else {
        (
            DeliveryState::Pending,
            now + jobs::backoff(delivery.attempts),
        )
    };
    let recorded = diesel::update(mine)
        .set((
            webhook_deliveries::state.eq(state),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::locked_by.eq(None::<String>),
            webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::response_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::duration_ms.eq(attempt.duration_ms),
            webhook_deliveries::last_error.eq(&attempt.error),
            webhook_deliveries::delivered_at.eq(attempt.succeeded().then_some(now)),
            webhook_deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    if recorded == 0 {
        tracing::warn!(delivery_id = %delivery.id, "webhook delivery taken over by another worker");
        return Ok(());
    }
    if attempt.succeeded() {
        diesel::update(endpoint)
            .set(webhooks::consecutive_failures.eq(0))
            .execute(conn)?;
        return Ok(());
    }
    diesel::update(endpoint)
        .set(webhooks::consecutive_failures.eq(webhooks::consecutive_failures + 1))
        .execute(conn)?;
    let failures: i32 = endpoint
        .select(webhooks::consecutive_failures)
        .first(conn)?;
    if failures >= DISABLE_AFTER && still_live {
        disable(
            conn,
            delivery,
            attempt.error.as_deref().unwrap_or_default(),
            now,
        )?;
    }
    Ok(())
}

/// Marks what still waits for an endpoint as failed, with the reason.
pub(super) fn drop_pending(
    conn: &mut AnyConnection,
    webhook_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .filter(webhook_deliveries::state.eq(DeliveryState::Pending)),
    )
    .set((
        webhook_deliveries::state.eq(DeliveryState::Failed),
        webhook_deliveries::last_error.eq(reason),
        webhook_deliveries::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Stops sending to an endpoint that keeps failing, and tells the workspace's admins.
fn disable(
    conn: &mut AnyConnection,
    delivery: &Claimed,
    last_error: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let reason =
        format!("Disabled after {DISABLE_AFTER} failed attempts in a row; the last: {last_error}");
    diesel::update(webhooks::table.find(&delivery.webhook_id))
        .set((
            webhooks::disabled_at.eq(Some(now)),
            webhooks::disabled_reason.eq(&reason),
            webhooks::updated_at.eq(now),
        ))
        .execute(conn)?;
    drop_pending(conn, &delivery.webhook_id, "The webhook was disabled.", now)?;
    let (organization_id, workspace_id, workspace_name): (String, String, String) = webhooks::table
        .inner_join(workspaces::table)
        .filter(webhooks::id.eq(&delivery.webhook_id))
        .select((
            webhooks::organization_id,
            webhooks::workspace_id,
            workspaces::name,
        ))
        .first(conn)?;
    tracing::warn!(webhook_id = %delivery.webhook_id, "webhook disabled after repeated failures");
    let subject = format!("Webhook disabled in {workspace_name}");
    let body_text = format!(
        "Cairn has stopped sending events to {url}, a webhook of the workspace {workspace_name}.\n\n\
         {reason}\n\nOnce the endpoint answers again, delete the webhook and register it anew \
         (DELETE /api/v1/webhooks/{id}, then POST /api/v1/workspaces/{workspace_id}/webhooks).\n",
        url = delivery.url,
        id = delivery.webhook_id,
    );
    let body_html = format!(
        "<p>Cairn has stopped sending events to <code>{url}</code>, a webhook of the workspace \
         <strong>{name}</strong>.</p><p>{reason}</p><p>Once the endpoint answers again, delete \
         the webhook and register it anew.</p>",
        url = ammonia::clean_text(&delivery.url),
        name = ammonia::clean_text(&workspace_name),
        reason = ammonia::clean_text(&reason),
    );
    for to in crate::workspaces::admin_addresses(conn, &workspace_id)? {
        mail::enqueue(
            conn,
            &OutgoingEmail {
                organization_id: Some(&organization_id),
                invite_id: None,
                check_in_link_id: None,
                account_link_id: None,
                to: &to,
                subject: &subject,
                body_text: &body_text,
                body_html: &body_html,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // Computed independently: printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            sign("whsec_test", 1_700_000_000, "{}"),
            "sha256=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_ne!(
            sign("whsec_test", 1_700_000_001, "{}"),
            sign("whsec_test", 1_700_000_000, "{}")
        );
    }
}
