//! The language model, when the operator configures one; all three variables or none.

use url::Url;

use super::{invalid, ConfigError, Vars};
use crate::llm::LlmSettings;

pub(super) fn settings(vars: &Vars<'_>) -> Result<Option<LlmSettings>, ConfigError> {
    let (base, model, key) = (
        vars.get("LLM_BASE_URL"),
        vars.get("LLM_MODEL"),
        vars.get("LLM_API_KEY"),
    );
    match (base, model, key) {
        (None, None, None) => Ok(None),
        (Some(base), Some(model), Some(key)) => {
            let base_url = Url::parse(base.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    invalid(
                        "LLM_BASE_URL",
                        format!("expected an http(s) address such as https://api.openai.com/v1, got {base:?}"),
                    )
                })?;
            Ok(Some(LlmSettings::new(
                base_url,
                model.trim().to_owned(),
                key.trim().to_owned(),
            )))
        }
        (base, model, _) => {
            let missing = if base.is_none() {
                "LLM_BASE_URL"
            } else if model.is_none() {
                "LLM_MODEL"
            } else {
                "LLM_API_KEY"
            };
            Err(invalid(
                missing,
                "set LLM_BASE_URL, LLM_MODEL and LLM_API_KEY together, or none of them",
            ))
        }
    }
}
