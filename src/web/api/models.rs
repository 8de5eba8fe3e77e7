//! What the API sends and accepts about the caller, organizations, workspaces, members and
//! invites, in the schema's snake_case names (items, links and history are in
//! `item_models`). Bodies refuse unknown fields, so a misspelt field answers 422 instead of
//! being ignored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::formats::{EmailAddress, PlaceName};
use super::names::OrgRoleName;
use crate::orgs::OrgAccess;
use crate::tokens::Scope;
use crate::workspaces::{Workspace, WorkspaceMember};

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(format = Uuid)]
    pub id: String,
    pub email: String,
    pub name: String,
    /// The scopes of the token in use.
    pub scopes: Vec<ScopeName>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeName {
    Read,
    Write,
    Admin,
}

impl From<Scope> for ScopeName {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Read => Self::Read,
            Scope::Write => Self::Write,
            Scope::Admin => Self::Admin,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum PrivacyModeName {
    /// Open: every member sees every item.
    #[serde(rename = "option_1")]
    Open,
    /// Need-to-know: members see their own and their reports' work.
    #[serde(rename = "option_2")]
    NeedToKnow,
}

impl From<crate::workspaces::PrivacyMode> for PrivacyModeName {
    fn from(mode: crate::workspaces::PrivacyMode) -> Self {
        match mode {
            crate::workspaces::PrivacyMode::Open => Self::Open,
            crate::workspaces::PrivacyMode::NeedToKnow => Self::NeedToKnow,
        }
    }
}

impl From<PrivacyModeName> for crate::workspaces::PrivacyMode {
    fn from(mode: PrivacyModeName) -> Self {
        match mode {
            PrivacyModeName::Open => Self::Open,
            PrivacyModeName::NeedToKnow => Self::NeedToKnow,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum WorkspaceRoleName {
    #[serde(rename = "workspace_admin")]
    Admin,
    #[serde(rename = "workspace_user")]
    User,
}

impl From<crate::workspaces::WorkspaceRole> for WorkspaceRoleName {
    fn from(role: crate::workspaces::WorkspaceRole) -> Self {
        match role {
            crate::workspaces::WorkspaceRole::Admin => Self::Admin,
            crate::workspaces::WorkspaceRole::User => Self::User,
        }
    }
}

impl From<WorkspaceRoleName> for crate::workspaces::WorkspaceRole {
    fn from(role: WorkspaceRoleName) -> Self {
        match role {
            WorkspaceRoleName::Admin => Self::Admin,
            WorkspaceRoleName::User => Self::User,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Org {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub slug: String,
    pub default_privacy_mode: PrivacyModeName,
    /// The caller's role in it.
    pub role: OrgRoleName,
}

impl From<&OrgAccess> for Org {
    fn from(access: &OrgAccess) -> Self {
        Self {
            id: access.org().id.clone(),
            name: access.org().name.clone(),
            slug: access.org().slug.clone(),
            default_privacy_mode: access.org().default_privacy_mode.into(),
            role: access.role().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    pub orgs: Vec<Org>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    #[schema(value_type = PlaceName)]
    pub name: String,
    /// Derived from the name when left out; lower-case letters, digits and single dashes.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    pub slug: String,
    pub privacy_mode: PrivacyModeName,
}

impl From<&Workspace> for WorkspaceOut {
    fn from(w: &Workspace) -> Self {
        Self {
            id: w.id.clone(),
            organization_id: w.organization_id.clone(),
            name: w.name.clone(),
            slug: w.slug.clone(),
            privacy_mode: w.privacy_mode.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceList {
    pub workspaces: Vec<WorkspaceOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    #[schema(value_type = PlaceName)]
    pub name: String,
    /// Derived from the name when left out; lower-case letters, digits and single dashes.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// The organization's default when left out.
    #[serde(default)]
    pub privacy_mode: Option<PrivacyModeName>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
    #[schema(value_type = EmailAddress)]
    pub email: String,
    /// Invite to this workspace too; organization owners and admins may leave it out.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub workspace_id: Option<String>,
    pub workspace_role: WorkspaceRoleName,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InviteResult {
    Sent,
    Resent,
    AlreadyMember,
    InvitedElsewhere,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteOutcome {
    pub email: String,
    pub outcome: InviteResult,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    /// The token from the invite link (`/invites/{token}`).
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Joined {
    pub org_slug: String,
    pub workspace_slug: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    #[schema(format = Uuid)]
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: WorkspaceRoleName,
    #[schema(format = Uuid)]
    pub manager_user_id: Option<String>,
    pub active: bool,
}

impl From<&WorkspaceMember> for Member {
    fn from(m: &WorkspaceMember) -> Self {
        Self {
            user_id: m.user_id.clone(),
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.role.into(),
            manager_user_id: m.manager.as_ref().map(|(id, _)| id.clone()),
            active: m.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub members: Vec<Member>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMember {
    pub role: WorkspaceRoleName,
    /// Null or left out: no manager.
    #[serde(default)]
    #[schema(format = Uuid)]
    pub manager_user_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}
