//! Typed configuration read from the environment (and an optional `.env`).
//!
//! Every variable has a default that runs locally; a wrong value stops start-up with one
//! line naming the variable.

mod database;
mod invites;
mod llm;
mod mail;
mod outbound;
mod server;
mod sessions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

pub use crate::db::DatabaseUrl;
pub use invites::InviteSettings;
pub use sessions::{LoginThrottle, SessionSecret};

use crate::mail::Mailer;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {message}")]
    Invalid { var: &'static str, message: String },
    #[error("{var}: could not read or write {path}: {source}")]
    Io {
        var: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn invalid(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        var,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub bind: SocketAddr,
    /// HTTP worker threads.
    pub workers: usize,
    pub base_url: Url,
    pub session_secret: SessionSecret,
    pub session_idle_timeout: Duration,
    pub session_max_lifetime: Duration,
    pub login_throttle: LoginThrottle,
    /// Trust `X-Forwarded-For` from the load balancer for the client address.
    pub trust_proxy: bool,
    pub log_format: LogFormat,
    pub mailer: Mailer,
    /// How often the job runner looks for due jobs and email (`OUTBOX_POLL_MILLIS`).
    pub outbox_poll: Duration,
    pub invites: InviteSettings,
    /// Requests one API token may make per minute (bursts up to as many).
    pub api_rate_per_minute: u32,
    /// What outbound requests (webhooks, the onboarding scrape) may reach.
    pub outbound: crate::outbound::OutboundPolicy,
    /// Ports the onboarding scrape may use besides 80 and 443 (`SCRAPE_ALLOWED_PORTS`).
    pub scrape_ports: Vec<u16>,
    /// The language model, when one is configured.
    pub llm: Option<crate::llm::LlmSettings>,
    /// What time it is: the system clock, or a fixed one tests move.
    pub clock: crate::clock::Clock,
}

/// The variable source, with blank values read as unset.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A whole number in `min..=max`, or `default` when unset.
    fn number(
        &self,
        name: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(invalid(
                    name,
                    format!("expected a whole number from {min} to {max}, got {raw:?}"),
                )),
            },
        }
    }
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

impl Config {
    /// Reads `.env` (if present) and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is the normal case; a malformed one is worth stopping for.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(invalid(".env", e.to_string())),
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source (tests pass a map). Sections are
    /// read in a fixed order, so the first wrong variable is the one reported.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&get);

        let environment = match vars.get("CAIRN_ENV").as_deref().map(str::trim) {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "CAIRN_ENV",
                    format!("expected development or production, got {other:?}"),
                ))
            }
        };

        let data_dir = PathBuf::from(
            vars.get("CAIRN_DATA_DIR")
                .unwrap_or_else(|| "./data".into()),
        );
        let database_url = database::url(&vars, &data_dir)?;
        let bind = server::bind(&vars)?;
        let base_url = server::base_url(&vars, bind)?;
        let session_secret = sessions::secret(&vars, environment, &data_dir)?;

        let log_format = match vars.get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("expected pretty or json, got {other:?}"),
                ))
            }
        };

        let workers = server::workers(&vars)?;
        let database_pool_size = database::pool_size(&vars)?;
        let (session_idle_timeout, session_max_lifetime) = sessions::lifetimes(&vars)?;
        let login_throttle = sessions::throttle(&vars)?;
        let trust_proxy = server::trust_proxy(&vars)?;
        let mailer = mail::mailer(&vars, environment, &data_dir)?;
        let outbox_poll = mail::outbox_poll(&vars)?;
        let invites = invites::settings(&vars)?;
        let api_rate_per_minute = server::api_rate_per_minute(&vars)?;
        let outbound = outbound::policy(&vars)?;
        let scrape_ports = outbound::scrape_ports(&vars)?;
        let llm = llm::settings(&vars)?;

        Ok(Self {
            environment,
            data_dir,
            database_url,
            database_pool_size,
            bind,
            workers,
            base_url,
            session_secret,
            session_idle_timeout,
            session_max_lifetime,
            login_throttle,
            trust_proxy,
            log_format,
            mailer,
            outbox_poll,
            invites,
            api_rate_per_minute,
            outbound,
            scrape_ports,
            llm,
            clock: crate::clock::Clock::system(),
        })
    }

    /// Cookies carry the `Secure` flag whenever the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().to_string_lossy().into_owned();
        let mut map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("CAIRN_DATA_DIR".into()).or_insert(data_dir);
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn failing_var(pairs: &[(&str, &str)]) -> String {
        match config_from(pairs) {
            Err(ConfigError::Invalid { var, .. }) => var.to_string(),
            other => panic!("expected an invalid variable, got {other:?}"),
        }
    }

    #[test]
    fn defaults_run_locally_on_sqlite() {
        let config = config_from(&[]).expect("defaults are valid");
        assert!(
            matches!(config.database_url, DatabaseUrl::Sqlite(ref p) if p.ends_with("cairn.db"))
        );
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!config.secure_cookies());
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn development_session_key_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().to_string_lossy().into_owned();
        let lookup = |name: &str| (name == "CAIRN_DATA_DIR").then(|| data_dir.clone());
        let first = Config::from_lookup(lookup).expect("first start");
        let second = Config::from_lookup(lookup).expect("second start");
        assert_eq!(
            first.session_secret.as_bytes(),
            second.session_secret.as_bytes()
        );
        assert!(dir.path().join("session.key").exists());
    }

    #[test]
    fn wrong_values_name_their_variable() {
        assert_eq!(failing_var(&[("BIND", "not an address")]), "BIND");
        assert_eq!(failing_var(&[("LOG_FORMAT", "xml")]), "LOG_FORMAT");
        assert_eq!(failing_var(&[("CAIRN_ENV", "staging")]), "CAIRN_ENV");
        assert_eq!(
            failing_var(&[("SCRAPE_ALLOWED_PORTS", "8080,ssh")]),
            "SCRAPE_ALLOWED_PORTS"
        );
        assert_eq!(
            failing_var(&[("LLM_BASE_URL", "https://llm.example.com/v1")]),
            "LLM_MODEL"
        );
        assert_eq!(
            failing_var(&[
                ("LLM_BASE_URL", "not a url"),
                ("LLM_MODEL", "m"),
                ("LLM_API_KEY", "k")
            ]),
            "LLM_BASE_URL"
        );
        assert_eq!(
            failing_var(&[("BASE_URL", "ftp://example.com")]),
            "BASE_URL"
        );
        assert_eq!(
            failing_var(&[("DATABASE_URL", "mysql://x")]),
            "DATABASE_URL"
        );
        assert_eq!(failing_var(&[("SESSION_KEY", "short")]), "SESSION_KEY");
        assert_eq!(
            failing_var(&[("OUTBOUND_TEST_ALLOW_ADDRS", "127.0.0.1, localhost")]),
            "OUTBOUND_TEST_ALLOW_ADDRS"
        );
        assert_eq!(
            failing_var(&[("SESSION_IDLE_MINUTES", "-5")]),
            "SESSION_IDLE_MINUTES"
        );
        assert_eq!(failing_var(&[("CAIRN_ENV", "production")]), "SESSION_KEY");
        let key = "a".repeat(88);
        assert_eq!(
            failing_var(&[("CAIRN_ENV", "production"), ("SESSION_KEY", &key)]),
            "SMTP_URL"
        );
        assert_eq!(failing_var(&[("SMTP_URL", "http://mail")]), "SMTP_URL");
        assert_eq!(failing_var(&[("MAIL_FROM", "not an address")]), "MAIL_FROM");
        assert_eq!(
            failing_var(&[("INVITE_EXPIRY_DAYS", "0")]),
            "INVITE_EXPIRY_DAYS"
        );
    }

    #[test]
    fn https_base_url_makes_cookies_secure() {
        let config = config_from(&[("BASE_URL", "https://okr.example.com")]).expect("valid");
        assert!(config.secure_cookies());
    }

    #[test]
    fn postgres_url_hides_its_password_when_printed() {
        let url = DatabaseUrl::parse("postgres://cairn:s3cret@db:5432/cairn").expect("valid");
        let shown = format!("{url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("cairn:***@db"), "{shown}");
    }
}
