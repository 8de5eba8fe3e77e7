//! Who belongs to an organization and in which role: listing, adding, changing roles and
//! removing, with the rule that an organization always keeps an owner.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::{lock, OrgAccess, OrgAdminAccess, OrgError, OrgRole};
use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::schema::{org_members, users, workspace_memberships};

/// Adds an existing user to an organization (the demo seeds its people this way; people
/// otherwise arrive through invites).
pub fn add_member(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    role: OrgRole,
) -> Result<(), OrgError> {
    Ok(insert_member(conn, org_id, user_id, role)?)
}

pub(super) fn insert_member(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    role: OrgRole,
) -> QueryResult<()> {
    let now = db::now();
    diesel::insert_into(org_members::table)
        .values((
            org_members::id.eq(db::new_id()),
            org_members::organization_id.eq(org_id),
            org_members::user_id.eq(user_id),
            org_members::role.eq(role),
            org_members::created_at.eq(now),
            org_members::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct OrgMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: OrgRole,
    pub joined_at: NaiveDateTime,
}

pub fn members(conn: &mut AnyConnection, org_id: &str) -> Result<Vec<OrgMember>, OrgError> {
    let rows: Vec<(String, String, String, OrgRole, NaiveDateTime)> = org_members::table
        .inner_join(users::table.on(users::id.eq(org_members::user_id)))
        .filter(org_members::organization_id.eq(org_id))
        .order(users::name.asc())
        .select((
            users::id,
            users::name,
            users::email,
            org_members::role,
            org_members::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, email, role, joined_at)| OrgMember {
            user_id,
            name,
            email,
            role,
            joined_at,
        })
        .collect())
}

fn member_role(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
) -> Result<(OrgRole, String), OrgError> {
    Ok(org_members::table
        .inner_join(users::table.on(users::id.eq(org_members::user_id)))
        .filter(org_members::organization_id.eq(org_id))
        .filter(org_members::user_id.eq(user_id))
        .select((org_members::role, users::name))
        .first(conn)?)
}

fn owner_count(conn: &mut AnyConnection, org_id: &str) -> QueryResult<i64> {
    org_members::table
        .filter(org_members::organization_id.eq(org_id))
        .filter(org_members::role.eq(OrgRole::Owner))
        .count()
        .get_result(conn)
}

/// Only owners grant or take away ownership, and the last owner stays an owner.
fn check_role_change(
    conn: &mut AnyConnection,
    access: &OrgAdminAccess,
    current: OrgRole,
    new: Option<OrgRole>,
) -> Result<(), OrgError> {
    access.require_writable()?;
    let touches_owner = current == OrgRole::Owner || new == Some(OrgRole::Owner);
    if touches_owner && access.role() != OrgRole::Owner {
        return Err(OrgError::NotOwner);
    }
    if current == OrgRole::Owner
        && new != Some(OrgRole::Owner)
        && owner_count(conn, &access.org().id)? <= 1
    {
        return Err(OrgError::LastOwner);
    }
    Ok(())
}

fn member_subject<'a>(access: &'a OrgAccess, user_id: &'a str) -> Subject<'a> {
    Subject {
        organization_id: &access.org().id,
        workspace_id: None,
        kind: "org_member",
        id: user_id,
    }
}

pub fn change_role(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &OrgAdminAccess,
    user_id: &str,
    role: OrgRole,
) -> Result<(), OrgError> {
    access.require_writable()?;
    db::write_transaction(conn, |conn| {
        lock(conn, &access.org().id)?;
        let (current, name) = member_role(conn, &access.org().id, user_id)?;
        if current == role {
            return Ok(());
        }
        check_role_change(conn, access, current, Some(role))?;
        diesel::update(
            org_members::table
                .filter(org_members::organization_id.eq(&access.org().id))
                .filter(org_members::user_id.eq(user_id)),
        )
        .set((
            org_members::role.eq(role),
            org_members::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
        activity::record(
            conn,
            actor,
            member_subject(access, user_id),
            "org_member.role_changed",
            Some(json!({ "member": name, "role": current.as_str() })),
            Some(json!({ "member": name, "role": role.as_str() })),
        )?;
        Ok(())
    })
}

/// Removes someone from the organization. Their workspace memberships go inactive and
/// everything they own stays where it is.
pub fn remove_member(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &OrgAdminAccess,
    user_id: &str,
) -> Result<(), OrgError> {
    db::write_transaction(conn, |conn| {
        lock(conn, &access.org().id)?;
        let (current, name) = member_role(conn, &access.org().id, user_id)?;
        check_role_change(conn, access, current, None)?;
        let now = db::now();
        diesel::delete(
            org_members::table
                .filter(org_members::organization_id.eq(&access.org().id))
                .filter(org_members::user_id.eq(user_id)),
        )
        .execute(conn)?;
        diesel::update(
            workspace_memberships::table
                .filter(workspace_memberships::organization_id.eq(&access.org().id))
                .filter(workspace_memberships::user_id.eq(user_id)),
        )
        .set((
            workspace_memberships::active.eq(false),
            workspace_memberships::updated_at.eq(now),
        ))
        .execute(conn)?;
        activity::record(
            conn,
            actor,
            member_subject(access, user_id),
            "org_member.removed",
            Some(json!({ "member": name, "role": current.as_str() })),
            None,
        )?;
        Ok(())
    })
}

/// Who in the organization is not yet in a workspace (for "add member").
pub fn members_outside_workspace(
    conn: &mut AnyConnection,
    org_id: &str,
    workspace_id: &str,
) -> Result<Vec<OrgMember>, OrgError> {
    let inside: Vec<String> = workspace_memberships::table
        .filter(workspace_memberships::workspace_id.eq(workspace_id))
        .select(workspace_memberships::user_id)
        .load(conn)?;
    Ok(members(conn, org_id)?
        .into_iter()
        .filter(|m| !inside.contains(&m.user_id))
        .collect())
}
