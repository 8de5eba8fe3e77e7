//! Server-side session records. The browser holds only a random key; the row holds the
//! state, so ending a session (or all of a person's sessions) takes effect everywhere at once
//! and app instances keep nothing in memory.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::{self, AnyConnection};
use crate::schema::sessions;

/// The state key under which the signed-in user's id is kept.
pub const USER_ID_KEY: &str = "user_id";

/// Rows are found by the SHA-256 of the key, so a leaked database does not yield live cookies.
pub fn key_digest(session_key: &str) -> String {
    hex::encode(Sha256::digest(session_key.as_bytes()))
}

pub type SessionState = HashMap<String, String>;

/// The signed-in user's id, as actix-session stores values (JSON-encoded strings).
fn user_id_of(state: &SessionState) -> Option<String> {
    state
        .get(USER_ID_KEY)
        .and_then(|raw| serde_json::from_str::<String>(raw).ok())
}

/// Sessions nobody has signed in to (a log-in page left open) only need to outlive a form
/// being filled in; keeping them short bounds what anonymous traffic leaves behind.
const ANONYMOUS_LIFETIME_HOURS: i64 = 2;

fn capped_expiry(state: &SessionState, expires_at: NaiveDateTime) -> NaiveDateTime {
    if user_id_of(state).is_some() {
        expires_at
    } else {
        expires_at.min(db::now() + chrono::Duration::hours(ANONYMOUS_LIFETIME_HOURS))
    }
}

fn encode(state: &SessionState) -> String {
    serde_json::to_string(state).unwrap_or_else(|_| "{}".into())
}

pub fn load(conn: &mut AnyConnection, session_key: &str) -> QueryResult<Option<SessionState>> {
    let state: Option<String> = sessions::table
        .find(key_digest(session_key))
        .filter(sessions::expires_at.gt(db::now()))
        .select(sessions::state)
        .first(conn)
        .optional()?;
    Ok(state.and_then(|raw| serde_json::from_str(&raw).ok()))
}

pub fn insert(
    conn: &mut AnyConnection,
    session_key: &str,
    state: &SessionState,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    let now = db::now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(key_digest(session_key)),
            sessions::user_id.eq(user_id_of(state)),
            sessions::state.eq(encode(state)),
            sessions::expires_at.eq(capped_expiry(state, expires_at)),
            sessions::created_at.eq(now),
            sessions::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a live session's state; false when the session no longer exists.
pub fn update(
    conn: &mut AnyConnection,
    session_key: &str,
    state: &SessionState,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let now = db::now();
    let updated = diesel::update(
        sessions::table
            .find(key_digest(session_key))
            .filter(sessions::expires_at.gt(now)),
    )
    .set((
        sessions::user_id.eq(user_id_of(state)),
        sessions::state.eq(encode(state)),
        sessions::expires_at.eq(capped_expiry(state, expires_at)),
        sessions::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn extend(
    conn: &mut AnyConnection,
    session_key: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    // Anonymous sessions keep their short lifetime.
    diesel::update(
        sessions::table
            .find(key_digest(session_key))
            .filter(sessions::user_id.is_not_null()),
    )
    .set((
        sessions::expires_at.eq(expires_at),
        sessions::updated_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, session_key: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(key_digest(session_key))).execute(conn)?;
    Ok(())
}

/// "Log out everywhere": ends every session of the user, on every device and instance.
pub fn delete_all_for_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

pub fn count_for_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(db::now()))
        .count()
        .get_result(conn)
}

pub fn purge_expired(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
