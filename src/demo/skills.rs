//! The demo's skills: what each person can, wants and should, with their hours, and the
//! skills an action needs, read from the words of its title.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::skills::{SkillName, SkillsInput};

/// Words of action titles and the skill each asks for.
const NEEDS: &[(&str, &str)] = &[
    ("interview", "User research"),
    ("usability", "User research"),
    ("advisory", "User research"),
    ("email", "Copywriting"),
    ("campaign", "Copywriting"),
    ("case studies", "Writing"),
    ("started guide", "Writing"),
    ("document", "Writing"),
    ("whitepaper", "Writing"),
    ("runbook", "Writing"),
    ("walkthrough", "Video"),
    ("query", "SQL"),
    ("queries", "SQL"),
    ("database", "SQL"),
    ("backups", "DevOps"),
    ("restore", "DevOps"),
    ("readiness", "DevOps"),
    ("benchmark", "Performance"),
    ("profile", "Performance"),
    ("load-test", "Performance"),
    ("latency", "Performance"),
    ("cache", "Performance"),
    ("instrument", "Analytics"),
    ("funnel", "Analytics"),
    ("health score", "Analytics"),
    ("attribution", "Analytics"),
    ("page", "Frontend"),
    ("form", "Frontend"),
    ("drag", "Frontend"),
    ("optimistic", "Frontend"),
    ("template", "Product design"),
    ("checklist", "Product design"),
    ("pricing", "Pricing"),
    ("billing", "Pricing"),
    ("security", "Security"),
    ("penetration", "Security"),
    ("saml", "Security"),
    ("sso", "Security"),
    ("sales", "Sales"),
    ("discovery", "Sales"),
    ("proposal", "Sales"),
];

/// The skills an action's title asks for (none for most of the plain ones).
pub(super) fn needs(title: &str) -> Vec<SkillName> {
    let title = title.to_lowercase();
    let mut needs: Vec<SkillName> = Vec::new();
    for (word, skill) in NEEDS {
        if title.contains(word) && !needs.iter().any(|n| n.as_str() == *skill) {
            needs.extend(SkillName::parse(skill).ok());
        }
    }
    needs
}

/// Each person's skills, in the order of the demo's people; Edsger is away next week.
pub(super) fn profiles(today: NaiveDate) -> Vec<SkillsInput> {
    let away = |from: i64, to: i64| json!([{"from": (today + Duration::days(from)).to_string(), "to": (today + Duration::days(to)).to_string()}]);
    [
        json!({"can": [{"name": "SQL", "level": 3}, {"name": "Performance", "level": 2}, {"name": "Sales", "level": 2}],
               "want": ["Product design"], "constraints": {"hours_per_week": 10}}),
        json!({"can": [{"name": "DevOps", "level": 3}, {"name": "Performance", "level": 3}, {"name": "Security", "level": 2}],
               "should": ["Frontend"], "want": ["Analytics"], "constraints": {"hours_per_week": 30}}),
        json!({"can": [{"name": "SQL", "level": 3}, {"name": "Analytics", "level": 3}],
               "should": ["Writing"], "want": ["Performance"], "constraints": {"hours_per_week": 40}}),
        json!({"can": [{"name": "Analytics", "level": 2}, {"name": "Writing", "level": 3}, {"name": "Copywriting", "level": 2}],
               "want": ["User research"], "constraints": {"hours_per_week": 32}}),
        json!({"can": [{"name": "Frontend", "level": 3}, {"name": "Performance", "level": 2}],
               "should": ["SQL"], "constraints": {"hours_per_week": 40, "unavailable": away(7, 11)}}),
        json!({"can": [{"name": "User research", "level": 3}, {"name": "Product design", "level": 3}, {"name": "Video", "level": 1}],
               "want": ["Frontend"], "should": ["Pricing"], "constraints": {"hours_per_week": 24}}),
    ]
    .into_iter()
    .map(|profile| serde_json::from_value(profile).unwrap_or_default())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_their_skills_and_every_profile_is_valid() {
        let needs = |title| {
            super::needs(title)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(needs("Profile the tree query"), ["SQL", "Performance"]);
        assert_eq!(
            needs("Build the SSO settings page"),
            ["Frontend", "Security"]
        );
        assert!(needs("Add annual billing discount") == ["Pricing"]);
        assert!(needs("Batch position writes").is_empty());
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
        let profiles = profiles(today);
        assert_eq!(profiles.len(), 6);
        for profile in &profiles {
            let skills = profile.parse().expect("a valid profile");
            assert!(!skills.can.is_empty());
        }
    }
}
