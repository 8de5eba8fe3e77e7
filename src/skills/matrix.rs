//! The skills matrix: a workspace's active members against every skill named in it, with
//! what each can (and how well), should develop or wants to use. For workspace admins.

use super::{store, workspace_names, SkillName, Skills, SkillsError};
use crate::db::AnyConnection;
use crate::workspaces::{self, WorkspaceAdminAccess};

/// One member's relation to one skill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    pub can: Option<u8>,
    pub should: bool,
    pub want: bool,
}

impl Mark {
    fn of(skills: &Skills, skill: &SkillName) -> Self {
        let key = skill.key();
        Self {
            can: skills
                .can
                .iter()
                .find(|c| c.name.key() == key)
                .map(|c| c.level),
            should: skills.should.iter().any(|n| n.key() == key),
            want: skills.want.iter().any(|n| n.key() == key),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// In words, for the CSV and for screen readers: "can 3, wants".
    pub fn words(&self) -> String {
        let mut words = Vec::new();
        if let Some(level) = self.can {
            words.push(format!("can {level}"));
        }
        if self.want {
            words.push("wants".to_owned());
        }
        if self.should {
            words.push("should".to_owned());
        }
        words.join(", ")
    }
}

#[derive(Debug, Clone)]
pub struct MatrixRow {
    pub user_id: String,
    pub name: String,
    pub marks: Vec<Mark>,
}

#[derive(Debug, Clone)]
pub struct Matrix {
    pub skills: Vec<SkillName>,
    pub rows: Vec<MatrixRow>,
}

/// The matrix of the workspace `admin` administers; `skill` and `member` narrow it to skills and members
/// whose names contain them (any case). A skill filter keeps only members with a mark in
/// one of the skills left.
pub fn matrix(
    conn: &mut AnyConnection,
    admin: &WorkspaceAdminAccess,
    skill: &str,
    member: &str,
) -> Result<Matrix, SkillsError> {
    let workspace_id = &admin.workspace().id;
    let (skill, member) = (skill.trim().to_lowercase(), member.trim().to_lowercase());
    let skills: Vec<SkillName> = workspace_names(conn, workspace_id)?
        .into_iter()
        .filter(|s| s.key().contains(&skill))
        .collect();
    let mut stored = store::all_in(conn, workspace_id)?;
    let rows = workspaces::members(conn, workspace_id)?
        .into_iter()
        .filter(|m| m.active && m.name.to_lowercase().contains(&member))
        .map(|m| {
            let own = stored.remove(&m.user_id).unwrap_or_default();
            MatrixRow {
                marks: skills.iter().map(|s| Mark::of(&own, s)).collect(),
                user_id: m.user_id,
                name: m.name,
            }
        })
        .filter(|row| skill.is_empty() || row.marks.iter().any(|m| !m.is_empty()))
        .collect();
    Ok(Matrix { skills, rows })
}

impl Matrix {
    /// The matrix as CSV: a member per line, a skill per column.
    pub fn csv(&self) -> String {
        let mut header = vec!["Member".to_owned()];
        header.extend(self.skills.iter().map(ToString::to_string));
        let mut out = crate::csv::line(&header);
        for row in &self.rows {
            let mut cells = vec![row.name.clone()];
            cells.extend(row.marks.iter().map(Mark::words));
            out.push_str(&crate::csv::line(&cells));
        }
        out
    }
}
