//! HTTP: routes, middleware, handlers. Handlers parse, call the domain, render.

mod account;
mod account_changes;
mod account_links;
mod api;
mod assets;
mod assignees;
mod auth;
mod board;
mod check_in_history;
mod check_ins;
mod comments;
mod context;
mod csrf;
mod cycle_choice;
mod cycles;
mod error;
mod gantt;
mod headers;
mod health;
mod htmx;
mod identity;
mod invites;
mod item_form;
mod item_lists;
mod items;
mod layout;
mod measure_form;
mod nav;
mod notifications;
mod one_time_check_in;
mod orgs;
mod reports;
mod scorecard;
mod session_store;
mod skills;
mod skills_form;
mod tokens;
mod tree;
mod webhooks;
mod workspace_members;
mod workspaces;

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpResponse, HttpServer};
use askama::Template;

use error::AppError;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::Db;

/// Every HTML answer: a page or, to htmx, its partial. `Vary: HX-Request` keeps a cache
/// from serving one for the other.
fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body)
}

fn with_status(status: StatusCode, page: impl Template) -> Result<HttpResponse, AppError> {
    Ok(html(status, page.render()?))
}

/// A page or fragment with 200.
fn render(page: impl Template) -> Result<HttpResponse, AppError> {
    with_status(StatusCode::OK, page)
}

/// A form shown again with what was wrong (htmx swaps 422 answers too; see base.html).
fn unprocessable(page: impl Template) -> Result<HttpResponse, AppError> {
    with_status(StatusCode::UNPROCESSABLE_ENTITY, page)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Shared by every handler.
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Per-token request budgets of the JSON API, shared by all workers (and on PostgreSQL
    /// by all instances).
    pub api_rate: Arc<crate::tokens::RateLimiter>,
}

fn session_cookie_name(secure: bool) -> String {
    // The __Host- prefix pins the cookie to this host and path, over https only.
    if secure {
        "__Host-cairn_session".into()
    } else {
        "cairn_session".into()
    }
}

/// One page route: its method, its whole path pattern, and its handler.
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    handler: fn() -> actix_web::Route,
}

macro_rules! page_routes {
    ($($method:ident $path:literal => $handler:path;)*) => {
        /// Every route of the HTML app, in the order they are matched. It is the one list:
        /// `routes` registers it, and the rule-walk tests walk it, so a new route is
        /// checked for CSRF, archive and access the day it is added.
        pub const PAGE_ROUTES: &[PageRoute] = &[$(PageRoute {
            method: Method::$method,
            path: $path,
            handler: || web::method(Method::$method).to($handler),
        }),*];
    };
}

page_routes! {
    GET "/" => orgs::home;
    GET "/healthz" => health::healthz;
    GET "/readyz" => health::readyz;
    GET "/static/{file:.*}" => assets::serve;
    GET "/favicon.ico" => assets::favicon;
    GET "/signup" => auth::signup_page;
    POST "/signup" => auth::signup;
    GET "/login" => auth::login_page;
    POST "/login" => auth::login;
    POST "/logout" => auth::logout;
    GET "/forgot-password" => account_links::forgot_page;
    POST "/forgot-password" => account_links::forgot;
    GET "/reset-password/{token}" => account_links::reset_page;
    POST "/reset-password/{token}" => account_links::reset;
    GET "/account/email/{token}" => account_links::email_page;
    POST "/account/email/{token}" => account_links::confirm_email;
    GET "/account" => account::show;
    POST "/account/name" => account_changes::change_name;
    POST "/account/password" => account_changes::change_password;
    POST "/account/email" => account_changes::change_email;
    POST "/account/delete" => account_changes::delete_account;
    POST "/account/logout-everywhere" => account::logout_everywhere;
    POST "/account/notifications" => account::save_notification_preferences;
    GET "/notifications" => notifications::inbox;
    POST "/notifications/read-all" => notifications::mark_all_read;
    GET "/notifications/{notification_id}/open" => notifications::open;
    POST "/notifications/{notification_id}/read" => notifications::mark_read;
    GET "/account/tokens" => tokens::index;
    POST "/account/tokens" => tokens::create;
    POST "/account/tokens/{token_id}/revoke" => tokens::revoke;
    GET "/invites/{token}" => invites::show;
    POST "/invites/{token}/accept" => invites::accept;
    POST "/invites/{token}/signup" => invites::sign_up;
    GET "/check-in/{token}" => one_time_check_in::show;
    POST "/check-in/{token}" => one_time_check_in::submit;
    POST "/orgs" => orgs::create;
    GET "/orgs/slug-field" => orgs::slug_field;
    GET "/orgs/{org}" => orgs::overview;
    GET "/orgs/{org}/settings" => orgs::settings::page;
    POST "/orgs/{org}/settings" => orgs::settings::save;
    POST "/orgs/{org}/settings/check" => orgs::settings::check;
    POST "/orgs/{org}/archive" => orgs::settings::archive;
    POST "/orgs/{org}/unarchive" => orgs::settings::unarchive;
    POST "/orgs/{org}/settings/fiscal-year" => orgs::settings::save_fiscal_year;
    POST "/orgs/{org}/settings/website-fill" => orgs::website_fill::request;
    GET "/orgs/{org}/settings/website-fill/{scrape_id}" => orgs::website_fill::card;
    POST "/orgs/{org}/settings/website-fill/{scrape_id}/apply" => orgs::website_fill::apply;
    GET "/orgs/{org}/cycles" => cycles::index;
    POST "/orgs/{org}/cycles" => cycles::create;
    POST "/orgs/{org}/cycles/next-quarter" => cycles::create_next_quarter;
    POST "/orgs/{org}/cycles/{cycle_id}" => cycles::update;
    POST "/orgs/{org}/cycles/{cycle_id}/activate" => cycles::activate;
    POST "/orgs/{org}/cycles/{cycle_id}/close" => cycles::close;
    POST "/orgs/{org}/cycles/{cycle_id}/reopen" => cycles::reopen;
    GET "/orgs/{org}/members" => orgs::members::page;
    POST "/orgs/{org}/members/{user_id}/role" => orgs::members::change_role;
    POST "/orgs/{org}/members/{user_id}/remove" => orgs::members::remove;
    POST "/orgs/{org}/workspaces" => orgs::create_workspace;
    GET "/orgs/{org}/invites" => invites::index;
    POST "/orgs/{org}/invites" => invites::create;
    POST "/orgs/{org}/invites/{invite_id}/revoke" => invites::revoke;
    POST "/orgs/{org}/invites/{invite_id}/resend" => invites::resend;
    GET "/orgs/{org}/w/{ws}" => tree::overview;
    POST "/orgs/{org}/w/{ws}/items" => tree::create_item;
    GET "/orgs/{org}/w/{ws}/board" => board::page;
    POST "/orgs/{org}/w/{ws}/board/tidy" => board::tidy_up;
    POST "/orgs/{org}/w/{ws}/board/items" => board::create_item;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/position" => board::set_position;
    GET "/orgs/{org}/w/{ws}/trash" => item_lists::trash;
    GET "/orgs/{org}/w/{ws}/activity" => item_lists::activity_feed;
    GET "/orgs/{org}/w/{ws}/gantt" => gantt::show;
    GET "/orgs/{org}/w/{ws}/gantt.csv" => gantt::csv;
    GET "/orgs/{org}/w/{ws}/reports" => reports::index;
    POST "/orgs/{org}/w/{ws}/reports" => reports::create;
    GET "/orgs/{org}/w/{ws}/reports/{report_id}" => reports::show;
    GET "/orgs/{org}/w/{ws}/reports/{report_id}/progress" => reports::progress;
    GET "/orgs/{org}/w/{ws}/reports/{report_id}/report.md" => reports::markdown;
    GET "/orgs/{org}/w/{ws}/reports/{report_id}/report.json" => reports::json;
    POST "/orgs/{org}/w/{ws}/reports/{report_id}/retry" => reports::retry;
    GET "/orgs/{org}/w/{ws}/cycles/{cycle_id}/scorecard" => scorecard::show;
    GET "/orgs/{org}/w/{ws}/cycles/{cycle_id}/scorecard.csv" => scorecard::csv;
    POST "/orgs/{org}/w/{ws}/cycles/{cycle_id}/carry-over" => scorecard::carry_over;
    POST "/orgs/{org}/w/{ws}/gantt/items/{item_id}/dates" => gantt::set_dates;
    GET "/orgs/{org}/w/{ws}/items/{item_id}" => items::show;
    POST "/orgs/{org}/w/{ws}/items/{item_id}" => items::update;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/delete" => item_lists::delete;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/restore" => item_lists::restore;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/move" => items::move_item;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/status" => items::set_status;
    GET "/orgs/{org}/w/{ws}/items/{item_id}/assignee-suggestions" => assignees::suggestions;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/assignees" => assignees::assign;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/reorder" => items::reorder;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/links" => items::add_link;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/links/{link_id}/delete" => items::remove_link;
    GET "/orgs/{org}/w/{ws}/items/{item_id}/check-ins/new" => check_ins::new_form;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/check-ins" => check_ins::create;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/check-ins/preview" => check_ins::preview;
    GET "/orgs/{org}/w/{ws}/check-ins/{check_in_id}/edit" => check_ins::edit_form;
    POST "/orgs/{org}/w/{ws}/check-ins/{check_in_id}" => check_ins::update;
    POST "/orgs/{org}/w/{ws}/check-ins/{check_in_id}/delete" => check_ins::delete;
    GET "/orgs/{org}/w/{ws}/items/{item_id}/comments" => comments::index;
    POST "/orgs/{org}/w/{ws}/items/{item_id}/comments" => comments::create;
    GET "/orgs/{org}/w/{ws}/items/{item_id}/mentions" => comments::mentions;
    GET "/orgs/{org}/w/{ws}/comments/{comment_id}/edit" => comments::edit_form;
    POST "/orgs/{org}/w/{ws}/comments/{comment_id}" => comments::update;
    POST "/orgs/{org}/w/{ws}/comments/{comment_id}/delete" => comments::delete;
    GET "/orgs/{org}/w/{ws}/settings" => workspaces::settings;
    POST "/orgs/{org}/w/{ws}/settings" => workspaces::save_settings;
    POST "/orgs/{org}/w/{ws}/settings/check-ins" => workspaces::save_check_in_cadence;
    GET "/orgs/{org}/w/{ws}/settings/webhooks" => webhooks::index;
    POST "/orgs/{org}/w/{ws}/settings/webhooks" => webhooks::create;
    GET "/orgs/{org}/w/{ws}/settings/webhooks/{webhook_id}" => webhooks::log;
    POST "/orgs/{org}/w/{ws}/settings/webhooks/{webhook_id}/delete" => webhooks::delete;
    POST "/orgs/{org}/w/{ws}/archive" => workspaces::archive;
    POST "/orgs/{org}/w/{ws}/unarchive" => workspaces::unarchive;
    GET "/orgs/{org}/w/{ws}/members" => workspace_members::page;
    POST "/orgs/{org}/w/{ws}/members" => workspace_members::add;
    POST "/orgs/{org}/w/{ws}/members/{user_id}" => workspace_members::update;
    GET "/orgs/{org}/w/{ws}/members/{user_id}" => skills::member;
    POST "/orgs/{org}/w/{ws}/members/{user_id}/skills" => skills::save;
    GET "/orgs/{org}/w/{ws}/skills" => skills::matrix;
    GET "/orgs/{org}/w/{ws}/skills.csv" => skills::matrix_csv;
    GET "/orgs/{org}/w/{ws}/skills/field" => skills::field;
}

/// Registers `PAGE_ROUTES`: a path with several methods becomes one resource (other methods
/// answer 405); a path with one method is guarded by it, so other methods fall through to
/// the not-found page.
fn routes(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<&str> = Vec::new();
    for route in PAGE_ROUTES {
        if !paths.contains(&route.path) {
            paths.push(route.path);
        }
    }
    for path in paths {
        let mut same_path = PAGE_ROUTES.iter().filter(|r| r.path == path);
        match (same_path.next(), same_path.next()) {
            (Some(only), None) => {
                cfg.route(path, (only.handler)());
            }
            _ => {
                let resource = PAGE_ROUTES
                    .iter()
                    .filter(|r| r.path == path)
                    .fold(web::resource(path), |resource, r| {
                        resource.route((r.handler)())
                    });
                cfg.service(resource);
            }
        }
    }
}

/// Builds the HTTP server on an already bound listener (tests bind port 0).
pub fn server(listener: TcpListener, db: Db, config: Arc<Config>) -> std::io::Result<Server> {
    let workers = config.workers;
    let state = web::Data::new(AppState {
        db: db.clone(),
        config: config.clone(),
        api_rate: Arc::new(crate::tokens::RateLimiter::new(config.api_rate_per_minute)),
    });
    let session_key = Key::from(config.session_secret.as_bytes());
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(
            session_store::DbSessionStore::new(db.clone()),
            session_key.clone(),
        )
        .cookie_name(session_cookie_name(config.secure_cookies()))
        .cookie_secure(config.secure_cookies())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(actix_web::cookie::time::Duration::seconds(
                    config.session_idle_timeout.as_secs() as i64,
                ))
                .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
        )
        .build();
        // Middleware runs outermost-last: tracing sees everything, CSRF sees the session.
        App::new()
            .app_data(state.clone())
            .app_data(
                web::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(error::form_rejected),
            )
            .configure(api::routes)
            .configure(routes)
            .default_service(web::to(error::not_found))
            .wrap(from_fn(csrf::guard))
            .wrap(from_fn(error::json_for_scripts))
            .wrap(sessions)
            .wrap(headers::security_headers())
            .wrap(Compress::default())
            .wrap(from_fn(headers::echo_request_id))
            .wrap(TracingLogger::<headers::RequestSpan>::new())
    })
    .workers(workers)
    // A response leaves in several writes (headers, then gzip chunks); with Nagle's algorithm
    // a later small write waits for the client's delayed ACK of the first, about 40 ms on
    // every kept-alive request.
    .tcp_nodelay(true)
    .listen(listener)?
    .run();
    Ok(server)
}
