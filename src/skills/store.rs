//! Reading and saving members' skills (`member_skills`, one row per member per workspace).

use std::collections::HashMap;

use diesel::prelude::*;
use serde::de::DeserializeOwned;

use super::{CanSkill, Constraints, SkillName, Skills, SkillsError, SkillsInput};
use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::schema::{action_skill_tags, member_skills, users, workspace_memberships};
use crate::workspaces::WorkspaceAccess;

/// One member of the workspace with their skills.
#[derive(Debug, Clone)]
pub struct MemberSkills {
    pub user_id: String,
    pub name: String,
    pub active: bool,
    pub skills: Skills,
    /// Who may change them: the member and workspace admins.
    pub editable: bool,
}

type Columns = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A stored list; a column no one has written yet is empty. What Cairn wrote always reads
/// back, so an unreadable column is someone else's edit and is logged, not shown.
fn column<T: DeserializeOwned + Default>(raw: Option<String>, name: &str) -> T {
    raw.map_or_else(T::default, |json| {
        serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!(column = name, error = %e, "unreadable member skills column");
            T::default()
        })
    })
}

fn skills_of((_, can, should, want, constraints): Columns) -> Skills {
    Skills {
        can: column::<Vec<CanSkill>>(can, "can_json"),
        should: column(should, "should_json"),
        want: column(want, "want_json"),
        constraints: column::<Constraints>(constraints, "constraints_json"),
    }
}

fn columns() -> (
    member_skills::user_id,
    member_skills::can_json,
    member_skills::should_json,
    member_skills::want_json,
    member_skills::constraints_json,
) {
    (
        member_skills::user_id,
        member_skills::can_json,
        member_skills::should_json,
        member_skills::want_json,
        member_skills::constraints_json,
    )
}

/// Every member's skills in a workspace, by user id (members without a row are absent).
pub fn all_in(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> QueryResult<HashMap<String, Skills>> {
    let rows: Vec<Columns> = member_skills::table
        .filter(member_skills::workspace_id.eq(workspace_id))
        .select(columns())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| (row.0.clone(), skills_of(row)))
        .collect())
}

/// One workspace member's skills, with whether `access` may change them; not found for
/// someone who is not a member of the workspace.
pub fn of_member(
    conn: &mut AnyConnection,
    access: &WorkspaceAccess,
    user_id: &str,
) -> Result<MemberSkills, SkillsError> {
    let workspace_id = &access.workspace().id;
    let (name, active): (String, bool) = workspace_memberships::table
        .inner_join(users::table.on(users::id.eq(workspace_memberships::user_id)))
        .filter(workspace_memberships::workspace_id.eq(workspace_id))
        .filter(workspace_memberships::user_id.eq(user_id))
        .select((users::name, workspace_memberships::active))
        .first(conn)
        .optional()?
        .ok_or(SkillsError::NotFound)?;
    let row: Option<Columns> = member_skills::table
        .filter(member_skills::workspace_id.eq(workspace_id))
        .filter(member_skills::user_id.eq(user_id))
        .select(columns())
        .first(conn)
        .optional()?;
    Ok(MemberSkills {
        user_id: user_id.to_owned(),
        name,
        active,
        skills: row.map(skills_of).unwrap_or_default(),
        editable: may_edit(access, user_id) && access.require_writable().is_ok(),
    })
}

/// A stored list as JSON (plain strings, numbers and dates always serialize).
fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

fn may_edit(access: &WorkspaceAccess, user_id: &str) -> bool {
    access.is_admin() || (access.org().user_id() == user_id && access.role().is_some())
}

/// Every skill name used in the workspace (members' lists and action tags), one spelling
/// per skill (the first stored), sorted as people read them.
pub fn workspace_names(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> QueryResult<Vec<SkillName>> {
    let tags: Vec<String> = action_skill_tags::table
        .filter(action_skill_tags::workspace_id.eq(workspace_id))
        .select(action_skill_tags::name)
        .distinct()
        .load(conn)?;
    let mut names: Vec<SkillName> = Vec::new();
    let mut add = |name: SkillName| {
        if !names.iter().any(|n| n.key() == name.key()) {
            names.push(name);
        }
    };
    let mut members: Vec<(String, Skills)> = all_in(conn, workspace_id)?.into_iter().collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, skills) in &members {
        skills.all_names().cloned().for_each(&mut add);
    }
    tags.iter()
        .filter_map(|t| SkillName::parse(t).ok())
        .for_each(add);
    names.sort_by_key(SkillName::key);
    Ok(names)
}

/// Saves a member's skills as typed, spelled the way the workspace already spells them; the
/// member and workspace admins may, others are refused. A change leaves a history row.
pub fn save(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAccess,
    user_id: &str,
    input: &SkillsInput,
) -> Result<MemberSkills, SkillsError> {
    db::write_transaction(conn, |conn| {
        let before = of_member(conn, access, user_id)?;
        access.require_writable()?;
        if !may_edit(access, user_id) {
            return Err(SkillsError::NotYours(before.name));
        }
        let typed = input.parse()?;
        let workspace_id = &access.workspace().id;
        let others: Vec<SkillName> = workspace_names(conn, workspace_id)?
            .into_iter()
            .filter(|n| !before.skills.all_names().any(|own| own == n))
            .collect();
        let skills =
            typed.spelled_as(|name| others.iter().find(|o| o.key() == name.key()).cloned());
        if skills == before.skills {
            return Ok(before);
        }
        let now = db::now();
        let updated = diesel::update(
            member_skills::table
                .filter(member_skills::workspace_id.eq(workspace_id))
                .filter(member_skills::user_id.eq(user_id)),
        )
        .set((
            member_skills::can_json.eq(json(&skills.can)),
            member_skills::should_json.eq(json(&skills.should)),
            member_skills::want_json.eq(json(&skills.want)),
            member_skills::constraints_json.eq(json(&skills.constraints)),
            member_skills::updated_by_user_id.eq(&actor.user_id),
            member_skills::updated_at.eq(now),
        ))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(member_skills::table)
                .values((
                    member_skills::id.eq(db::new_id()),
                    member_skills::organization_id.eq(&access.workspace().organization_id),
                    member_skills::workspace_id.eq(workspace_id),
                    member_skills::user_id.eq(user_id),
                    member_skills::can_json.eq(json(&skills.can)),
                    member_skills::should_json.eq(json(&skills.should)),
                    member_skills::want_json.eq(json(&skills.want)),
                    member_skills::constraints_json.eq(json(&skills.constraints)),
                    member_skills::updated_by_user_id.eq(&actor.user_id),
                    member_skills::created_at.eq(now),
                    member_skills::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        activity::record(
            conn,
            actor,
            Subject {
                organization_id: &access.workspace().organization_id,
                workspace_id: Some(workspace_id),
                kind: "member_skills",
                id: user_id,
            },
            "member.skills_updated",
            Some(before.skills.snapshot(&before.name)),
            Some(skills.snapshot(&before.name)),
        )?;
        Ok(MemberSkills { skills, ..before })
    })
}
