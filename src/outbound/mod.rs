//! Requests Cairn makes to addresses people typed: webhook endpoints now, the onboarding
//! scrape next. A server that fetches what users name is the classic SSRF hole (cloud
//! metadata at 169.254.169.254, the database on 127.0.0.1), so every such request goes
//! through here:
//!
//! - https only;
//! - the host is resolved once and refused if **any** of its addresses is not a public
//!   unicast address (`forbidden`), and the connection goes to those checked addresses, so
//!   a name that answers differently a second time (DNS rebinding) gains nothing;
//! - an address typed as an IP literal is checked the same way before anything is sent
//!   (the HTTP client resolves nothing for it);
//! - no redirects are followed, no proxy from the environment is used, no cookies are kept,
//!   and every request has a time limit.
//!
//! `OUTBOUND_TEST_ALLOW_ADDRS` names IP addresses that may be reached anyway, over http
//! too. It exists for tests, whose receivers listen on 127.0.0.1; set in production it
//! opens exactly the hole this module closes.

mod ranges;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

pub use ranges::forbidden;

/// Why an address may not be reached; said to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only https addresses can be reached")]
    NotHttps,
    #[error("the address has no host name")]
    NoHost,
    #[error("an address may not carry a user name or password")]
    Credentials,
    #[error("{host} is {ip}, {why}, which Cairn does not connect to")]
    Forbidden {
        host: String,
        ip: IpAddr,
        why: &'static str,
    },
    #[error("{0} has no address")]
    Unresolved(String),
}

/// Which addresses outbound requests may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Reachable despite the rules, over http too (tests only).
    test_allowed: Vec<IpAddr>,
}

impl OutboundPolicy {
    /// The policy with `test_allowed` reachable; empty is the safe default.
    pub fn allowing(test_allowed: Vec<IpAddr>) -> Self {
        Self { test_allowed }
    }

    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), Refusal> {
        if self.test_allowed.contains(&ip) {
            return Ok(());
        }
        match forbidden(ip) {
            Some(why) => Err(Refusal::Forbidden {
                host: host.to_owned(),
                ip,
                why,
            }),
            None => Ok(()),
        }
    }

    /// What can be said about `url` without resolving it: scheme, credentials, and the
    /// address itself when the host is an IP literal.
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let literal = match url.host() {
            None => return Err(Refusal::NoHost),
            Some(url::Host::Domain(_)) => None,
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        };
        let test_address = literal.is_some_and(|ip| self.test_allowed.contains(&ip));
        match url.scheme() {
            "https" => {}
            "http" if test_address => {}
            _ => return Err(Refusal::NotHttps),
        }
        match literal {
            Some(ip) => self.check_ip(url.host_str().unwrap_or_default(), ip),
            None => Ok(()),
        }
    }

    /// Every address of `host`, or a refusal if any of them is forbidden.
    async fn resolve(&self, host: &str) -> Result<Vec<std::net::SocketAddr>, Refusal> {
        let found: Vec<_> = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|_| Refusal::Unresolved(host.to_owned()))?
            .collect();
        if found.is_empty() {
            return Err(Refusal::Unresolved(host.to_owned()));
        }
        for address in &found {
            self.check_ip(host, address.ip())?;
        }
        Ok(found)
    }
}

/// The HTTP client's resolver: the checked addresses are the ones it connects to.
struct GuardedResolver(Arc<OutboundPolicy>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let addresses = policy.resolve(name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// Why an outbound request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("timed out")]
    TimedOut,
    #[error("{0}")]
    Failed(String),
}

impl From<reqwest::Error> for OutboundError {
    fn from(e: reqwest::Error) -> Self {
        // A refusal from the resolver arrives wrapped in the client's connect error.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(current) = source {
            if let Some(refusal) = current.downcast_ref::<Refusal>() {
                return Self::Refused(refusal.clone());
            }
            source = current.source();
        }
        if e.is_timeout() {
            return Self::TimedOut;
        }
        Self::Failed(chain(&e))
    }
}

/// An error with its causes, the way the client's errors need reading ("error sending
/// request: … connection refused").
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// An HTTP client that reaches only what the policy allows.
#[derive(Clone)]
pub struct Outbound {
    policy: Arc<OutboundPolicy>,
    client: reqwest::Client,
}

impl Outbound {
    pub fn new(policy: OutboundPolicy, timeout: Duration) -> Result<Self, OutboundError> {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver(policy.clone())))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .user_agent(concat!("Cairn/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OutboundError::Failed(chain(&e)))?;
        Ok(Self { policy, client })
    }

    /// Posts `body` as JSON with `headers`; answers the status code.
    pub async fn post_json(
        &self,
        url: &Url,
        headers: &[(&'static str, String)],
        body: String,
    ) -> Result<u16, OutboundError> {
        self.policy.check_url(url)?;
        let request = headers.iter().fold(
            self.client
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json"),
            |request, (name, value)| request.header(*name, value),
        );
        let response = request.body(body).send().await?;
        Ok(response.status().as_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(raw: &str) -> Url {
        Url::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn only_https_urls_without_credentials_pass_the_syntax_check() {
        let policy = OutboundPolicy::default();
        assert_eq!(
            policy.check_url(&url("https://hooks.example.com/x")),
            Ok(())
        );
        assert_eq!(
            policy.check_url(&url("http://hooks.example.com/x")),
            Err(Refusal::NotHttps)
        );
        assert_eq!(
            policy.check_url(&url("ftp://hooks.example.com/x")),
            Err(Refusal::NotHttps)
        );
        assert_eq!(
            policy.check_url(&url("https://user:pw@hooks.example.com/")),
            Err(Refusal::Credentials)
        );
    }

    #[test]
    fn ip_literals_are_checked_before_anything_is_sent() {
        let policy = OutboundPolicy::default();
        for raw in [
            "https://127.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3:8443/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[fd00::1]/",
            "https://0x7f000001/",
        ] {
            assert!(
                matches!(policy.check_url(&url(raw)), Err(Refusal::Forbidden { .. })),
                "{raw}"
            );
        }
        assert_eq!(policy.check_url(&url("https://93.184.215.14/")), Ok(()));
    }

    #[test]
    fn a_test_address_is_reachable_over_http_and_no_other_is() {
        let policy = OutboundPolicy::allowing(vec!["127.0.0.1".parse().unwrap()]);
        assert_eq!(policy.check_url(&url("http://127.0.0.1:9999/hook")), Ok(()));
        assert!(matches!(
            policy.check_url(&url("http://127.0.0.2:9999/hook")),
            Err(Refusal::NotHttps)
        ));
        assert!(matches!(
            policy.check_url(&url("https://127.0.0.2/")),
            Err(Refusal::Forbidden { .. })
        ));
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_with_its_address() {
        let refused = OutboundPolicy::default()
            .resolve("localhost")
            .await
            .expect_err("localhost is loopback");
        assert!(
            matches!(refused, Refusal::Forbidden { ip, .. } if ip.is_loopback()),
            "{refused:?}"
        );
    }
}
