//! The JSON API's errors: `{"error": {"code", "message", "fields"?}}` with stable codes, and
//! the one place domain errors become them: each error's kind (`crate::error`), mapped once.
//! Internal errors keep their source, which is logged once (with the request span's id) and
//! never sent.

use std::collections::BTreeMap;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{DomainError, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Send a valid access token: Authorization: Bearer cairn_pat_…")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found, or not visible to this token's user.")]
    NotFound,
    #[error("{message}")]
    Validation {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("Too many requests with this token; retry after {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    #[error("The request body is larger than the API accepts (64 KiB).")]
    PayloadTooLarge,
    #[error("{0}")]
    BadRequest(String),
    #[error("Send the body as application/json.")]
    UnsupportedMediaType,
    #[error("This method is not allowed here; this path answers {allow}.")]
    MethodNotAllowed { allow: String },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: unauthorized, forbidden, not_found, validation_failed, conflict,
    /// rate_limited, payload_too_large, bad_request, unsupported_media_type,
    /// method_not_allowed, internal.
    pub code: String,
    pub message: String,
    /// Per-field messages (validation_failed only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ApiError {
    /// A failure that is ours, not the caller's; `source` is kept for the log.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(source.into())
    }

    /// One field's problem.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            message: message.clone(),
            fields: BTreeMap::from([(field.to_owned(), message)]),
        }
    }

    /// Several fields' problems; `Ok` when there are none.
    pub fn fields(fields: BTreeMap<String, String>) -> Result<(), Self> {
        if fields.is_empty() {
            return Ok(());
        }
        Err(Self::of_fields(fields))
    }

    /// The problems of these fields.
    pub fn of_fields(fields: BTreeMap<String, String>) -> Self {
        Self::Validation {
            message: "Some fields are not valid.".into(),
            fields,
        }
    }

    /// A domain type's problems, each by its field.
    pub fn of_problems(problems: Vec<(&'static str, String)>) -> Self {
        Self::of_fields(
            problems
                .into_iter()
                .map(|(field, message)| (field.to_owned(), message))
                .collect(),
        )
    }

    pub(super) fn refused(message: String) -> Self {
        Self::Validation {
            message,
            fields: BTreeMap::new(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::Validation { .. } => "validation_failed",
            Self::Conflict(_) => "conflict",
            Self::RateLimited { .. } => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::BadRequest(_) => "bad_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Internal(_) => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            Self::Internal(source) => {
                // The chain goes to the log, under the request's span and so with its id;
                // the caller hears only that it happened.
                tracing::error!(error = %crate::error::chain(source.as_ref()), "API request failed");
                "Cairn hit an unexpected error. It has been logged; please try again.".to_owned()
            }
            other => other.to_string(),
        };
        let fields = match self {
            Self::Validation { fields, .. } if !fields.is_empty() => Some(fields.clone()),
            _ => None,
        };
        let mut response = HttpResponse::build(self.status_code());
        if let Self::RateLimited { retry_after } = self {
            response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        if let Self::MethodNotAllowed { allow } = self {
            response.insert_header((header::ALLOW, allow.as_str()));
        }
        if let Self::Unauthorized = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message,
                fields,
            },
        })
    }
}

impl From<ErrorKind> for ApiError {
    /// The one place a domain error's kind becomes an API answer.
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::NotFound => Self::NotFound,
            ErrorKind::Unauthenticated => Self::Unauthorized,
            ErrorKind::Forbidden(message) => Self::Forbidden(message),
            ErrorKind::Conflict(message) => Self::Conflict(message),
            ErrorKind::Invalid {
                field: Some(field),
                message,
            } => Self::field(field, message),
            ErrorKind::Invalid {
                field: None,
                message,
            } => Self::refused(message),
            ErrorKind::BadRequest(message) => Self::BadRequest(message),
            ErrorKind::Internal(source) => Self::Internal(source),
        }
    }
}

impl<E: DomainError> From<E> for ApiError {
    fn from(e: E) -> Self {
        e.kind().into()
    }
}

/// Bodies that are not JSON or too large: 415, 413 or 400 (`body::Body` reads the shape).
pub fn json_rejected(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match error {
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("The body is not valid JSON: {e}"))
        }
        other => ApiError::BadRequest(format!("The body could not be read: {other}")),
    };
    api.into()
}

/// A query string of the wrong shape (a repeated filter, say) is refused like a bad field.
pub fn query_rejected(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::refused(format!("The query string could not be read: {error}")).into()
}

/// A path whose ids are not ids names nothing.
pub fn path_rejected(_error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// Unknown paths under /api/v1.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Known paths with another method; `allow` names the methods the path has.
pub async fn method_not_allowed(allow: String) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed { allow })
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use crate::db::DbError;
    use crate::invites::InviteError;

    #[derive(Debug, thiserror::Error)]
    #[error("the invite email could not be sent")]
    struct Outer(#[source] DbError);

    #[test]
    fn an_internal_error_keeps_every_source_for_the_log() {
        let ApiError::Internal(source) = ApiError::internal(Outer(DbError::Cancelled)) else {
            panic!("internal");
        };
        assert_eq!(
            crate::error::chain(source.as_ref()),
            "the invite email could not be sent: caused by the database task was cancelled"
        );
        // Transparent wrappers add nothing to the chain.
        let ApiError::Internal(source) =
            ApiError::from(InviteError::Db(DbError::Migration("no table".into())))
        else {
            panic!("internal");
        };
        assert_eq!(
            crate::error::chain(source.as_ref()),
            "migrations failed: no table"
        );
    }
}
