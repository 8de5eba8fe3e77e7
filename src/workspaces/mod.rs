//! Workspaces of an organization, their privacy mode, and who is in them (role, manager,
//! active flag).

mod cadence;
mod members;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::orgs::{self, OrgAccess, OrgAdminAccess, OrgError, Slug};
use crate::schema::{workspace_memberships, workspaces};

/// Defined beside `OrgRole`, so `orgs` (which stores an organization's default mode) never
/// imports `workspaces`.
pub use crate::orgs::{PrivacyMode, WorkspaceRole};
pub use cadence::{
    weekday_key, weekday_name, Cadence, CadenceError, CheckInCadence, ReminderHour,
    ReminderSettings, GRACE_DAYS, WEEKDAYS,
};
pub use members::{
    add_member, admin_addresses, members, set_member, update_member, MembershipChange,
    WorkspaceMember,
};

use members::insert_membership;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = workspaces)]
pub struct Workspace {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub slug: String,
    pub privacy_mode: PrivacyMode,
    pub created_by_user_id: String,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    check_in_cadence: Cadence,
    check_in_weekday: i32,
    reminder_hour: i32,
    escalate_to_manager: bool,
}

impl Workspace {
    fn cadence_json(&self) -> serde_json::Value {
        let cadence = self.check_in_cadence();
        json!({
            "check_in_cadence": cadence.cadence.as_str(),
            "check_in_weekday": cadence.iso_weekday(),
            "reminder_hour": self.reminder_hour,
            "escalate_to_manager": self.escalate_to_manager,
        })
    }

    pub fn reminders(&self) -> ReminderSettings {
        ReminderSettings {
            hour: ReminderHour::from_stored(self.reminder_hour),
            escalate_to_manager: self.escalate_to_manager,
        }
    }

    pub fn check_in_cadence(&self) -> CheckInCadence {
        CheckInCadence::from_stored(self.check_in_cadence, self.check_in_weekday)
    }

    fn settings_json(&self) -> serde_json::Value {
        json!({ "name": self.name, "slug": self.slug, "privacy_mode": self.privacy_mode.as_str() })
    }
}

/// A signed-in person's standing in one workspace. Sealed: only this module's access checks
/// make one, so holding it proves the check ran.
#[derive(Debug, Clone)]
pub struct WorkspaceAccess {
    org: OrgAccess,
    workspace: Workspace,
    /// The person's active membership role, if any (org owners/admins may have none).
    role: Option<WorkspaceRole>,
}

impl WorkspaceAccess {
    pub fn org(&self) -> &OrgAccess {
        &self.org
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn role(&self) -> Option<WorkspaceRole> {
        self.role
    }

    pub fn is_admin(&self) -> bool {
        orgs::administers_workspace(self.org.role(), self.role)
    }

    pub fn require_admin(&self) -> Result<(), OrgError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(OrgError::NotWorkspaceAdmin(self.workspace.name.clone()))
        }
    }

    /// The proof a workspace admin's change needs, for workspace (and org) admins only.
    pub fn admin(&self) -> Result<WorkspaceAdminAccess, OrgError> {
        self.require_admin()?;
        Ok(WorkspaceAdminAccess(self.clone()))
    }

    /// Archived organizations and workspaces are read-only.
    pub fn require_writable(&self) -> Result<(), OrgError> {
        self.org.require_writable()?;
        if self.workspace.archived_at.is_some() {
            return Err(OrgError::Archived(self.workspace.name.clone()));
        }
        Ok(())
    }
}

/// Proof that its holder administers the workspace: made only by `WorkspaceAccess::admin`,
/// so a change that takes it needs no second check.
#[derive(Debug, Clone)]
pub struct WorkspaceAdminAccess(WorkspaceAccess);

impl std::ops::Deref for WorkspaceAdminAccess {
    type Target = WorkspaceAccess;

    fn deref(&self) -> &WorkspaceAccess {
        &self.0
    }
}

/// The workspace behind (org slug, workspace slug) for a user who may open it: owners and
/// admins of the organization, and active members. Anyone else gets `NotFound`.
pub fn access(
    conn: &mut AnyConnection,
    user_id: &str,
    org_slug: &str,
    workspace_slug: &str,
) -> Result<WorkspaceAccess, OrgError> {
    let org = orgs::access(conn, user_id, org_slug)?;
    let workspace: Workspace = workspaces::table
        .filter(workspaces::organization_id.eq(&org.org().id))
        .filter(workspaces::slug.eq(workspace_slug))
        .select(Workspace::as_select())
        .first(conn)?;
    access_to(conn, user_id, org, workspace)
}

/// `access` for a workspace named by its id (the JSON API).
pub fn access_by_id(
    conn: &mut AnyConnection,
    user_id: &str,
    workspace_id: &str,
) -> Result<WorkspaceAccess, OrgError> {
    let workspace: Workspace = workspaces::table
        .find(workspace_id)
        .select(Workspace::as_select())
        .first(conn)?;
    let org = orgs::access_by_id(conn, user_id, &workspace.organization_id)?;
    access_to(conn, user_id, org, workspace)
}

fn access_to(
    conn: &mut AnyConnection,
    user_id: &str,
    org: OrgAccess,
    workspace: Workspace,
) -> Result<WorkspaceAccess, OrgError> {
    let role: Option<WorkspaceRole> = workspace_memberships::table
        .filter(workspace_memberships::workspace_id.eq(&workspace.id))
        .filter(workspace_memberships::user_id.eq(user_id))
        .filter(workspace_memberships::active.eq(true))
        .select(workspace_memberships::role)
        .first(conn)
        .optional()?;
    if role.is_none() && !org.is_admin() {
        return Err(OrgError::NotFound);
    }
    Ok(WorkspaceAccess {
        org,
        workspace,
        role,
    })
}

/// The organization's workspaces this person may open, by name: all of them for owners and
/// admins, those with an active membership for everyone else.
pub fn visible_to(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    user_id: &str,
) -> Result<Vec<Workspace>, OrgError> {
    let mut query = workspaces::table
        .filter(workspaces::organization_id.eq(&org.org().id))
        .into_boxed();
    if !org.is_admin() {
        let mine = workspace_memberships::table
            .filter(workspace_memberships::user_id.eq(user_id))
            .filter(workspace_memberships::active.eq(true))
            .select(workspace_memberships::workspace_id);
        query = query.filter(workspaces::id.eq_any(mine));
    }
    Ok(query
        .order(workspaces::name.asc())
        .select(Workspace::as_select())
        .load(conn)?)
}

/// Workspaces this person administers and may invite to: every active one for owners and
/// admins of the organization, otherwise those where they are an active workspace admin.
pub fn administered_by(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    user_id: &str,
) -> Result<Vec<Workspace>, OrgError> {
    let mut query = workspaces::table
        .filter(workspaces::organization_id.eq(&org.org().id))
        .filter(workspaces::archived_at.is_null())
        .into_boxed();
    if !org.is_admin() {
        let mine = workspace_memberships::table
            .filter(workspace_memberships::user_id.eq(user_id))
            .filter(workspace_memberships::active.eq(true))
            .filter(workspace_memberships::role.eq(WorkspaceRole::Admin))
            .select(workspace_memberships::workspace_id);
        query = query.filter(workspaces::id.eq_any(mine));
    }
    Ok(query
        .order(workspaces::name.asc())
        .select(Workspace::as_select())
        .load(conn)?)
}

/// Validated name, slug and privacy mode.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    pub name: String,
    pub slug: Slug,
    pub privacy_mode: PrivacyMode,
}

impl WorkspaceSettings {
    /// The name and address as typed (an empty address derives from the name), for the
    /// settings form and the API alike; every problem by its field.
    pub fn parse(
        name: &str,
        slug: &str,
        privacy_mode: PrivacyMode,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let parsed_name = orgs::name(name)
            .map_err(|e| problems.push(("name", e.to_string())))
            .ok();
        let parsed_slug = orgs::workspace_slug(slug, name)
            .map_err(|e| problems.push(("slug", e)))
            .ok();
        match (parsed_name, parsed_slug) {
            (Some(name), Some(slug)) => Ok(Self {
                name,
                slug,
                privacy_mode,
            }),
            _ => Err(problems),
        }
    }
}

fn slug_taken(
    conn: &mut AnyConnection,
    org_id: &str,
    slug: &Slug,
    except: Option<&str>,
) -> QueryResult<bool> {
    let mut query = workspaces::table
        .filter(workspaces::organization_id.eq(org_id))
        .filter(workspaces::slug.eq(slug.as_str()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(workspaces::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

fn subject<'a>(workspace: &'a Workspace, kind: &'static str, id: &'a str) -> Subject<'a> {
    Subject {
        organization_id: &workspace.organization_id,
        workspace_id: Some(&workspace.id),
        kind,
        id,
    }
}

/// Creates a workspace (owners and admins); its creator joins it as workspace admin.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: &OrgAdminAccess,
    settings: WorkspaceSettings,
) -> Result<Workspace, OrgError> {
    org.require_writable()?;
    db::write_transaction(conn, |conn| {
        if slug_taken(conn, &org.org().id, &settings.slug, None)? {
            return Err(OrgError::SlugTaken);
        }
        let id = db::new_id();
        let now = db::now();
        diesel::insert_into(workspaces::table)
            .values((
                workspaces::id.eq(&id),
                workspaces::organization_id.eq(&org.org().id),
                workspaces::name.eq(&settings.name),
                workspaces::slug.eq(settings.slug.as_str()),
                workspaces::privacy_mode.eq(settings.privacy_mode),
                workspaces::created_by_user_id.eq(&actor.user_id),
                workspaces::created_at.eq(now),
                workspaces::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(orgs::slug_clash)?;
        insert_membership(
            conn,
            &org.org().id,
            &id,
            &actor.user_id,
            WorkspaceRole::Admin,
        )?;
        let workspace: Workspace = workspaces::table
            .find(&id)
            .select(Workspace::as_select())
            .first(conn)?;
        activity::record(
            conn,
            actor,
            subject(&workspace, "workspace", &workspace.id),
            "workspace.created",
            None,
            Some(workspace.settings_json()),
        )?;
        Ok(workspace)
    })
}

/// Renames, re-slugs or changes the privacy mode (workspace admins).
pub fn update_settings(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    settings: WorkspaceSettings,
) -> Result<Workspace, OrgError> {
    access.require_writable()?;
    let before = access.workspace();
    db::write_transaction(conn, |conn| {
        if slug_taken(
            conn,
            &before.organization_id,
            &settings.slug,
            Some(&before.id),
        )? {
            return Err(OrgError::SlugTaken);
        }
        diesel::update(workspaces::table.find(&before.id))
            .set((
                workspaces::name.eq(&settings.name),
                workspaces::slug.eq(settings.slug.as_str()),
                workspaces::privacy_mode.eq(settings.privacy_mode),
                workspaces::updated_at.eq(db::now()),
            ))
            .execute(conn)
            .map_err(orgs::slug_clash)?;
        record_change(
            conn,
            actor,
            before,
            "workspace.settings_updated",
            Workspace::settings_json,
        )
    })
}

/// Reads the workspace back after a change and logs it, as `json` shows it before and after.
fn record_change(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: &Workspace,
    action: &str,
    json: fn(&Workspace) -> serde_json::Value,
) -> Result<Workspace, OrgError> {
    let after: Workspace = workspaces::table
        .find(&before.id)
        .select(Workspace::as_select())
        .first(conn)?;
    activity::record(
        conn,
        actor,
        subject(&after, "workspace", &after.id),
        action,
        Some(json(before)),
        Some(json(&after)),
    )?;
    Ok(after)
}

/// Changes how often the workspace checks in (status counts silence from it) and when its
/// reminders go out.
pub fn set_check_in_cadence(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    cadence: CheckInCadence,
    reminders: ReminderSettings,
) -> Result<Workspace, OrgError> {
    access.require_writable()?;
    let before = access.workspace();
    db::write_transaction(conn, |conn| {
        diesel::update(workspaces::table.find(&before.id))
            .set((
                workspaces::check_in_cadence.eq(cadence.cadence),
                workspaces::check_in_weekday.eq(cadence.iso_weekday()),
                workspaces::reminder_hour.eq(reminders.hour.stored()),
                workspaces::escalate_to_manager.eq(reminders.escalate_to_manager),
                workspaces::updated_at.eq(db::now()),
            ))
            .execute(conn)?;
        record_change(
            conn,
            actor,
            before,
            "workspace.check_in_cadence_changed",
            Workspace::cadence_json,
        )
    })
}

pub fn set_archived(
    conn: &mut AnyConnection,
    actor: &Actor,
    access: &WorkspaceAdminAccess,
    archived: bool,
) -> Result<(), OrgError> {
    access.org().require_writable()?;
    let workspace = access.workspace();
    if archived == workspace.archived_at.is_some() {
        return Ok(());
    }
    db::write_transaction(conn, |conn| {
        let now = db::now();
        diesel::update(workspaces::table.find(&workspace.id))
            .set((
                workspaces::archived_at.eq(archived.then_some(now)),
                workspaces::updated_at.eq(now),
            ))
            .execute(conn)?;
        let action = if archived {
            "workspace.archived"
        } else {
            "workspace.unarchived"
        };
        activity::record(
            conn,
            actor,
            subject(workspace, "workspace", &workspace.id),
            action,
            Some(json!({ "archived": !archived })),
            Some(json!({ "archived": archived })),
        )?;
        Ok(())
    })
}
