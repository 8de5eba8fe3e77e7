//! Who should take an action: a pure ranking of candidates by what they can do (weighted by
//! level), want to do and should grow into, against the action's skill tags and the words of
//! its title, minus how full they already are. Every point of a score has a reason.

use chrono::NaiveDate;
use serde::Serialize;

use super::{SkillName, Skills};

/// Points per level of a skill the member has (level 3 weighs 30).
pub const CAN_PER_LEVEL: i32 = 10;
/// A skill the member wants to use.
pub const WANT: i32 = 6;
/// A skill the member should develop: a smaller bonus, for growth.
pub const SHOULD: i32 = 3;
/// What a full week costs; more than full costs up to half again as much.
pub const FULL_LOAD: f64 = 20.0;
/// Hours assumed for someone who has not said how many they work.
pub const DEFAULT_HOURS: u16 = 40;

/// What the action asks for.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub tags: &'a [SkillName],
    pub title: &'a str,
    /// The days it runs (start to due; one end alone is that day).
    pub dates: Option<(NaiveDate, NaiveDate)>,
}

/// Someone who could take it, with the story points of the open actions they hold.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub skills: &'a Skills,
    pub open_points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub user_id: String,
    pub name: String,
    pub score: i32,
    pub reasons: Vec<String>,
    /// Loaded to their hours, or away while the action runs.
    pub full: bool,
}

/// Words as skills are matched: lowercase, split at anything but letters, digits and the
/// marks skill names carry (`C++`, `C#`, `Node.js`), a sentence's final dot dropped.
fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '+' | '#' | '.')))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether the action asks for `skill`: a tag, or its words in a row in the title.
fn asks_for(action: &Action<'_>, title: &[String], skill: &SkillName) -> bool {
    let key = skill.key();
    if action.tags.iter().any(|t| t.key() == key) {
        return true;
    }
    let skill_words = words(skill.as_str());
    !skill_words.is_empty() && title.windows(skill_words.len()).any(|w| w == skill_words)
}

fn points(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let unit = if rounded == 1.0 { "point" } else { "points" };
    format!("{rounded} {unit} open")
}

pub fn score(action: &Action<'_>, candidate: &Candidate<'_>) -> Suggestion {
    let title = words(action.title);
    let skills = candidate.skills;
    let mut score = 0;
    let mut reasons = Vec::new();
    for can in skills
        .can
        .iter()
        .filter(|c| asks_for(action, &title, &c.name))
    {
        score += CAN_PER_LEVEL * i32::from(can.level);
        reasons.push(format!("can {} ({})", can.name, can.level));
    }
    for want in skills.want.iter().filter(|n| asks_for(action, &title, n)) {
        score += WANT;
        reasons.push(format!("wants {want}"));
    }
    for should in skills.should.iter().filter(|n| asks_for(action, &title, n)) {
        score += SHOULD;
        reasons.push(format!("growing in {should}"));
    }
    let hours = skills.constraints.hours_per_week;
    let mut load = match hours.unwrap_or(DEFAULT_HOURS) {
        0 => 1.0,
        hours => candidate.open_points / f64::from(hours),
    };
    reasons.push(match hours {
        Some(hours) => format!("{} of {hours} h", points(candidate.open_points)),
        None => format!(
            "{} ({DEFAULT_HOURS} h assumed)",
            points(candidate.open_points)
        ),
    });
    let away = action.dates.and_then(|(from, to)| {
        skills
            .constraints
            .unavailable
            .iter()
            .find(|r| r.overlaps(from, to))
    });
    if let Some(range) = away {
        load = load.max(1.0);
        reasons.push(format!("unavailable {range}"));
    }
    let full = load >= 1.0;
    if full && away.is_none() {
        reasons.push("full".into());
    }
    score -= (FULL_LOAD * load.min(1.5)).round() as i32;
    Suggestion {
        user_id: candidate.user_id.to_owned(),
        name: candidate.name.to_owned(),
        score,
        reasons,
        full,
    }
}

/// Every candidate scored, best first; equal scores by name.
pub fn rank(action: &Action<'_>, candidates: &[Candidate<'_>]) -> Vec<Suggestion> {
    let mut ranked: Vec<Suggestion> = candidates.iter().map(|c| score(action, c)).collect();
    ranked.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skills::{CanSkill, Constraints, DateRange};

    fn name(raw: &str) -> SkillName {
        SkillName::parse(raw).unwrap()
    }

    fn skills(can: &[(&str, u8)], want: &[&str], should: &[&str], hours: Option<u16>) -> Skills {
        Skills {
            can: can
                .iter()
                .map(|(n, level)| CanSkill {
                    name: name(n),
                    level: *level,
                })
                .collect(),
            want: want.iter().map(|n| name(n)).collect(),
            should: should.iter().map(|n| name(n)).collect(),
            constraints: Constraints {
                hours_per_week: hours,
                unavailable: Vec::new(),
            },
        }
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn tags_and_title_words_match_by_level_want_and_should() {
        let tags = [name("rust")];
        let action = Action {
            tags: &tags,
            title: "Tune the SQL queries of the API.",
            dates: None,
        };
        let profile = skills(&[("Rust", 3), ("Go", 2)], &["SQL"], &["API"], Some(20));
        let s = score(
            &action,
            &Candidate {
                user_id: "u",
                name: "Ada",
                skills: &profile,
                open_points: 13.0,
            },
        );
        assert_eq!(
            s.reasons,
            [
                "can Rust (3)",
                "wants SQL",
                "growing in API",
                "13 points open of 20 h"
            ]
        );
        // 30 + 6 + 3 − 20 × 13/20
        assert_eq!(s.score, 26);
        assert!(!s.full);
    }

    #[test]
    fn words_match_whole_and_in_a_row() {
        let action = Action {
            tags: &[],
            title: "Port the C++ parser to Node.js, not rusty code",
            dates: None,
        };
        let title = words(action.title);
        assert!(asks_for(&action, &title, &name("c++")));
        assert!(asks_for(&action, &title, &name("Node.js")));
        assert!(!asks_for(&action, &title, &name("Rust")));
        assert!(asks_for(&action, &title, &name("the c++ parser")));
        assert!(!asks_for(&action, &title, &name("parser the")));
    }

    #[test]
    fn a_full_or_away_member_ranks_below_a_free_one() {
        let tags = [name("Rust")];
        let action = Action {
            tags: &tags,
            title: "Write it",
            dates: Some((day("2027-01-05"), day("2027-01-12"))),
        };
        let expert_full = skills(&[("Rust", 3)], &[], &[], Some(10));
        let mut expert_away = skills(&[("Rust", 3)], &[], &[], Some(40));
        expert_away.constraints.unavailable = vec![DateRange {
            from: day("2027-01-12"),
            to: day("2027-01-20"),
        }];
        let solid_free = skills(&[("Rust", 2)], &[], &[], None);
        let nobody = skills(&[], &[], &[], Some(40));
        let candidates = [
            Candidate {
                user_id: "full",
                name: "Full",
                skills: &expert_full,
                open_points: 15.0,
            },
            Candidate {
                user_id: "away",
                name: "Away",
                skills: &expert_away,
                open_points: 0.0,
            },
            Candidate {
                user_id: "free",
                name: "Free",
                skills: &solid_free,
                open_points: 4.0,
            },
            Candidate {
                user_id: "none",
                name: "None",
                skills: &nobody,
                open_points: 0.0,
            },
        ];
        let ranked = rank(&action, &candidates);
        let order: Vec<(&str, i32)> = ranked
            .iter()
            .map(|s| (s.user_id.as_str(), s.score))
            .collect();
        // free: 20 − 2; away: 30 − 20; full: 30 − 30 (capped at 1.5 × full); none: 0.
        assert_eq!(
            order,
            [("free", 18), ("away", 10), ("full", 0), ("none", 0)]
        );
        assert_eq!(
            ranked[0].reasons,
            ["can Rust (2)", "4 points open (40 h assumed)"]
        );
        assert_eq!(
            ranked[1].reasons,
            [
                "can Rust (3)",
                "0 points open of 40 h",
                "unavailable 2027-01-12 to 2027-01-20"
            ]
        );
        assert!(ranked[1].full && ranked[2].full && !ranked[0].full);
        assert_eq!(ranked[2].reasons.last().unwrap(), "full");
    }

    #[test]
    fn no_hours_means_always_full() {
        let profile = skills(&[], &[], &[], Some(0));
        let s = score(
            &Action {
                tags: &[],
                title: "x",
                dates: None,
            },
            &Candidate {
                user_id: "u",
                name: "U",
                skills: &profile,
                open_points: 0.0,
            },
        );
        assert!(s.full);
        assert_eq!(s.score, -20);
    }
}
