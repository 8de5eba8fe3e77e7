//! A language model behind an OpenAI-compatible chat completions endpoint, used only when
//! the operator configures one (`LLM_BASE_URL`, `LLM_MODEL`, `LLM_API_KEY`). Without them
//! nothing is sent anywhere. The endpoint is the operator's choice, not a user's, so it is
//! reached directly rather than through `outbound` (a model served on this machine works).

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

/// Where the model is and how to reach it.
#[derive(Clone)]
pub struct LlmSettings {
    /// The API's base, such as `https://api.openai.com/v1`; `/chat/completions` is added.
    pub base_url: Url,
    pub model: String,
    api_key: String,
}

// The key never reaches a log, not even through the configuration's `Debug`.
impl fmt::Debug for LlmSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmSettings")
            .field("base_url", &self.base_url.as_str())
            .field("model", &self.model)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

impl LlmSettings {
    pub fn new(base_url: Url, model: String, api_key: String) -> Self {
        Self {
            base_url,
            model,
            api_key,
        }
    }

    /// Who runs the model, as recorded beside what it answered: the endpoint's host.
    pub fn provider(&self) -> String {
        self.base_url.host_str().unwrap_or_default().to_owned()
    }
}

/// One message of a chat.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: "system",
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user",
            content: content.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the language model did not answer within {0} s")]
    TimedOut(u64),
    #[error("the language model could not be reached: {0}")]
    Unreachable(String),
    #[error("the language model answered {0}")]
    Status(u16),
    #[error("the language model's answer was not understood")]
    Unreadable,
}

/// One question to the model: exactly what was sent, to which model at which provider
/// (as recorded beside the answer), and the answer.
#[derive(Debug)]
pub struct Exchange {
    pub sent: Value,
    pub model: String,
    pub provider: String,
    pub reply: Result<String, LlmError>,
}

/// A client for the configured model, which answers within `limit` or not at all.
#[derive(Clone)]
pub struct Llm {
    settings: LlmSettings,
    limit: Duration,
    client: reqwest::Client,
}

impl Llm {
    pub fn new(settings: LlmSettings, limit: Duration) -> Result<Self, LlmError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| LlmError::Unreachable(e.to_string()))?;
        Ok(Self {
            settings,
            limit,
            client,
        })
    }

    /// Sends `messages` and answers the whole exchange, failed or not.
    pub async fn ask(&self, messages: &[Message]) -> Exchange {
        let sent = json!({
            "model": self.settings.model,
            "messages": messages,
            "temperature": 0,
        });
        let reply = self.complete(&sent).await;
        Exchange {
            sent,
            model: self.settings.model.clone(),
            provider: self.settings.provider(),
            reply,
        }
    }

    /// The model's reply to `body`, within the limit.
    async fn complete(&self, body: &Value) -> Result<String, LlmError> {
        let timed_out = || LlmError::TimedOut(self.limit.as_secs());
        let mut url = self.settings.base_url.clone();
        let path = format!("{}/chat/completions", url.path().trim_end_matches('/'));
        url.set_path(&path);
        let sent = self
            .client
            .post(url)
            .bearer_auth(&self.settings.api_key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .timeout(self.limit)
            .send();
        let response = match sent.await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return Err(timed_out()),
            Err(e) => return Err(LlmError::Unreachable(e.without_url().to_string())),
        };
        if !response.status().is_success() {
            return Err(LlmError::Status(response.status().as_u16()));
        }
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) if e.is_timeout() => return Err(timed_out()),
            Err(_) => return Err(LlmError::Unreadable),
        };
        let answer: Value = serde_json::from_str(&text).map_err(|_| LlmError::Unreadable)?;
        answer
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(LlmError::Unreadable)
    }
}

/// The JSON object in a model's reply, which may come wrapped in a code fence or prose.
pub fn json_in(reply: &str) -> Option<Value> {
    let start = reply.find('{')?;
    let end = reply.rfind('}')?;
    serde_json::from_str(reply.get(start..=end)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_stays_out_of_debug_output() {
        let settings = LlmSettings::new(
            Url::parse("https://llm.example.com/v1").unwrap(),
            "small".into(),
            "sk-secret".into(),
        );
        let shown = format!("{settings:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
        assert_eq!(settings.provider(), "llm.example.com");
    }

    #[test]
    fn json_is_found_inside_fences_and_prose() {
        assert_eq!(
            json_in("```json\n{\"industry\": \"Robotics\"}\n```"),
            Some(json!({"industry": "Robotics"}))
        );
        assert_eq!(json_in("no json here"), None);
    }
}
