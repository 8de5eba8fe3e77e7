//! Who is in a workspace: role, manager and active flag, with the manager chain kept free
//! of circles.

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::json;

use super::{subject, WorkspaceAdminAccess, WorkspaceRole};
use crate::activity::{self, Actor};
use crate::db::{self, AnyConnection};
use crate::orgs::OrgError;
use crate::orgs::OrgRole;
use crate::schema::{org_members, users, workspace_memberships, workspaces};

pub(super) fn insert_membership(
    conn: &mut AnyConnection,
    org_id: &str,
    workspace_id: &str,
    user_id: &str,
    role: WorkspaceRole,
) -> QueryResult<()> {
    let now = db::now();
    diesel::insert_into(workspace_memberships::table)
        .values((
            workspace_memberships::id.eq(db::new_id()),
            workspace_memberships::organization_id.eq(org_id),
            workspace_memberships::workspace_id.eq(workspace_id),
            workspace_memberships::user_id.eq(user_id),
            workspace_memberships::role.eq(role),
            workspace_memberships::active.eq(true),
            workspace_memberships::created_at.eq(now),
            workspace_memberships::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A person in a workspace, with their place in the manager tree.
#[derive(Debug, Clone)]
pub struct WorkspaceMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: WorkspaceRole,
    pub active: bool,
    pub manager: Option<(String, String)>,
    pub direct_reports: Vec<String>,
}

struct MembershipRow {
    user_id: String,
    name: String,
    email: String,
    role: WorkspaceRole,
    manager_user_id: Option<String>,
    active: bool,
}

fn membership_rows(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> QueryResult<Vec<MembershipRow>> {
    let rows: Vec<(String, String, String, WorkspaceRole, Option<String>, bool)> =
        workspace_memberships::table
            .inner_join(users::table.on(users::id.eq(workspace_memberships::user_id)))
            .filter(workspace_memberships::workspace_id.eq(workspace_id))
            .order(users::name.asc())
            .select((
                users::id,
                users::name,
                users::email,
                workspace_memberships::role,
                workspace_memberships::manager_user_id,
                workspace_memberships::active,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, name, email, role, manager_user_id, active)| MembershipRow {
                user_id,
                name,
                email,
                role,
                manager_user_id,
                active,
            },
        )
        .collect())
}

pub fn members(
    conn: &mut AnyConnection,
    workspace_id: &str,
) -> Result<Vec<WorkspaceMember>, OrgError> {
    let rows = membership_rows(conn, workspace_id)?;
    let names: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.user_id.as_str(), r.name.as_str()))
        .collect();
    Ok(rows
        .iter()
        .map(|row| WorkspaceMember {
            user_id: row.user_id.clone(),
            name: row.name.clone(),
            email: row.email.clone(),
            role: row.role,
            active: row.active,
            manager: row.manager_user_id.as_deref().and_then(|id| {
                names
                    .get(id)
                    .map(|name| (id.to_owned(), (*name).to_owned()))
            }),
            direct_reports: rows
                .iter()
                .filter(|r| r.manager_user_id.as_deref() == Some(&row.user_id))
                .map(|r| r.name.clone())
                .collect(),
        })
        .collect())
}

/// Adds an organization member to the workspace.
pub fn add_member(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    user_id: &str,
    role: WorkspaceRole,
) -> Result<(), OrgError> {
    access.require_writable()?;
    let workspace = access.workspace();
    db::write_transaction(conn, |conn| {
        let name: String = org_members::table
            .inner_join(users::table.on(users::id.eq(org_members::user_id)))
            .filter(org_members::organization_id.eq(&workspace.organization_id))
            .filter(org_members::user_id.eq(user_id))
            .select(users::name)
            .first(conn)
            .optional()?
            .ok_or(OrgError::NotOrgMember)?;
        let existing: i64 = workspace_memberships::table
            .filter(workspace_memberships::workspace_id.eq(&workspace.id))
            .filter(workspace_memberships::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Err(OrgError::AlreadyMember(name));
        }
        insert_membership(
            conn,
            &workspace.organization_id,
            &workspace.id,
            user_id,
            role,
        )
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                OrgError::AlreadyMember(name.clone())
            } else {
                e.into()
            }
        })?;
        activity::record(
            conn,
            actor,
            subject(workspace, "workspace_membership", user_id),
            "workspace_membership.added",
            None,
            Some(json!({ "member": name, "role": role.as_str(), "active": true })),
        )?;
        Ok(())
    })
}

/// A change to one membership; `None` fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct MembershipChange {
    pub role: Option<WorkspaceRole>,
    /// `Some(None)` clears the manager.
    pub manager_user_id: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Whether `manager` already reports to `member` through the chain (a change would loop).
fn would_cycle(rows: &[MembershipRow], member: &str, manager: &str) -> bool {
    let manager_of: HashMap<&str, &str> = rows
        .iter()
        .filter_map(|r| {
            r.manager_user_id
                .as_deref()
                .map(|m| (r.user_id.as_str(), m))
        })
        .collect();
    let mut current = manager;
    // The chain has at most one step per member; more means an existing loop.
    for _ in 0..=rows.len() {
        if current == member {
            return true;
        }
        match manager_of.get(current) {
            Some(next) => current = next,
            None => return false,
        }
    }
    true
}

/// Puts an organization member into the workspace with this role, manager and active flag:
/// added first when they are not in it yet, then changed, in one transaction.
pub fn set_member(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    user_id: &str,
    change: MembershipChange,
) -> Result<(), OrgError> {
    db::write_transaction(conn, |conn| {
        let present: i64 = workspace_memberships::table
            .filter(workspace_memberships::workspace_id.eq(&access.workspace().id))
            .filter(workspace_memberships::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        if present == 0 {
            let role = change.role.unwrap_or(WorkspaceRole::User);
            add_member(conn, actor, access, user_id, role)?;
        }
        update_member(conn, actor, access, user_id, change)
    })
}

pub fn update_member(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    user_id: &str,
    change: MembershipChange,
) -> Result<(), OrgError> {
    access.require_writable()?;
    let workspace = access.workspace();
    db::write_transaction(conn, |conn| {
        // Serializes membership changes per workspace, so two manager changes cannot
        // together close a loop on PostgreSQL.
        diesel::update(workspaces::table.find(&workspace.id))
            .set(workspaces::updated_at.eq(workspaces::updated_at))
            .execute(conn)?;
        let rows = membership_rows(conn, &workspace.id)?;
        let member = rows
            .iter()
            .find(|r| r.user_id == user_id)
            .ok_or(OrgError::NotFound)?;
        if let Some(Some(manager_id)) = &change.manager_user_id {
            if manager_id == user_id {
                return Err(OrgError::OwnManager);
            }
            let manager = rows
                .iter()
                .find(|r| r.user_id == *manager_id && r.active)
                .ok_or(OrgError::ManagerNotMember)?;
            if would_cycle(&rows, user_id, manager_id) {
                return Err(OrgError::ManagerCycle {
                    member: member.name.clone(),
                    manager: manager.name.clone(),
                });
            }
        }
        let name_of = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| rows.iter().find(|r| r.user_id == *id))
                .map(|r| r.name.clone())
        };
        let before = json!({
            "member": member.name,
            "role": member.role.as_str(),
            "manager": name_of(&member.manager_user_id),
            "active": member.active,
        });
        if change.active == Some(true) && !member.active {
            // Someone removed from the organization comes back only through a new invite.
            let in_org: i64 = org_members::table
                .filter(org_members::organization_id.eq(&workspace.organization_id))
                .filter(org_members::user_id.eq(user_id))
                .count()
                .get_result(conn)?;
            if in_org == 0 {
                return Err(OrgError::NotOrgMember);
            }
        }
        let role = change.role.unwrap_or(member.role);
        let manager = change
            .manager_user_id
            .clone()
            .unwrap_or_else(|| member.manager_user_id.clone());
        let active = change.active.unwrap_or(member.active);
        let after = json!({ "member": member.name, "role": role.as_str(), "manager": name_of(&manager), "active": active });
        if before == after {
            return Ok(());
        }
        diesel::update(
            workspace_memberships::table
                .filter(workspace_memberships::workspace_id.eq(&workspace.id))
                .filter(workspace_memberships::user_id.eq(user_id)),
        )
        .set((
            workspace_memberships::role.eq(role),
            workspace_memberships::manager_user_id.eq(&manager),
            workspace_memberships::active.eq(active),
            workspace_memberships::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
        activity::record(
            conn,
            actor,
            subject(workspace, "workspace_membership", user_id),
            "workspace_membership.updated",
            Some(before),
            Some(after),
        )?;
        Ok(())
    })
}

/// Where to write to the people who administer a workspace: its active admins and the
/// organization's owners and admins, each once, in a stable order; disabled accounts left out.
pub fn admin_addresses(conn: &mut AnyConnection, workspace_id: &str) -> QueryResult<Vec<String>> {
    let organization_id: String = workspaces::table
        .find(workspace_id)
        .select(workspaces::organization_id)
        .first(conn)?;
    let workspace_admins = workspace_memberships::table
        .filter(workspace_memberships::workspace_id.eq(workspace_id))
        .filter(workspace_memberships::active.eq(true))
        .filter(workspace_memberships::role.eq(WorkspaceRole::Admin))
        .select(workspace_memberships::user_id);
    let org_admins = org_members::table
        .filter(org_members::organization_id.eq(&organization_id))
        .filter(org_members::role.eq_any([OrgRole::Owner, OrgRole::Admin]))
        .select(org_members::user_id);
    users::table
        .filter(users::disabled_at.is_null())
        .filter(
            users::id
                .eq_any(workspace_admins)
                .or(users::id.eq_any(org_admins)),
        )
        .order(users::email.asc())
        .select(users::email)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user: &str, manager: Option<&str>) -> MembershipRow {
        MembershipRow {
            user_id: user.into(),
            name: user.into(),
            email: format!("{user}@example.com"),
            role: WorkspaceRole::User,
            manager_user_id: manager.map(Into::into),
            active: true,
        }
    }

    #[test]
    fn manager_cycles_are_detected_through_the_chain() {
        // ceo <- vp <- lead <- dev
        let rows = vec![
            row("ceo", None),
            row("vp", Some("ceo")),
            row("lead", Some("vp")),
            row("dev", Some("lead")),
        ];
        assert!(
            would_cycle(&rows, "ceo", "dev"),
            "ceo reporting to dev loops"
        );
        assert!(would_cycle(&rows, "vp", "lead"));
        assert!(!would_cycle(&rows, "dev", "ceo"), "skipping levels is fine");
        assert!(!would_cycle(&rows, "lead", "ceo"));
        assert!(would_cycle(&rows, "dev", "dev"));
    }
}
