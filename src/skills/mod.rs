//! Member skills: what each member of a workspace can do (with a level), should grow into
//! and wants to use, and when they can work; skill tags on actions; the scoring that ranks
//! assignees for an action; and the workspace's skills matrix.
//!
//! Stored per member per workspace in `member_skills`, as JSON of this shape:
//! - `can_json`: `[{"name": "Rust", "level": 3}]`, levels 1 (learning) to 3 (expert);
//! - `should_json`, `want_json`: `["Go", "SQL"]`;
//! - `constraints_json`: `{"hours_per_week": 20, "unavailable": [{"from": "2027-01-04",
//!   "to": "2027-01-08"}]}`.
//!
//! The API reads and writes the same shape.

mod matrix;
mod profile;
pub mod scoring;
mod store;
pub mod tags;

use serde::{Deserialize, Serialize};

pub use matrix::{matrix, Matrix, MatrixRow};
pub use profile::{
    CanInput, CanSkill, Constraints, ConstraintsInput, DateRange, Skills, SkillsInput,
    UnavailableInput, LIST_MAX,
};
pub use store::{all_in, of_member, save, workspace_names, MemberSkills};

use crate::db::DbError;
use crate::fields::FieldError;
use crate::orgs::OrgError;

/// The longest skill name, in characters.
pub const NAME_MAX: usize = 40;

/// A skill's name as people write it: trimmed, inner spaces collapsed, 1–40 characters.
/// Two names are the same skill when their `key`s (lowercased) match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SkillName(String);

impl SkillName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("Name the skill.".into());
        }
        if name.chars().any(char::is_control) {
            return Err(format!(
                "“{name}” has a character a skill name cannot hold."
            ));
        }
        let length = name.chars().count();
        if length > NAME_MAX {
            return Err(format!(
                "Keep skill names to {NAME_MAX} characters (“{name}” has {length})."
            ));
        }
        Ok(Self(name))
    }

    /// What makes two spellings one skill.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SkillName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SkillName {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<SkillName> for String {
    fn from(name: SkillName) -> String {
        name.0
    }
}

/// A list of skill names as typed: each parsed, repeats (any case) dropped keeping the first
/// spelling, at most `LIST_MAX`; a refusal names `field`.
pub fn names(field: &'static str, raw: &[String]) -> Result<Vec<SkillName>, FieldError> {
    let mut names: Vec<SkillName> = Vec::new();
    for typed in raw.iter().filter(|r| !r.trim().is_empty()) {
        let name = SkillName::parse(typed).map_err(|m| FieldError::new(field, m))?;
        if !names.iter().any(|n| n.key() == name.key()) {
            names.push(name);
        }
    }
    check_length(field, names.len())?;
    Ok(names)
}

fn check_length(field: &'static str, length: usize) -> Result<(), FieldError> {
    if length > LIST_MAX {
        return Err(FieldError::new(
            field,
            format!("Keep each list to {LIST_MAX} skills ({length} given)."),
        ));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SkillsError {
    /// Not a member of this workspace, or not visible.
    #[error("not found")]
    NotFound,
    #[error("Only {0} and workspace admins may change these skills.")]
    NotYours(String),
    /// Each refused field, in the order of the form.
    #[error("{}", .0.first().map_or("", |e| e.message.as_str()))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SkillsError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

impl SkillsError {
    /// The refusal of `field`, for the form to show beside it.
    pub fn on(&self, field: &str) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_collapsed_and_one_skill_in_any_case() {
        let name = SkillName::parse("  Data   science ").unwrap();
        assert_eq!(name.as_str(), "Data science");
        assert_eq!(name.key(), "data science");
        let list = names(
            "want",
            &["Rust".into(), " rust ".into(), "".into(), "SQL".into()],
        )
        .unwrap();
        assert_eq!(
            list.iter().map(SkillName::as_str).collect::<Vec<_>>(),
            ["Rust", "SQL"]
        );
    }

    #[test]
    fn names_over_the_limits_are_refused_naming_the_field() {
        assert!(SkillName::parse(&"x".repeat(40)).is_ok());
        let long = SkillName::parse(&"x".repeat(41)).unwrap_err();
        assert!(long.contains("40 characters"), "{long}");
        assert!(SkillName::parse("   ").is_err());
        assert!(SkillName::parse("a\u{7}b").is_err());
        let many: Vec<String> = (0..51).map(|i| format!("skill {i}")).collect();
        let refused = names("should", &many).unwrap_err();
        assert_eq!(refused.field, "should");
        assert!(names("should", &many[..50]).is_ok());
    }
}
