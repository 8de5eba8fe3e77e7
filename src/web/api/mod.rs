//! The JSON API v1 under `/api/v1`: bearer tokens, JSON in and out, the same domain functions
//! as the pages, and an OpenAPI document generated from these handlers.

mod auth;
mod caller;
mod check_in_models;
mod check_ins;
mod comment_models;
mod comments;
mod cycle_models;
mod cycles;
mod error;
mod item_models;
mod items;
mod link_models;
mod links;
mod measure_models;
mod models;
mod names;
mod notifications;
mod orgs;
mod paths;

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

pub use auth::RateLimiter;
use error::ErrorBody;

/// The most a request body may carry.
const BODY_LIMIT: usize = 64 * 1024;

/// What any authenticated call can answer besides success.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes answers for the document; the values are built by ApiError.
pub enum ReadErrors {
    /// No token, or an unknown, expired or revoked one.
    #[response(status = 401, headers(("WWW-Authenticate" = String)))]
    Unauthorized(ErrorBody),
    /// The token lacks the scope, or the user's role does not allow it.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Missing, or hidden from this user.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The rules refuse it; `fields` says which field is wrong.
    #[response(status = 422)]
    ValidationFailed(ErrorBody),
    /// Over this token's rate.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
}

/// What a change without a body (a delete, a restore, a cycle's state) can answer besides
/// success.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes answers for the document; the values are built by ApiError.
pub enum ChangeErrors {
    /// No token, or an unknown, expired or revoked one.
    #[response(status = 401, headers(("WWW-Authenticate" = String)))]
    Unauthorized(ErrorBody),
    /// The token lacks the scope, or the user's role does not allow it.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Missing, or hidden from this user.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Clashes with what exists (a closed cycle, a cycle's state).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The rules refuse it; `fields` says which field is wrong.
    #[response(status = 422)]
    ValidationFailed(ErrorBody),
    /// Over this token's rate.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
}

/// What a call with a JSON body can answer besides success.
#[derive(IntoResponses)]
#[allow(dead_code)] // Describes answers for the document; the values are built by ApiError.
pub enum WriteErrors {
    /// Malformed JSON.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No token, or an unknown, expired or revoked one.
    #[response(status = 401, headers(("WWW-Authenticate" = String)))]
    Unauthorized(ErrorBody),
    /// The token lacks the scope, or the user's role does not allow it.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Missing, or hidden from this user.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Clashes with what exists (a taken slug or cycle name, an existing member, a used
    /// invite, a closed cycle).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is over 64 KiB.
    #[response(status = 413)]
    PayloadTooLarge(ErrorBody),
    /// The body is not application/json.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// The rules refuse it; `fields` says which field is wrong.
    #[response(status = 422)]
    ValidationFailed(ErrorBody),
    /// Over this token's rate.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
}

/// Managing organizations, workspaces, members and invites answers like any write.
pub type AdminErrors = WriteErrors;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", version = "1", description = "Objectives, key results and actions over JSON. Authenticate with a personal access token: `Authorization: Bearer cairn_pat_…`. Errors answer `{\"error\": {\"code\", \"message\", \"fields\"?}}`."),
    paths(
        orgs::me, orgs::list_orgs, orgs::create_org, orgs::list_workspaces,
        orgs::create_workspace, orgs::invite, orgs::accept_invite, orgs::list_members,
        orgs::put_member, items::list_items, items::create_item, items::show_item,
        items::update_item, items::delete_item, items::restore_item, items::set_position,
        items::item_activity,
        links::list_links, links::create_link, links::delete_link,
        check_ins::list_check_ins, check_ins::create_check_in, check_ins::update_check_in,
        check_ins::delete_check_in,
        comments::list_comments, comments::create_comment, comments::update_comment,
        comments::delete_comment,
        cycles::list_cycles, cycles::create_cycle, cycles::show_cycle, cycles::update_cycle,
        cycles::activate_cycle, cycles::close_cycle, cycles::reopen_cycle, cycles::carry_over,
        notifications::list_notifications, notifications::mark_read,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
struct ApiDoc;

/// The OpenAPI document, open to anyone (it holds no data).
async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// A resource whose other methods answer a JSON 405.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(error::method_not_allowed))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Registered before the scope so it matches first, outside the token check.
    cfg.service(resource("/api/v1/openapi.json").route(web::get().to(openapi)));
    cfg.service(
        web::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(auth::authenticate))
            .app_data(
                web::JsonConfig::default()
                    .limit(BODY_LIMIT)
                    .error_handler(error::json_rejected),
            )
            .app_data(web::PathConfig::default().error_handler(error::path_rejected))
            .app_data(web::QueryConfig::default().error_handler(error::query_rejected))
            .service(resource("/me").route(web::get().to(orgs::me)))
            .service(
                resource("/orgs")
                    .route(web::get().to(orgs::list_orgs))
                    .route(web::post().to(orgs::create_org)),
            )
            .service(
                resource("/orgs/{org_id}/workspaces")
                    .route(web::get().to(orgs::list_workspaces))
                    .route(web::post().to(orgs::create_workspace)),
            )
            .service(resource("/orgs/{org_id}/invites").route(web::post().to(orgs::invite)))
            .service(resource("/invites/accept").route(web::post().to(orgs::accept_invite)))
            .service(
                resource("/workspaces/{ws_id}/members").route(web::get().to(orgs::list_members)),
            )
            .service(
                resource("/workspaces/{ws_id}/members/{user_id}")
                    .route(web::put().to(orgs::put_member)),
            )
            .service(
                resource("/workspaces/{ws_id}/items")
                    .route(web::get().to(items::list_items))
                    .route(web::post().to(items::create_item)),
            )
            .service(
                resource("/items/{item_id}")
                    .route(web::get().to(items::show_item))
                    .route(web::patch().to(items::update_item))
                    .route(web::delete().to(items::delete_item)),
            )
            .service(
                resource("/items/{item_id}/restore").route(web::post().to(items::restore_item)),
            )
            .service(
                resource("/items/{item_id}/position").route(web::put().to(items::set_position)),
            )
            .service(
                resource("/items/{item_id}/activity").route(web::get().to(items::item_activity)),
            )
            .service(
                resource("/workspaces/{ws_id}/links")
                    .route(web::get().to(links::list_links))
                    .route(web::post().to(links::create_link)),
            )
            .service(resource("/links/{link_id}").route(web::delete().to(links::delete_link)))
            .service(
                resource("/items/{item_id}/check-ins")
                    .route(web::get().to(check_ins::list_check_ins))
                    .route(web::post().to(check_ins::create_check_in)),
            )
            .service(
                resource("/check-ins/{check_in_id}")
                    .route(web::patch().to(check_ins::update_check_in))
                    .route(web::delete().to(check_ins::delete_check_in)),
            )
            .service(
                resource("/items/{item_id}/comments")
                    .route(web::get().to(comments::list_comments))
                    .route(web::post().to(comments::create_comment)),
            )
            .service(
                resource("/comments/{comment_id}")
                    .route(web::patch().to(comments::update_comment))
                    .route(web::delete().to(comments::delete_comment)),
            )
            .service(
                resource("/orgs/{org_id}/cycles")
                    .route(web::get().to(cycles::list_cycles))
                    .route(web::post().to(cycles::create_cycle)),
            )
            .service(
                resource("/cycles/{cycle_id}")
                    .route(web::get().to(cycles::show_cycle))
                    .route(web::patch().to(cycles::update_cycle)),
            )
            .service(
                resource("/cycles/{cycle_id}/activate")
                    .route(web::post().to(cycles::activate_cycle)),
            )
            .service(
                resource("/cycles/{cycle_id}/close").route(web::post().to(cycles::close_cycle)),
            )
            .service(
                resource("/cycles/{cycle_id}/reopen").route(web::post().to(cycles::reopen_cycle)),
            )
            .service(
                resource("/cycles/{cycle_id}/carry-over").route(web::post().to(cycles::carry_over)),
            )
            .service(
                resource("/notifications").route(web::get().to(notifications::list_notifications)),
            )
            .service(
                resource("/notifications/read").route(web::post().to(notifications::mark_read)),
            )
            .default_service(web::to(error::not_found)),
    );
}
