//! Invitations by email. The token travels only in the emailed link; the database keeps
//! its SHA-256. An invite is pending until it is accepted (once), revoked, or expires.

mod accept;
mod list;
mod send;

pub use accept::{accept, accept_as_new_user, open, InviteDetails, Joined};
pub use list::{list, managed_by, organization_of, InviteListing};
pub use send::{invite, mint_link, resend, revoke, InviteTarget};
/// The secret in an invite link.
pub type InviteToken = crate::mail::LinkToken;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::accounts::AccountError;
use crate::db::{self, AnyConnection, DbError};
use crate::orgs::OrgError;
use crate::schema::{org_invites, workspaces};
use crate::text_enum;
use crate::workspaces::WorkspaceRole;

use crate::mail::no_link_yet;

text_enum! {
    pub enum InviteStatus {
        Pending => "pending",
        Accepted => "accepted",
        Expired => "expired",
        Revoked => "revoked",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("This invite link is not valid. Ask for a new invite.")]
    NotFound,
    #[error("This invite has expired. Ask whoever invited you to send a new one.")]
    Expired,
    #[error("This invite was withdrawn.")]
    Revoked,
    #[error("This invite has already been used.")]
    AlreadyUsed,
    #[error("This address has a newer pending invite; resend that one instead.")]
    AlreadyPending,
    #[error("Only owners, admins and workspace admins of {0} can invite people.")]
    NotInviter(String),
    #[error("This invite is for {invited}. You are logged in as {current}; log out and use the link again, or ask for an invite to {current}.")]
    WrongAccount { invited: String, current: String },
    #[error("the invite email could not be written: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for InviteError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// What happened to one address of an invite request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteOutcome {
    Sent(String),
    Resent(String),
    AlreadyMember(String),
    /// A pending invite for another workspace exists; only its inviter's side may renew it.
    InvitedElsewhere(String),
    OverHourlyLimit(String),
}

struct InviteRow {
    id: String,
    organization_id: String,
    email: String,
    token_hash: String,
    status: InviteStatus,
    role: WorkspaceRole,
    workspace_id: Option<String>,
    expires_at: NaiveDateTime,
}

/// The name of the workspace an invite leads into, if it names one (for its email and page).
fn workspace_name(
    conn: &mut AnyConnection,
    workspace_id: Option<&str>,
) -> diesel::QueryResult<Option<String>> {
    workspace_id
        .map(|id| {
            workspaces::table
                .find(id)
                .select(workspaces::name)
                .first(conn)
        })
        .transpose()
}

fn invite_row(
    conn: &mut AnyConnection,
    filter_by_hash: Option<&str>,
    id: Option<&str>,
) -> Result<InviteRow, InviteError> {
    let mut query = org_invites::table.into_boxed();
    if let Some(hash) = filter_by_hash {
        query = query.filter(org_invites::invite_token_hash.eq(hash));
    }
    if let Some(id) = id {
        query = query.filter(org_invites::id.eq(id));
    }
    let (id, organization_id, email, token_hash, status, role, workspace_id, expires_at) = query
        .select((
            org_invites::id,
            org_invites::organization_id,
            org_invites::email,
            org_invites::invite_token_hash,
            org_invites::status,
            org_invites::workspace_role,
            org_invites::workspace_id,
            org_invites::expires_at,
        ))
        .first::<(
            String,
            String,
            String,
            String,
            InviteStatus,
            WorkspaceRole,
            Option<String>,
            NaiveDateTime,
        )>(conn)
        .optional()?
        .ok_or(InviteError::NotFound)?;
    Ok(InviteRow {
        id,
        organization_id,
        email,
        token_hash,
        status,
        role,
        workspace_id,
        expires_at,
    })
}

/// Housekeeping: pending invites past their expiry become expired.
pub fn expire_overdue(conn: &mut AnyConnection) -> QueryResult<usize> {
    let now = db::now();
    diesel::update(
        org_invites::table
            .filter(org_invites::status.eq(InviteStatus::Pending))
            .filter(org_invites::expires_at.le(now)),
    )
    .set((
        org_invites::status.eq(InviteStatus::Expired),
        org_invites::updated_at.eq(now),
    ))
    .execute(conn)
}
