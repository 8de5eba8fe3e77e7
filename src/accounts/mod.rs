//! People and how they prove who they are: sign-up, log-in, sessions.

mod changes;
mod links;
mod password;
pub(crate) mod sessions;
mod throttle;
mod types;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::LoginThrottle;
use crate::db::{self, AnyConnection, Db, DbError};
use crate::schema::users;

pub use changes::{change_name, change_password, delete_account, last_owner_of};
pub use links::{
    confirm_email_change, mint_link, open_link, request_email_change, request_password_reset,
    reset_password, LinkPurpose, OpenLink, LINK_LIFETIME_HOURS,
};
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
    #[error("That is not your current password.")]
    WrongPassword,
    /// The last owner of these organizations (their names) cannot leave them ownerless.
    #[error("You are the only owner of {0}. Make someone else an owner first, or archive it.")]
    LastOwner(String),
    /// A reset or confirmation link that was used, has expired, or never existed.
    #[error("This link has expired or was already used.")]
    LinkUnusable,
    #[error(transparent)]
    Hashing(#[from] PasswordHashError),
    #[error(transparent)]
    Render(#[from] askama::Error),
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

/// Creates an account. The password is hashed before a database connection is taken.
pub async fn sign_up(db: &Db, account: NewAccount) -> Result<User, AccountError> {
    let password = account.password.clone();
    let password_hash = off_the_executor(move || hash_password(&password)).await??;
    db.run(move |conn| create_account(conn, &account, &password_hash))
        .await
}

/// Stores an account whose password is already hashed. The email is unique whatever its
/// case, because it is normalized.
pub fn create_account(
    conn: &mut AnyConnection,
    account: &NewAccount,
    password_hash: &str,
) -> Result<User, AccountError> {
    let id = db::new_id();
    let now = db::now();
    let inserted = diesel::insert_into(users::table)
        .values(NewUserRow {
            id: &id,
            email: account.email.as_str(),
            name: account.name.as_str(),
            password_hash,
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

/// The account with this (normalized) email, for the command line.
pub fn find_by_email(conn: &mut AnyConnection, email: &Email) -> Result<User, AccountError> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)?)
}

/// A log-in as typed. Not `Debug`: it carries a password.
pub struct LogInAttempt {
    pub email: Email,
    pub password: String,
    /// Where it comes from, for throttling.
    pub client_ip: String,
}

/// Runs CPU-heavy work (argon2) off the async executor and outside the connection pool.
async fn off_the_executor<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AccountError> {
    actix_web::rt::task::spawn_blocking(work)
        .await
        .map_err(|_| AccountError::Db(DbError::Cancelled))
}

/// Checks a log-in. Failed attempts are counted per email and per client address; past the
/// limit every attempt is refused until the window has passed, right password or not.
pub async fn log_in(
    db: &Db,
    attempt: LogInAttempt,
    limits: &LoginThrottle,
) -> Result<User, AccountError> {
    let limits = limits.clone();
    let email = attempt.email.clone();
    let client_ip = attempt.client_ip.clone();
    let (attempt_id, candidate) = db
        .run(move |conn| {
            let attempt_id = throttle::record_and_check(conn, email.as_str(), &client_ip, &limits)?;
            let candidate = users::table
                .filter(users::email.eq(email.as_str()))
                .select((User::as_select(), users::password_hash))
                .first::<(User, String)>(conn)
                .optional()?;
            Ok::<_, AccountError>((attempt_id, candidate))
        })
        .await?;
    let password = attempt.password;
    let user = off_the_executor(move || match candidate {
        Some((user, hash)) if password::verify(&password, &hash) && user.is_active() => Some(user),
        Some(_) => None,
        None => {
            // Spend the same time as a real check so response times do not reveal which
            // emails have accounts.
            password::verify_against_dummy(&password);
            None
        }
    })
    .await?
    .ok_or(AccountError::InvalidCredentials)?;
    db.run(move |conn| throttle::mark_succeeded(conn, &attempt_id).map_err(AccountError::from))
        .await?;
    Ok(user)
}

/// Ends every session of the user, on every device and instance.
pub fn log_out_everywhere(conn: &mut AnyConnection, user_id: &str) -> Result<usize, AccountError> {
    Ok(sessions::delete_all_for_user(conn, user_id)?)
}

/// How many live sessions the user has.
pub fn active_session_count(conn: &mut AnyConnection, user_id: &str) -> Result<i64, AccountError> {
    Ok(sessions::count_for_user(conn, user_id)?)
}

/// Housekeeping: drops expired sessions and log-in attempts no window still counts.
pub fn purge_expired_records(conn: &mut AnyConnection) -> Result<(usize, usize), AccountError> {
    let now = db::now();
    Ok((
        sessions::purge_expired(conn, now)?,
        throttle::purge_old(conn, now)?,
    ))
}
