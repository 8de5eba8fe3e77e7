//! What the API sends and accepts, in the schema's snake_case names. Times are RFC 3339 UTC.
//! Bodies refuse unknown fields, so a misspelt field answers 422 instead of being ignored.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::activity::ActivityEntry;
use crate::okr::links::Link;
use crate::okr::{Assigned, Item};
use crate::orgs::OrgAccess;
use crate::workspaces::{Workspace, WorkspaceMember};

/// Stored times are UTC without an offset; the API says so.
fn utc(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

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
#[serde(rename_all = "snake_case")]
pub enum OrgRoleName {
    Owner,
    Admin,
    Member,
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
        use crate::orgs::OrgRole;
        Self {
            id: access.org.id.clone(),
            name: access.org.name.clone(),
            slug: access.org.slug.clone(),
            default_privacy_mode: access.org.default_privacy_mode.into(),
            role: match access.role {
                OrgRole::Owner => OrgRoleName::Owner,
                OrgRole::Admin => OrgRoleName::Admin,
                OrgRole::Member => OrgRoleName::Member,
            },
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
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Derived from the name when left out.
    #[serde(default)]
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
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Derived from the name when left out.
    #[serde(default)]
    pub slug: Option<String>,
    /// The organization's default when left out.
    #[serde(default)]
    pub privacy_mode: Option<PrivacyModeName>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvite {
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

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemTypeName {
    Objective,
    KeyResult,
    Action,
}

impl From<crate::okr::ItemType> for ItemTypeName {
    fn from(t: crate::okr::ItemType) -> Self {
        match t {
            crate::okr::ItemType::Objective => Self::Objective,
            crate::okr::ItemType::KeyResult => Self::KeyResult,
            crate::okr::ItemType::Action => Self::Action,
        }
    }
}

impl From<ItemTypeName> for crate::okr::ItemType {
    fn from(t: ItemTypeName) -> Self {
        match t {
            ItemTypeName::Objective => Self::Objective,
            ItemTypeName::KeyResult => Self::KeyResult,
            ItemTypeName::Action => Self::Action,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatusName {
    Pending,
    WorkInProgress,
    Done,
}

impl From<crate::okr::ActionStatus> for ActionStatusName {
    fn from(s: crate::okr::ActionStatus) -> Self {
        match s {
            crate::okr::ActionStatus::Pending => Self::Pending,
            crate::okr::ActionStatus::WorkInProgress => Self::WorkInProgress,
            crate::okr::ActionStatus::Done => Self::Done,
        }
    }
}

impl From<ActionStatusName> for crate::okr::ActionStatus {
    fn from(s: ActionStatusName) -> Self {
        match s {
            ActionStatusName::Pending => Self::Pending,
            ActionStatusName::WorkInProgress => Self::WorkInProgress,
            ActionStatusName::Done => Self::Done,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub workspace_id: String,
    #[serde(rename = "type")]
    pub item_type: ItemTypeName,
    pub title: String,
    pub description: Option<String>,
    #[schema(format = Uuid)]
    pub owner_user_id: String,
    pub assignee_user_ids: Vec<String>,
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub action_status: Option<ActionStatusName>,
    /// One of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞ (actions only).
    pub story_points: Option<String>,
    /// 0 to 100.
    pub progress: f64,
    pub sort_order: i32,
    pub position_x: Option<f64>,
    pub position_y: Option<f64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ItemOut {
    pub fn new(item: &Item, assignee_ids: &[String]) -> Self {
        Self {
            id: item.id.clone(),
            workspace_id: item.workspace_id.clone(),
            item_type: item.item_type.into(),
            title: item.title.clone(),
            description: item.description.clone(),
            owner_user_id: item.owner_user_id.clone(),
            assignee_user_ids: assignee_ids.to_vec(),
            parent_id: item.parent_id.clone(),
            start_date: item.start_date,
            due_date: item.due_date,
            action_status: item.action_status.map(Into::into),
            story_points: item.story_points.map(|p| p.as_str().to_owned()),
            progress: item.progress_computed,
            sort_order: item.sort_order,
            position_x: item.position_x,
            position_y: item.position_y,
            created_at: utc(item.created_at),
            updated_at: utc(item.updated_at),
        }
    }
}

impl From<&Assigned> for ItemOut {
    fn from(a: &Assigned) -> Self {
        Self::new(&a.item, &a.assignee_ids)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[serde(rename = "type")]
    pub item_type: ItemTypeName,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
}

/// A present field set to null clears it; a missing field stays as it is.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Fields to change; leave out what stays. Nullable fields clear with null.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub owner_user_id: Option<String>,
    #[serde(default)]
    pub assignee_user_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub action_status: Option<ActionStatusName>,
    /// One of 0, 1, 2, 3, 5, 8, 13, 21, 40, ? and ∞; null clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub story_points: Option<Option<String>>,
}

/// Where the item sits on the board, in board units.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    #[schema(minimum = -1000000.0, maximum = 1000000.0)]
    pub x: f64,
    #[schema(minimum = -1000000.0, maximum = 1000000.0)]
    pub y: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
    pub link_type: String,
}

impl From<&Link> for LinkOut {
    fn from(l: &Link) -> Self {
        Self {
            id: l.id.clone(),
            from_item_id: l.from_item_id.clone(),
            to_item_id: l.to_item_id.clone(),
            link_type: l.link_type.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub links: Vec<LinkOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub action_type: String,
    #[schema(format = Uuid)]
    pub actor_user_id: String,
    /// The recorded state before the change (an object), or null.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The recorded state after the change (an object), or null.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&ActivityEntry> for ActivityOut {
    fn from(e: &ActivityEntry) -> Self {
        Self {
            id: e.id.clone(),
            action_type: e.action_type.clone(),
            actor_user_id: e.actor_user_id.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            request_id: e.request_id.clone(),
            created_at: utc(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub activity: Vec<ActivityOut>,
    /// Always null: the newest 200 rows.
    pub next_cursor: Option<String>,
}
