//! Outbound requests: the addresses tests may reach despite the SSRF guard.

use std::net::IpAddr;

use super::{invalid, ConfigError, Vars};
use crate::outbound::OutboundPolicy;

/// `OUTBOUND_TEST_ALLOW_ADDRS`: comma-separated IP addresses (no names) that outbound
/// requests may reach although they are loopback or private, over http too. For tests'
/// own receivers only; unset (the default) allows none.
pub(super) fn policy(vars: &Vars<'_>) -> Result<OutboundPolicy, ConfigError> {
    const VAR: &str = "OUTBOUND_TEST_ALLOW_ADDRS";
    let Some(raw) = vars.get(VAR) else {
        return Ok(OutboundPolicy::default());
    };
    let addresses = raw
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpAddr>()
                .map_err(|_| invalid(VAR, format!("expected IP addresses, got {part:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OutboundPolicy::allowing(addresses))
}

/// `SCRAPE_ALLOWED_PORTS`: comma-separated ports the onboarding scrape may use besides 80
/// and 443.
pub(super) fn scrape_ports(vars: &Vars<'_>) -> Result<Vec<u16>, ConfigError> {
    const VAR: &str = "SCRAPE_ALLOWED_PORTS";
    let Some(raw) = vars.get(VAR) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u16>()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| invalid(VAR, format!("expected port numbers, got {part:?}")))
        })
        .collect()
}
