//! Personal access tokens for the JSON API. The token (`cairn_pat_` + 256 random bits) is
//! shown once when it is created; the database keeps only its SHA-256, so a leaked database
//! holds no usable token.

mod rate;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::accounts::User;
use crate::db::{self, AnyConnection, DbError};
use crate::schema::{pat, users};
use crate::text_enum;

pub use rate::RateLimiter;

const PREFIX: &str = "cairn_pat_";
/// The longest a token may live.
pub const MAX_DAYS: u32 = 365;
/// `last_used_at` is written at most this often per token, so using a token is not a write
/// on every request.
const LAST_USED_RESOLUTION_SECS: i64 = 60;

text_enum! {
    /// What a token allows: `read` every GET, `write` changes to OKR data, `admin` managing
    /// organizations, workspaces, members and invites (with the user's own role as well).
    /// They nest like GitHub's and GitLab's: `write` also reads, `admin` also reads and writes.
    pub enum Scope {
        Read => "read",
        Write => "write",
        Admin => "admin",
    }
}

impl Scope {
    /// Whether holding `self` permits what `needed` guards.
    pub fn grants(self, needed: Scope) -> bool {
        match self {
            Scope::Admin => true,
            Scope::Write => needed != Scope::Admin,
            Scope::Read => needed == Scope::Read,
        }
    }
}

/// A non-empty set of scopes, stored as `read,write` in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses names such as `["read", "write"]`; unknown names and an empty set are refused.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut scopes = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            let scope = Scope::parse(name)
                .ok_or_else(|| format!("Unknown scope {name:?}; use read, write or admin."))?;
            scopes.push(scope);
        }
        let scopes: Vec<Scope> = Scope::ALL
            .iter()
            .copied()
            .filter(|s| scopes.contains(s))
            .collect();
        if scopes.is_empty() {
            return Err("Choose at least one scope.".into());
        }
        Ok(Self(scopes))
    }

    fn from_stored(raw: &str) -> Self {
        Self(raw.split(',').filter_map(Scope::parse).collect())
    }

    pub fn allows(&self, needed: Scope) -> bool {
        self.0.iter().any(|held| held.grants(needed))
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What a token is for, in the owner's words: 1–100 characters.
#[derive(Debug, Clone)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Say what the token is for.".into());
        }
        if text.chars().count() > 100 {
            return Err("Keep the description under 100 characters.".into());
        }
        if text.chars().any(char::is_control) {
            return Err("Remove control characters from the description.".into());
        }
        Ok(Self(text.to_owned()))
    }
}

/// How many days a token lives: 1 to 365.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime(u32);

impl Lifetime {
    pub fn days(days: i64) -> Result<Self, String> {
        match u32::try_from(days) {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(Self(days)),
            _ => Err(format!("Choose from 1 to {MAX_DAYS} days.")),
        }
    }
}

/// A validated request for a token.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub description: Description,
    pub scopes: Scopes,
    pub lifetime: Lifetime,
}

/// The token itself, shown once. Not `Debug`, never logged.
pub struct Secret(String);

impl Secret {
    fn generate() -> Self {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn digest(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Unknown, expired or revoked, or its user is disabled: all the same to the caller.
    #[error("The token is missing, unknown, expired or revoked.")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for TokenError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pat)]
struct PatRow {
    id: String,
    scopes: String,
    description: String,
    expires_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A token as its owner's list shows it (never the secret).
#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub description: String,
    pub scopes: Scopes,
    pub expires_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Token {
    pub fn is_usable(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

impl From<PatRow> for Token {
    fn from(row: PatRow) -> Self {
        Self {
            scopes: Scopes::from_stored(&row.scopes),
            id: row.id,
            description: row.description,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}

/// Creates a token for the user; the secret is returned once and never stored.
pub fn create(
    conn: &mut AnyConnection,
    user_id: &str,
    new: &NewToken,
) -> Result<(Secret, Token), TokenError> {
    let secret = Secret::generate();
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(pat::table)
        .values((
            pat::id.eq(&id),
            pat::user_id.eq(user_id),
            pat::pat_hash.eq(digest(secret.expose())),
            pat::scopes.eq(new.scopes.joined()),
            pat::description.eq(&new.description.0),
            pat::expires_at.eq(now + chrono::Duration::days(i64::from(new.lifetime.0))),
            pat::created_at.eq(now),
            pat::updated_at.eq(now),
        ))
        .execute(conn)?;
    let row: PatRow = pat::table
        .find(&id)
        .select(PatRow::as_select())
        .first(conn)?;
    Ok((secret, row.into()))
}

/// The user's tokens, newest first.
pub fn list(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Token>, TokenError> {
    let rows: Vec<PatRow> = pat::table
        .filter(pat::user_id.eq(user_id))
        .order((pat::created_at.desc(), pat::id.desc()))
        .select(PatRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Token::from).collect())
}

/// Revokes one of the user's own tokens; someone else's does not exist for them. Revoking
/// it again changes nothing: `revoked_at` keeps the first revocation.
pub fn revoke(conn: &mut AnyConnection, user_id: &str, token_id: &str) -> Result<(), TokenError> {
    let now = db::now();
    let mine = pat::table
        .filter(pat::id.eq(token_id))
        .filter(pat::user_id.eq(user_id));
    let changed = diesel::update(mine.filter(pat::revoked_at.is_null()))
        .set((pat::revoked_at.eq(Some(now)), pat::updated_at.eq(now)))
        .execute(conn)?;
    if changed == 0 && mine.count().get_result::<i64>(conn)? == 0 {
        return Err(TokenError::NotFound);
    }
    Ok(())
}

/// Who a bearer token speaks for.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token_id: String,
    pub scopes: Scopes,
    pub user: User,
}

/// Finds the live token behind a presented secret. A hash lookup leaks nothing through
/// timing, so no constant-time comparison is needed.
pub fn authenticate(conn: &mut AnyConnection, presented: &str) -> Result<Bearer, TokenError> {
    if !presented.starts_with(PREFIX) || presented.len() > 200 {
        return Err(TokenError::Unauthorized);
    }
    let now = db::now();
    let found: Option<(PatRow, User)> = pat::table
        .inner_join(users::table)
        .filter(pat::pat_hash.eq(digest(presented)))
        .select((PatRow::as_select(), User::as_select()))
        .first(conn)
        .optional()?;
    let Some((row, user)) = found else {
        return Err(TokenError::Unauthorized);
    };
    let token = Token::from(row);
    if !token.is_usable(now) || !user.is_active() {
        return Err(TokenError::Unauthorized);
    }
    let stale = token
        .last_used_at
        .is_none_or(|at| (now - at).num_seconds() >= LAST_USED_RESOLUTION_SECS);
    if stale {
        // Bookkeeping only: a busy database must not fail the request it describes.
        if let Err(error) = diesel::update(pat::table.find(&token.id))
            .set(pat::last_used_at.eq(Some(now)))
            .execute(conn)
        {
            tracing::warn!(%error, token_id = %token.id, "could not record the token's last use");
        }
    }
    Ok(Bearer {
        token_id: token.id,
        scopes: token.scopes,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_the_prefix_and_256_random_bits() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert!(a.expose().starts_with(PREFIX));
        assert_eq!(a.expose().len(), PREFIX.len() + 43);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(digest(a.expose()).len(), 64);
    }

    #[test]
    fn scopes_parse_into_a_fixed_order() {
        let scopes = Scopes::parse(&["write", "read", "write"]).expect("valid");
        assert_eq!(scopes.joined(), "read,write");
        assert!(Scopes::parse::<&str>(&[]).is_err());
        assert!(Scopes::parse(&["root"]).is_err());
        assert_eq!(Scopes::from_stored("read,admin").joined(), "read,admin");
    }

    #[test]
    fn scopes_nest_write_reads_and_admin_reads_and_writes() {
        let only = |name: &str| Scopes::parse(&[name]).expect("valid");
        assert!(only("read").allows(Scope::Read));
        assert!(!only("read").allows(Scope::Write));
        assert!(!only("read").allows(Scope::Admin));
        assert!(only("write").allows(Scope::Read));
        assert!(only("write").allows(Scope::Write));
        assert!(!only("write").allows(Scope::Admin));
        assert!(Scope::ALL.iter().all(|&s| only("admin").allows(s)));
    }

    #[test]
    fn lifetimes_stay_within_a_year() {
        assert!(Lifetime::days(0).is_err());
        assert!(Lifetime::days(366).is_err());
        assert!(Lifetime::days(-1).is_err());
        assert!(Lifetime::days(365).is_ok());
    }
}
