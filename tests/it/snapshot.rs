//! Every stored row, as text, on either backend: taken before a request that must change
//! nothing and compared after it. Tables that record the request itself (sessions, log-in
//! attempts, API budgets) and a token's best-effort last use are left out: they may move on any request.

use std::collections::BTreeMap;

use cairn::db::AnyConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::harness::TestApp;

/// Tables that change as a side effect of being asked anything.
const IGNORED_TABLES: &[&str] = &[
    "sessions",
    "login_attempts",
    "api_rate_windows",
    "__diesel_schema_migrations",
];
/// Columns that do the same (table, column).
const IGNORED_COLUMNS: &[(&str, &str)] = &[("pat", "last_used_at")];

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// All rows of all tables, each row one line of text, sorted.
#[derive(PartialEq, Eq)]
pub struct Snapshot(BTreeMap<String, Vec<String>>);

fn names(conn: &mut AnyConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|n| n.name)
        .collect()
}

impl Snapshot {
    pub fn take(app: &TestApp) -> Self {
        Self::of(&mut app.db(), app.database.is_postgres())
    }

    /// The same for any database (a backup, for instance).
    pub fn of(conn: &mut AnyConnection, postgres: bool) -> Self {
        let tables = if postgres {
            names(
                conn,
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
        } else {
            names(
                conn,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
        };
        let mut rows = BTreeMap::new();
        for table in tables {
            if IGNORED_TABLES.contains(&table.as_str()) {
                continue;
            }
            let columns = if postgres {
                names(
                    conn,
                    &format!(
                        "SELECT column_name AS name FROM information_schema.columns \
                         WHERE table_schema = 'public' AND table_name = '{table}' \
                         ORDER BY ordinal_position"
                    ),
                )
            } else {
                names(
                    conn,
                    &format!("SELECT name FROM pragma_table_info('{table}')"),
                )
            };
            let cells: Vec<String> = columns
                .iter()
                .filter(|c| !IGNORED_COLUMNS.contains(&(table.as_str(), c.as_str())))
                .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '<null>')"))
                .collect();
            let sql = format!(
                "SELECT {} AS row FROM \"{table}\"",
                cells.join(" || '|' || ")
            );
            let mut lines: Vec<String> = diesel::sql_query(&sql)
                .load::<Row>(conn)
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .into_iter()
                .map(|r| r.row)
                .collect();
            lines.sort();
            rows.insert(table, lines);
        }
        Self(rows)
    }

    /// Panics, naming the tables and rows that differ, unless the database is as it was.
    #[track_caller]
    pub fn assert_unchanged(&self, app: &TestApp, what: &str) {
        let now = Self::take(app);
        if now == *self {
            return;
        }
        let mut report = String::new();
        for (table, before) in &self.0 {
            let after = now.0.get(table).cloned().unwrap_or_default();
            if *before != after {
                let gone: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
                let new: Vec<_> = after.iter().filter(|r| !before.contains(r)).collect();
                report.push_str(&format!(
                    "\n  {table}: before {gone:?}\n  {table}: after  {new:?}"
                ));
            }
        }
        panic!("{what} changed the database:{report}");
    }

    /// The number of rows in one table.
    pub fn rows(&self, table: &str) -> usize {
        self.0.get(table).map_or(0, Vec::len)
    }
}
