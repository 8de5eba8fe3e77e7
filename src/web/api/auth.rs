//! Who calls the API: the bearer token's user, never a session cookie, found once in a
//! middleware before any handler runs. Each token also has a request budget (a token bucket
//! refilled continuously).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, ResponseError};
use tracing_actix_web::RequestId;

use super::caller::Authenticated;
use super::error::ApiError;
use crate::tokens;
use crate::web::AppState;

/// Requests per minute per token, refilled continuously; bursts up to a minute's worth.
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: f64::from(per_minute),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the token's bucket, or says how many seconds until one is there.
    fn take(&self, token_id: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Buckets that have refilled completely carry no information; drop them so the map
        // stays as small as the set of tokens in use.
        if buckets.len() > 10_000 {
            let full = 60.0;
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (level, at) = buckets
            .entry(token_id.to_owned())
            .or_insert((self.per_minute, now));
        let refill = now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0;
        *level = (*level + refill).min(self.per_minute);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *level) * 60.0 / self.per_minute;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

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
    let bearer = state
        .db
        .run(move |conn| tokens::authenticate(conn, &presented))
        .await
        .map_err(ApiError::from)?;
    state
        .api_rate
        .take(&bearer.token_id)
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    Ok(Authenticated { bearer, request_id })
}

#[cfg(test)]
mod tests {
    use super::RateLimiter;

    #[test]
    fn a_bucket_allows_a_minute_of_requests_then_says_when_to_retry() {
        let limiter = RateLimiter::new(3);
        assert!(limiter.take("a").is_ok());
        assert!(limiter.take("a").is_ok());
        assert!(limiter.take("a").is_ok());
        let wait = limiter.take("a").expect_err("the fourth waits");
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.take("b").is_ok(), "each token has its own bucket");
    }
}
