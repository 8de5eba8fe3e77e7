//! The random inputs of the progress walk: weights, measures whose baselines and targets lie
//! the way their kind goes, and readings a measure takes (values around a metric's range,
//! so clamping and lines get crossed).

use cairn::okr::check_ins::{CheckInDraft, Confidence};
use cairn::okr::measure::{KeyResultMeasure, Metric, MetricKind, Number};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;

use super::model::{Decimal, Measured};

/// Weights worth trying: none, fractions, the default, heavy, the most.
pub const WEIGHTS: [f64; 7] = [0.0, 0.5, 1.0, 2.0, 3.25, 10.0, 100.0];

pub fn number(d: Decimal, decimals: u32) -> Number {
    Number::parse(&d.text(), decimals, "value").expect("a number the metric takes")
}

/// A random measure for a key result: a third by actions, a sixth a milestone, else a metric
/// of any kind whose baseline and target lie the way its kind goes.
pub fn random_measure(rng: &mut StdRng) -> Measured {
    match rng.gen_range(0..6) {
        0 | 1 => Measured::Actions,
        2 => Measured::Milestone,
        _ => {
            let kind = MetricKind::ALL[rng.gen_range(0..MetricKind::ALL.len())];
            let decimals = rng.gen_range(0..=2);
            let baseline = rng.gen_range(-500..500);
            let step = rng.gen_range(1..400);
            let target = match kind {
                MetricKind::IncreaseTo => baseline + step,
                MetricKind::DecreaseTo => baseline - step,
                _ => baseline + rng.gen_range(-400..400),
            };
            let at = |units| Decimal {
                units,
                scale: decimals,
            };
            Measured::Metric {
                kind,
                baseline: at(baseline),
                target: at(target),
                decimals,
            }
        }
    }
}

/// The domain's measure for the model's.
pub fn measure_of(measured: &Measured) -> KeyResultMeasure {
    match measured {
        Measured::Actions => KeyResultMeasure::Actions,
        Measured::Milestone => KeyResultMeasure::Milestone,
        Measured::Metric {
            kind,
            baseline,
            target,
            decimals,
        } => KeyResultMeasure::Metric(
            Metric::new(
                *kind,
                number(*baseline, *decimals),
                number(*target, *decimals),
                Some("units".into()),
                *decimals,
            )
            .expect("a metric the rules take"),
        ),
    }
}

/// A reading the item's measure takes: a value around a metric's range (so clamping and
/// lines get crossed), a milestone's done flag, or nothing.
pub fn random_reading(rng: &mut StdRng, measured: &Measured) -> (Option<Decimal>, Option<bool>) {
    match measured {
        Measured::Metric {
            baseline,
            target,
            decimals,
            ..
        } => {
            let (low, high) = (
                baseline.units.min(target.units),
                baseline.units.max(target.units),
            );
            let units = rng.gen_range(low - 100..=high + 100);
            // Sometimes at the scale's full precision, sometimes a whole number of it.
            let scale = rng.gen_range(0..=*decimals);
            let value = Decimal {
                units: units / 10i64.pow(decimals - scale),
                scale,
            };
            (Some(value), None)
        }
        Measured::Milestone => (None, Some(rng.gen_bool(0.5))),
        Measured::Actions => (None, None),
    }
}

pub fn draft(
    reading: (Option<Decimal>, Option<bool>),
    day: NaiveDate,
    rng: &mut StdRng,
) -> CheckInDraft {
    CheckInDraft {
        value: reading.0.map(Decimal::text),
        done: reading.1,
        confidence: Confidence::new(rng.gen_range(0..=10)).expect("confidence"),
        note: None,
        effective_on: Some(day),
    }
}
