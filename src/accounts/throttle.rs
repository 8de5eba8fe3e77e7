//! Log-in throttling, kept in the database so every app instance sees the same counts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AccountError;
use crate::config::LoginThrottle;
use crate::db::{self, AnyConnection};
use crate::schema::login_attempts;

pub(super) fn check(
    conn: &mut AnyConnection,
    email: &str,
    client_ip: &str,
    limits: &LoginThrottle,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    let window = chrono::Duration::from_std(limits.window).unwrap_or(chrono::Duration::minutes(15));
    let since = now - window;
    let failures = |conn: &mut AnyConnection, column_is_key| -> QueryResult<Vec<NaiveDateTime>> {
        let recent = login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::created_at.gt(since))
            .into_boxed();
        let recent = if column_is_key {
            recent.filter(login_attempts::email.eq(email))
        } else {
            recent.filter(login_attempts::client_ip.eq(client_ip))
        };
        recent
            .select(login_attempts::created_at)
            .order(login_attempts::created_at.asc())
            .load(conn)
    };
    for (by_email, limit) in [
        (true, limits.max_failures_per_email),
        (false, limits.max_failures_per_client),
    ] {
        let failed_at = failures(conn, by_email)?;
        if failed_at.len() >= limit as usize {
            // The window frees up when the oldest counted failure leaves it.
            let oldest_relevant = failed_at[failed_at.len() - limit as usize];
            let wait = (oldest_relevant + window - now).num_seconds().max(0) as u64;
            return Err(AccountError::Throttled {
                retry_after_minutes: wait.div_ceil(60).max(1),
            });
        }
    }
    Ok(())
}

pub(super) fn record(
    conn: &mut AnyConnection,
    email: &str,
    client_ip: &str,
    succeeded: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(db::new_id()),
            login_attempts::email.eq(email),
            login_attempts::client_ip.eq(client_ip),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Attempts older than a day no longer matter to any window we allow.
pub fn purge_old(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::created_at.lt(now - chrono::Duration::days(1))),
    )
    .execute(conn)
}
