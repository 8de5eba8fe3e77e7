//! People and how they prove who they are: sign-up, log-in, sessions.

mod password;
pub mod sessions;
mod throttle;
mod types;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::LoginThrottle;
use crate::db::{self, AnyConnection, DbError};
use crate::schema::users;

pub use password::{hash_password, PasswordHashError};
pub use types::{DisplayName, DisplayNameError, Email, EmailError, Password, PasswordError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("An account with this email already exists.")]
    EmailTaken,
    #[error("The email or password is not right.")]
    InvalidCredentials,
    #[error(
        "Too many failed log-in attempts. Try again in {} minutes.",
        retry_after_minutes
    )]
    Throttled { retry_after_minutes: u64 },
    #[error(transparent)]
    Hashing(#[from] PasswordHashError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// What a person gives to open an account.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub name: DisplayName,
    pub password: Password,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    name: &'a str,
    password_hash: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Creates an account. The email is unique whatever its case, because it is normalized.
pub fn sign_up(conn: &mut AnyConnection, account: &NewAccount) -> Result<User, AccountError> {
    let password_hash = hash_password(&account.password)?;
    let id = db::new_id();
    let now = db::now();
    let inserted = diesel::insert_into(users::table)
        .values(NewUserRow {
            id: &id,
            email: account.email.as_str(),
            name: account.name.as_str(),
            password_hash: &password_hash,
            created_at: now,
            updated_at: now,
        })
        .execute(conn);
    match inserted {
        Ok(_) => find_user(conn, &id),
        Err(e) if db::is_unique_violation(&e) => Err(AccountError::EmailTaken),
        Err(e) => Err(e.into()),
    }
}

pub fn find_user(conn: &mut AnyConnection, id: &str) -> Result<User, AccountError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

pub fn find_user_by_email(
    conn: &mut AnyConnection,
    email: &Email,
) -> Result<Option<User>, AccountError> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Where a log-in attempt comes from, for throttling.
#[derive(Debug, Clone)]
pub struct LogInAttempt<'a> {
    /// What was typed, normalized when it is a valid address.
    pub email: &'a str,
    pub password: &'a str,
    pub client_ip: &'a str,
}

/// Checks a log-in. Failed attempts are counted per email and per client address; past the
/// limit every attempt is refused until the window has passed, right password or not.
pub fn log_in(
    conn: &mut AnyConnection,
    attempt: &LogInAttempt<'_>,
    limits: &LoginThrottle,
) -> Result<User, AccountError> {
    let email = Email::parse(attempt.email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| attempt.email.trim().to_lowercase());
    let now = db::now();
    throttle::check(conn, &email, attempt.client_ip, limits, now)?;

    let user = users::table
        .filter(users::email.eq(&email))
        .select((User::as_select(), users::password_hash))
        .first::<(User, String)>(conn)
        .optional()?;
    let accepted = match &user {
        Some((user, hash)) => password::verify(attempt.password, hash) && user.is_active(),
        None => {
            // Spend the same time as a real check so response times do not reveal which
            // emails have accounts.
            password::verify_against_dummy(attempt.password);
            false
        }
    };
    throttle::record(conn, &email, attempt.client_ip, accepted, now)?;
    match user {
        Some((user, _)) if accepted => Ok(user),
        _ => Err(AccountError::InvalidCredentials),
    }
}

/// Housekeeping: drops expired sessions and log-in attempts no window still counts.
pub fn purge_expired_records(conn: &mut AnyConnection) -> Result<(usize, usize), AccountError> {
    let now = db::now();
    Ok((
        sessions::purge_expired(conn, now)?,
        throttle::purge_old(conn, now)?,
    ))
}
