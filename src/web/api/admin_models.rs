//! What the API sends and accepts about running an organization: its members, its invites
//! and a workspace's settings.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::formats::PlaceName;
use super::item_models::utc;
use super::models::{PrivacyModeName, WorkspaceRoleName};
use super::names::{DeliveryStatusName, InviteStatusName, OrgRoleName};
use crate::invites::InviteListing;
use crate::orgs::OrgMember;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgMemberOut {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: OrgRoleName,
    #[schema(format = DateTime)]
    pub joined_at: String,
}

impl From<&OrgMember> for OrgMemberOut {
    fn from(m: &OrgMember) -> Self {
        Self {
            user_id: m.user_id.clone(),
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.into(),
            joined_at: utc(m.joined_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgMemberList {
    /// By name.
    pub members: Vec<OrgMemberOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// A member's new role. Only owners make or unmake owners, and the last owner stays one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgMemberPatch {
    pub role: OrgRoleName,
}

/// The newest email about an invite and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryOut {
    pub status: DeliveryStatusName,
    pub attempts: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub email: String,
    pub status: InviteStatusName,
    pub workspace_role: WorkspaceRoleName,
    /// The workspace it joins, if any.
    pub workspace_name: Option<String>,
    pub invited_by: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Null while no email was written for it.
    pub delivery: Option<DeliveryOut>,
}

impl InviteOut {
    pub fn new(invite: &InviteListing, now: NaiveDateTime) -> Self {
        Self {
            id: invite.id.clone(),
            email: invite.email.clone(),
            status: invite.effective_status(now).into(),
            workspace_role: invite.role.into(),
            workspace_name: invite.workspace_name.clone(),
            invited_by: invite.invited_by.clone(),
            expires_at: utc(invite.expires_at),
            created_at: utc(invite.created_at),
            delivery: invite.delivery.as_ref().map(|d| DeliveryOut {
                status: d.status.into(),
                attempts: d.attempts,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteList {
    /// Newest first; a workspace admin sees their workspaces' invites only.
    pub invites: Vec<InviteOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// What resending did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Resent {
    /// `resent`, or `over_hourly_limit` when the hourly budget of invites is spent (nothing
    /// was sent; try later).
    pub outcome: ResendOutcome,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResendOutcome {
    Resent,
    OverHourlyLimit,
}

/// Workspace settings to change; leave out what stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    #[serde(default)]
    #[schema(value_type = Option<PlaceName>)]
    pub name: Option<String>,
    /// Lowercase letters, digits and dashes, unique in the organization.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    pub privacy_mode: Option<PrivacyModeName>,
}
