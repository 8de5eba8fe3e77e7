//! What the API sends and accepts about check-ins, and how a body becomes the domain's
//! `CheckInDraft` (the same rules as the check-in form: `okr::check_ins`). Values are JSON
//! numbers, read exactly; days are YYYY-MM-DD.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use super::item_models::{present, utc};
use super::measure_models::{confidence, json_number, noted};
use crate::okr::check_ins::{self, CheckIn, CheckInDraft, Confidence};
use crate::okr::measure::Number;

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub item_id: String,
    #[schema(format = Uuid)]
    pub author_user_id: String,
    /// The day it speaks for.
    pub effective_on: NaiveDate,
    /// Metrics: the value reported.
    #[schema(value_type = Option<f64>)]
    pub value: Option<serde_json::Number>,
    /// Milestones: whether it is done.
    pub done: Option<bool>,
    /// 0 to 10: 7–10 on track, 4–6 at risk, 0–3 off track.
    #[schema(minimum = 0, maximum = 10)]
    pub confidence: i32,
    /// Markdown.
    pub note: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&CheckIn> for CheckInOut {
    fn from(c: &CheckIn) -> Self {
        Self {
            id: c.id.clone(),
            item_id: c.item_id.clone(),
            author_user_id: c.author_user_id.clone(),
            effective_on: c.effective_on,
            value: c.value.map(json_number),
            done: c.done,
            confidence: c.confidence,
            note: c.note.clone(),
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInList {
    /// Newest first (by the day they speak for, then by when they were written).
    pub check_ins: Vec<CheckInOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// A check-in on an objective or key result the user may edit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheckIn {
    /// Metrics only (required there): the current value, with at most the key result's
    /// decimals.
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub value: Option<serde_json::Number>,
    /// Milestones only: whether it is done (not done when left out).
    #[serde(default)]
    pub done: Option<bool>,
    /// 0 to 10: 7–10 on track, 4–6 at risk, 0–3 off track.
    #[schema(value_type = i64, minimum = 0, maximum = 10)]
    pub confidence: serde_json::Number,
    /// Markdown, up to 4,000 characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// The day it speaks for: today when left out, never in the future.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_on: Option<String>,
}

/// The check-in's day as sent: the same rule (format and plan window) as the form's.
fn day(raw: Option<&str>, fields: &mut BTreeMap<String, String>) -> Option<NaiveDate> {
    raw.and_then(|raw| noted(fields, check_ins::effective_on(raw)).flatten())
}

impl TryFrom<NewCheckIn> for CheckInDraft {
    type Error = ApiError;

    fn try_from(body: NewCheckIn) -> Result<Self, ApiError> {
        let mut fields = BTreeMap::new();
        let confidence = confidence(&body.confidence);
        if let Err(e) = &confidence {
            fields.insert(e.field.to_owned(), e.message.clone());
        }
        let note = body
            .note
            .and_then(|n| noted(&mut fields, check_ins::note(&n)).flatten());
        let effective_on = day(body.effective_on.as_deref(), &mut fields);
        ApiError::fields(fields)?;
        Ok(Self {
            // Read with the key result's own decimals when it is written.
            value: body.value.map(|v| v.to_string()),
            done: body.done,
            confidence: confidence?,
            note,
            effective_on,
        })
    }
}

/// What changes about a check-in; what is left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInPatch {
    #[serde(default)]
    #[schema(value_type = Option<f64>, exclusive_minimum = -1000000000000.0, exclusive_maximum = 1000000000000.0)]
    pub value: Option<serde_json::Number>,
    #[serde(default)]
    pub done: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10)]
    pub confidence: Option<serde_json::Number>,
    /// Null clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub note: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_on: Option<String>,
}

/// A patch checked field by field, to lay over the stored check-in.
pub struct CheckInChange {
    value: Option<String>,
    done: Option<bool>,
    confidence: Option<Confidence>,
    note: Option<Option<String>>,
    effective_on: Option<NaiveDate>,
}

impl TryFrom<CheckInPatch> for CheckInChange {
    type Error = ApiError;

    fn try_from(patch: CheckInPatch) -> Result<Self, ApiError> {
        let mut fields = BTreeMap::new();
        let confidence = patch
            .confidence
            .and_then(|c| noted(&mut fields, confidence(&c)));
        let note = patch.note.map(|note| {
            noted(&mut fields, check_ins::note(note.as_deref().unwrap_or(""))).flatten()
        });
        let effective_on = day(patch.effective_on.as_deref(), &mut fields);
        ApiError::fields(fields)?;
        Ok(Self {
            value: patch.value.map(|v| v.to_string()),
            done: patch.done,
            confidence,
            note,
            effective_on,
        })
    }
}

impl CheckInChange {
    /// The whole check-in as it should read after the change.
    pub fn over(self, stored: &CheckIn) -> Result<CheckInDraft, ApiError> {
        let confidence = match self.confidence {
            Some(confidence) => confidence,
            None => Confidence::new(i64::from(stored.confidence))?,
        };
        // A reading sent replaces the stored one, so a check-in written before its key
        // result changed measure can be corrected with the reading the measure now takes.
        let (value, done) = match (self.value, self.done) {
            (None, None) => (stored.value.map(Number::to_stored), stored.done),
            sent => sent,
        };
        Ok(CheckInDraft {
            value,
            done,
            confidence,
            note: self.note.unwrap_or_else(|| stored.note.clone()),
            effective_on: Some(self.effective_on.unwrap_or(stored.effective_on)),
        })
    }
}
