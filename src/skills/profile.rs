//! One member's skills and constraints, and the rules that turn what was typed (a form or
//! the API's JSON) into them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{check_length, names, SkillName, SkillsError};
use crate::fields::FieldError;

/// The most skills in one list (can, should or want).
pub const LIST_MAX: usize = 50;
/// The most unavailable date ranges one member keeps.
const RANGES_MAX: usize = 20;
/// Hours in a week: the most anyone can offer.
const HOURS_MAX: u16 = 168;

/// A skill someone has, at a level from 1 (learning) to 3 (expert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanSkill {
    pub name: SkillName,
    pub level: u8,
}

impl CanSkill {
    pub const LEVELS: [(u8, &'static str); 3] = [(1, "Learning"), (2, "Solid"), (3, "Expert")];

    pub fn level_label(&self) -> &'static str {
        Self::LEVELS
            .iter()
            .find(|(level, _)| *level == self.level)
            .map_or("", |(_, label)| label)
    }
}

/// Days someone cannot take work, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.from <= to && from <= self.to
    }
}

impl std::fmt::Display for DateRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{} to {}", self.from, self.to)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    pub hours_per_week: Option<u16>,
    #[serde(default)]
    pub unavailable: Vec<DateRange>,
}

/// What a member can do, should develop, wants to use, and when they can work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skills {
    #[serde(default)]
    pub can: Vec<CanSkill>,
    #[serde(default)]
    pub should: Vec<SkillName>,
    #[serde(default)]
    pub want: Vec<SkillName>,
    #[serde(default)]
    pub constraints: Constraints,
}

impl Skills {
    /// Every name the member mentions, in lists order.
    pub fn all_names(&self) -> impl Iterator<Item = &SkillName> {
        self.can
            .iter()
            .map(|c| &c.name)
            .chain(&self.should)
            .chain(&self.want)
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Spells every name the way the workspace already does (`spelling` maps a key to it),
    /// so "rust" typed by one person joins "Rust" used by the others.
    pub fn spelled_as(mut self, spelling: impl Fn(&SkillName) -> Option<SkillName>) -> Self {
        let respell = |name: &mut SkillName| {
            if let Some(existing) = spelling(name) {
                *name = existing;
            }
        };
        self.can.iter_mut().for_each(|c| respell(&mut c.name));
        self.should.iter_mut().for_each(respell);
        self.want.iter_mut().for_each(respell);
        self
    }

    /// The history's readable form: one line per skill, as the member page shows them.
    pub fn snapshot(&self, member: &str) -> Value {
        json!({
            "member": member,
            "can": self.can.iter().map(|c| format!("{} ({})", c.name, c.level)).collect::<Vec<_>>(),
            "should": self.should,
            "want": self.want,
            "hours_per_week": self.constraints.hours_per_week,
            "unavailable": self.constraints.unavailable.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    }
}

/// Unavailable days as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnavailableInput {
    pub from: String,
    pub to: String,
}

/// Skills as typed: the member page's form or the API's JSON. `parse` applies every rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillsInput {
    #[serde(default)]
    pub can: Vec<CanInput>,
    #[serde(default)]
    pub should: Vec<String>,
    #[serde(default)]
    pub want: Vec<String>,
    #[serde(default)]
    pub constraints: ConstraintsInput,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanInput {
    pub name: String,
    pub level: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsInput {
    #[serde(default)]
    pub hours_per_week: Value,
    #[serde(default)]
    pub unavailable: Vec<UnavailableInput>,
}

fn level(raw: &Value) -> Option<u8> {
    let level = match raw {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (1..=3).contains(&level).then_some(level as u8)
}

fn hours(raw: &Value) -> Result<Option<u16>, FieldError> {
    let refused = || {
        FieldError::new(
            "hours_per_week",
            format!("Hours per week are a whole number from 0 to {HOURS_MAX}."),
        )
    };
    let hours = match raw {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<u64>().map_err(|_| refused())?,
        Value::Number(n) => n.as_u64().ok_or_else(refused)?,
        _ => return Err(refused()),
    };
    u16::try_from(hours)
        .ok()
        .filter(|h| *h <= HOURS_MAX)
        .map(Some)
        .ok_or_else(refused)
}

fn date(raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "unavailable",
            format!("unavailable: {} is not a date (YYYY-MM-DD).", raw.trim()),
        )
    })
}

fn unavailable(raw: &[UnavailableInput]) -> Result<Vec<DateRange>, FieldError> {
    let mut ranges = Vec::new();
    for typed in raw {
        if typed.from.trim().is_empty() && typed.to.trim().is_empty() {
            continue;
        }
        let from = date(&typed.from)?;
        let to = if typed.to.trim().is_empty() {
            from
        } else {
            date(&typed.to)?
        };
        if from > to {
            return Err(FieldError::new(
                "unavailable",
                format!("The range {from} to {to} ends before it starts."),
            ));
        }
        ranges.push(DateRange { from, to });
    }
    if ranges.len() > RANGES_MAX {
        return Err(FieldError::new(
            "unavailable",
            format!("Keep to {RANGES_MAX} unavailable ranges."),
        ));
    }
    ranges.sort_by_key(|r| r.from);
    Ok(ranges)
}

fn can(raw: &[CanInput]) -> Result<Vec<CanSkill>, FieldError> {
    let mut list: Vec<CanSkill> = Vec::new();
    for typed in raw.iter().filter(|c| !c.name.trim().is_empty()) {
        let name = SkillName::parse(&typed.name).map_err(|m| FieldError::new("can", m))?;
        let level = level(&typed.level).ok_or_else(|| {
            FieldError::new("can", format!("Choose a level from 1 to 3 for {name}."))
        })?;
        if !list.iter().any(|c| c.name.key() == name.key()) {
            list.push(CanSkill { name, level });
        }
    }
    check_length("can", list.len())?;
    Ok(list)
}

impl SkillsInput {
    /// Every rule at once: each refused field is named, so a form can show them all.
    pub fn parse(&self) -> Result<Skills, SkillsError> {
        let can = can(&self.can);
        let should = names("should", &self.should);
        let want = names("want", &self.want);
        let hours = hours(&self.constraints.hours_per_week);
        let unavailable = unavailable(&self.constraints.unavailable);
        match (can, should, want, hours, unavailable) {
            (Ok(can), Ok(should), Ok(want), Ok(hours_per_week), Ok(unavailable)) => Ok(Skills {
                can,
                should,
                want,
                constraints: Constraints {
                    hours_per_week,
                    unavailable,
                },
            }),
            (can, should, want, hours, unavailable) => Err(SkillsError::Invalid(
                [
                    can.err(),
                    should.err(),
                    want.err(),
                    hours.err(),
                    unavailable.err(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: Value) -> SkillsInput {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_typed_profile_becomes_skills() {
        let skills = input(json!({
            "can": [{"name": " Rust ", "level": 3}, {"name": "rust", "level": 1}, {"name": "SQL", "level": "2"}],
            "want": ["Go", "go"],
            "constraints": {"hours_per_week": "20", "unavailable": [{"from": "2027-01-08", "to": ""}, {"from": "2027-01-01", "to": "2027-01-03"}]}
        }))
        .parse()
        .unwrap();
        assert_eq!(
            skills
                .can
                .iter()
                .map(|c| (c.name.as_str(), c.level))
                .collect::<Vec<_>>(),
            [("Rust", 3), ("SQL", 2)]
        );
        assert_eq!(skills.want.len(), 1);
        assert_eq!(skills.constraints.hours_per_week, Some(20));
        assert_eq!(
            skills
                .constraints
                .unavailable
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["2027-01-01 to 2027-01-03", "2027-01-08"]
        );
    }

    #[test]
    fn every_refused_field_is_named() {
        let refused = input(json!({
            "can": [{"name": "Rust", "level": 4}],
            "should": ["x".repeat(41)],
            "constraints": {"hours_per_week": 200, "unavailable": [{"from": "2027-02-30", "to": ""}]}
        }))
        .parse()
        .unwrap_err();
        let SkillsError::Invalid(errors) = &refused else {
            panic!("{refused:?}")
        };
        assert_eq!(
            errors.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["can", "should", "hours_per_week", "unavailable"]
        );
        assert!(refused
            .on("unavailable")
            .unwrap()
            .contains("2027-02-30 is not a date"));
        let backwards = input(
            json!({"constraints": {"unavailable": [{"from": "2027-01-09", "to": "2027-01-02"}]}}),
        )
        .parse()
        .unwrap_err();
        assert!(backwards.on("unavailable").is_some());
    }

    #[test]
    fn stored_json_reads_back() {
        let skills = input(json!({"can": [{"name": "Rust", "level": 2}], "should": ["Go"]}))
            .parse()
            .unwrap();
        let stored = serde_json::to_string(&skills.can).unwrap();
        assert_eq!(stored, r#"[{"name":"Rust","level":2}]"#);
        let back: Vec<CanSkill> = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, skills.can);
    }
}
