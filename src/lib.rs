//! Cairn: a multi-organization OKR application.
//!
//! `Application` builds the whole app from a `Config`; `main.rs` (the CLI) and the
//! integration tests both start it through here.

pub mod accounts;
pub mod activity;
pub mod calendar;
pub mod clock;
pub mod comments;
pub mod config;
pub mod csv;
pub mod cycles;
pub mod db;
pub mod demo;
pub mod error;
pub mod fields;
pub mod invites;
pub mod jobs;
pub mod llm;
pub mod mail;
pub mod markdown;
pub mod notifications;
pub mod okr;
pub mod orgs;
pub mod outbound;
pub mod reminders;
pub mod reports;
pub mod schema;
pub mod scope;
pub mod scrape;
pub mod skills;
pub mod telemetry;
pub mod tokens;
mod web;
pub mod webhooks;
pub mod worker;
pub mod workspaces;

/// The page routes, for the rule-walk tests that check every one of them.
pub use web::{PageRoute, PAGE_ROUTES};

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{select, Either};

use crate::config::Config;
use crate::db::{Db, DbError};

/// How often expired sessions and stale log-in attempts are cleared.
const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// The longest an outbound request (a webhook delivery, a page read) may take.
const OUTBOUND_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest the language model may take to answer.
const LLM_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot set up outbound requests: {0}")]
    Outbound(#[from] outbound::OutboundError),
    #[error("cannot set up the language model's client: {0}")]
    Llm(#[from] llm::LlmError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    server: actix_web::dev::Server,
    port: u16,
    db: Db,
    config: Config,
    outbound: outbound::Outbound,
    scraper: scrape::Scraper,
    reports: reports::ReportBuilder,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        // Migrate on a connection of its own, closed afterwards: on PostgreSQL that also
        // releases the migration lock whatever happens.
        let url = config.database_url.clone();
        let applied = actix_web::rt::task::spawn_blocking(move || {
            db::run_pending_migrations(&mut db::establish(&url)?)
        })
        .await
        .map_err(|_| DbError::Cancelled)??;
        let db = Db::connect(&config.database_url, config.database_pool_size)?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied database migrations");
        }
        let bind_error = |source| StartError::Bind {
            address: config.bind.to_string(),
            source,
        };
        let listener = TcpListener::bind(config.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let server =
            web::server(listener, db.clone(), Arc::new(config.clone())).map_err(bind_error)?;
        tracing::info!(address = %config.bind.ip(), port, database = ?config.database_url, "cairn is listening");
        let outbound = outbound::Outbound::new(config.outbound.clone(), OUTBOUND_TIMEOUT)?;
        let llm = config
            .llm
            .clone()
            .map(|settings| llm::Llm::new(settings, LLM_TIMEOUT))
            .transpose()?;
        let scraper = scrape::Scraper {
            outbound: outbound.clone(),
            rules: outbound::UrlRules::web_pages(config.scrape_ports.clone()),
            limits: outbound::PageLimits::default(),
            llm: llm.clone(),
        };
        let reports = reports::ReportBuilder { llm };
        Ok(Self {
            server,
            port,
            db,
            config,
            outbound,
            scraper,
            reports,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests, signal handlers).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (Ctrl-C / SIGTERM), doing housekeeping and running the
    /// job runner (which also delivers mail), webhook deliveries, website scrapes and report builds alongside.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Self {
            server,
            db,
            config,
            outbound,
            scraper,
            reports,
            ..
        } = self;
        let background = std::pin::pin!(async move {
            let housekeeping = std::pin::pin!(housekeeping(db.clone()));
            let outbound = std::pin::pin!(futures_util::future::join3(
                worker::deliver_webhooks(
                    db.clone(),
                    outbound,
                    config.clock.clone(),
                    config.outbox_poll,
                ),
                worker::read_websites(
                    db.clone(),
                    scraper,
                    config.clock.clone(),
                    config.outbox_poll,
                ),
                worker::build_reports(
                    db.clone(),
                    reports,
                    config.clock.clone(),
                    config.outbox_poll,
                ),
            ));
            let runner = std::pin::pin!(worker::run(
                db,
                worker::Worker::new(config.mailer.clone(), config.base_url.clone()),
                config.clock.clone(),
                config.outbox_poll,
            ));
            match select(housekeeping, select(runner, outbound)).await {
                Either::Left((never, _)) | Either::Right((Either::Left((never, _)), _)) => never,
                Either::Right((Either::Right(((never, _, _), _)), _)) => never,
            }
        });
        match select(server, background).await {
            Either::Left((result, _)) => result,
            Either::Right((never, _)) => match never {},
        }
    }
}

/// An app started on a thread of its own (tests and benchmarks): stopped and joined when
/// dropped, so none of its threads outlive the owner.
pub struct RunningApp {
    pub port: u16,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningApp {
    /// Builds the app from `config` and serves it in its own actix System.
    pub fn start(config: Config) -> Result<Self, StartError> {
        let (started, running) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                match Application::build(config).await {
                    Ok(app) => {
                        let _ = started.send(Ok((app.port(), app.handle())));
                        let _ = app.run_until_stopped().await;
                    }
                    Err(e) => {
                        let _ = started.send(Err(e));
                    }
                }
            })
        });
        let (port, handle) = running
            .recv()
            .map_err(|_| StartError::Db(DbError::Cancelled))??;
        Ok(Self {
            port,
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        // The stop command is sent at once; then wait until the workers and their database
        // pools are gone.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn housekeeping(db: Db) -> std::convert::Infallible {
    loop {
        actix_web::rt::time::sleep(HOUSEKEEPING_INTERVAL).await;
        match db.run(accounts::purge_expired_records).await {
            Ok((sessions, attempts)) => {
                tracing::debug!(sessions, attempts, "purged expired records")
            }
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
        match db
            .run(|conn| invites::expire_overdue(conn).map_err(DbError::from))
            .await
        {
            Ok(expired) => tracing::debug!(expired, "marked overdue invites expired"),
            Err(e) => tracing::warn!(error = %e, "expiring invites failed"),
        }
    }
}
