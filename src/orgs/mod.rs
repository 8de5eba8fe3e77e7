//! Organizations: their profile, members and roles. Owners and admins run an organization;
//! an archived one is read-only until it is unarchived.

mod access;
mod members;
mod profile;
mod profile_input;
mod roles;
mod settings;
mod time_zone;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection, DbError};
use crate::schema::{org_members, organizations, workspace_memberships, workspaces};
use crate::text_enum;

pub use access::{access, access_by_id, memberships, OrgAccess, OrgAdminAccess};
pub use members::{
    add_member, change_role, members, members_outside_workspace, remove_member, OrgMember,
};
pub use roles::{administers_workspace, history_words, OrgRole, PrivacyMode, WorkspaceRole};
pub use settings::{
    set_archived, update_profile, EmployeeRange, EmployeeRangeError, OrgProfile, Revenue,
    RevenueError,
};

pub use profile_input::ProfileInput;
pub use time_zone::{time_zone_names, TimeZone, TimeZoneError};

use members::insert_member;

pub use profile::{
    currency, customer_names, name, optional_text, required_text, typed_slug, website,
    whole_number, workspace_slug, CurrencyError, CustomerNamesError, NumberError, Slug, SlugError,
    TextError, WebsiteError, NAME_MAX,
};

text_enum! {
    pub enum RevenuePeriod {
        Year => "year",
        Quarter => "quarter",
        Month => "month",
    }
}

impl RevenuePeriod {
    pub fn label(self) -> &'static str {
        match self {
            Self::Year => "per year",
            Self::Quarter => "per quarter",
            Self::Month => "per month",
        }
    }
}

text_enum! {
    /// Where the profile's facts came from last.
    pub enum EnrichmentSource {
        Manual => "manual",
        Ai => "ai",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub created_by_user_id: String,
    pub default_privacy_mode: PrivacyMode,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub customer_names: Option<String>,
    pub revenue_amount: Option<i64>,
    pub revenue_currency: Option<String>,
    pub revenue_period: Option<RevenuePeriod>,
    pub employee_count_min: Option<i32>,
    pub employee_count_max: Option<i32>,
    pub address_street: Option<String>,
    pub address_postal_code: Option<String>,
    pub address_city: Option<String>,
    pub address_country: Option<String>,
    pub ai_enrichment_opt_in: bool,
    pub last_enriched_at: Option<NaiveDateTime>,
    pub last_enrichment_source: Option<EnrichmentSource>,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub fiscal_year_start_month: i32,
    time_zone: String,
}

impl Organization {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    pub fn customer_name_list(&self) -> Vec<String> {
        self.customer_names
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw).ok())
            .unwrap_or_default()
    }

    pub fn time_zone(&self) -> TimeZone {
        TimeZone::from_stored(&self.time_zone)
    }

    /// The profile as the activity log records it.
    fn profile_json(&self) -> serde_json::Value {
        json!({
            "name": self.name,
            "slug": self.slug,
            "default_privacy_mode": self.default_privacy_mode.as_str(),
            "industry": self.industry,
            "website": self.website,
            "customer_names": self.customer_name_list(),
            "revenue_amount": self.revenue_amount,
            "revenue_currency": self.revenue_currency,
            "revenue_period": self.revenue_period.map(RevenuePeriod::as_str),
            "employee_count_min": self.employee_count_min,
            "employee_count_max": self.employee_count_max,
            "address_street": self.address_street,
            "address_postal_code": self.address_postal_code,
            "address_city": self.address_city,
            "address_country": self.address_country,
            "ai_enrichment_opt_in": self.ai_enrichment_opt_in,
            "time_zone": self.time_zone,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("not found")]
    NotFound,
    #[error("Only owners and admins of {0} can do this.")]
    NotAdmin(String),
    #[error("Only owners can make someone an owner or change an owner's role.")]
    NotOwner,
    #[error("Only admins of the workspace {0} can do this.")]
    NotWorkspaceAdmin(String),
    #[error(
        "{0} is archived, so it is read-only. An owner or admin can unarchive it in its settings."
    )]
    Archived(String),
    #[error("This address is already taken; choose another.")]
    SlugTaken,
    #[error("An organization needs at least one owner. Make someone else an owner first.")]
    LastOwner,
    #[error("Only members of the organization can join its workspaces.")]
    NotOrgMember,
    #[error("{0} is already a member of this workspace.")]
    AlreadyMember(String),
    #[error("A manager must be an active member of this workspace.")]
    ManagerNotMember,
    #[error("Nobody can be their own manager.")]
    OwnManager,
    #[error("{manager} already reports to {member}, directly or through others; that would make a circle.")]
    ManagerCycle { member: String, manager: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for OrgError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

fn slug_taken(
    conn: &mut AnyConnection,
    slug: &Slug,
    except_org: Option<&str>,
) -> QueryResult<bool> {
    let mut query = organizations::table
        .filter(organizations::slug.eq(slug.as_str()))
        .into_boxed();
    if let Some(id) = except_org {
        query = query.filter(organizations::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// Takes the organization's row lock for the rest of the transaction, so checks such as
/// "at least one owner" or the hourly invite cap cannot pass twice concurrently on
/// PostgreSQL (on SQLite the write transaction already serializes).
pub(crate) fn lock(conn: &mut AnyConnection, org_id: &str) -> QueryResult<()> {
    diesel::update(organizations::table.find(org_id))
        .set(organizations::updated_at.eq(organizations::updated_at))
        .execute(conn)?;
    Ok(())
}

/// A unique-index refusal on a slug column means the address is taken (a concurrent request
/// took it between our check and our write).
pub(crate) fn slug_clash(e: diesel::result::Error) -> OrgError {
    if db::is_unique_violation(&e) {
        OrgError::SlugTaken
    } else {
        e.into()
    }
}

/// Whether another organization than `org_id` uses the slug (for validation as the user types).
pub fn slug_used_by_another(
    conn: &mut AnyConnection,
    slug: &Slug,
    org_id: &str,
) -> Result<bool, OrgError> {
    Ok(slug_taken(conn, slug, Some(org_id))?)
}

/// Whether no organization uses the slug yet (for validation as the user types).
pub fn slug_available(conn: &mut AnyConnection, slug: &Slug) -> Result<bool, OrgError> {
    Ok(!slug_taken(conn, slug, None)?)
}

/// A free slug for a new organization: the one asked for, or one derived from the name.
fn free_slug(conn: &mut AnyConnection, wanted: Option<Slug>, name: &str) -> Result<Slug, OrgError> {
    if let Some(slug) = wanted {
        return if slug_taken(conn, &slug, None)? {
            Err(OrgError::SlugTaken)
        } else {
            Ok(slug)
        };
    }
    let base = Slug::suggest(name)
        .or_else(|| Slug::suggest("organization"))
        .ok_or(OrgError::SlugTaken)?;
    if !slug_taken(conn, &base, None)? {
        return Ok(base);
    }
    for n in 2..1000 {
        let candidate = base.with_suffix(n);
        if !slug_taken(conn, &candidate, None)? {
            return Ok(candidate);
        }
    }
    Err(OrgError::SlugTaken)
}

/// What the creator gives for a new organization.
#[derive(Debug)]
pub struct NewOrganization {
    pub name: String,
    /// `None`: derive one from the name.
    pub slug: Option<Slug>,
}

/// Creates an organization with its creator as owner.
pub fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    new: NewOrganization,
) -> Result<Organization, OrgError> {
    // Two people creating "Acme" at the same moment on PostgreSQL can both find "acme"
    // free; the unique index refuses the second, and a derived address just tries again.
    let derived = new.slug.is_none();
    let mut retries = 0;
    loop {
        match create_once(conn, actor, &new) {
            Err(OrgError::SlugTaken) if derived && retries < 5 => retries += 1,
            outcome => return outcome,
        }
    }
}

fn create_once(
    conn: &mut AnyConnection,
    actor: &Actor,
    new: &NewOrganization,
) -> Result<Organization, OrgError> {
    db::write_transaction(conn, |conn| {
        let slug = free_slug(conn, new.slug.clone(), &new.name)?;
        let id = db::new_id();
        let now = db::now();
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(&id),
                organizations::name.eq(&new.name),
                organizations::slug.eq(slug.as_str()),
                organizations::created_by_user_id.eq(&actor.user_id),
                organizations::default_privacy_mode.eq(PrivacyMode::Open),
                organizations::ai_enrichment_opt_in.eq(false),
                organizations::created_at.eq(now),
                organizations::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(slug_clash)?;
        insert_member(conn, &id, &actor.user_id, OrgRole::Owner)?;
        let org = organizations::table
            .find(&id)
            .select(Organization::as_select())
            .first(conn)?;
        let subject = org_subject(&org);
        activity::record(
            conn,
            actor,
            subject,
            "organization.created",
            None,
            Some(org.profile_json()),
        )?;
        Ok(org)
    })
}

fn org_subject(org: &Organization) -> Subject<'_> {
    Subject {
        organization_id: &org.id,
        workspace_id: None,
        kind: "organization",
        id: &org.id,
    }
}

/// One organization as a member sees it in lists: with the workspaces they can open.
#[derive(Debug, Clone)]
pub struct OrgSummary {
    pub name: String,
    pub slug: String,
    pub role: OrgRole,
    pub archived: bool,
    pub workspaces: Vec<WorkspaceLink>,
}

#[derive(Debug, Clone)]
pub struct WorkspaceLink {
    pub name: String,
    pub slug: String,
    pub archived: bool,
    /// Whether the person administers it (and so may open its settings).
    pub administers: bool,
}

/// The user's organizations (archived ones only when asked), each with the workspaces the
/// user may open: all of them for owners and admins, active memberships for members.
pub fn summaries_for(
    conn: &mut AnyConnection,
    user_id: &str,
    include_archived: bool,
) -> Result<Vec<OrgSummary>, OrgError> {
    let mut query = organizations::table
        .inner_join(org_members::table.on(org_members::organization_id.eq(organizations::id)))
        .filter(org_members::user_id.eq(user_id))
        .into_boxed();
    if !include_archived {
        query = query.filter(organizations::archived_at.is_null());
    }
    let orgs: Vec<(String, String, String, OrgRole, Option<NaiveDateTime>)> = query
        .order(organizations::name.asc())
        .select((
            organizations::id,
            organizations::name,
            organizations::slug,
            org_members::role,
            organizations::archived_at,
        ))
        .load(conn)?;
    let org_ids: Vec<&String> = orgs.iter().map(|o| &o.0).collect();
    let all_workspaces: Vec<(String, String, String, Option<NaiveDateTime>)> = workspaces::table
        .filter(workspaces::organization_id.eq_any(&org_ids))
        .order(workspaces::name.asc())
        .select((
            workspaces::organization_id,
            workspaces::name,
            workspaces::slug,
            workspaces::archived_at,
        ))
        .load(conn)?;
    let my_workspaces: Vec<(String, WorkspaceRole)> = workspace_memberships::table
        .filter(workspace_memberships::user_id.eq(user_id))
        .filter(workspace_memberships::active.eq(true))
        .select((
            workspace_memberships::workspace_id,
            workspace_memberships::role,
        ))
        .load(conn)?;
    let my_ids: Vec<&String> = my_workspaces.iter().map(|(id, _)| id).collect();
    let my_workspace_slugs: Vec<(String, String, String)> = workspaces::table
        .filter(workspaces::id.eq_any(&my_ids))
        .select((
            workspaces::id,
            workspaces::organization_id,
            workspaces::slug,
        ))
        .load(conn)?;
    let my_role = |org: &str, slug: &str| {
        my_workspace_slugs
            .iter()
            .find(|(_, o, s)| o == org && s == slug)
            .and_then(|(id, ..)| my_workspaces.iter().find(|(w, _)| w == id))
            .map(|(_, role)| *role)
    };
    Ok(orgs
        .into_iter()
        .map(|(id, name, slug, role, archived_at)| {
            let workspaces = all_workspaces
                .iter()
                .filter(|w| w.0 == id)
                .filter(|w| role.administers() || my_role(&id, &w.2).is_some())
                .map(|w| WorkspaceLink {
                    name: w.1.clone(),
                    slug: w.2.clone(),
                    archived: w.3.is_some(),
                    administers: administers_workspace(role, my_role(&id, &w.2)),
                })
                .collect();
            OrgSummary {
                name,
                slug,
                role,
                archived: archived_at.is_some(),
                workspaces,
            }
        })
        .collect())
}
