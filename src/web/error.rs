//! The web layer's one error type, and the one place it becomes a response.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::error::{DomainError, ErrorKind};

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
    /// Clashes with the state of things, such as a write into a closed cycle: 409.
    #[error("{0}")]
    Conflict(String),
    #[error("Log in to continue.")]
    SignInRequired { next: String },
    /// Ours, not the person's: the source is logged once (with the request id), never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<ErrorKind> for AppError {
    /// The one place a domain error's kind becomes a page's answer.
    fn from(kind: ErrorKind) -> Self {
        match kind {
            // A page never asks for a token; a token that names nothing is not there.
            ErrorKind::NotFound | ErrorKind::Unauthenticated => Self::NotFound,
            ErrorKind::Forbidden(message) => Self::Forbidden(message),
            ErrorKind::Conflict(message) => Self::Conflict(message),
            ErrorKind::Invalid { message, .. } => Self::Unprocessable(message),
            ErrorKind::BadRequest(message) => Self::BadRequest(message),
            ErrorKind::Internal(source) => Self::Internal(source),
        }
    }
}

impl<E: DomainError> From<E> for AppError {
    fn from(e: E) -> Self {
        e.kind().into()
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(e: actix_session::SessionInsertError) -> Self {
        Self::Internal(format!("session: {e}").into())
    }
}

impl From<actix_session::SessionGetError> for AppError {
    fn from(e: actix_session::SessionGetError) -> Self {
        Self::Internal(format!("session: {e}").into())
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
            Self::Conflict(_) => StatusCode::CONFLICT,
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
        if let Self::Internal(source) = self {
            // The cause goes to the log (with the request id of the span), never to the page.
            tracing::error!(error = %crate::error::chain(source.as_ref()), "request failed");
        }
        let title = match self {
            Self::NotFound => "Not found",
            Self::CsrfRejected => "Form expired",
            Self::BadRequest(_) => "Bad request",
            Self::Forbidden(_) => "Not allowed",
            Self::Unprocessable(_) | Self::Conflict(_) => "Not possible",
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
            Self::Conflict(_) => "conflict",
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
/// 401), so the script can show the reason. Everyone else gets the error page, and the
/// sign-in redirect as a plain redirect: being sent to log in is no failure to log.
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
    let replacement = response
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .and_then(|e| match e {
            _ if wants_json => {
                let status = match e {
                    AppError::SignInRequired { .. } => StatusCode::UNAUTHORIZED,
                    other => other.status_code(),
                };
                let body = serde_json::json!({
                    "error": { "code": e.code(), "message": e.public_message() }
                });
                Some(HttpResponse::build(status).json(body))
            }
            AppError::SignInRequired { .. } => Some(e.error_response()),
            _ => None,
        });
    Ok(match replacement {
        Some(answer) => response.into_response(answer).map_into_right_body(),
        None => response.map_into_left_body(),
    })
}
