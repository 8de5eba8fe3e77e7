//! The invites page's listing: an organization's invites with their delivery state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{InviteError, InviteStatus};
use crate::db::AnyConnection;
use crate::mail::{self, Delivery};
use crate::orgs::OrgAccess;
use crate::schema::{org_invites, users, workspaces};
use crate::workspaces::{Workspace, WorkspaceRole};

/// One invite as the invites page lists it.
#[derive(Debug, Clone)]
pub struct InviteListing {
    pub id: String,
    pub email: String,
    pub status: InviteStatus,
    pub role: WorkspaceRole,
    pub workspace_name: Option<String>,
    pub invited_by: String,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub delivery: Option<Delivery>,
}

impl InviteListing {
    /// A pending invite past its expiry reads as expired, even before housekeeping marks it.
    pub fn effective_status(&self, now: NaiveDateTime) -> InviteStatus {
        if self.status == InviteStatus::Pending && self.expires_at <= now {
            InviteStatus::Expired
        } else {
            self.status
        }
    }
}

/// Whose invites someone manages, given the workspaces they administer: `None` (all of
/// them) for owners and admins, those workspaces' for a workspace admin; anyone else may not
/// invite at all.
pub fn managed_by(
    access: &OrgAccess,
    administered: &[Workspace],
) -> Result<Option<Vec<String>>, InviteError> {
    if access.is_admin() {
        return Ok(None);
    }
    if administered.is_empty() {
        return Err(InviteError::NotInviter(access.org().name.clone()));
    }
    Ok(Some(administered.iter().map(|w| w.id.clone()).collect()))
}

/// The organization an invite belongs to.
pub fn organization_of(conn: &mut AnyConnection, invite_id: &str) -> Result<String, InviteError> {
    org_invites::table
        .find(invite_id)
        .select(org_invites::organization_id)
        .first(conn)
        .optional()?
        .ok_or(InviteError::NotFound)
}

/// The organization's invites, newest first; a workspace admin sees their workspaces' only.
pub fn list(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    only_workspaces: Option<&[String]>,
) -> Result<Vec<InviteListing>, InviteError> {
    let mut query = org_invites::table
        .inner_join(users::table.on(users::id.eq(org_invites::invited_by_user_id)))
        .left_join(workspaces::table.on(workspaces::id.nullable().eq(org_invites::workspace_id)))
        .filter(org_invites::organization_id.eq(&org.org().id))
        .into_boxed();
    if let Some(ids) = only_workspaces {
        query = query.filter(org_invites::workspace_id.eq_any(ids.to_vec()));
    }
    type Row = (
        String,
        String,
        InviteStatus,
        WorkspaceRole,
        Option<String>,
        String,
        NaiveDateTime,
        NaiveDateTime,
    );
    let rows: Vec<Row> = query
        .order(org_invites::created_at.desc())
        .limit(500)
        .select((
            org_invites::id,
            org_invites::email,
            org_invites::status,
            org_invites::workspace_role,
            workspaces::name.nullable(),
            users::name,
            org_invites::expires_at,
            org_invites::created_at,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let deliveries = mail::latest_for_invites(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, email, status, role, workspace_name, invited_by, expires_at, created_at)| {
                let delivery = deliveries.iter().find(|d| d.invite_id == id).cloned();
                InviteListing {
                    id,
                    email,
                    status,
                    role,
                    workspace_name,
                    invited_by,
                    expires_at,
                    created_at,
                    delivery,
                }
            },
        )
        .collect())
}
