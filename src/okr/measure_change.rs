//! A change to a key result's measure, applied on top of the one it has. A form sends the
//! whole measure; the API's PATCH may send only what changes (`{"target": 25}`), so what is
//! left out keeps its stored value and the result is checked whole, in the same transaction
//! as the write. Numbers arrive checked at the most decimals any metric has and are checked
//! again against the decimals the metric ends up with.

use super::measure::{FieldError, KeyResultMeasure, Measure, Metric, MetricKind, Number};

/// What changes about a measure; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasureChange {
    pub measure: Option<Measure>,
    pub kind: Option<MetricKind>,
    pub baseline: Option<Number>,
    pub target: Option<Number>,
    /// `Some(None)` clears the unit.
    pub unit: Option<Option<String>>,
    pub decimals: Option<u32>,
}

/// A whole measure replaces whatever was there.
impl From<KeyResultMeasure> for MeasureChange {
    fn from(measure: KeyResultMeasure) -> Self {
        let metric = measure.metric().cloned();
        Self {
            measure: Some(measure.measure()),
            kind: metric.as_ref().map(|m| m.kind),
            baseline: metric.as_ref().map(|m| m.baseline),
            target: metric.as_ref().map(|m| m.target),
            unit: metric.as_ref().map(|m| m.unit.clone()),
            decimals: metric.as_ref().map(|m| m.decimals),
        }
    }
}

impl MeasureChange {
    /// The metric settings this change names, by their field names.
    fn metric_fields(&self) -> impl Iterator<Item = &'static str> {
        [
            ("metric_kind", self.kind.is_some()),
            ("baseline", self.baseline.is_some()),
            ("target", self.target.is_some()),
            ("unit", self.unit.is_some()),
            ("decimals", self.decimals.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, sent)| sent.then_some(field))
    }

    /// The measure after this change on top of `current`. A metric needs its kind, baseline
    /// and target, sent now or kept from before; settings of a metric sent for another
    /// measure are refused rather than dropped, so a mistyped measure does not go unseen.
    pub fn apply(&self, current: &KeyResultMeasure) -> Result<KeyResultMeasure, FieldError> {
        match self.measure.unwrap_or(current.measure()) {
            Measure::Metric => self
                .metric_over(current.metric())
                .map(KeyResultMeasure::Metric),
            other => match self.metric_fields().next() {
                Some(field) => Err(FieldError::new(
                    field,
                    "Only a key result measured by a number (measure metric) has this.",
                )),
                None if other == Measure::Milestone => Ok(KeyResultMeasure::Milestone),
                None => Ok(KeyResultMeasure::Actions),
            },
        }
    }

    fn metric_over(&self, kept: Option<&Metric>) -> Result<Metric, FieldError> {
        let decimals = self.decimals.or(kept.map(|m| m.decimals)).unwrap_or(0);
        let kind = self.kind.or(kept.map(|m| m.kind)).ok_or_else(|| {
            FieldError::new(
                "metric_kind",
                "Choose how the number should move: increase_to, decrease_to, \
                 stay_at_or_above or stay_at_or_below.",
            )
        })?;
        let number =
            |sent: Option<Number>, kept: Option<Number>, field: &'static str| match (sent, kept) {
                (Some(sent), _) => sent.within(decimals, field),
                // Only the decimals changed, and the stored number no longer fits them.
                (None, Some(kept)) => kept.within(decimals, field).map_err(|_| {
                    FieldError::new(
                        "decimals",
                        format!("The {field} has more decimals than that."),
                    )
                }),
                (None, None) => Err(FieldError::new(field, format!("Enter the {field}."))),
            };
        let baseline = number(self.baseline, kept.map(|m| m.baseline), "baseline")?;
        let target = number(self.target, kept.map(|m| m.target), "target")?;
        let unit = match &self.unit {
            Some(unit) => unit.clone(),
            None => kept.and_then(|m| m.unit.clone()),
        };
        Metric::new(kind, baseline, target, unit, decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okr::measure::DECIMALS_MAX;

    fn n(raw: &str) -> Number {
        Number::parse(raw, DECIMALS_MAX, "value").unwrap_or_else(|e| panic!("{raw}: {e:?}"))
    }

    fn deals() -> KeyResultMeasure {
        let metric = Metric::new(
            MetricKind::IncreaseTo,
            n("0"),
            n("20"),
            Some("deals".into()),
            0,
        );
        KeyResultMeasure::Metric(metric.unwrap_or_else(|e| panic!("{e:?}")))
    }

    fn field(outcome: Result<KeyResultMeasure, FieldError>) -> Option<&'static str> {
        outcome.err().map(|e| e.field)
    }

    #[test]
    fn becoming_a_metric_needs_its_kind_baseline_and_target() {
        let mut change = MeasureChange {
            measure: Some(Measure::Metric),
            ..MeasureChange::default()
        };
        let actions = KeyResultMeasure::Actions;
        assert_eq!(field(change.apply(&actions)), Some("metric_kind"));
        change.kind = Some(MetricKind::IncreaseTo);
        assert_eq!(field(change.apply(&actions)), Some("baseline"));
        change.baseline = Some(n("5"));
        assert_eq!(field(change.apply(&actions)), Some("target"));
        change.target = Some(n("5"));
        assert_eq!(field(change.apply(&actions)), Some("target"), "must differ");
        change.target = Some(n("9"));
        let metric = change.apply(&actions).ok();
        assert_eq!(
            metric.as_ref().and_then(|m| m.metric()).map(|m| m.decimals),
            Some(0)
        );
    }

    #[test]
    fn what_is_left_out_keeps_its_stored_value() {
        let change = MeasureChange {
            target: Some(n("25")),
            ..MeasureChange::default()
        };
        let after = change.apply(&deals()).unwrap_or_else(|e| panic!("{e:?}"));
        let metric = after.metric().cloned();
        assert_eq!(metric.as_ref().map(|m| m.target), Some(n("25")));
        assert_eq!(metric.as_ref().map(|m| m.baseline), Some(n("0")));
        assert_eq!(metric.and_then(|m| m.unit), Some("deals".into()));
        let cleared = MeasureChange {
            unit: Some(None),
            ..MeasureChange::default()
        };
        let after = cleared.apply(&deals()).ok();
        assert_eq!(
            after.and_then(|m| m.metric().cloned()).map(|m| m.unit),
            Some(None)
        );
    }

    #[test]
    fn numbers_are_checked_against_the_decimals_the_metric_ends_up_with() {
        let finer = MeasureChange {
            target: Some(n("20.5")),
            ..MeasureChange::default()
        };
        assert_eq!(field(finer.apply(&deals())), Some("target"));
        let with_decimals = MeasureChange {
            decimals: Some(1),
            ..finer
        };
        assert!(with_decimals.apply(&deals()).is_ok());
        let rounder = MeasureChange {
            decimals: Some(0),
            ..MeasureChange::default()
        };
        let fine = with_decimals
            .apply(&deals())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(field(rounder.apply(&fine)), Some("decimals"));
    }

    #[test]
    fn other_measures_refuse_metric_settings_and_a_whole_measure_replaces() {
        let milestone = MeasureChange {
            measure: Some(Measure::Milestone),
            unit: Some(Some("deals".into())),
            ..MeasureChange::default()
        };
        assert_eq!(field(milestone.apply(&deals())), Some("unit"));
        let stray = MeasureChange {
            baseline: Some(n("1")),
            ..MeasureChange::default()
        };
        assert_eq!(
            field(stray.apply(&KeyResultMeasure::Actions)),
            Some("baseline")
        );
        let whole = MeasureChange::from(KeyResultMeasure::Milestone);
        assert_eq!(whole.apply(&deals()), Ok(KeyResultMeasure::Milestone));
        assert_eq!(
            MeasureChange::from(deals()).apply(&KeyResultMeasure::Actions),
            Ok(deals())
        );
        assert_eq!(
            MeasureChange::default().apply(&deals()),
            Ok(deals()),
            "nothing sent, nothing changes"
        );
    }
}
