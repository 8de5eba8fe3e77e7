//! Log-in throttling, kept in the database so every app instance sees the same counts.
//!
//! An attempt is recorded as failed *before* anything is checked, then the failures in the
//! window are counted including it. Concurrent guesses therefore each see one another, and a
//! burst can never slip past the limit between a check and a write.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AccountError;
use crate::config::LoginThrottle;
use crate::db::{self, AnyConnection};
use crate::schema::login_attempts;

/// Records the attempt (as failed until proven otherwise) and refuses it when either the
/// email or the client address is over its limit. Returns the attempt's id.
pub(super) fn record_and_check(
    conn: &mut AnyConnection,
    email: &str,
    client_ip: &str,
    limits: &LoginThrottle,
) -> Result<String, AccountError> {
    let now = db::now();
    let id = db::new_id();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(&id),
            login_attempts::email.eq(email),
            login_attempts::client_ip.eq(client_ip),
            login_attempts::succeeded.eq(false),
            login_attempts::created_at.eq(now),
        ))
        .execute(conn)?;

    let window = chrono::Duration::from_std(limits.window).unwrap_or(chrono::Duration::minutes(15));
    let since = now - window;
    for (by_email, limit) in [
        (true, limits.max_failures_per_email),
        (false, limits.max_failures_per_client),
    ] {
        let recent = login_attempts::table
            .filter(login_attempts::succeeded.eq(false))
            .filter(login_attempts::created_at.gt(since))
            .into_boxed();
        let recent = if by_email {
            recent.filter(login_attempts::email.eq(email))
        } else {
            recent.filter(login_attempts::client_ip.eq(client_ip))
        };
        let failed_at: Vec<NaiveDateTime> = recent
            .select(login_attempts::created_at)
            .order(login_attempts::created_at.asc())
            .load(conn)?;
        let limit = limit as usize;
        if failed_at.len() > limit {
            // The next attempt is allowed once enough of the oldest failures leave the window.
            let frees_at = failed_at[failed_at.len() - limit] + window;
            let wait = (frees_at - now).num_seconds().max(0) as u64;
            return Err(AccountError::Throttled {
                retry_after_minutes: wait.div_ceil(60).max(1),
            });
        }
    }
    Ok(id)
}

pub(super) fn mark_succeeded(conn: &mut AnyConnection, attempt_id: &str) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(attempt_id))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Attempts older than a day no longer matter to any window we allow.
pub(super) fn purge_old(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::created_at.lt(now - chrono::Duration::days(1))),
    )
    .execute(conn)
}
