//! Requests Cairn makes to addresses people typed: webhook endpoints and the website the
//! onboarding scrape reads. A server that fetches what users name is the classic SSRF hole
//! (cloud metadata at 169.254.169.254, the database on 127.0.0.1), so every such request
//! goes through here:
//!
//! - https only for webhooks; http or https for web pages, on ports 80 and 443 plus those
//!   the operator allows (`UrlRules`);
//! - no user name or password in the address, and `localhost` names are refused by name;
//! - the host is resolved once and refused if **any** of its addresses is not a public
//!   unicast address (`forbidden`), and the connection goes to those checked addresses, so
//!   a name that answers differently a second time (DNS rebinding) gains nothing;
//! - an address typed as an IP literal (in any spelling the URL standard reads: decimal,
//!   octal, hex, IPv4-mapped) is checked the same way before anything is sent;
//! - redirects are followed only by `get_page`, at most five, each hop checked like the
//!   first; no proxy from the environment is used, no cookies are kept, and every request
//!   has a time limit.
//!
//! `OUTBOUND_TEST_ALLOW_ADDRS` names IP addresses that may be reached anyway, over http
//! too. It exists for tests, whose receivers listen on 127.0.0.1; set in production it
//! opens exactly the hole this module closes.

mod page;
mod ranges;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

pub use page::{FetchedPage, PageLimits};
pub use ranges::forbidden;

/// Why an address may not be reached; said to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only https addresses can be reached")]
    NotHttps,
    #[error("only http and https addresses can be reached")]
    NotWeb,
    #[error("the address has no host name")]
    NoHost,
    #[error("an address may not carry a user name or password")]
    Credentials,
    #[error("port {0} is not one Cairn connects to (80 and 443 are)")]
    Port(u16),
    #[error("{0} names this machine, which Cairn does not connect to")]
    LocalName(String),
    #[error("{host} is {ip}, {why}, which Cairn does not connect to")]
    Forbidden {
        host: String,
        ip: IpAddr,
        why: &'static str,
    },
    #[error("{0} has no address")]
    Unresolved(String),
    #[error("the site redirected more than {0} times")]
    TooManyRedirects(usize),
    #[error("the answer is not an HTML page ({0})")]
    NotHtml(String),
    #[error("the page is larger than {} MiB", .0 / (1024 * 1024))]
    TooLarge(usize),
}

/// Which ports a kind of request may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ports {
    Any,
    /// 80 and 443, and these.
    Web(Vec<u16>),
}

/// What a kind of request may reach, beyond the address rules every request keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRules {
    /// Plain http too, not only https.
    pub http: bool,
    pub ports: Ports,
}

impl UrlRules {
    /// Webhook endpoints: https on any port.
    pub const WEBHOOKS: UrlRules = UrlRules {
        http: false,
        ports: Ports::Any,
    };

    /// Web pages: http or https on 80, 443 and `extra_ports`.
    pub fn web_pages(extra_ports: Vec<u16>) -> Self {
        Self {
            http: true,
            ports: Ports::Web(extra_ports),
        }
    }

    fn allows_port(&self, port: u16) -> bool {
        match &self.ports {
            Ports::Any => true,
            Ports::Web(extra) => port == 80 || port == 443 || extra.contains(&port),
        }
    }
}

/// Which addresses outbound requests may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Reachable despite the rules, over http too (tests only).
    test_allowed: Vec<IpAddr>,
    /// Names answered without DNS (tests only), checked like any answer.
    test_names: Vec<(String, IpAddr)>,
}

/// `localhost` and its subdomains (RFC 6761), however spelled.
fn is_local_name(host: &str) -> bool {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

impl OutboundPolicy {
    /// The policy with `test_allowed` reachable; empty is the safe default.
    pub fn allowing(test_allowed: Vec<IpAddr>) -> Self {
        Self {
            test_allowed,
            test_names: Vec::new(),
        }
    }

    /// Answers `name` with `ip` instead of asking DNS: a test's resolver, so a test can
    /// name a host that resolves to an address it controls.
    pub fn resolving(mut self, name: &str, ip: IpAddr) -> Self {
        self.test_names.push((name.to_ascii_lowercase(), ip));
        self
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

    /// What can be said about `url` without resolving it: scheme, port, credentials, local
    /// names, and the address itself when the host is an IP literal.
    pub fn check_url(&self, url: &Url, rules: &UrlRules) -> Result<(), Refusal> {
        let wrong_scheme = if rules.http {
            Refusal::NotWeb
        } else {
            Refusal::NotHttps
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(wrong_scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let literal = match url.host() {
            None => return Err(Refusal::NoHost),
            Some(url::Host::Domain(name)) if is_local_name(name) => {
                return Err(Refusal::LocalName(name.to_owned()))
            }
            Some(url::Host::Domain(_)) => None,
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        };
        let test_address = literal.is_some_and(|ip| self.test_allowed.contains(&ip));
        if url.scheme() == "http" && !rules.http && !test_address {
            return Err(wrong_scheme);
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if !rules.allows_port(port) {
            return Err(Refusal::Port(port));
        }
        match literal {
            Some(ip) => self.check_ip(url.host_str().unwrap_or_default(), ip),
            None => Ok(()),
        }
    }

    /// Every address of `host`, or a refusal if any of them is forbidden.
    async fn resolve(&self, host: &str) -> Result<Vec<SocketAddr>, Refusal> {
        if is_local_name(host) {
            return Err(Refusal::LocalName(host.to_owned()));
        }
        let named: Vec<SocketAddr> = self
            .test_names
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case(host))
            .map(|(_, ip)| SocketAddr::new(*ip, 0))
            .collect();
        let found: Vec<SocketAddr> = if named.is_empty() {
            tokio::net::lookup_host((host, 0))
                .await
                .map_err(|_| Refusal::Unresolved(host.to_owned()))?
                .collect()
        } else {
            named
        };
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
    #[error("the site answered {0}")]
    Status(u16),
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
        self.policy.check_url(url, &UrlRules::WEBHOOKS)?;
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
mod tests;
