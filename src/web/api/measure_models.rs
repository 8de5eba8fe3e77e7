//! How the API reads and writes what measures key results: numbers as JSON numbers, weights,
//! and the measure fields of item bodies turned into the domain's `MeasureChange` (the same
//! rules as the forms: `okr::measure`).

use std::collections::BTreeMap;

use super::names::{MeasureName, MetricKindName};
use crate::okr::check_ins::Confidence;
use crate::okr::measure::{self, FieldError, Number, Weight, DECIMALS_MAX};
use crate::okr::measure_change::MeasureChange;

/// An exact decimal as a JSON number: whole numbers as integers, others as the nearest
/// double (which prints back as the same decimal for every number a metric holds).
pub fn json_number(number: Number) -> serde_json::Number {
    let text = number.to_stored();
    text.parse()
        .ok()
        .or_else(|| serde_json::Number::from_f64(number.to_f64()))
        .unwrap_or_else(|| serde_json::Number::from(0))
}

/// Notes a field's problem and goes on, so one answer names every wrong field.
pub fn noted<T>(fields: &mut BTreeMap<String, String>, result: Result<T, FieldError>) -> Option<T> {
    result
        .map_err(|e| {
            fields.insert(e.field.to_owned(), e.message);
        })
        .ok()
}

/// A JSON number that is a whole number: `9`, or `9.0`, which JSON Schema's `integer` also
/// allows; `None` for fractions.
fn whole(value: &serde_json::Number) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })
}

/// A confidence sent as a JSON number (a fraction is refused as the form refuses it).
pub fn confidence(value: &serde_json::Number) -> Result<Confidence, FieldError> {
    Confidence::parse(&whole(value).map_or_else(|| value.to_string(), |v| v.to_string()))
}

/// A metric's decimals sent as a JSON number; a fraction is no number of decimals, refused
/// with the same message as one out of range.
fn decimals(value: &serde_json::Number) -> Result<u32, FieldError> {
    measure::decimals(whole(value).unwrap_or(-1))
}

/// A JSON number read exactly, at the most decimals any metric has; the key result's own
/// decimals are checked where they are known.
fn number(value: &serde_json::Number, field: &'static str) -> Result<Number, FieldError> {
    Number::from_json(value, DECIMALS_MAX, field)
}

/// A weight sent as a JSON number: 0 to 100, at most two decimals.
pub fn weight(value: &serde_json::Number) -> Result<Weight, FieldError> {
    Weight::parse(&value.to_string())
}

/// The measure fields an item body may carry, as sent.
pub struct MeasureFields {
    pub measure: Option<MeasureName>,
    pub metric_kind: Option<MetricKindName>,
    pub baseline: Option<serde_json::Number>,
    pub target: Option<serde_json::Number>,
    pub unit: Option<Option<String>>,
    pub decimals: Option<serde_json::Number>,
}

impl MeasureFields {
    /// The change they ask for (`None` when no measure field was sent), each field checked
    /// on its own; problems go into `fields`.
    pub fn change(self, fields: &mut BTreeMap<String, String>) -> Option<MeasureChange> {
        let change = MeasureChange {
            measure: self.measure.map(Into::into),
            kind: self.metric_kind.map(Into::into),
            baseline: self
                .baseline
                .and_then(|n| noted(fields, number(&n, "baseline"))),
            target: self
                .target
                .and_then(|n| noted(fields, number(&n, "target"))),
            unit: self
                .unit
                .map(|unit| noted(fields, measure::unit(unit.as_deref().unwrap_or(""))).flatten()),
            decimals: self.decimals.and_then(|d| noted(fields, decimals(&d))),
        };
        (change != MeasureChange::default()).then_some(change)
    }
}
