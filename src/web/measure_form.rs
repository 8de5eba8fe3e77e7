//! How a key result is measured, and how much an item weighs, as the forms type them (the
//! tree's and the board's "add key result", the item page): text in, the domain's
//! `KeyResultMeasure` and `Weight` out, each rule applied by `okr::measure`. Also the one
//! shape of a refused form: a reason for the whole form and messages next to single fields.

use serde::Deserialize;

use super::error::AppError;
use super::layout::FieldErrors;
use crate::okr::measure::{
    self, FieldError, KeyResultMeasure, Measure, Metric, MetricKind, Number,
};
use crate::okr::{Item, OkrError};

/// A key result's measure as typed; empty is measured by its actions.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct MeasureForm {
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub metric_kind: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub decimals: String,
}

impl MeasureForm {
    /// The form as a stored key result fills it.
    pub fn of(item: &Item) -> Self {
        let decimals = item.decimals.clamp(0, 4) as u32;
        let number = |n: Option<Number>| n.map(|n| n.input_value(decimals)).unwrap_or_default();
        Self {
            measure: item.measure.as_str().to_owned(),
            metric_kind: item
                .metric_kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
            baseline: number(item.baseline),
            target: number(item.target),
            unit: item.unit.clone().unwrap_or_default(),
            decimals: decimals.to_string(),
        }
    }

    fn chosen(&self) -> Option<Measure> {
        match self.measure.trim() {
            "" => Some(Measure::Actions),
            raw => Measure::parse(raw),
        }
    }

    /// Whether `measure` is the one chosen (for the select).
    pub fn is(&self, measure: &Measure) -> bool {
        self.chosen() == Some(*measure)
    }

    /// Whether `kind` is the one chosen; a new metric increases by default.
    pub fn is_kind(&self, kind: &MetricKind) -> bool {
        MetricKind::parse(&self.metric_kind).unwrap_or(MetricKind::IncreaseTo) == *kind
    }

    /// The measure, or every field's message at once.
    pub fn parse(&self) -> Result<KeyResultMeasure, FieldErrors> {
        match self.chosen() {
            Some(Measure::Actions) => return Ok(KeyResultMeasure::Actions),
            Some(Measure::Milestone) => return Ok(KeyResultMeasure::Milestone),
            Some(Measure::Metric) => {}
            None => {
                return Err(errors_of([FieldError::new(
                    "measure",
                    "Choose its actions, a number or a milestone.",
                )]))
            }
        }
        let mut problems: Vec<FieldError> = Vec::new();
        let decimals = match self.decimals.trim() {
            "" => Ok(0),
            raw => measure::decimals(raw.parse().unwrap_or(-1)),
        }
        .map_err(|e| problems.push(e))
        .ok();
        // Until the decimals are known, numbers are read with as many as a metric may have.
        let places = decimals.unwrap_or(measure::DECIMALS_MAX);
        let mut number = |raw: &str, field| match raw.trim() {
            "" => None,
            raw => Number::parse(raw, places, field)
                .map_err(|e| problems.push(e))
                .ok(),
        };
        let baseline = number(&self.baseline, "baseline");
        let target = number(&self.target, "target");
        let unit = measure::unit(&self.unit).map_err(|e| problems.push(e)).ok();
        let kind = MetricKind::parse(&self.metric_kind);
        match Metric::from_parts(kind, baseline, target, unit.flatten(), places) {
            Ok(metric) if problems.is_empty() => Ok(KeyResultMeasure::Metric(metric)),
            Ok(_) => Err(errors_of(problems)),
            Err(missing) => {
                // A number that did not parse is named already; "enter it" would say it twice.
                for e in missing {
                    if !problems.iter().any(|p| p.field == e.field) {
                        problems.push(e);
                    }
                }
                Err(errors_of(problems))
            }
        }
    }
}

fn errors_of(problems: impl IntoIterator<Item = FieldError>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for e in problems {
        errors.add(e.field, e.message);
    }
    errors
}

/// A weight as typed: `None` when left empty (the item keeps its weight).
pub fn weight(raw: &str) -> Result<Option<measure::Weight>, FieldErrors> {
    match raw.trim() {
        "" => Ok(None),
        raw => measure::Weight::parse(raw)
            .map(Some)
            .map_err(|e| errors_of([e])),
    }
}

/// A weight as a form field shows it: "1", "2.5".
pub fn weight_value(weight: f64) -> String {
    Number::from_stored(&format!("{weight:.2}"))
        .map_or_else(|| weight.to_string(), |n| n.to_stored())
}

/// Why a form was refused: the reason for the form as a whole, and messages for single
/// fields, shown next to them.
#[derive(Debug, Default)]
pub struct Refusal {
    pub message: Option<String>,
    pub fields: FieldErrors,
}

impl Refusal {
    pub fn message(message: impl Into<String>) -> Self {
        Self {
            message: Some(message.into()),
            fields: FieldErrors::default(),
        }
    }

    pub fn fields(fields: FieldErrors) -> Self {
        Self {
            message: None,
            fields,
        }
    }

    /// The rules' refusal of a form, or the error page for anything else (not found, not
    /// allowed, ours).
    pub fn of(e: OkrError) -> Result<Self, AppError> {
        match e {
            OkrError::Refused(message) => Ok(Self::message(message)),
            e @ OkrError::AlreadyCarried { .. } => Ok(Self::message(e.to_string())),
            OkrError::Field { field, message } => {
                Ok(Self::fields(errors_of([FieldError { field, message }])))
            }
            other => Err(other.into()),
        }
    }

    /// Adds another part's field messages.
    pub fn merge(&mut self, fields: FieldErrors) {
        self.fields.extend(fields);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> MeasureForm {
        let mut form = MeasureForm::default();
        for (name, value) in fields {
            let value = (*value).to_owned();
            match *name {
                "measure" => form.measure = value,
                "metric_kind" => form.metric_kind = value,
                "baseline" => form.baseline = value,
                "target" => form.target = value,
                "unit" => form.unit = value,
                "decimals" => form.decimals = value,
                _ => unreachable!("{name}"),
            }
        }
        form
    }

    #[test]
    fn empty_is_measured_by_actions_and_a_metric_needs_its_parts() {
        assert_eq!(form(&[]).parse().ok(), Some(KeyResultMeasure::Actions));
        assert_eq!(
            form(&[("measure", "milestone"), ("baseline", "junk")])
                .parse()
                .ok(),
            Some(KeyResultMeasure::Milestone),
            "a milestone ignores the metric's fields"
        );
        let metric = form(&[
            ("measure", "metric"),
            ("metric_kind", "increase_to"),
            ("baseline", "0"),
            ("target", "20"),
            ("unit", "deals"),
        ])
        .parse();
        let metric = metric.ok().and_then(|m| m.metric().cloned());
        assert_eq!(
            metric.map(|m| m.summary(None)),
            Some("0 / 20 deals".to_owned())
        );
        let errors = form(&[("measure", "metric"), ("decimals", "9"), ("target", "x")])
            .parse()
            .err()
            .unwrap_or_default();
        assert!(errors.get("decimals").is_some());
        assert_eq!(
            errors.get("target"),
            Some("Enter a number, such as 12 or 12.5.")
        );
        assert!(errors.get("baseline").is_some() && errors.get("metric_kind").is_some());
        let same = form(&[
            ("measure", "metric"),
            ("metric_kind", "increase_to"),
            ("baseline", "5"),
            ("target", "5"),
        ])
        .parse()
        .err()
        .unwrap_or_default();
        assert_eq!(
            same.get("target"),
            Some("To increase, the target must be above the baseline.")
        );
        assert!(form(&[("measure", "vibes")]).parse().is_err());
    }

    #[test]
    fn weights_are_optional_and_shown_plainly() {
        assert_eq!(weight(" ").ok(), Some(None));
        assert!(weight("101").is_err());
        assert_eq!(weight_value(1.0), "1");
        assert_eq!(weight_value(2.5), "2.5");
    }
}
