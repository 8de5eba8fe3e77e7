//! Typed configuration read from the environment (and an optional `.env`).
//!
//! Every variable has a default that runs locally; a wrong value stops start-up with one
//! line naming the variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use lettre::message::Mailbox;
use rand::RngCore;
use url::Url;

pub use crate::db::DatabaseUrl;
use crate::db::InvalidDatabaseUrl;
use crate::mail::{MailTransport, Mailer, RetryPolicy, SmtpSettings};

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

impl From<InvalidDatabaseUrl> for ConfigError {
    fn from(e: InvalidDatabaseUrl) -> Self {
        invalid("DATABASE_URL", e.to_string())
    }
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

/// The 64-byte key that signs and encrypts session cookies.
#[derive(Clone)]
pub struct SessionSecret(Vec<u8>);

impl SessionSecret {
    const LEN: usize = 64;

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn decode(var: &'static str, encoded: &str) -> Result<Self, ConfigError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| {
                invalid(
                    var,
                    "must be base64 (generate one with: openssl rand -base64 64)",
                )
            })?;
        if bytes.len() < Self::LEN {
            return Err(invalid(
                var,
                format!(
                    "must decode to at least {} bytes, got {}",
                    Self::LEN,
                    bytes.len()
                ),
            ));
        }
        Ok(Self(bytes))
    }

    fn generate() -> Self {
        let mut bytes = vec![0u8; Self::LEN];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Development only: a key generated once and kept beside the data, so restarts keep
    /// people logged in.
    fn load_or_create(path: &Path) -> Result<Self, ConfigError> {
        let io = |source| ConfigError::Io {
            var: "SESSION_KEY",
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(encoded) => Self::decode("SESSION_KEY", &encoded),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secret = Self::generate();
                let encoded = base64::engine::general_purpose::STANDARD.encode(&secret.0);
                std::fs::write(path, encoded).map_err(io)?;
                restrict_permissions(path).map_err(io)?;
                Ok(secret)
            }
            Err(e) => Err(io(e)),
        }
    }
}

impl std::fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionSecret(***)")
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Log-in throttling: failed attempts allowed per window, per email and per client address.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    pub max_failures_per_email: u32,
    pub max_failures_per_client: u32,
    pub window: Duration,
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
    /// How often the outbox worker looks for due messages.
    pub outbox_poll: Duration,
    pub invites: InviteSettings,
    /// Requests one API token may make per minute (bursts up to as many).
    pub api_rate_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct InviteSettings {
    pub expiry: Duration,
    /// Invitation emails (new and resent) one organization may send per hour.
    pub per_org_per_hour: u32,
    /// Invitation emails one person may send per hour, across all organizations (anyone can
    /// create organizations, so the per-organization cap alone would not stop spam).
    pub per_user_per_hour: u32,
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

    /// Builds the configuration from any variable source (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());

        let environment = match var("CAIRN_ENV").as_deref().map(str::trim) {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "CAIRN_ENV",
                    format!("expected development or production, got {other:?}"),
                ))
            }
        };

        let data_dir = PathBuf::from(var("CAIRN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw)?,
            None => DatabaseUrl::Sqlite(data_dir.join("cairn.db")),
        };
        if let DatabaseUrl::Sqlite(path) = &database_url {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| ConfigError::Io {
                    var: "DATABASE_URL",
                    path: parent.to_owned(),
                    source,
                })?;
            }
        }

        let bind_raw = var("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            invalid(
                "BIND",
                format!("expected an address like 127.0.0.1:8080, got {bind_raw:?}"),
            )
        })?;

        let base_url = match var("BASE_URL") {
            Some(raw) => {
                let url = Url::parse(raw.trim())
                    .map_err(|e| invalid("BASE_URL", format!("not a valid URL: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(invalid("BASE_URL", "must be an http(s) URL with a host"));
                }
                url
            }
            None => Url::parse(&format!("http://{bind}"))
                .map_err(|e| invalid("BIND", format!("cannot form a base URL: {e}")))?,
        };

        let session_secret = match var("SESSION_KEY") {
            Some(encoded) => SessionSecret::decode("SESSION_KEY", &encoded)?,
            None if environment == Environment::Production => return Err(invalid(
                "SESSION_KEY",
                "required when CAIRN_ENV=production (generate one with: openssl rand -base64 64)",
            )),
            None => {
                std::fs::create_dir_all(&data_dir).map_err(|source| ConfigError::Io {
                    var: "CAIRN_DATA_DIR",
                    path: data_dir.clone(),
                    source,
                })?;
                SessionSecret::load_or_create(&data_dir.join("session.key"))?
            }
        };

        let log_format = match var("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("expected pretty or json, got {other:?}"),
                ))
            }
        };

        let number =
            |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
                match var(name) {
                    None => Ok(default),
                    Some(raw) => match raw.trim().parse::<u64>() {
                        Ok(n) if (min..=max).contains(&n) => Ok(n),
                        _ => Err(invalid(
                            name,
                            format!("expected a whole number from {min} to {max}, got {raw:?}"),
                        )),
                    },
                }
            };
        let minutes = |n: u64| Duration::from_secs(n * 60);

        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let workers = number("WORKERS", default_workers, 1, 256)? as usize;
        let database_pool_size = number("DATABASE_POOL_SIZE", 10, 1, 200)? as u32;
        let session_idle_timeout =
            minutes(number("SESSION_IDLE_MINUTES", 7 * 24 * 60, 1, 525_600)?);
        let session_max_lifetime = minutes(number(
            "SESSION_MAX_LIFETIME_MINUTES",
            30 * 24 * 60,
            1,
            5_256_000,
        )?);
        if session_max_lifetime < session_idle_timeout {
            return Err(invalid(
                "SESSION_MAX_LIFETIME_MINUTES",
                "must not be shorter than SESSION_IDLE_MINUTES",
            ));
        }
        let login_throttle = LoginThrottle {
            max_failures_per_email: number("LOGIN_MAX_FAILURES_PER_EMAIL", 5, 1, 10_000)? as u32,
            max_failures_per_client: number("LOGIN_MAX_FAILURES_PER_CLIENT", 30, 1, 100_000)?
                as u32,
            window: minutes(number("LOGIN_THROTTLE_MINUTES", 15, 1, 24 * 60)?),
        };
        let trust_proxy = match var("TRUST_PROXY").as_deref().map(str::trim) {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(invalid(
                    "TRUST_PROXY",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };

        let transport = match var("SMTP_URL") {
            Some(raw) => MailTransport::Smtp(
                SmtpSettings::parse(raw.trim()).map_err(|e| invalid("SMTP_URL", e.to_string()))?,
            ),
            None if environment == Environment::Production => {
                return Err(invalid(
                    "SMTP_URL",
                    "required when CAIRN_ENV=production, so invitations reach people",
                ))
            }
            None => MailTransport::Files(data_dir.join("outbox")),
        };
        let from_raw = var("MAIL_FROM").unwrap_or_else(|| "Cairn <cairn@localhost>".into());
        let from: Mailbox = from_raw.trim().parse().map_err(|_| {
            invalid(
                "MAIL_FROM",
                format!("expected an address like Cairn <okr@example.com>, got {from_raw:?}"),
            )
        })?;
        let mailer = Mailer {
            transport,
            from,
            retry: RetryPolicy {
                base: Duration::from_secs(number("OUTBOX_RETRY_SECONDS", 30, 1, 86_400)?),
                max_wait: Duration::from_secs(3600),
                max_attempts: number("OUTBOX_MAX_ATTEMPTS", 12, 1, 1000)? as i32,
            },
        };
        let outbox_poll = Duration::from_millis(number("OUTBOX_POLL_MILLIS", 2000, 10, 3_600_000)?);
        let invites = InviteSettings {
            expiry: Duration::from_secs(number("INVITE_EXPIRY_DAYS", 7, 1, 365)? * 86_400),
            per_org_per_hour: number("INVITES_PER_ORG_PER_HOUR", 50, 1, 100_000)? as u32,
            per_user_per_hour: number("INVITES_PER_USER_PER_HOUR", 100, 1, 100_000)? as u32,
        };

        let api_rate_per_minute = number("API_RATE_PER_MINUTE", 600, 1, 1_000_000)? as u32;

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
            failing_var(&[("BASE_URL", "ftp://example.com")]),
            "BASE_URL"
        );
        assert_eq!(
            failing_var(&[("DATABASE_URL", "mysql://x")]),
            "DATABASE_URL"
        );
        assert_eq!(failing_var(&[("SESSION_KEY", "short")]), "SESSION_KEY");
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
