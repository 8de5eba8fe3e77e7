//! Who calls the API: the bearer token's user, never a session cookie, found once in a
//! middleware before any handler runs. Each token also has a request budget per minute
//! (`tokens::RateLimiter`), spent in the same database round trip.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, ResponseError};
use tracing_actix_web::RequestId;

use super::caller::Authenticated;
use super::error::ApiError;
use crate::db::DbError;
use crate::tokens;
use crate::web::AppState;

fn presented_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Authenticates and meters every call under /api/v1 before any extractor reads its body, so
/// a caller without a valid token hears 401 whatever else is wrong with the request. A path
/// the API does not have answers 404 without a token and without spending the budget: it
/// names nothing, so there is nothing to protect.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.match_pattern().is_none() {
        return next.call(req).await;
    }
    match authenticated(&req).await {
        Ok(found) => {
            req.extensions_mut().insert(found);
            next.call(req).await
        }
        // The answer is built here, inside the request's span, so an internal error is logged
        // with the request id; it still leaves as an error, as every refusal here always has.
        Err(refused) => {
            let answer = refused.error_response();
            Err(InternalError::from_response(refused, answer).into())
        }
    }
}

async fn authenticated(req: &ServiceRequest) -> Result<Authenticated, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state is missing"))?;
    let presented = presented_token(req.request()).ok_or(ApiError::Unauthorized)?;
    let (limiter, now) = (state.api_rate.clone(), state.config.clock.now());
    let bearer = state
        .db
        .run(move |conn| {
            let bearer = tokens::authenticate(conn, &presented).map_err(ApiError::from)?;
            limiter
                .take(conn, &bearer.token_id, now)
                .map_err(|e| ApiError::from(DbError::Query(e)))?
                .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
            Ok::<_, ApiError>(bearer)
        })
        .await?;
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    Ok(Authenticated { bearer, request_id })
}
