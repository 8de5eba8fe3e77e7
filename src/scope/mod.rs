//! Who may see which items of a workspace: the one place privacy modes are enforced.
//!
//! - Open (`option_1`): every active member sees every item.
//! - Need-to-know (`option_2`): workspace admins (and organization owners/admins) see
//!   everything; a workspace user sees an item when it, an ancestor or a descendant is owned
//!   by or assigned to them or anyone below them in the manager chain.
//!
//! Nothing here is cached: each request builds its viewer afresh, so a change of mode,
//! manager, owner or assignee applies on the next request. The visible set is computed in
//! time linear in the workspace's items from one load of (id, parent, owner) and one of the
//! assignees.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::db::{AnyConnection, DbError};
use crate::orgs::OrgError;
use crate::schema::{okr_item_assignees, okr_items, workspace_memberships};
use crate::workspaces::{CheckInCadence, PrivacyMode, WorkspaceAccess};

/// A person looking at one workspace.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: String,
    pub organization_id: String,
    pub workspace_id: String,
    /// Workspace admins and organization owners/admins: see and edit everything.
    admin: bool,
    sees_everything: bool,
    /// The viewer and everyone below them in the manager chain (need-to-know only).
    team: HashSet<String>,
    /// The name of the archived organization or workspace that makes this one read-only.
    archived: Option<String>,
    /// How often the workspace checks in: item status counts silence from it.
    pub cadence: CheckInCadence,
}

impl Viewer {
    /// Builds the viewer from an access check already passed (membership or org admin).
    pub fn new(conn: &mut AnyConnection, access: &WorkspaceAccess) -> Result<Self, OrgError> {
        let sees_everything =
            access.is_admin() || access.workspace().privacy_mode == PrivacyMode::Open;
        let team = if sees_everything {
            HashSet::new()
        } else {
            let chain: Vec<(String, Option<String>)> = workspace_memberships::table
                .filter(workspace_memberships::workspace_id.eq(&access.workspace().id))
                .select((
                    workspace_memberships::user_id,
                    workspace_memberships::manager_user_id,
                ))
                .load(conn)?;
            team_of(access.org().user_id(), &chain)
        };
        Ok(Self {
            user_id: access.org().user_id().to_owned(),
            organization_id: access.workspace().organization_id.clone(),
            workspace_id: access.workspace().id.clone(),
            admin: access.is_admin(),
            sees_everything,
            team,
            cadence: access.workspace().check_in_cadence(),
            archived: match access.require_writable() {
                Err(OrgError::Archived(name)) => Some(name),
                _ => None,
            },
        })
    }

    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// Archived means read-only: refused as forbidden (403), with the archive's reason.
    pub fn require_writable(&self) -> Result<(), OrgError> {
        match &self.archived {
            Some(name) => Err(OrgError::Archived(name.clone())),
            None => Ok(()),
        }
    }
}

/// Why an item is out of the viewer's reach. `okr` turns it into its own error, so this
/// module (which `okr` builds on) never imports `okr`.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    /// Hidden and absent are the same answer: a hidden item does not exist for the viewer.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ScopeError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

/// The user and everyone who reports to them, directly or through others.
fn team_of(user_id: &str, chain: &[(String, Option<String>)]) -> HashSet<String> {
    let mut reports: HashMap<&str, Vec<&str>> = HashMap::new();
    for (member, manager) in chain {
        if let Some(manager) = manager {
            reports
                .entry(manager.as_str())
                .or_default()
                .push(member.as_str());
        }
    }
    let mut team = HashSet::from([user_id.to_owned()]);
    let mut queue = vec![user_id];
    while let Some(person) = queue.pop() {
        for report in reports.get(person).into_iter().flatten() {
            if team.insert((*report).to_owned()) {
                queue.push(report);
            }
        }
    }
    team
}

/// The items a viewer may see.
#[derive(Debug, Clone)]
pub enum Visible {
    All,
    Only(HashSet<String>),
}

impl Visible {
    pub fn contains(&self, item_id: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(ids) => ids.contains(item_id),
        }
    }
}

pub fn visible_items(conn: &mut AnyConnection, viewer: &Viewer) -> QueryResult<Visible> {
    if viewer.sees_everything {
        return Ok(Visible::All);
    }
    let items: Vec<(String, Option<String>, String)> = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .select((
            okr_items::id,
            okr_items::parent_id,
            okr_items::owner_user_id,
        ))
        .load(conn)?;
    let assignees: Vec<(String, String)> = okr_item_assignees::table
        .filter(okr_item_assignees::workspace_id.eq(&viewer.workspace_id))
        .select((okr_item_assignees::item_id, okr_item_assignees::user_id))
        .load(conn)?;
    Ok(Visible::Only(closure(&items, &assignees, &viewer.team)))
}

/// Items touched by the team, with their ancestors and descendants. Linear: each item is
/// entered at most once going up and once going down.
fn closure(
    items: &[(String, Option<String>, String)],
    assignees: &[(String, String)],
    team: &HashSet<String>,
) -> HashSet<String> {
    let parent_of: HashMap<&str, &str> = items
        .iter()
        .filter_map(|(id, parent, _)| parent.as_deref().map(|p| (id.as_str(), p)))
        .collect();
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, parent, _) in items {
        if let Some(parent) = parent {
            children
                .entry(parent.as_str())
                .or_default()
                .push(id.as_str());
        }
    }
    let live: HashSet<&str> = items.iter().map(|(id, ..)| id.as_str()).collect();
    let mut touched: Vec<&str> = items
        .iter()
        .filter(|(_, _, owner)| team.contains(owner))
        .map(|(id, ..)| id.as_str())
        .collect();
    touched.extend(
        assignees
            .iter()
            .filter(|(item, user)| team.contains(user) && live.contains(item.as_str()))
            .map(|(item, _)| item.as_str()),
    );

    let mut up: HashSet<&str> = HashSet::new();
    for &start in &touched {
        let mut current = Some(start);
        while let Some(id) = current {
            if !up.insert(id) {
                break;
            }
            current = parent_of.get(id).copied().filter(|p| live.contains(p));
        }
    }
    let mut down: HashSet<&str> = HashSet::new();
    let mut stack = touched.clone();
    while let Some(id) = stack.pop() {
        if down.insert(id) {
            stack.extend(children.get(id).into_iter().flatten().copied());
        }
    }
    up.union(&down).map(|id| (*id).to_owned()).collect()
}

/// An item the viewer may not see does not exist for them.
pub fn check_item(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<(), ScopeError> {
    let visible = visible_items(conn, viewer)?;
    check_in(conn, viewer, &visible, item_id)
}

/// `check_item` with a visible set already computed for this request.
pub fn check_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    visible: &Visible,
    item_id: &str,
) -> Result<(), ScopeError> {
    let in_workspace: i64 = okr_items::table
        .filter(okr_items::id.eq(item_id))
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    if in_workspace == 0 || !visible.contains(item_id) {
        return Err(ScopeError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(set: &HashSet<String>) -> Vec<&str> {
        let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
        v.sort();
        v
    }

    #[test]
    fn teams_follow_the_manager_chain_transitively() {
        let chain = vec![
            ("vp".to_owned(), Some("ceo".to_owned())),
            ("lead".to_owned(), Some("vp".to_owned())),
            ("dev".to_owned(), Some("lead".to_owned())),
            ("other".to_owned(), None),
        ];
        assert_eq!(ids(&team_of("vp", &chain)), ["dev", "lead", "vp"]);
        assert_eq!(ids(&team_of("dev", &chain)), ["dev"]);
    }

    #[test]
    fn an_item_is_seen_with_its_ancestors_and_descendants() {
        let item = |id: &str, parent: Option<&str>, owner: &str| {
            (id.to_owned(), parent.map(Into::into), owner.to_owned())
        };
        let items = vec![
            item("o", None, "boss"),
            item("kr", Some("o"), "boss"),
            item("a", Some("kr"), "boss"),
            item("kr2", Some("o"), "boss"),
            item("o2", None, "boss"),
        ];
        let team = HashSet::from(["me".to_owned()]);
        assert!(closure(&items, &[], &team).is_empty());
        let assigned = vec![("kr".to_owned(), "me".to_owned())];
        assert_eq!(ids(&closure(&items, &assigned, &team)), ["a", "kr", "o"]);
    }
}
