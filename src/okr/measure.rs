//! How a key result is measured (DESIGN §3 "Measuring key results"): by its actions, by a
//! metric moving from a baseline to a target, or as a milestone; and the weight objectives and
//! key results carry in their parent's average. Every input rule about them lives here.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::text_enum;

text_enum! {
    pub enum Measure {
        Actions => "actions",
        Metric => "metric",
        Milestone => "milestone",
    }
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Self::Actions => "Progress of its actions",
            Self::Metric => "A number",
            Self::Milestone => "Done or not done",
        }
    }
}

text_enum! {
    pub enum MetricKind {
        IncreaseTo => "increase_to",
        DecreaseTo => "decrease_to",
        StayAtOrAbove => "stay_at_or_above",
        StayAtOrBelow => "stay_at_or_below",
    }
}

impl MetricKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::IncreaseTo => "Increase to",
            Self::DecreaseTo => "Decrease to",
            Self::StayAtOrAbove => "Stay at or above",
            Self::StayAtOrBelow => "Stay at or below",
        }
    }
}

/// The largest number a metric holds, either side of zero: beyond this, a JSON number
/// could no longer carry four decimals exactly.
const NUMBER_MAX: i64 = 1_000_000_000_000;
/// The most decimals a metric shows and stores.
pub const DECIMALS_MAX: u32 = 4;
/// The longest unit, in characters.
pub const UNIT_MAX: usize = 16;

pub use crate::fields::FieldError;

/// An exact decimal number as a person typed it (values, baselines, targets), stored as
/// decimal text so that money never meets binary rounding. Written as `to_stored()` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, diesel::FromSqlRow)]
pub struct Number(Decimal);

impl diesel::deserialize::FromSql<diesel::sql_types::Text, crate::db::MultiBackend> for Number {
    fn from_sql(
        bytes: <crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> diesel::deserialize::Result<Self> {
        let raw = <String as diesel::deserialize::FromSql<
            diesel::sql_types::Text,
            crate::db::MultiBackend,
        >>::from_sql(bytes)?;
        Self::from_stored(&raw).ok_or_else(|| format!("not a stored number: {raw:?}").into())
    }
}

impl Number {
    /// A number with at most `decimals` decimals and within ±10¹²; `field` names it in the
    /// message.
    pub fn parse(raw: &str, decimals: u32, field: &'static str) -> Result<Self, FieldError> {
        let raw = raw.trim().replace(['_', ' '], "");
        let value = Decimal::from_str(&raw)
            .or_else(|_| Decimal::from_scientific(&raw))
            .map_err(|_| FieldError::new(field, "Enter a number, such as 12 or 12.5."))?;
        Self::checked(value, decimals, field)
    }

    /// A number sent as a JSON number.
    pub fn from_json(
        value: &serde_json::Number,
        decimals: u32,
        field: &'static str,
    ) -> Result<Self, FieldError> {
        Self::parse(&value.to_string(), decimals, field)
    }

    /// The same number, if it has at most `decimals` decimals (a metric's own, once known).
    pub fn within(self, decimals: u32, field: &'static str) -> Result<Self, FieldError> {
        Self::checked(self.0, decimals, field)
    }

    fn checked(value: Decimal, decimals: u32, field: &'static str) -> Result<Self, FieldError> {
        if value.abs() >= Decimal::from(NUMBER_MAX) {
            return Err(FieldError::new(
                field,
                "Keep the number under 1,000,000,000,000 either side of zero.",
            ));
        }
        let value = value.normalize();
        if value.scale() > decimals {
            return Err(FieldError::new(
                field,
                match decimals {
                    0 => "Use a whole number here.".to_owned(),
                    1 => "Use at most 1 decimal here.".to_owned(),
                    n => format!("Use at most {n} decimals here."),
                },
            ));
        }
        Ok(Self(value))
    }

    /// The number as stored text, read back; `None` for text that is not a number.
    pub fn from_stored(raw: &str) -> Option<Self> {
        Decimal::from_str(raw).ok().map(Self)
    }

    pub fn to_stored(self) -> String {
        self.0.normalize().to_string()
    }

    /// The number with exactly `decimals` decimals, with thousands separated: "1,250.50".
    pub fn display(self, decimals: u32) -> String {
        let fixed = format!("{:.*}", decimals as usize, self.0.round_dp(decimals));
        let (sign, digits) = fixed
            .strip_prefix('-')
            .map_or(("", fixed.as_str()), |d| ("-", d));
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{fraction}")
        }
    }

    /// The number as the value of a form field: plain, with its decimals.
    pub fn input_value(self, decimals: u32) -> String {
        format!("{:.*}", decimals as usize, self.0.round_dp(decimals))
    }

    /// For arithmetic on shares and for JSON numbers (exact for every number `parse` accepts).
    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(0.0)
    }

    fn decimal(self) -> Decimal {
        self.0
    }
}

/// A metric key result's settings, checked together.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub kind: MetricKind,
    pub baseline: Number,
    pub target: Number,
    pub unit: Option<String>,
    pub decimals: u32,
}

impl Metric {
    pub fn new(
        kind: MetricKind,
        baseline: Number,
        target: Number,
        unit: Option<String>,
        decimals: u32,
    ) -> Result<Self, FieldError> {
        match kind {
            MetricKind::IncreaseTo if target <= baseline => Err(FieldError::new(
                "target",
                "To increase, the target must be above the baseline.",
            )),
            MetricKind::DecreaseTo if target >= baseline => Err(FieldError::new(
                "target",
                "To decrease, the target must be below the baseline.",
            )),
            _ => Ok(Self {
                kind,
                baseline,
                target,
                unit,
                decimals,
            }),
        }
    }

    /// A metric from its parts as a form or an API body names them: a missing kind, baseline
    /// or target is named (all at once), then `new` checks that they agree.
    pub fn from_parts(
        kind: Option<MetricKind>,
        baseline: Option<Number>,
        target: Option<Number>,
        unit: Option<String>,
        decimals: u32,
    ) -> Result<Self, Vec<FieldError>> {
        let missing = |field, message: &str| FieldError::new(field, message);
        match (kind, baseline, target) {
            (Some(kind), Some(baseline), Some(target)) => {
                Self::new(kind, baseline, target, unit, decimals).map_err(|e| vec![e])
            }
            (kind, baseline, target) => Err([
                kind.is_none()
                    .then(|| missing("metric_kind", "Choose how the number should move.")),
                baseline
                    .is_none()
                    .then(|| missing("baseline", "Enter the baseline: where the number starts.")),
                target
                    .is_none()
                    .then(|| missing("target", "Enter the target: where the number should be.")),
            ]
            .into_iter()
            .flatten()
            .collect()),
        }
    }

    /// A value of this metric with its unit: "12 deals", "99.5%".
    pub fn with_unit(&self, value: Number) -> String {
        let shown = value.display(self.decimals);
        match self.unit.as_deref() {
            None => shown,
            Some("%") => format!("{shown}%"),
            Some(unit) => format!("{shown} {unit}"),
        }
    }

    /// The share of the way done, 0..100: travelled from baseline to target for the `_to`
    /// kinds, holding the line (100) or not (0) for the `stay_at` kinds.
    pub fn progress(&self, current: Option<Number>) -> f64 {
        let current = current.unwrap_or(self.baseline).decimal();
        let (baseline, target) = (self.baseline.decimal(), self.target.decimal());
        let holds = |holds: bool| if holds { 100.0 } else { 0.0 };
        match self.kind {
            MetricKind::IncreaseTo | MetricKind::DecreaseTo => {
                let span = target - baseline;
                if span.is_zero() {
                    return 0.0;
                }
                let share = ((current - baseline) / span).to_f64().unwrap_or(0.0) * 100.0;
                share.clamp(0.0, 100.0)
            }
            MetricKind::StayAtOrAbove => holds(current >= target),
            MetricKind::StayAtOrBelow => holds(current <= target),
        }
    }

    /// "12 / 20 deals": the current value against the target, with the unit.
    pub fn summary(&self, current: Option<Number>) -> String {
        let current = current.unwrap_or(self.baseline);
        format!(
            "{} / {}",
            current.display(self.decimals),
            self.with_unit(self.target)
        )
    }
}

/// The unit as typed: trimmed, at most 16 characters; empty is none.
pub fn unit(raw: &str) -> Result<Option<String>, FieldError> {
    let unit = raw.trim();
    if unit.chars().count() > UNIT_MAX {
        return Err(FieldError::new("unit", "Keep the unit to 16 characters."));
    }
    Ok(Some(unit.to_owned()).filter(|u| !u.is_empty()))
}

/// The number of decimals a metric shows: 0 to 4.
pub fn decimals(raw: i64) -> Result<u32, FieldError> {
    u32::try_from(raw)
        .ok()
        .filter(|d| *d <= DECIMALS_MAX)
        .ok_or_else(|| FieldError::new("decimals", "Choose from 0 to 4 decimals."))
}

/// What a key result's progress comes from, complete and checked.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyResultMeasure {
    Actions,
    Metric(Metric),
    Milestone,
}

impl KeyResultMeasure {
    pub fn measure(&self) -> Measure {
        match self {
            Self::Actions => Measure::Actions,
            Self::Metric(_) => Measure::Metric,
            Self::Milestone => Measure::Milestone,
        }
    }

    pub fn metric(&self) -> Option<&Metric> {
        match self {
            Self::Metric(metric) => Some(metric),
            _ => None,
        }
    }
}

/// How much an objective or key result counts in its parent's average: 0 to 100, at most
/// two decimals, 1 by default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weight(f64);

impl Weight {
    pub const DEFAULT: Weight = Weight(1.0);

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let number = Number::parse(raw, 2, "weight")
            .map_err(|_| FieldError::new("weight", "Enter a weight from 0 to 100."))?;
        Self::new(number.to_f64())
    }

    pub fn new(value: f64) -> Result<Self, FieldError> {
        if (0.0..=100.0).contains(&value) && (value * 100.0).fract().abs() < 1e-9 {
            Ok(Self(value))
        } else {
            Err(FieldError::new(
                "weight",
                "Enter a weight from 0 to 100, with at most 2 decimals.",
            ))
        }
    }

    pub fn value(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(raw: &str) -> Number {
        Number::parse(raw, 4, "value").unwrap_or_else(|e| panic!("{raw}: {e:?}"))
    }

    fn metric(kind: MetricKind, baseline: &str, target: &str) -> Metric {
        Metric::new(kind, n(baseline), n(target), None, 0).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn numbers_are_exact_and_bounded() {
        assert_eq!(n("0.1").to_stored(), "0.1");
        assert_eq!(n(" 1_250.50 ").to_stored(), "1250.5");
        assert_eq!(n("1e3").to_stored(), "1000");
        assert_eq!(n("-3").display(2), "-3.00");
        assert_eq!(n("1234567.5").display(1), "1,234,567.5");
        assert_eq!(n("999").display(0), "999");
        assert!(Number::parse("1.25", 1, "value").is_err());
        assert!(
            Number::parse("1.20", 1, "value").is_ok(),
            "trailing zeros are fine"
        );
        assert!(Number::parse("12 deals", 0, "value").is_err());
        assert!(Number::parse("1000000000000", 0, "value").is_err());
        assert!(Number::parse("NaN", 0, "value").is_err());
        let e = Number::parse("x", 0, "target").err();
        assert_eq!(e.map(|e| e.field), Some("target"));
    }

    #[test]
    fn increase_travels_from_baseline_to_target_and_clamps() {
        let m = metric(MetricKind::IncreaseTo, "10", "30");
        assert_eq!(m.progress(None), 0.0, "no check-in: the baseline");
        assert_eq!(m.progress(Some(n("10"))), 0.0, "baseline = current");
        assert_eq!(m.progress(Some(n("15"))), 25.0);
        assert_eq!(m.progress(Some(n("30"))), 100.0);
        assert_eq!(m.progress(Some(n("45"))), 100.0, "clamped above");
        assert_eq!(m.progress(Some(n("2"))), 0.0, "clamped below");
    }

    #[test]
    fn decrease_travels_down() {
        let m = metric(MetricKind::DecreaseTo, "800", "200");
        assert_eq!(m.progress(Some(n("650"))), 25.0);
        assert_eq!(m.progress(Some(n("200"))), 100.0);
        assert_eq!(m.progress(Some(n("100"))), 100.0);
        assert_eq!(m.progress(Some(n("900"))), 0.0);
    }

    #[test]
    fn stay_at_lines_hold_or_not() {
        let above = metric(MetricKind::StayAtOrAbove, "99", "99.9");
        assert_eq!(above.progress(Some(n("99.9"))), 100.0, "on the line holds");
        assert_eq!(above.progress(Some(n("99.95"))), 100.0);
        assert_eq!(above.progress(Some(n("99.89"))), 0.0);
        assert_eq!(above.progress(None), 0.0, "the baseline is below the line");
        let below = metric(MetricKind::StayAtOrBelow, "300", "250");
        assert_eq!(below.progress(Some(n("250"))), 100.0);
        assert_eq!(below.progress(Some(n("251"))), 0.0);
    }

    #[test]
    fn targets_must_lie_the_way_the_kind_goes() {
        for (kind, baseline, target) in [
            (MetricKind::IncreaseTo, "5", "5"),
            (MetricKind::IncreaseTo, "5", "4"),
            (MetricKind::DecreaseTo, "5", "5"),
            (MetricKind::DecreaseTo, "5", "6"),
        ] {
            let refused = Metric::new(kind, n(baseline), n(target), None, 0);
            assert_eq!(refused.err().map(|e| e.field), Some("target"), "{kind:?}");
        }
        assert!(Metric::new(MetricKind::StayAtOrAbove, n("5"), n("5"), None, 0).is_ok());
    }

    #[test]
    fn summaries_show_value_target_and_unit() {
        let mut m = metric(MetricKind::IncreaseTo, "0", "20");
        m.unit = Some("deals".into());
        assert_eq!(m.summary(Some(n("12"))), "12 / 20 deals");
        m.unit = Some("%".into());
        m.decimals = 1;
        assert_eq!(m.summary(None), "0.0 / 20.0%");
    }

    #[test]
    fn a_metric_from_parts_names_every_missing_part_then_checks_the_direction() {
        let missing = Metric::from_parts(None, None, Some(n("5")), None, 0).err();
        let fields: Vec<_> = missing.into_iter().flatten().map(|e| e.field).collect();
        assert_eq!(fields, ["metric_kind", "baseline"]);
        let same = Metric::from_parts(
            Some(MetricKind::IncreaseTo),
            Some(n("5")),
            Some(n("5")),
            None,
            0,
        );
        assert_eq!(same.err().map(|e| e[0].field), Some("target"));
        let mut m = metric(MetricKind::IncreaseTo, "0", "20");
        assert_eq!(m.with_unit(n("12")), "12");
        m.unit = Some("deals".into());
        assert_eq!(m.with_unit(n("12")), "12 deals");
    }

    #[test]
    fn units_decimals_and_weights_are_bounded() {
        assert_eq!(unit("  "), Ok(None));
        assert!(unit("a very long unit name").is_err());
        assert_eq!(decimals(4), Ok(4));
        assert!(decimals(5).is_err() && decimals(-1).is_err());
        assert_eq!(Weight::parse("2.5").map(Weight::value), Ok(2.5));
        assert_eq!(Weight::parse("0").map(Weight::value), Ok(0.0));
        for bad in ["101", "-1", "1.234", "heavy"] {
            assert_eq!(Weight::parse(bad).err().map(|e| e.field), Some("weight"));
        }
    }
}
