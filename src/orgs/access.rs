//! Who stands where in an organization: the access check every organization read and
//! change starts from, and the admin proof that changes only owners and admins may make
//! require.

use diesel::prelude::*;

use super::{OrgError, OrgRole, Organization};
use crate::db::AnyConnection;
use crate::schema::{org_members, organizations};

/// A signed-in person's standing in one organization. Sealed: only this module's access
/// checks make one, so holding it proves the check ran.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    org: Organization,
    role: OrgRole,
    user_id: String,
}

impl OrgAccess {
    pub fn org(&self) -> &Organization {
        &self.org
    }

    pub fn role(&self) -> OrgRole {
        self.role
    }

    /// Who holds this access.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn is_admin(&self) -> bool {
        self.role.administers()
    }

    pub fn require_admin(&self) -> Result<(), OrgError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(OrgError::NotAdmin(self.org.name.clone()))
        }
    }

    /// The proof an owner's or admin's change needs, for owners and admins only.
    pub fn admin(&self) -> Result<OrgAdminAccess, OrgError> {
        self.require_admin()?;
        Ok(OrgAdminAccess(self.clone()))
    }

    pub fn require_writable(&self) -> Result<(), OrgError> {
        if self.org.is_archived() {
            Err(OrgError::Archived(self.org.name.clone()))
        } else {
            Ok(())
        }
    }
}

/// Proof that its holder is an owner or admin of the organization: made only by
/// `OrgAccess::admin`, so a change that takes it needs no second check.
#[derive(Debug, Clone)]
pub struct OrgAdminAccess(OrgAccess);

impl std::ops::Deref for OrgAdminAccess {
    type Target = OrgAccess;

    fn deref(&self) -> &OrgAccess {
        &self.0
    }
}

/// The organization behind `slug`, if the user is a member; anyone else gets `NotFound`
/// so that existence does not leak.
pub fn access(conn: &mut AnyConnection, user_id: &str, slug: &str) -> Result<OrgAccess, OrgError> {
    access_where(conn, user_id, OrgKey::Slug(slug))
}

/// `access` for an organization named by its id (the JSON API).
pub fn access_by_id(
    conn: &mut AnyConnection,
    user_id: &str,
    org_id: &str,
) -> Result<OrgAccess, OrgError> {
    access_where(conn, user_id, OrgKey::Id(org_id))
}

enum OrgKey<'a> {
    Slug(&'a str),
    Id(&'a str),
}

fn access_where(
    conn: &mut AnyConnection,
    user_id: &str,
    key: OrgKey<'_>,
) -> Result<OrgAccess, OrgError> {
    let query = organizations::table
        .inner_join(org_members::table.on(org_members::organization_id.eq(organizations::id)))
        .filter(org_members::user_id.eq(user_id))
        .into_boxed();
    let query = match key {
        OrgKey::Slug(slug) => query.filter(organizations::slug.eq(slug)),
        OrgKey::Id(id) => query.filter(organizations::id.eq(id)),
    };
    let (org, role) = query
        .select((Organization::as_select(), org_members::role))
        .first::<(Organization, OrgRole)>(conn)?;
    Ok(OrgAccess {
        org,
        role,
        user_id: user_id.to_owned(),
    })
}

/// Every organization the user belongs to, with their role, by name.
pub fn memberships(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<OrgAccess>, OrgError> {
    let rows: Vec<(Organization, OrgRole)> = organizations::table
        .inner_join(org_members::table.on(org_members::organization_id.eq(organizations::id)))
        .filter(org_members::user_id.eq(user_id))
        .order((organizations::name.asc(), organizations::id.asc()))
        .select((Organization::as_select(), org_members::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(org, role)| OrgAccess {
            org,
            role,
            user_id: user_id.to_owned(),
        })
        .collect())
}
