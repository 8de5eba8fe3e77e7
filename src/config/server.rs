//! The HTTP section: where the server listens, the public URL, worker threads, the proxy in
//! front of it, and the API's request rate.

use std::net::SocketAddr;

use url::Url;

use super::{invalid, ConfigError, Vars};

pub(super) fn bind(vars: &Vars<'_>) -> Result<SocketAddr, ConfigError> {
    let bind_raw = vars.get("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
    bind_raw.trim().parse().map_err(|_| {
        invalid(
            "BIND",
            format!("expected an address like 127.0.0.1:8080, got {bind_raw:?}"),
        )
    })
}

pub(super) fn base_url(vars: &Vars<'_>, bind: SocketAddr) -> Result<Url, ConfigError> {
    match vars.get("BASE_URL") {
        Some(raw) => {
            let url = Url::parse(raw.trim())
                .map_err(|e| invalid("BASE_URL", format!("not a valid URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(invalid("BASE_URL", "must be an http(s) URL with a host"));
            }
            Ok(url)
        }
        None => Url::parse(&format!("http://{bind}"))
            .map_err(|e| invalid("BIND", format!("cannot form a base URL: {e}"))),
    }
}

pub(super) fn workers(vars: &Vars<'_>) -> Result<usize, ConfigError> {
    let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    Ok(vars.number("WORKERS", default_workers, 1, 256)? as usize)
}

pub(super) fn trust_proxy(vars: &Vars<'_>) -> Result<bool, ConfigError> {
    match vars.get("TRUST_PROXY").as_deref().map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(invalid(
            "TRUST_PROXY",
            format!("expected true or false, got {other:?}"),
        )),
    }
}

pub(super) fn api_rate_per_minute(vars: &Vars<'_>) -> Result<u32, ConfigError> {
    Ok(vars.number("API_RATE_PER_MINUTE", 600, 1, 1_000_000)? as u32)
}
