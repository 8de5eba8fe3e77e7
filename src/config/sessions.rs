//! The sessions section: the cookie key (generated and kept beside the data in
//! development), how long a session lasts, and log-in throttling.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use rand::RngCore;

use super::{invalid, minutes, ConfigError, Environment, Vars};

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

pub(super) fn secret(
    vars: &Vars<'_>,
    environment: Environment,
    data_dir: &Path,
) -> Result<SessionSecret, ConfigError> {
    match vars.get("SESSION_KEY") {
        Some(encoded) => SessionSecret::decode("SESSION_KEY", &encoded),
        None if environment == Environment::Production => Err(invalid(
            "SESSION_KEY",
            "required when CAIRN_ENV=production (generate one with: openssl rand -base64 64)",
        )),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|source| ConfigError::Io {
                var: "CAIRN_DATA_DIR",
                path: data_dir.to_owned(),
                source,
            })?;
            SessionSecret::load_or_create(&data_dir.join("session.key"))
        }
    }
}

/// The idle timeout and the maximum lifetime, the second never shorter than the first.
pub(super) fn lifetimes(vars: &Vars<'_>) -> Result<(Duration, Duration), ConfigError> {
    let session_idle_timeout =
        minutes(vars.number("SESSION_IDLE_MINUTES", 7 * 24 * 60, 1, 525_600)?);
    let session_max_lifetime =
        minutes(vars.number("SESSION_MAX_LIFETIME_MINUTES", 30 * 24 * 60, 1, 5_256_000)?);
    if session_max_lifetime < session_idle_timeout {
        return Err(invalid(
            "SESSION_MAX_LIFETIME_MINUTES",
            "must not be shorter than SESSION_IDLE_MINUTES",
        ));
    }
    Ok((session_idle_timeout, session_max_lifetime))
}

pub(super) fn throttle(vars: &Vars<'_>) -> Result<LoginThrottle, ConfigError> {
    Ok(LoginThrottle {
        max_failures_per_email: vars.number("LOGIN_MAX_FAILURES_PER_EMAIL", 5, 1, 10_000)? as u32,
        max_failures_per_client: vars.number("LOGIN_MAX_FAILURES_PER_CLIENT", 30, 1, 100_000)?
            as u32,
        window: minutes(vars.number("LOGIN_THROTTLE_MINUTES", 15, 1, 24 * 60)?),
    })
}
