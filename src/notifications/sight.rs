//! Whether a person may hear of a notification now: they can see its item (through `scope`),
//! or, for an accepted invite, they still own or administer the organization. Asked when a
//! notification is created, emailed, listed and counted, so an item that became hidden
//! drops out everywhere at once.

use std::collections::HashMap;

use crate::db::{AnyConnection, DbError};
use crate::orgs::{self, OrgError};
use crate::scope::{self, ScopeError, Viewer, Visible};
use crate::workspaces;

use super::NotificationKind;

/// What a notification is about.
pub(super) struct Subject<'a> {
    pub kind: NotificationKind,
    pub organization_id: &'a str,
    pub workspace_id: Option<&'a str>,
    pub item_id: Option<&'a str>,
}

/// Answers for one or more people, building each one's view of a workspace once.
#[derive(Default)]
pub(super) struct Sight {
    workspaces: HashMap<(String, String), Option<(Viewer, Visible)>>,
    organizations: HashMap<(String, String), bool>,
}

impl Sight {
    pub fn allows(
        &mut self,
        conn: &mut AnyConnection,
        user_id: &str,
        subject: &Subject<'_>,
    ) -> Result<bool, DbError> {
        match (subject.kind, subject.workspace_id, subject.item_id) {
            (NotificationKind::InviteAccepted, ..) => {
                self.administers(conn, user_id, subject.organization_id)
            }
            (_, Some(workspace_id), Some(item_id)) => {
                self.sees_item(conn, user_id, workspace_id, item_id)
            }
            _ => Ok(false),
        }
    }

    fn administers(
        &mut self,
        conn: &mut AnyConnection,
        user_id: &str,
        org_id: &str,
    ) -> Result<bool, DbError> {
        let key = (user_id.to_owned(), org_id.to_owned());
        if let Some(known) = self.organizations.get(&key) {
            return Ok(*known);
        }
        let administers = match orgs::access_by_id(conn, user_id, org_id) {
            Ok(access) => access.is_admin(),
            Err(e) => absent(e)?,
        };
        self.organizations.insert(key, administers);
        Ok(administers)
    }

    fn sees_item(
        &mut self,
        conn: &mut AnyConnection,
        user_id: &str,
        workspace_id: &str,
        item_id: &str,
    ) -> Result<bool, DbError> {
        let key = (user_id.to_owned(), workspace_id.to_owned());
        if !self.workspaces.contains_key(&key) {
            let view = match workspaces::access_by_id(conn, user_id, workspace_id) {
                Ok(access) => match Viewer::new(conn, &access) {
                    Ok(viewer) => {
                        let visible = scope::visible_items(conn, &viewer)?;
                        Some((viewer, visible))
                    }
                    Err(e) => absent(e)?,
                },
                Err(e) => absent(e)?,
            };
            self.workspaces.insert(key.clone(), view);
        }
        let Some(Some((viewer, visible))) = self.workspaces.get(&key) else {
            return Ok(false);
        };
        match scope::check_in(conn, viewer, visible, item_id) {
            Ok(()) => Ok(true),
            Err(ScopeError::NotFound) => Ok(false),
            Err(ScopeError::Db(e)) => Err(e),
        }
    }
}

/// No access is a plain "no"; anything else is a failure.
fn absent<T: Default>(e: OrgError) -> Result<T, DbError> {
    match e {
        OrgError::Db(e) => Err(e),
        _ => Ok(T::default()),
    }
}

/// Which of `user_ids` can see the item now: the people a mention on it would reach, so the
/// mention autocomplete offers exactly them.
pub fn who_sees_item(
    conn: &mut AnyConnection,
    user_ids: &[String],
    organization_id: &str,
    workspace_id: &str,
    item_id: &str,
) -> Result<Vec<String>, DbError> {
    let subject = Subject {
        kind: NotificationKind::Mentioned,
        organization_id,
        workspace_id: Some(workspace_id),
        item_id: Some(item_id),
    };
    let mut sight = Sight::default();
    let mut seeing = Vec::new();
    for user_id in user_ids {
        if sight.allows(conn, user_id, &subject)? {
            seeing.push(user_id.clone());
        }
    }
    Ok(seeing)
}
