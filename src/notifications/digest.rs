//! The daily digest: someone who chose it gets, once a day at their hour, one email listing
//! the notifications of the day before that hour that were not emailed yet. Their day is
//! the time zone of their oldest organization membership (UTC when it names none we know).
//! Visibility is checked again when the digest is written: a notification about an item
//! hidden from them since is left out.

use askama::Template;
use chrono::{Duration, NaiveDateTime, TimeZone, Timelike};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::deliver::{active_address, preferences_link, render, Told};
use super::preferences::{get_preferences, EmailDelivery};
use super::sight::{Sight, Subject};
use super::story::{self, Facts};
use super::{NotificationError, NotificationKind};
use crate::db::AnyConnection;
use crate::jobs::{self, JobContext, JobError};
use crate::mail::{self, OutgoingEmail};
use crate::schema::{notification_preferences as prefs, notifications, org_members, organizations};

/// The job kind that sends one person's digest.
pub const DIGEST_JOB: &str = "notifications.digest";

#[derive(Debug, Serialize, Deserialize)]
struct Digest {
    user_id: String,
    /// The digest's hour in UTC: it lists what came in the day before.
    until: NaiveDateTime,
}

/// Queues today's digest for each person whose hour has come and who has something
/// waiting; each occurrence once, across instances. Returns how many were queued.
pub fn schedule_digests(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> Result<usize, diesel::result::Error> {
    let waiting: Vec<(String, i32)> = prefs::table
        .inner_join(notifications::table.on(notifications::user_id.eq(prefs::user_id)))
        .filter(prefs::email_delivery.eq(EmailDelivery::DailyDigest))
        .filter(notifications::emailed_at.is_null())
        .filter(notifications::created_at.gt(now - Duration::days(2)))
        .select((prefs::user_id, prefs::digest_hour))
        .distinct()
        .load(conn)?;
    let mut queued = 0;
    for (user_id, hour) in waiting {
        let zone = time_zone(conn, &user_id)?;
        let local = zone.from_utc_datetime(&now);
        if i64::from(local.hour()) < i64::from(hour) {
            continue;
        }
        let Some(until) = local
            .date_naive()
            .and_hms_opt(u32::try_from(hour).unwrap_or(0), 0, 0)
            .and_then(|at| zone.from_local_datetime(&at).earliest())
            .map(|at| at.naive_utc())
        else {
            continue;
        };
        let wants = get_preferences(conn, &user_id)?;
        let kinds: Vec<NotificationKind> = NotificationKind::ALL
            .iter()
            .copied()
            .filter(|kind| wants.emails(*kind))
            .collect();
        let pending: i64 = notifications::table
            .filter(notifications::user_id.eq(&user_id))
            .filter(notifications::kind.eq_any(kinds))
            .filter(notifications::emailed_at.is_null())
            .filter(notifications::created_at.le(until))
            .filter(notifications::created_at.gt(until - Duration::days(1)))
            .count()
            .get_result(conn)?;
        if pending == 0 {
            continue;
        }
        let key = format!("digest:{user_id}:{}", local.date_naive());
        let digest = Digest { user_id, until };
        if jobs::enqueue_once(conn, DIGEST_JOB, &key, &digest, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The time zone of the person's oldest organization membership.
fn time_zone(conn: &mut AnyConnection, user_id: &str) -> QueryResult<chrono_tz::Tz> {
    let name: Option<String> = org_members::table
        .inner_join(organizations::table.on(organizations::id.eq(org_members::organization_id)))
        .filter(org_members::user_id.eq(user_id))
        .order((org_members::created_at.asc(), org_members::id.asc()))
        .select(organizations::time_zone)
        .first(conn)
        .optional()?;
    Ok(name
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC))
}

struct DigestEmail {
    stories: Vec<Told>,
    preferences_link: String,
}

#[derive(Template)]
#[template(path = "emails/digest.txt")]
struct DigestText<'a> {
    email: &'a DigestEmail,
}

#[derive(Template)]
#[template(path = "emails/digest.html")]
struct DigestHtml<'a> {
    email: &'a DigestEmail,
}

type Waiting = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NotificationKind,
);

/// Runs `DIGEST_JOB`: one email with the day's notifications the person still may see and
/// wants by email, which are then marked emailed, so none comes twice.
pub fn run_digest(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    payload: &str,
) -> Result<Option<String>, JobError> {
    let digest: Digest = jobs::payload(payload)?;
    Ok(send_digest(conn, context, &digest)?)
}

fn send_digest(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    digest: &Digest,
) -> Result<Option<String>, NotificationError> {
    let wants = get_preferences(conn, &digest.user_id)?;
    let day = notifications::table
        .filter(notifications::user_id.eq(&digest.user_id))
        .filter(notifications::emailed_at.is_null())
        .filter(notifications::created_at.le(digest.until))
        .filter(notifications::created_at.gt(digest.until - Duration::days(1)));
    let rows: Vec<Waiting> = day
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .select((
            notifications::id,
            notifications::organization_id,
            notifications::workspace_id,
            notifications::item_id,
            notifications::comment_id,
            notifications::actor_user_id,
            notifications::kind,
        ))
        .load(conn)?;
    let Some(address) = active_address(conn, &digest.user_id)? else {
        return Ok(Some(json!({ "listed": 0 }).to_string()));
    };
    let mut sight = Sight::default();
    let mut listed = Vec::new();
    for (id, org, workspace, item, comment, actor, kind) in &rows {
        let subject = Subject {
            kind: *kind,
            organization_id: org,
            workspace_id: workspace.as_deref(),
            item_id: item.as_deref(),
        };
        if wants.emails(*kind) && sight.allows(conn, &digest.user_id, &subject)? {
            listed.push((
                id.clone(),
                Facts {
                    kind: *kind,
                    organization_id: org,
                    item_id: item.as_deref(),
                    comment_id: comment.as_deref(),
                    actor_user_id: actor.as_deref(),
                },
            ));
        }
    }
    if !listed.is_empty() {
        let facts: Vec<Facts<'_>> = listed.iter().map(|(_, f)| f.clone()).collect();
        let stories = story::tell(conn, &facts)?;
        let email = DigestEmail {
            stories: stories
                .iter()
                .map(|s| Told::new(s, context.base_url))
                .collect(),
            preferences_link: preferences_link(context.base_url),
        };
        let subject = match email.stories.len() {
            1 => "Your day in Cairn: 1 notification".to_owned(),
            n => format!("Your day in Cairn: {n} notifications"),
        };
        let body_text = render(DigestText { email: &email })?;
        let body_html = render(DigestHtml { email: &email })?;
        mail::enqueue(
            conn,
            &OutgoingEmail {
                organization_id: None,
                invite_id: None,
                check_in_link_id: None,
                account_link_id: None,
                to: &address,
                subject: &subject,
                body_text: &body_text,
                body_html: &body_html,
            },
        )?;
        let ids: Vec<&String> = listed.iter().map(|(id, _)| id).collect();
        diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
            .set(notifications::emailed_at.eq(Some(context.now)))
            .execute(conn)?;
    }
    Ok(Some(json!({ "listed": listed.len() }).to_string()))
}
