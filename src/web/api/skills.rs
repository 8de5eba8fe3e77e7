//! Members' skills and assignee suggestions over the API: any member of a workspace reads
//! the skills of its members; the member and workspace admins put them (write scope). An
//! action's suggestions rank the workspace's active members as the item page does.

use actix_web::web;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Body;
use super::caller::{Caller, Read, Write};
use super::error::ApiError;
use super::paths::{ItemPath, MemberPath};
use super::{ReadErrors, WriteErrors};
use crate::okr::assigning;
use crate::skills::{
    self, CanInput, ConstraintsInput, MemberSkills, SkillsError, SkillsInput, UnavailableInput,
};
use crate::workspaces;

/// A skill someone has.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CanIn {
    /// 1 to 40 characters; names are one skill in any case.
    pub name: String,
    /// 1 (learning), 2 (solid) or 3 (expert).
    #[schema(value_type = i64, minimum = 1, maximum = 3)]
    pub level: serde_json::Value,
}

/// Days someone cannot take work, both ends included.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeIn {
    #[schema(value_type = String, format = Date)]
    pub from: String,
    /// Not before `from`; left empty, the one day `from`.
    #[serde(default)]
    #[schema(value_type = String, format = Date)]
    pub to: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsIn {
    /// 0 to 168; null when not said (40 is assumed when ranking).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 168)]
    pub hours_per_week: serde_json::Value,
    /// Up to 20 ranges.
    #[serde(default)]
    pub unavailable: Vec<RangeIn>,
}

/// A member's skills, replaced as a whole by a put; a list left out is empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSkills {
    /// Up to 50.
    #[serde(default)]
    pub can: Vec<CanIn>,
    /// Skills to grow into; up to 50 names.
    #[serde(default)]
    pub should: Vec<String>,
    /// Skills they would like to use; up to 50 names.
    #[serde(default)]
    pub want: Vec<String>,
    #[serde(default)]
    pub constraints: ConstraintsIn,
}

impl From<PutSkills> for SkillsInput {
    fn from(body: PutSkills) -> Self {
        Self {
            can: body
                .can
                .into_iter()
                .map(|c| CanInput {
                    name: c.name,
                    level: c.level,
                })
                .collect(),
            should: body.should,
            want: body.want,
            constraints: ConstraintsInput {
                hours_per_week: body.constraints.hours_per_week,
                unavailable: body
                    .constraints
                    .unavailable
                    .into_iter()
                    .map(|r| UnavailableInput {
                        from: r.from,
                        to: r.to,
                    })
                    .collect(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConstraintsOut {
    pub hours_per_week: Option<u16>,
    pub unavailable: Vec<RangeOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RangeOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CanOut {
    pub name: String,
    #[schema(minimum = 1, maximum = 3)]
    pub level: u8,
}

/// A member's skills, each name spelled as the workspace spells it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsOut {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    pub can: Vec<CanOut>,
    pub should: Vec<String>,
    pub want: Vec<String>,
    pub constraints: ConstraintsOut,
    /// Whether the caller may put them (the member and workspace admins).
    pub editable: bool,
}

impl From<MemberSkills> for SkillsOut {
    fn from(member: MemberSkills) -> Self {
        let names = |list: &[skills::SkillName]| list.iter().map(ToString::to_string).collect();
        let skills = member.skills;
        Self {
            user_id: member.user_id,
            name: member.name,
            can: skills
                .can
                .iter()
                .map(|c| CanOut {
                    name: c.name.to_string(),
                    level: c.level,
                })
                .collect(),
            should: names(&skills.should),
            want: names(&skills.want),
            constraints: ConstraintsOut {
                hours_per_week: skills.constraints.hours_per_week,
                unavailable: skills
                    .constraints
                    .unavailable
                    .iter()
                    .map(|r| RangeOut {
                        from: r.from,
                        to: r.to,
                    })
                    .collect(),
            },
            editable: member.editable,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/members/{user_id}/skills", tag = "skills",
    params(("ws_id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = SkillsOut), ReadErrors))]
pub async fn show_skills(
    caller: Caller<Read>,
    path: web::Path<MemberPath>,
) -> Result<web::Json<SkillsOut>, ApiError> {
    let MemberPath { ws_id, user_id } = path.into_inner();
    let member = caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            skills::of_member(conn, &access, &user_id)
        })
        .await?;
    Ok(web::Json(member.into()))
}

/// Replaces a member's skills (write scope; the member themself or a workspace admin).
#[utoipa::path(put, path = "/api/v1/workspaces/{ws_id}/members/{user_id}/skills", tag = "skills",
    params(("ws_id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)),
    request_body = PutSkills,
    security(("bearer" = ["write"])),
    responses((status = 200, body = SkillsOut), WriteErrors))]
pub async fn put_skills(
    caller: Caller<Write>,
    path: web::Path<MemberPath>,
    body: Body<PutSkills>,
) -> Result<web::Json<SkillsOut>, ApiError> {
    let MemberPath { ws_id, user_id } = path.into_inner();
    let input = SkillsInput::from(body.into_inner());
    let member = caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            skills::save(conn, actor, &access, &user_id, &input).map_err(|e| match e {
                SkillsError::Invalid(problems) => ApiError::of_problems(
                    problems.into_iter().map(|p| (p.field, p.message)).collect(),
                ),
                other => other.into(),
            })
        })
        .await?;
    Ok(web::Json(member.into()))
}

/// Someone who could take the action, with the score and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionOut {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    /// Higher is better: can matches weigh 10 per level, wants 6, should 3, minus up to 30
    /// for load.
    pub score: i32,
    /// In words: "can Rust (3)", "wants SQL", "13 points open of 20 h", "unavailable …".
    pub reasons: Vec<String>,
    /// Loaded to their hours, or away while the action runs.
    pub full: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionList {
    /// The action's skill tags the ranking matched.
    pub skill_tags: Vec<String>,
    /// Every active member not yet assigned, best first.
    pub suggestions: Vec<SuggestionOut>,
}

/// Ranks the workspace's active members for an action by skills and load.
#[utoipa::path(get, path = "/api/v1/items/{item_id}/assignee-suggestions", tag = "skills",
    params(("item_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = SuggestionList), ReadErrors))]
pub async fn assignee_suggestions(
    caller: Caller<Read>,
    path: web::Path<ItemPath>,
) -> Result<web::Json<SuggestionList>, ApiError> {
    let found = caller
        .on_item(path.into_inner().item_id, |conn, _, viewer, id| {
            assigning::assignee_suggestions(conn, viewer, id)
        })
        .await?;
    Ok(web::Json(SuggestionList {
        skill_tags: found.skill_tags.iter().map(ToString::to_string).collect(),
        suggestions: found
            .suggestions
            .into_iter()
            .map(|s| SuggestionOut {
                user_id: s.user_id,
                name: s.name,
                score: s.score,
                reasons: s.reasons,
                full: s.full,
            })
            .collect(),
    }))
}
