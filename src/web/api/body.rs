//! JSON request bodies, read so that a value of the wrong shape names its field: a bad date,
//! an unknown enum value or a missing field answers 422 with `fields` saying which one.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The body as `T`. Size, media type and syntax are checked as for `web::Json` (the scope's
/// `JsonConfig`); only the shape is read here.
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Body<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            serde_path_to_error::deserialize(&value)
                .map(Body)
                .map_err(|e| shape_refused(&e, &value).into())
        })
    }
}

/// The value at a shape error's path in the body as sent.
fn value_at<'v>(
    body: &'v serde_json::Value,
    path: &serde_path_to_error::Path,
) -> Option<&'v serde_json::Value> {
    use serde_path_to_error::Segment;
    path.iter().try_fold(body, |value, segment| match segment {
        Segment::Map { key } => value.get(key),
        Segment::Seq { index } => value.get(index),
        _ => None,
    })
}

/// Chrono's words for text that is no date; the field's own message says it plainly.
const NOT_A_DATE: &[&str] = &[
    "input is out of range",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is not enough for unique date and time",
];

/// Names the field a shape error is about: its path (`due_date`, `assignee_user_ids[1]`), or
/// for a missing field the field itself. A date that is none says so with what was sent.
fn shape_refused(
    error: &serde_path_to_error::Error<serde_json::Error>,
    body: &serde_json::Value,
) -> ApiError {
    let mut message = error.inner().to_string();
    if NOT_A_DATE.iter().any(|words| message.starts_with(words)) {
        if let Some(serde_json::Value::String(sent)) = value_at(body, error.path()) {
            message = format!("{}: {sent} is not a date (YYYY-MM-DD).", error.path());
        }
    }
    let at = error.path().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let field = match (at.as_str(), missing) {
        (".", Some(name)) => name.to_owned(),
        (_, Some(name)) => format!("{at}.{name}"),
        (".", None) => {
            return ApiError::refused(format!("The body has the wrong shape: {message}"))
        }
        (_, None) => at,
    };
    ApiError::field(&field, message)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::shape_refused;
    use crate::web::api::error::ApiError;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // Only its shape is read.
    struct Shape {
        due_date: Option<chrono::NaiveDate>,
        kind: Kind,
        tags: Vec<u8>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Objective,
    }

    fn field_of(body: serde_json::Value) -> String {
        let e = serde_path_to_error::deserialize::<_, Shape>(&body).expect_err("refused");
        match shape_refused(&e, &body) {
            ApiError::Validation { fields, .. } => fields.into_keys().collect::<Vec<_>>().join(","),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_shape_error_names_its_field() {
        use serde_json::json;
        let ok = json!({"kind": "objective", "tags": []});
        assert!(serde_path_to_error::deserialize::<_, Shape>(ok).is_ok());
        assert_eq!(
            field_of(json!({"due_date": "31.12.", "kind": "objective", "tags": []})),
            "due_date"
        );
        assert_eq!(field_of(json!({"kind": "goal", "tags": []})), "kind");
        assert_eq!(
            field_of(json!({"kind": "objective", "tags": [1, "x"]})),
            "tags[1]"
        );
        assert_eq!(field_of(json!({"tags": []})), "kind");
    }

    #[test]
    fn a_date_that_is_none_says_so_naming_the_field_and_the_value() {
        use serde_json::json;
        let body = json!({"due_date": "2027-02-30", "kind": "objective", "tags": []});
        let e = serde_path_to_error::deserialize::<_, Shape>(&body).expect_err("refused");
        match shape_refused(&e, &body) {
            ApiError::Validation { fields, .. } => assert_eq!(
                fields["due_date"],
                "due_date: 2027-02-30 is not a date (YYYY-MM-DD)."
            ),
            other => panic!("{other:?}"),
        }
    }
}
