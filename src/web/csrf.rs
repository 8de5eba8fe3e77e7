//! CSRF protection for every state-changing request, enforced in one middleware.
//!
//! Each session carries a random token. Forms send it in the hidden field `csrf_token`;
//! htmx sends it in the `X-CSRF-Token` header (set once with `hx-headers` on `<body>`).

use actix_session::{Session, SessionExt};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::error::AppError;

const SESSION_KEY: &str = "csrf_token";
pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    match session.get::<String>(SESSION_KEY)? {
        Some(token) => Ok(token),
        None => rotate(session),
    }
}

/// A fresh token, e.g. at log-in, so a token seen before authentication is worthless after.
pub fn rotate(session: &Session) -> Result<String, AppError> {
    let token = new_token();
    session.insert(SESSION_KEY, &token)?;
    Ok(token)
}

fn matches(expected: &str, presented: &str) -> bool {
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

fn form_field(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(name, _)| name == FORM_FIELD)
        .map(|(_, value)| value.into_owned())
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // The JSON API authenticates with a bearer token that a browser never attaches on its
    // own (it ignores cookies), so a forged cross-site request carries no credentials and
    // CSRF does not apply there.
    if req.method().is_safe() || req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    // A one-time check-in link works without a session, so there is no session token to
    // compare; the link's token in the path is the credential, which a forging page cannot
    // know. It opens nothing but that one form.
    if is_one_time_check_in(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expected = req.get_session().get::<String>(SESSION_KEY).ok().flatten();
    let presented = match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(token) => Some(token.to_owned()),
        None if is_urlencoded_form(&req) => {
            // Read the form to find the field, then hand the same bytes on to the handler.
            let body: Bytes = req.extract::<Bytes>().await?;
            let token = form_field(&body);
            req.set_payload(Payload::from(body));
            token
        }
        None => None,
    };
    match (expected, presented) {
        (Some(expected), Some(token)) if matches(&expected, &token) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        // A response, not an error, so the outer middleware still adds security headers
        // and the request id.
        _ => Ok(req
            .into_response(HttpResponse::from_error(AppError::CsrfRejected))
            .map_into_right_body()),
    }
}

/// `/check-in/{token}`, the one-time check-in form of a reminder.
fn is_one_time_check_in(path: &str) -> bool {
    path.strip_prefix("/check-in/")
        .is_some_and(|token| !token.is_empty() && !token.contains('/'))
}

fn is_urlencoded_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_compared_exactly() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(matches(&a, &a.clone()));
        assert!(!matches(&a, &b));
        assert!(!matches(&a, &a[..42]));
    }

    #[test]
    fn only_the_one_time_check_in_form_goes_without_a_session_token() {
        assert!(is_one_time_check_in("/check-in/abc_DEF-123"));
        assert!(!is_one_time_check_in("/check-in/"));
        assert!(!is_one_time_check_in("/check-in/abc/more"));
        assert!(!is_one_time_check_in("/orgs/acme/check-in/abc"));
    }

    #[test]
    fn finds_the_field_in_a_form_body() {
        assert_eq!(
            form_field(b"email=a%40b.c&csrf_token=xyz"),
            Some("xyz".into())
        );
        assert_eq!(form_field(b"email=a%40b.c"), None);
    }
}
