//! Where the data lives. The type belongs to the database layer, which opens connections
//! from it; `config` only reads it from `DATABASE_URL` (so `db` never imports `config`).

use std::path::PathBuf;

use url::Url;

/// Where the data lives; the backend is chosen from the URL's scheme at run time.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

/// Why a `DATABASE_URL` value was refused; `config` names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidDatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, InvalidDatabaseUrl> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Url::parse(raw).map_err(|e| InvalidDatabaseUrl(format!("not a valid URL: {e}")))?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() || path.contains("://") {
            return Err(InvalidDatabaseUrl(
                "expected postgres://… or a SQLite path such as sqlite://./data/cairn.db".into(),
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// Credentials in a PostgreSQL URL must never reach a log line.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(raw) => match Url::parse(raw) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("***"));
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://<invalid>"),
            },
        }
    }
}
