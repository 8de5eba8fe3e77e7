//! HTTP: routes, middleware, handlers. Handlers parse, call the domain, render.

mod api;
mod assets;
mod auth;
mod board;
mod csrf;
mod error;
mod gantt;
mod headers;
mod health;
mod htmx;
mod identity;
mod invites;
mod items;
mod layout;
mod nav;
mod orgs;
mod session_store;
mod tokens;
mod workspaces;

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpResponse, HttpServer};
use askama::Template;

use error::AppError;
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::Db;

fn with_status(status: StatusCode, page: impl Template) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
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
    /// Per-token request budgets of the JSON API, shared by all workers.
    pub api_rate: api::RateLimiter,
}

fn session_cookie_name(secure: bool) -> String {
    // The __Host- prefix pins the cookie to this host and path, over https only.
    if secure {
        "__Host-cairn_session".into()
    } else {
        "cairn_session".into()
    }
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(orgs::home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/{file:.*}", web::get().to(assets::serve))
        .service(
            web::resource("/signup")
                .route(web::get().to(auth::signup_page))
                .route(web::post().to(auth::signup)),
        )
        .service(
            web::resource("/login")
                .route(web::get().to(auth::login_page))
                .route(web::post().to(auth::login)),
        )
        .route("/logout", web::post().to(auth::logout))
        .route("/account", web::get().to(auth::account_page))
        .route(
            "/account/logout-everywhere",
            web::post().to(auth::logout_everywhere),
        )
        .service(
            web::resource("/account/tokens")
                .route(web::get().to(tokens::index))
                .route(web::post().to(tokens::create)),
        )
        .route(
            "/account/tokens/{token_id}/revoke",
            web::post().to(tokens::revoke),
        )
        .route("/invites/{token}", web::get().to(invites::show))
        .route("/invites/{token}/accept", web::post().to(invites::accept))
        .route("/invites/{token}/signup", web::post().to(invites::sign_up))
        .route("/orgs", web::post().to(orgs::create))
        .route("/orgs/slug-field", web::get().to(orgs::slug_field))
        .service(
            web::scope("/orgs/{org}")
                .route("", web::get().to(orgs::overview))
                .service(
                    web::resource("/settings")
                        .route(web::get().to(orgs::settings))
                        .route(web::post().to(orgs::save_settings)),
                )
                .route("/settings/check", web::post().to(orgs::check_settings))
                .route("/archive", web::post().to(orgs::archive))
                .route("/unarchive", web::post().to(orgs::unarchive))
                .route("/members", web::get().to(orgs::members))
                .route("/members/{user_id}/role", web::post().to(orgs::change_role))
                .route(
                    "/members/{user_id}/remove",
                    web::post().to(orgs::remove_member),
                )
                .route("/workspaces", web::post().to(workspaces::create))
                .service(
                    web::resource("/invites")
                        .route(web::get().to(invites::index))
                        .route(web::post().to(invites::create)),
                )
                .route(
                    "/invites/{invite_id}/revoke",
                    web::post().to(invites::revoke),
                )
                .route(
                    "/invites/{invite_id}/resend",
                    web::post().to(invites::resend),
                )
                .service(
                    web::scope("/w/{ws}")
                        .route("", web::get().to(workspaces::overview))
                        .route("/items", web::post().to(workspaces::create_item))
                        .route("/board", web::get().to(board::page))
                        .route("/board/tidy", web::post().to(board::tidy_up))
                        .route("/board/items", web::post().to(board::create_item))
                        .route(
                            "/items/{item_id}/position",
                            web::post().to(board::set_position),
                        )
                        .route("/trash", web::get().to(items::trash))
                        .route("/activity", web::get().to(items::activity_feed))
                        .route("/gantt", web::get().to(gantt::show))
                        .route("/gantt.csv", web::get().to(gantt::csv))
                        .route(
                            "/gantt/items/{item_id}/dates",
                            web::post().to(gantt::set_dates),
                        )
                        .service(
                            web::resource("/items/{item_id}")
                                .route(web::get().to(items::show))
                                .route(web::post().to(items::update)),
                        )
                        .route("/items/{item_id}/delete", web::post().to(items::delete))
                        .route("/items/{item_id}/restore", web::post().to(items::restore))
                        .route("/items/{item_id}/move", web::post().to(items::move_item))
                        .route("/items/{item_id}/status", web::post().to(items::set_status))
                        .route("/items/{item_id}/reorder", web::post().to(items::reorder))
                        .route("/items/{item_id}/links", web::post().to(items::add_link))
                        .route(
                            "/items/{item_id}/links/{link_id}/delete",
                            web::post().to(items::remove_link),
                        )
                        .service(
                            web::resource("/settings")
                                .route(web::get().to(workspaces::settings))
                                .route(web::post().to(workspaces::save_settings)),
                        )
                        .route("/archive", web::post().to(workspaces::archive))
                        .route("/unarchive", web::post().to(workspaces::unarchive))
                        .service(
                            web::resource("/members")
                                .route(web::get().to(workspaces::members))
                                .route(web::post().to(workspaces::add_member)),
                        )
                        .route(
                            "/members/{user_id}",
                            web::post().to(workspaces::update_member),
                        ),
                ),
        );
}

/// Builds the HTTP server on an already bound listener (tests bind port 0).
pub fn server(listener: TcpListener, db: Db, config: Arc<Config>) -> std::io::Result<Server> {
    let workers = config.workers;
    let state = web::Data::new(AppState {
        db: db.clone(),
        config: config.clone(),
        api_rate: api::RateLimiter::new(config.api_rate_per_minute),
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
    .listen(listener)?
    .run();
    Ok(server)
}
