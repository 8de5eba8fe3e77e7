//! actix-session storage in our database (see `accounts::sessions`).

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use rand::distributions::{Alphanumeric, DistString};

use crate::accounts::sessions;
use crate::db::{self, Db, DbError};

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn expires_at(ttl: &Duration) -> chrono::NaiveDateTime {
    db::now() + chrono::Duration::seconds(ttl.whole_seconds())
}

/// 64 alphanumeric characters: about 380 random bits.
fn new_session_key() -> Result<SessionKey, anyhow::Error> {
    Alphanumeric
        .sample_string(&mut rand::thread_rng(), 64)
        .try_into()
        .map_err(anyhow::Error::from)
}

async fn run<T: Send + 'static>(
    db: &Db,
    work: impl FnOnce(&mut db::AnyConnection) -> diesel::QueryResult<T> + Send + 'static,
) -> Result<T, anyhow::Error> {
    db.run(move |conn| work(conn).map_err(DbError::from))
        .await
        .map_err(anyhow::Error::from)
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let key = session_key.as_ref().to_owned();
        run(&self.db, move |conn| sessions::load(conn, &key))
            .await
            .map_err(LoadError::Other)
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let session_key = new_session_key().map_err(SaveError::Other)?;
        let key = session_key.as_ref().to_owned();
        let expires_at = expires_at(ttl);
        run(&self.db, move |conn| {
            sessions::insert(conn, &key, &state, expires_at)
        })
        .await
        .map_err(SaveError::Other)?;
        Ok(session_key)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let key = session_key.as_ref().to_owned();
        let expires_at = expires_at(ttl);
        let updated = run(&self.db, move |conn| {
            sessions::update(conn, &key, &state, expires_at)
        })
        .await
        .map_err(UpdateError::Other)?;
        if updated {
            return Ok(session_key);
        }
        // The session ended while this request ran (expired, logged out, logged out
        // everywhere): start an empty one, so nothing of the ended session, least of all
        // who was signed in, comes back.
        self.save(HashMap::new(), ttl).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        let key = session_key.as_ref().to_owned();
        let expires_at = expires_at(ttl);
        run(&self.db, move |conn| {
            sessions::extend(conn, &key, expires_at)
        })
        .await
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        let key = session_key.as_ref().to_owned();
        run(&self.db, move |conn| sessions::delete(conn, &key)).await
    }
}
