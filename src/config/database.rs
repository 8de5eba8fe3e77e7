//! The database section: `DATABASE_URL` (a SQLite file by default, its folder created) and
//! the pool size.

use std::path::Path;

use super::{invalid, ConfigError, Vars};
use crate::db::{DatabaseUrl, InvalidDatabaseUrl};

impl From<InvalidDatabaseUrl> for ConfigError {
    fn from(e: InvalidDatabaseUrl) -> Self {
        invalid("DATABASE_URL", e.to_string())
    }
}

pub(super) fn url(vars: &Vars<'_>, data_dir: &Path) -> Result<DatabaseUrl, ConfigError> {
    let database_url = match vars.get("DATABASE_URL") {
        Some(raw) => DatabaseUrl::parse(&raw)?,
        None => DatabaseUrl::Sqlite(data_dir.join("cairn.db")),
    };
    if let DatabaseUrl::Sqlite(path) = &database_url {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| ConfigError::Io {
                var: "DATABASE_URL",
                path: parent.to_owned(),
                source,
            })?;
        }
    }
    Ok(database_url)
}

pub(super) fn pool_size(vars: &Vars<'_>) -> Result<u32, ConfigError> {
    Ok(vars.number("DATABASE_POOL_SIZE", 10, 1, 200)? as u32)
}
