//! Reading a web page someone named: redirects followed by hand so each hop is checked like
//! the first, only HTML, and never more than the size cap read off the wire.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use url::Url;

use super::{Outbound, OutboundError, Refusal, UrlRules};

/// How far a page fetch may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    pub max_redirects: usize,
    pub max_bytes: usize,
    /// For the whole fetch, redirects included.
    pub total: Duration,
}

impl Default for PageLimits {
    fn default() -> Self {
        Self {
            max_redirects: 5,
            max_bytes: 2 * 1024 * 1024,
            total: Duration::from_secs(10),
        }
    }
}

/// A page as read: where it ended up after redirects, and its text.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    pub url: Url,
    pub html: String,
}

/// Whether a content type is an HTML document.
fn is_html(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "text/html" || essence == "application/xhtml+xml"
}

impl Outbound {
    /// Fetches the HTML page at `url`, following at most `limits.max_redirects` redirects.
    pub async fn get_page(
        &self,
        url: &Url,
        rules: &UrlRules,
        limits: &PageLimits,
    ) -> Result<FetchedPage, OutboundError> {
        tokio::time::timeout(limits.total, self.follow(url.clone(), rules, limits))
            .await
            .map_err(|_| OutboundError::TimedOut)?
    }

    async fn follow(
        &self,
        mut url: Url,
        rules: &UrlRules,
        limits: &PageLimits,
    ) -> Result<FetchedPage, OutboundError> {
        let mut redirects = 0;
        loop {
            self.policy.check_url(&url, rules)?;
            let mut response = self
                .client
                .get(url.clone())
                .header(ACCEPT, "text/html,application/xhtml+xml")
                .send()
                .await?;
            let status = response.status();
            if status.is_redirection() {
                if redirects == limits.max_redirects {
                    return Err(Refusal::TooManyRedirects(limits.max_redirects).into());
                }
                let target = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|location| url.join(location).ok())
                    .ok_or(OutboundError::Status(status.as_u16()))?;
                redirects += 1;
                url = target;
                continue;
            }
            if !status.is_success() {
                return Err(OutboundError::Status(status.as_u16()));
            }
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let content_type = header(CONTENT_TYPE).unwrap_or_default();
            if !is_html(&content_type) {
                let named = if content_type.is_empty() {
                    "no content type".to_owned()
                } else {
                    content_type
                };
                return Err(Refusal::NotHtml(named).into());
            }
            let declared = header(CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|length| length > limits.max_bytes) {
                return Err(Refusal::TooLarge(limits.max_bytes).into());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limits.max_bytes {
                    return Err(Refusal::TooLarge(limits.max_bytes).into());
                }
                body.extend_from_slice(&chunk);
            }
            return Ok(FetchedPage {
                url,
                html: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }
}
