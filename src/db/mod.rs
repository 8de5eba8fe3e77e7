//! The database layer: one connection type over PostgreSQL and SQLite, chosen from
//! `DATABASE_URL` at run time, behind an r2d2 pool.

mod database_url;
mod migrations;
mod text_enum;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;

pub use database_url::{DatabaseUrl, InvalidDatabaseUrl};
pub use migrations::run_pending_migrations;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("the database task was cancelled")]
    Cancelled,
}

/// SQLite settings for a web app with concurrent readers and writers: writers wait for the
/// lock instead of failing (set first, so the pool's connections opening at once wait for
/// each other), WAL so readers never block the writer, foreign keys on.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000;
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
PRAGMA synchronous = NORMAL;";

/// Opens connections for the backend the URL names and prepares them.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = DbError;

    fn connect(&self) -> Result<AnyConnection, DbError> {
        establish(&self.url)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), DbError> {
        conn.ping().map_err(DbError::Query)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

/// Statements run by this process, for benchmarks that report queries per page.
static QUERIES: AtomicU64 = AtomicU64::new(0);

/// How many SQL statements this process has run so far.
pub fn queries_executed() -> u64 {
    QUERIES.load(Ordering::Relaxed)
}

struct QueryCounter;

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            QUERIES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One connection outside the pool (CLI commands, tests).
pub fn establish(url: &DatabaseUrl) -> Result<AnyConnection, DbError> {
    let mut conn = match url {
        DatabaseUrl::Postgres(url) => AnyConnection::Postgresql(PgConnection::establish(url)?),
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            conn.batch_execute(SQLITE_PRAGMAS)?;
            AnyConnection::Sqlite(conn)
        }
    };
    conn.set_instrumentation(QueryCounter);
    Ok(conn)
}

/// The shared handle every part of the app uses to reach the database.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    url: DatabaseUrl,
}

impl Db {
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self, DbError> {
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(10))
            .build(ConnectionManager { url: url.clone() })?;
        Ok(Self {
            pool,
            url: url.clone(),
        })
    }

    /// Answers whether the database responds within `timeout` (readiness probes must not hang).
    pub async fn check(&self, timeout: Duration) -> Result<(), DbError> {
        let (pool, url) = (self.pool.clone(), self.url.clone());
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(timeout)?;
            conn.batch_execute("SELECT 1")?;
            if let DatabaseUrl::Sqlite(path) = &url {
                check_sqlite_file(path, timeout)?;
            }
            Ok(())
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// Runs blocking database work on the blocking thread pool, off the async executor.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }
}

/// A pooled SQLite connection keeps its open file and answers `SELECT 1` whatever became of
/// the path (removed, replaced, locked), so readiness opens the path afresh, read-only and
/// without creating it, and reads the schema within `timeout`.
fn check_sqlite_file(path: &std::path::Path, timeout: Duration) -> Result<(), DbError> {
    let unusable =
        |reason: String| DbError::Connection(diesel::ConnectionError::BadConnection(reason));
    let absolute = std::path::absolute(path).map_err(|e| unusable(e.to_string()))?;
    let mut uri = url::Url::from_file_path(&absolute)
        .map_err(|()| unusable(format!("{} is not a file path", absolute.display())))?;
    uri.set_query(Some("mode=ro"));
    let mut conn = SqliteConnection::establish(uri.as_str())?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {}; SELECT count(*) FROM sqlite_master;",
        timeout.as_millis()
    ))?;
    Ok(())
}

/// Runs `work` in a write transaction. On SQLite that is `BEGIN IMMEDIATE`, which takes the
/// write lock up front so concurrent writers wait (busy_timeout) instead of failing halfway
/// with SQLITE_BUSY when a read transaction tries to upgrade. Nested calls (and PostgreSQL)
/// use an ordinary transaction or savepoint.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let AnyConnection::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    let outermost = matches!(
        AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth(),
        Ok(None)
    );
    if !outermost {
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    // The connection's transaction manager now tracks the open transaction, so commit and
    // rollback go through it.
    match work(conn) {
        Ok(value) => {
            <AnyConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) =
                <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Whether an error is a unique-constraint violation (the same meaning on both backends).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Whether PostgreSQL refused text holding a NUL character (SQLSTATE 22021, "invalid byte
/// sequence ... 0x00"): it cannot store one in text, so that is bad input, not a fault.
pub fn is_nul_in_text(error: &diesel::result::Error) -> bool {
    match error {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::Unknown, info) => {
            let message = info.message();
            message.contains("invalid byte sequence") && message.contains("0x00")
        }
        _ => false,
    }
}

/// What the web layers answer when text held a NUL character.
pub const NUL_IN_TEXT: &str = "Text must not contain NUL characters.";

/// A new primary key: UUIDv7, so ids sort by creation time and index well.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time as stored: UTC without an offset.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
