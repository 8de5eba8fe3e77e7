//! How mail leaves, as configured: SMTP (STARTTLS or TLS, credentials never printed) or
//! `.eml` files in development, the sender, and the retry policy.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::SmtpTransport;

use super::MailError;

/// How deliveries are made, from configuration.
#[derive(Clone, Debug)]
pub enum MailTransport {
    /// `SMTP_URL`: `smtp://` (STARTTLS) or `smtps://` (TLS), credentials in the URL.
    Smtp(SmtpSettings),
    /// Development default: each message becomes an `.eml` file in this folder.
    Files(PathBuf),
}

#[derive(Clone)]
pub struct SmtpSettings {
    host: String,
    port: u16,
    implicit_tls: bool,
    /// STARTTLS is required unless the URL says `?tls=opportunistic` (a local relay).
    require_starttls: bool,
    credentials: Option<(String, String)>,
}

/// Never print credentials.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.implicit_tls { "smtps" } else { "smtp" };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

impl SmtpSettings {
    pub fn parse(raw: &str) -> Result<Self, MailError> {
        let url = url::Url::parse(raw).map_err(|e| MailError::Config(format!("not a URL: {e}")))?;
        let implicit_tls = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => {
                return Err(MailError::Config(format!(
                    "expected smtp:// or smtps://, got {other}://"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| MailError::Config("the URL needs a host".into()))?
            .to_owned();
        let port = url.port().unwrap_or(if implicit_tls { 465 } else { 587 });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| MailError::Config("credentials are not valid UTF-8".into()))
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some((decode(user)?, decode(password.unwrap_or(""))?)),
        };
        let require_starttls = !url
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "opportunistic");
        Ok(Self {
            host,
            port,
            implicit_tls,
            require_starttls,
            credentials,
        })
    }

    pub(super) fn transport(&self) -> Result<SmtpTransport, MailError> {
        let tls_parameters =
            TlsParameters::new(self.host.clone()).map_err(|e| MailError::Config(e.to_string()))?;
        let tls = if self.implicit_tls {
            Tls::Wrapper(tls_parameters)
        } else if self.require_starttls {
            Tls::Required(tls_parameters)
        } else {
            Tls::Opportunistic(tls_parameters)
        };
        let mut builder = SmtpTransport::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)));
        if let Some((user, password)) = &self.credentials {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    password.clone(),
                ));
        }
        Ok(builder.build())
    }
}

/// Retry policy for failed deliveries.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each further one.
    pub base: Duration,
    pub max_wait: Duration,
    /// After this many attempts the message is marked failed (and can be resent by hand).
    pub max_attempts: i32,
}

impl RetryPolicy {
    pub fn wait_after(&self, attempts: i32) -> Duration {
        let doublings = attempts.clamp(1, 20) as u32 - 1;
        self.base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_wait)
    }
}

/// Everything the worker needs to deliver.
#[derive(Clone, Debug)]
pub struct Mailer {
    pub transport: MailTransport,
    pub from: Mailbox,
    pub retry: RetryPolicy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let s = SmtpSettings::parse("smtps://user%40x.com:p%40ss@mail.example.com").unwrap();
        assert!(s.implicit_tls);
        assert_eq!(s.port, 465);
        assert_eq!(s.credentials, Some(("user@x.com".into(), "p@ss".into())));
        assert!(
            !format!("{s:?}").contains("p@ss"),
            "credentials never print"
        );
        let s = SmtpSettings::parse("smtp://relay.local:2525?tls=opportunistic").unwrap();
        assert!(!s.implicit_tls && !s.require_starttls);
        assert_eq!(s.port, 2525);
        assert!(
            SmtpSettings::parse("smtp://mail.example.com")
                .unwrap()
                .require_starttls
        );
        assert!(SmtpSettings::parse("http://mail.example.com").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        let policy = RetryPolicy {
            base: Duration::from_secs(30),
            max_wait: Duration::from_secs(3600),
            max_attempts: 10,
        };
        assert_eq!(policy.wait_after(1), Duration::from_secs(30));
        assert_eq!(policy.wait_after(2), Duration::from_secs(60));
        assert_eq!(policy.wait_after(4), Duration::from_secs(240));
        assert_eq!(policy.wait_after(12), Duration::from_secs(3600));
    }
}
