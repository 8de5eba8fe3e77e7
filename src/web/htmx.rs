//! htmx requests: they get fragments where a plain request gets a page.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::error::AppError;

/// Whether htmx sent the request (it sets `HX-Request: true`).
pub struct Htmx(pub bool);

impl FromRequest for Htmx {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let htmx = req
            .headers()
            .get("hx-request")
            .is_some_and(|v| v.as_bytes() == b"true");
        std::future::ready(Ok(Htmx(htmx)))
    }
}
