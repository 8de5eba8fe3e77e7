//! Who is making the request: the session's user, checked against the database on every
//! request so disabling a user or ending their sessions takes effect at once.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::error::AppError;
use super::{csrf, AppState};
use crate::accounts::{self, sessions::USER_ID_KEY, AccountError, User};
use crate::db::{AnyConnection, DbError};

const SIGNED_IN_AT_KEY: &str = "signed_in_at";
const LAST_SEEN_KEY: &str = "last_seen";
const FLASH_KEY: &str = "flash";
/// How often activity is written back to extend the idle timeout.
const LAST_SEEN_RESOLUTION_SECS: i64 = 60;

/// Anyone: signed in or not. Carries what every page needs (the CSRF token, the user).
pub struct Visitor {
    pub user: Option<User>,
    pub csrf_token: String,
    pub flash: Option<Flash>,
    pub session: Session,
}

/// A signed-in, active user. Anyone else is sent to the log-in page.
pub struct SignedIn {
    pub user: User,
    pub csrf_token: String,
    pub flash: Option<Flash>,
    pub session: Session,
}

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state is not configured".into()))
}

/// The session's user id, unless the session outlived its maximum lifetime (then it ends).
fn session_user_id(session: &Session, state: &AppState) -> Result<Option<String>, AppError> {
    let Some(user_id) = session.get::<String>(USER_ID_KEY)? else {
        return Ok(None);
    };
    let now = chrono::Utc::now().timestamp();
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY)?.unwrap_or(0);
    let max_lifetime = state.config.session_max_lifetime.as_secs() as i64;
    if now - signed_in_at > max_lifetime {
        session.purge();
        return Ok(None);
    }
    Ok(Some(user_id))
}

/// The session's user as stored now, if it still exists and is active, with what `load`
/// reads on the same connection (so a request context costs one database trip). An unknown
/// or disabled user ends the session.
async fn user_with<T, F>(
    session: &Session,
    state: &AppState,
    load: F,
) -> Result<Option<(User, T)>, AppError>
where
    F: FnOnce(&mut AnyConnection, &User) -> T + Send + 'static,
    T: Send + 'static,
{
    let Some(user_id) = session_user_id(session, state)? else {
        return Ok(None);
    };
    let found = state
        .db
        .run(move |conn| match accounts::find_user(conn, &user_id) {
            Ok(user) if user.is_active() => {
                let loaded = load(conn, &user);
                Ok(Some((user, loaded)))
            }
            Ok(_) | Err(AccountError::Db(DbError::Query(diesel::result::Error::NotFound))) => {
                Ok(None)
            }
            Err(e) => Err(AppError::from(e)),
        })
        .await?;
    match found {
        None => session.purge(),
        Some(_) => seen(session)?,
    }
    Ok(found)
}

/// Records activity so the session's idle expiry moves forward (at most once a minute).
fn seen(session: &Session) -> Result<(), AppError> {
    let now = chrono::Utc::now().timestamp();
    let last_seen = session.get::<i64>(LAST_SEEN_KEY)?.unwrap_or(0);
    if now - last_seen >= LAST_SEEN_RESOLUTION_SECS {
        // Changing the state makes the store push the idle expiry forward.
        session.insert(LAST_SEEN_KEY, now)?;
    }
    Ok(())
}

/// The signed-in person and what `load` read for them, or `None` for the logged out.
pub(super) async fn signed_in_with<T, F>(
    req: &HttpRequest,
    load: F,
) -> Result<Option<(SignedIn, T)>, AppError>
where
    F: FnOnce(&mut AnyConnection, &User) -> T + Send + 'static,
    T: Send + 'static,
{
    let session = req.get_session();
    let state = app_state(req)?;
    let Some((user, loaded)) = user_with(&session, &state, load).await? else {
        return Ok(None);
    };
    Ok(visitor(Some(user), session)?
        .signed_in()
        .map(|signed_in| (signed_in, loaded)))
}

/// A visitor with the session's CSRF token and its one-time notice, taken now.
fn visitor(user: Option<User>, session: Session) -> Result<Visitor, AppError> {
    let csrf_token = csrf::token(&session)?;
    // `remove` marks the session changed even for an absent key, and a changed session is
    // written back with a new expiry: only take a flash that is there.
    let flash = session
        .contains_key(FLASH_KEY)
        .then(|| session.remove_as::<Flash>(FLASH_KEY))
        .flatten()
        .and_then(Result::ok);
    Ok(Visitor {
        user,
        csrf_token,
        flash,
        session,
    })
}

impl Visitor {
    fn signed_in(self) -> Option<SignedIn> {
        let user = self.user?;
        Some(SignedIn {
            user,
            csrf_token: self.csrf_token,
            flash: self.flash,
            session: self.session,
        })
    }
}

impl SignedIn {
    /// Who acts in this request, for the activity log.
    pub fn actor(&self, request_id: tracing_actix_web::RequestId) -> crate::activity::Actor {
        crate::activity::Actor {
            user_id: self.user.id.clone(),
            request_id: request_id.to_string(),
        }
    }
}

/// Where the log-in page sends the person back to.
pub(super) fn sign_in_required(req: &HttpRequest) -> AppError {
    let next = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    AppError::SignInRequired { next }
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let state = app_state(req);
        Box::pin(async move {
            let state = state?;
            let user = user_with(&session, &state, |_, _| ()).await?;
            visitor(user.map(|(user, ())| user), session)
        })
    }
}

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let refused = sign_in_required(req);
        Box::pin(async move { visitor.await?.signed_in().ok_or(refused) })
    }
}

/// The client's address. Behind a trusted load balancer it is the last `X-Forwarded-For`
/// entry: the one the balancer appended. Entries before it are whatever the client sent.
pub struct ClientIp(pub String);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let trust_proxy = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|state| state.config.trust_proxy);
        let forwarded = trust_proxy
            .then(|| req.headers().get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .map(str::trim)
            .filter(|ip| !ip.is_empty())
            .map(str::to_owned);
        let peer = || req.peer_addr().map(|addr| addr.ip().to_string());
        std::future::ready(Ok(ClientIp(
            forwarded.or_else(peer).unwrap_or_else(|| "unknown".into()),
        )))
    }
}

/// Starts an authenticated session under a new session id (no fixation) and a new CSRF token.
pub fn begin_session(session: &Session, user: &User) -> Result<(), AppError> {
    session.renew();
    let now = chrono::Utc::now().timestamp();
    session.insert(USER_ID_KEY, &user.id)?;
    session.insert(SIGNED_IN_AT_KEY, now)?;
    session.insert(LAST_SEEN_KEY, now)?;
    csrf::rotate(session)?;
    Ok(())
}

/// A short message shown once on the next page, with the change's undo when it has one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub message: String,
    /// Where "Undo" posts (the trash's restore of what was just deleted).
    #[serde(default)]
    pub undo: Option<String>,
}

pub fn flash(session: &Session, message: &str) -> Result<(), AppError> {
    flash_undoable(session, message, None)
}

pub fn flash_undoable(
    session: &Session,
    message: &str,
    undo: Option<String>,
) -> Result<(), AppError> {
    let flash = Flash {
        message: message.to_owned(),
        undo,
    };
    session.insert(FLASH_KEY, flash)?;
    Ok(())
}

/// A post-log-in destination must stay on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines and read `\` as `/`, so any of them could turn
        // "/…" into "//host"; a local path never needs them.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("https:evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
