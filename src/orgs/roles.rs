//! The vocabulary of access shared by organizations and workspaces: roles, privacy modes
//! and who administers a workspace. It sits in `orgs`, below `workspaces`, so `orgs` (which
//! stores an organization's default privacy mode) never imports `workspaces`.

use crate::text_enum;

text_enum! {
    /// A person's role in an organization.
    pub enum OrgRole {
        Owner => "owner",
        Admin => "admin",
        Member => "member",
    }
}

impl OrgRole {
    /// Owners and admins edit settings, invite, create workspaces, and act as workspace
    /// admin everywhere.
    pub fn administers(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
        }
    }
}

text_enum! {
    /// Who sees which items of a workspace (enforced by `scope`).
    pub enum PrivacyMode {
        /// Every active member sees every item.
        Open => "option_1",
        /// Members see their own and their reports' work, with its context.
        NeedToKnow => "option_2",
    }
}

impl PrivacyMode {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::NeedToKnow => "Need-to-know",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Open => "Every member of the workspace sees every objective, key result and action.",
            Self::NeedToKnow => "Members see their own work and their reports' work, with what it belongs to; admins see everything.",
        }
    }

    /// What switching to this mode asks first, when switching to it hides things.
    pub fn confirm_switch(self) -> Option<&'static str> {
        match self {
            Self::Open => None,
            Self::NeedToKnow => Some("Switch to need-to-know? Members will see only what they own or are assigned, their reports' work, and what those items belong to; everything else disappears from their tree, board, gantt, reports and emails. Admins still see everything."),
        }
    }
}

text_enum! {
    pub enum WorkspaceRole {
        Admin => "workspace_admin",
        User => "workspace_user",
    }
}

impl WorkspaceRole {
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Workspace admin",
            Self::User => "Member",
        }
    }
}

/// Whether the person may act as admin of a workspace with this membership role.
pub fn administers_workspace(org_role: OrgRole, workspace_role: Option<WorkspaceRole>) -> bool {
    org_role.administers() || workspace_role == Some(WorkspaceRole::Admin)
}

/// The product's words for the stored values of organization and workspace settings and
/// memberships in their history (`activity::Words`).
pub fn history_words(field: &str, stored: &str) -> Option<&'static str> {
    match field {
        "privacy_mode" | "default_privacy_mode" => {
            PrivacyMode::parse(stored).map(PrivacyMode::label)
        }
        "role" => WorkspaceRole::parse(stored)
            .map(WorkspaceRole::label)
            .or_else(|| OrgRole::parse(stored).map(OrgRole::label)),
        "revenue_period" => super::RevenuePeriod::parse(stored).map(super::RevenuePeriod::label),
        _ => None,
    }
}
