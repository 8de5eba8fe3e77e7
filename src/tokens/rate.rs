//! Each token's request budget: at most `per_minute` requests in each minute of the app's
//! clock (a fixed window, as GitHub's hourly budget is), counted where every instance sees
//! the same count. On PostgreSQL, where instances may run side by side, the count is a row
//! per token and minute, bumped atomically; with SQLite there is one instance, and the count
//! stays in its memory. The rule is the same either way.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{NaiveDateTime, Timelike};
use diesel::prelude::*;
use diesel::PgConnection;

use crate::db::AnyConnection;
use crate::schema::api_rate_windows;

/// Requests per token per minute. Where they are counted follows from the connection:
/// PostgreSQL's rows are seen by every instance; SQLite runs one, so its counts stay here.
pub struct RateLimiter {
    per_minute: u32,
    /// The counts when the database is SQLite: token → (minute, requests in it).
    in_memory: Counts,
}

/// The minute `now` falls in.
fn window_of(now: NaiveDateTime) -> NaiveDateTime {
    now.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now)
}

/// The rule: the request that is the `hits`-th of its minute goes through if within the
/// budget; otherwise the answer is the seconds until the next minute begins.
fn decide(hits: u32, per_minute: u32, now: NaiveDateTime) -> Result<(), u64> {
    if hits <= per_minute {
        Ok(())
    } else {
        Err(u64::from(60 - now.second()).max(1))
    }
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            in_memory: Counts::default(),
        }
    }

    /// Counts one request of `token_id` at `now`; refused with the seconds to wait.
    pub fn take(
        &self,
        conn: &mut AnyConnection,
        token_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Result<(), u64>> {
        let window = window_of(now);
        let hits = match conn {
            AnyConnection::Postgresql(pg) => bump(pg, token_id, window)?,
            AnyConnection::Sqlite(_) => count_in(&self.in_memory, token_id, window),
        };
        Ok(decide(hits, self.per_minute, now))
    }
}

type Counts = Mutex<HashMap<String, (NaiveDateTime, u32)>>;

/// Counts one request of the token in memory and answers the count for `window`.
fn count_in(counts: &Counts, token_id: &str, window: NaiveDateTime) -> u32 {
    let mut counts = counts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Counts of past minutes carry nothing; dropped so the map stays as small as the set
    // of tokens in use this minute.
    if counts.len() > 10_000 {
        counts.retain(|_, (at, _)| *at == window);
    }
    let count = counts.entry(token_id.to_owned()).or_insert((window, 0));
    if count.0 != window {
        *count = (window, 0);
    }
    count.1 = count.1.saturating_add(1);
    count.1
}

/// Counts one request in the token's row for `window` and answers the count; one statement,
/// so concurrent requests on any instance each get their own number.
fn bump(conn: &mut PgConnection, token_id: &str, window: NaiveDateTime) -> QueryResult<u32> {
    let hits: i32 = diesel::insert_into(api_rate_windows::table)
        .values((
            api_rate_windows::token_id.eq(token_id),
            api_rate_windows::window_start.eq(window),
            api_rate_windows::hits.eq(1),
        ))
        .on_conflict((api_rate_windows::token_id, api_rate_windows::window_start))
        .do_update()
        .set(api_rate_windows::hits.eq(api_rate_windows::hits + 1))
        .returning(api_rate_windows::hits)
        .get_result(conn)?;
    if hits == 1 {
        // The token's first request this minute: its older rows are done with.
        diesel::delete(
            api_rate_windows::table
                .filter(api_rate_windows::token_id.eq(token_id))
                .filter(api_rate_windows::window_start.lt(window)),
        )
        .execute(conn)?;
    }
    Ok(u32::try_from(hits).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 1, 4)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .expect("time")
    }

    #[test]
    fn a_minute_allows_its_budget_then_says_when_the_next_begins() {
        assert_eq!(decide(3, 3, at(9, 0, 10)), Ok(()));
        assert_eq!(decide(4, 3, at(9, 0, 10)), Err(50));
        assert_eq!(decide(4, 3, at(9, 0, 59)), Err(1));
        assert_eq!(window_of(at(9, 0, 59)), at(9, 0, 0));
    }

    #[test]
    fn counts_in_memory_are_per_token_and_start_again_each_minute() {
        let counts = Counts::default();
        let minute = at(9, 0, 0);
        assert_eq!(count_in(&counts, "a", minute), 1);
        assert_eq!(count_in(&counts, "a", minute), 2);
        assert_eq!(count_in(&counts, "b", minute), 1, "each token has its own");
        assert_eq!(count_in(&counts, "a", at(9, 1, 0)), 1, "a new minute");
    }
}
