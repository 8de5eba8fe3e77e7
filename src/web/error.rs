//! The web layer's one error type, and the one place it becomes a response.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::accounts::AccountError;
use crate::db::DbError;
use crate::invites::InviteError;
use crate::okr::OkrError;
use crate::orgs::OrgError;
use crate::tokens::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("This page does not exist, or you do not have access to it.")]
    NotFound,
    #[error("This form has expired or did not come from Cairn. Reload the page and try again.")]
    CsrfRejected,
    #[error("{0}")]
    BadRequest(String),
    /// Allowed to see, not allowed to do: the page says why.
    #[error("{0}")]
    Forbidden(String),
    /// A well-formed request the rules refuse.
    #[error("{0}")]
    Unprocessable(String),
    #[error("Log in to continue.")]
    SignInRequired { next: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Query(diesel::result::Error::NotFound) => Self::NotFound,
            DbError::Query(e) if crate::db::is_nul_in_text(&e) => {
                Self::BadRequest(crate::db::NUL_IN_TEXT.into())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e).into()
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Db(e) => e.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<OrgError> for AppError {
    fn from(e: OrgError) -> Self {
        match e {
            OrgError::NotFound => Self::NotFound,
            OrgError::Db(e) => e.into(),
            e @ (OrgError::NotAdmin(_)
            | OrgError::NotOwner
            | OrgError::NotWorkspaceAdmin(_)
            | OrgError::Archived(_)) => Self::Forbidden(e.to_string()),
            other => Self::Unprocessable(other.to_string()),
        }
    }
}

impl From<OkrError> for AppError {
    fn from(e: OkrError) -> Self {
        match e {
            OkrError::NotFound => Self::NotFound,
            OkrError::Org(e) => e.into(),
            OkrError::Db(e) => e.into(),
            e @ OkrError::NotYours => Self::Forbidden(e.to_string()),
            OkrError::Refused(message) => Self::Unprocessable(message),
        }
    }
}

impl From<InviteError> for AppError {
    fn from(e: InviteError) -> Self {
        match e {
            InviteError::Org(e) => e.into(),
            InviteError::Db(e) => e.into(),
            InviteError::Account(e) => e.into(),
            InviteError::Template(e) => e.into(),
            InviteError::NotFound => Self::NotFound,
            other => Self::Unprocessable(other.to_string()),
        }
    }
}

impl From<TokenError> for AppError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::NotFound | TokenError::Unauthorized => Self::NotFound,
            TokenError::Db(e) => e.into(),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        Self::Internal(format!("session: {e}"))
    }
}

impl From<actix_session::SessionGetError> for AppError {
    fn from(e: actix_session::SessionGetError) -> Self {
        Self::Internal(format!("session: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::SignInRequired { .. } => StatusCode::SEE_OTHER,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Self::SignInRequired { next } = self {
            let location = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        if let Self::Internal(detail) = self {
            // The detail goes to the log (with the request id of the span), never to the page.
            tracing::error!(error = %detail, "request failed");
        }
        let title = match self {
            Self::NotFound => "Not found",
            Self::CsrfRejected => "Form expired",
            Self::BadRequest(_) => "Bad request",
            Self::Forbidden(_) => "Not allowed",
            Self::Unprocessable(_) => "Not possible",
            Self::Internal(_) => "Something went wrong",
            Self::SignInRequired { .. } => "Log in",
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message: self.public_message(),
        };
        match page.render() {
            Ok(body) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(body),
            Err(_) => HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(title.to_owned()),
        }
    }
}

impl AppError {
    /// What the person is told; internal details stay in the log.
    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => {
                "Cairn hit an unexpected error. It has been logged; please try again.".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The stable code scripts read (the JSON API uses the same words).
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::CsrfRejected => "csrf_rejected",
            Self::BadRequest(_) => "bad_request",
            Self::Forbidden(_) => "forbidden",
            Self::Unprocessable(_) => "validation_failed",
            Self::SignInRequired { .. } => "unauthorized",
            Self::Internal(_) => "internal_error",
        }
    }

    /// Refusals about this request's content rather than about who asks: 422.
    pub fn unprocessable(self) -> Self {
        match self {
            Self::Forbidden(message) => Self::Unprocessable(message),
            other => other,
        }
    }
}

/// Malformed or oversized form posts get our error page with a reason, not a bare 400.
pub fn form_rejected(
    error: actix_web::error::UrlencodedError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let message = match error {
        actix_web::error::UrlencodedError::Overflow { .. } => {
            "The form is too large to accept.".to_owned()
        }
        actix_web::error::UrlencodedError::ContentType => {
            "The form was not sent as a web form.".to_owned()
        }
        other => format!("The form could not be read: {other}"),
    };
    AppError::BadRequest(message).into()
}

/// Unknown URLs get the same 404 page as hidden ones.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Our scripts ask with `Accept: application/json`; a refusal then comes back as
/// `{"error": {"code", "message"}}` with the page's status (a sign-in redirect becomes a
/// 401), so the script can show the reason. Everyone else gets the error page.
pub async fn json_for_scripts(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let response = next.call(req).await?;
    let refusal = wants_json
        .then(|| response.response().error())
        .flatten()
        .and_then(|e| e.as_error::<AppError>())
        .map(|e| {
            let status = match e {
                AppError::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
                other => other.status_code(),
            };
            let body = serde_json::json!({
                "error": { "code": e.code(), "message": e.public_message() }
            });
            (status, body)
        });
    Ok(match refusal {
        Some((status, body)) => response
            .into_response(HttpResponse::build(status).json(body))
            .map_into_right_body(),
        None => response.map_into_left_body(),
    })
}
