//! The JSON API v1 under `/api/v1`: bearer tokens, JSON in and out, the same domain functions
//! as the pages, and an OpenAPI document generated from these handlers.

mod admin;
mod admin_models;
mod auth;
mod body;
mod caller;
mod check_in_models;
mod check_ins;
mod comment_models;
mod comments;
mod cycle_models;
mod cycles;
mod error;
mod formats;
mod item_models;
mod items;
mod link_models;
mod links;
mod measure_models;
mod models;
mod names;
mod notifications;
mod org_profile;
mod orgs;
mod paths;
mod reports;
mod scrape;
mod scrape_models;
mod skills;
mod trash;
mod webhook_models;
mod webhooks;

use actix_web::http::Method;
use actix_web::{web, HttpResponse, Resource, Route};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

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
    /// Clashes with what exists (a taken slug or cycle name, dates another cycle holds, an
    /// existing member, a used invite, a closed cycle, items already linked, an objective
    /// already carried over).
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
    info(title = "Cairn API", version = "1", description = "Objectives, key results and actions over JSON. Authenticate with a personal access token: `Authorization: Bearer cairn_pat_…`. Scopes nest: `write` also reads, `admin` also reads and writes. Errors answer `{\"error\": {\"code\", \"message\", \"fields\"?}}`; `fields` names the field a refusal is about, by its path (`due_date`, `assignee_user_ids[1]`). A method a path does not have answers 405 with `Allow`."),
    paths(
        orgs::me, orgs::list_orgs, orgs::create_org, orgs::list_workspaces,
        orgs::create_workspace, orgs::invite, orgs::accept_invite, orgs::list_members,
        orgs::put_member, org_profile::show_org, org_profile::update_org, admin::list_org_members, admin::update_org_member,
        admin::remove_org_member, admin::list_invites, admin::resend_invite, admin::revoke_invite,
        admin::archive_organization, admin::unarchive_organization, admin::archive_workspace,
        admin::unarchive_workspace, admin::update_workspace, items::list_items, items::create_item, items::show_item,
        items::update_item, items::delete_item, items::restore_item, items::set_position,
        items::item_activity, items::workspace_activity, trash::list_trash,
        links::list_links, links::create_link, links::delete_link,
        check_ins::list_check_ins, check_ins::create_check_in, check_ins::update_check_in,
        check_ins::delete_check_in,
        comments::list_comments, comments::create_comment, comments::update_comment,
        comments::delete_comment,
        cycles::list_cycles, cycles::create_cycle, cycles::show_cycle, cycles::update_cycle,
        cycles::activate_cycle, cycles::close_cycle, cycles::reopen_cycle, cycles::carry_over,
        notifications::list_notifications, notifications::mark_read,
        webhooks::list_webhooks, webhooks::create_webhook, webhooks::delete_webhook,
        webhooks::list_deliveries,
        scrape::create_scrape_job, scrape::show_scrape_job, scrape::apply_scrape_job,
        reports::list_reports, reports::create_report, reports::show_report,
        skills::show_skills, skills::put_skills, skills::assignee_suggestions,
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

/// A resource answering `routes`, one per method; any other method answers a JSON 405 whose
/// `Allow` names the methods it has.
fn resource<const N: usize>(path: &str, routes: [(Method, Route); N]) -> Resource {
    let allow = routes
        .iter()
        .map(|(method, _)| method.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let resource = routes
        .into_iter()
        .fold(web::resource(path), |resource, (method, route)| {
            resource.route(route.method(method))
        });
    resource.default_service(web::to(move || error::method_not_allowed(allow.clone())))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Registered before the scope so it matches first, outside the token check.
    cfg.service(resource(
        "/api/v1/openapi.json",
        [(Method::GET, web::to(openapi))],
    ));
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
            .service(resource("/me", [(Method::GET, web::to(orgs::me))]))
            .service(resource(
                "/orgs",
                [
                    (Method::GET, web::to(orgs::list_orgs)),
                    (Method::POST, web::to(orgs::create_org)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}/workspaces",
                [
                    (Method::GET, web::to(orgs::list_workspaces)),
                    (Method::POST, web::to(orgs::create_workspace)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}/invites",
                [
                    (Method::GET, web::to(admin::list_invites)),
                    (Method::POST, web::to(orgs::invite)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}",
                [
                    (Method::GET, web::to(org_profile::show_org)),
                    (Method::PATCH, web::to(org_profile::update_org)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}/scrape-jobs",
                [(Method::POST, web::to(scrape::create_scrape_job))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/reports",
                [
                    (Method::GET, web::to(reports::list_reports)),
                    (Method::POST, web::to(reports::create_report)),
                ],
            ))
            .service(resource(
                "/workspaces/{ws_id}/members/{user_id}/skills",
                [
                    (Method::GET, web::to(skills::show_skills)),
                    (Method::PUT, web::to(skills::put_skills)),
                ],
            ))
            .service(resource(
                "/items/{item_id}/assignee-suggestions",
                [(Method::GET, web::to(skills::assignee_suggestions))],
            ))
            .service(resource(
                "/reports/{report_id}",
                [(Method::GET, web::to(reports::show_report))],
            ))
            .service(resource(
                "/scrape-jobs/{scrape_job_id}",
                [(Method::GET, web::to(scrape::show_scrape_job))],
            ))
            .service(resource(
                "/scrape-jobs/{scrape_job_id}/apply",
                [(Method::POST, web::to(scrape::apply_scrape_job))],
            ))
            .service(resource(
                "/orgs/{org_id}/members",
                [(Method::GET, web::to(admin::list_org_members))],
            ))
            .service(resource(
                "/orgs/{org_id}/members/{user_id}",
                [
                    (Method::PATCH, web::to(admin::update_org_member)),
                    (Method::DELETE, web::to(admin::remove_org_member)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}/archive",
                [(Method::POST, web::to(admin::archive_organization))],
            ))
            .service(resource(
                "/orgs/{org_id}/unarchive",
                [(Method::POST, web::to(admin::unarchive_organization))],
            ))
            .service(resource(
                "/invites/{invite_id}/resend",
                [(Method::POST, web::to(admin::resend_invite))],
            ))
            .service(resource(
                "/invites/{invite_id}/revoke",
                [(Method::POST, web::to(admin::revoke_invite))],
            ))
            .service(resource(
                "/workspaces/{ws_id}",
                [(Method::PATCH, web::to(admin::update_workspace))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/archive",
                [(Method::POST, web::to(admin::archive_workspace))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/unarchive",
                [(Method::POST, web::to(admin::unarchive_workspace))],
            ))
            .service(resource(
                "/invites/accept",
                [(Method::POST, web::to(orgs::accept_invite))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/members",
                [(Method::GET, web::to(orgs::list_members))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/members/{user_id}",
                [(Method::PUT, web::to(orgs::put_member))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/items",
                [
                    (Method::GET, web::to(items::list_items)),
                    (Method::POST, web::to(items::create_item)),
                ],
            ))
            .service(resource(
                "/items/{item_id}",
                [
                    (Method::GET, web::to(items::show_item)),
                    (Method::PATCH, web::to(items::update_item)),
                    (Method::DELETE, web::to(items::delete_item)),
                ],
            ))
            .service(resource(
                "/workspaces/{ws_id}/activity",
                [(Method::GET, web::to(items::workspace_activity))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/trash",
                [(Method::GET, web::to(trash::list_trash))],
            ))
            .service(resource(
                "/items/{item_id}/restore",
                [(Method::POST, web::to(items::restore_item))],
            ))
            .service(resource(
                "/items/{item_id}/position",
                [(Method::PUT, web::to(items::set_position))],
            ))
            .service(resource(
                "/items/{item_id}/activity",
                [(Method::GET, web::to(items::item_activity))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/links",
                [
                    (Method::GET, web::to(links::list_links)),
                    (Method::POST, web::to(links::create_link)),
                ],
            ))
            .service(resource(
                "/links/{link_id}",
                [(Method::DELETE, web::to(links::delete_link))],
            ))
            .service(resource(
                "/items/{item_id}/check-ins",
                [
                    (Method::GET, web::to(check_ins::list_check_ins)),
                    (Method::POST, web::to(check_ins::create_check_in)),
                ],
            ))
            .service(resource(
                "/check-ins/{check_in_id}",
                [
                    (Method::PATCH, web::to(check_ins::update_check_in)),
                    (Method::DELETE, web::to(check_ins::delete_check_in)),
                ],
            ))
            .service(resource(
                "/items/{item_id}/comments",
                [
                    (Method::GET, web::to(comments::list_comments)),
                    (Method::POST, web::to(comments::create_comment)),
                ],
            ))
            .service(resource(
                "/comments/{comment_id}",
                [
                    (Method::PATCH, web::to(comments::update_comment)),
                    (Method::DELETE, web::to(comments::delete_comment)),
                ],
            ))
            .service(resource(
                "/orgs/{org_id}/cycles",
                [
                    (Method::GET, web::to(cycles::list_cycles)),
                    (Method::POST, web::to(cycles::create_cycle)),
                ],
            ))
            .service(resource(
                "/cycles/{cycle_id}",
                [
                    (Method::GET, web::to(cycles::show_cycle)),
                    (Method::PATCH, web::to(cycles::update_cycle)),
                ],
            ))
            .service(resource(
                "/cycles/{cycle_id}/activate",
                [(Method::POST, web::to(cycles::activate_cycle))],
            ))
            .service(resource(
                "/cycles/{cycle_id}/close",
                [(Method::POST, web::to(cycles::close_cycle))],
            ))
            .service(resource(
                "/cycles/{cycle_id}/reopen",
                [(Method::POST, web::to(cycles::reopen_cycle))],
            ))
            .service(resource(
                "/cycles/{cycle_id}/carry-over",
                [(Method::POST, web::to(cycles::carry_over))],
            ))
            .service(resource(
                "/notifications",
                [(Method::GET, web::to(notifications::list_notifications))],
            ))
            .service(resource(
                "/notifications/read",
                [(Method::POST, web::to(notifications::mark_read))],
            ))
            .service(resource(
                "/workspaces/{ws_id}/webhooks",
                [
                    (Method::GET, web::to(webhooks::list_webhooks)),
                    (Method::POST, web::to(webhooks::create_webhook)),
                ],
            ))
            .service(resource(
                "/webhooks/{webhook_id}",
                [(Method::DELETE, web::to(webhooks::delete_webhook))],
            ))
            .service(resource(
                "/webhooks/{webhook_id}/deliveries",
                [(Method::GET, web::to(webhooks::list_deliveries))],
            ))
            .default_service(web::to(error::not_found)),
    );
}
