//! Accepting an invitation from its link: reading it for the accept page, then joining the
//! organization (and workspace) once, as a signed-in user or with a new account.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::{invite_row, workspace_name, InviteError, InviteRow, InviteStatus, InviteToken};
use crate::accounts::{self, Email, NewAccount, User};
use crate::activity::{self, Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::mail;
use crate::notifications::{self, Event, NotificationKind};
use crate::orgs::{OrgError, OrgRole};
use crate::schema::{
    org_invites, org_members, organizations, users, workspace_memberships, workspaces,
};
use crate::workspaces::WorkspaceRole;

/// Finds the invite a link names. The hash is compared again in constant time, so timing
/// says nothing about how close a guess came.
fn by_token(conn: &mut AnyConnection, token: &InviteToken) -> Result<InviteRow, InviteError> {
    let digest = token.digest();
    let row = invite_row(conn, Some(&digest), None)?;
    if bool::from(row.token_hash.as_bytes().ct_eq(digest.as_bytes())) {
        Ok(row)
    } else {
        Err(InviteError::NotFound)
    }
}

/// What the accept page shows.
#[derive(Debug, Clone)]
pub struct InviteDetails {
    pub email: String,
    pub org_name: String,
    pub workspace_name: Option<String>,
    pub role: WorkspaceRole,
    pub invited_by: String,
    pub expires_at: NaiveDateTime,
}

/// Reads an invite for its link, refusing used, withdrawn and expired ones (and marking an
/// overdue pending invite expired).
pub fn open(conn: &mut AnyConnection, token: &InviteToken) -> Result<InviteDetails, InviteError> {
    let row = by_token(conn, token)?;
    check_usable(conn, &row, db::now())?;
    let (org_name, invited_by): (String, String) = org_invites::table
        .find(&row.id)
        .inner_join(organizations::table.on(organizations::id.eq(org_invites::organization_id)))
        .inner_join(users::table.on(users::id.eq(org_invites::invited_by_user_id)))
        .select((organizations::name, users::name))
        .first(conn)?;
    let workspace_name = workspace_name(conn, row.workspace_id.as_deref())?;
    Ok(InviteDetails {
        email: row.email,
        org_name,
        workspace_name,
        role: row.role,
        invited_by,
        expires_at: row.expires_at,
    })
}

fn check_usable(
    conn: &mut AnyConnection,
    row: &InviteRow,
    now: NaiveDateTime,
) -> Result<(), InviteError> {
    match row.status {
        InviteStatus::Accepted => Err(InviteError::AlreadyUsed),
        InviteStatus::Revoked => Err(InviteError::Revoked),
        InviteStatus::Expired => Err(InviteError::Expired),
        InviteStatus::Pending if row.expires_at <= now => {
            diesel::update(
                org_invites::table
                    .find(&row.id)
                    .filter(org_invites::status.eq(InviteStatus::Pending)),
            )
            .set((
                org_invites::status.eq(InviteStatus::Expired),
                org_invites::updated_at.eq(now),
            ))
            .execute(conn)?;
            Err(InviteError::Expired)
        }
        InviteStatus::Pending => Ok(()),
    }
}

/// Where an accepted invite leads.
#[derive(Debug, Clone)]
pub struct Joined {
    pub org_slug: String,
    pub workspace_slug: Option<String>,
}

/// Refuses closed invites before any transaction, so that marking an overdue invite
/// expired is committed rather than rolled back with the refusal.
fn check_before_accepting(
    conn: &mut AnyConnection,
    token: &InviteToken,
) -> Result<(), InviteError> {
    let row = by_token(conn, token)?;
    check_usable(conn, &row, db::now())
}

/// Accepts an invite for a signed-in user whose email is the invited one. Single use: of two
/// simultaneous acceptances exactly one wins. The inviter hears of it as of `now` (the app's
/// clock).
pub fn accept(
    conn: &mut AnyConnection,
    token: &InviteToken,
    user: &User,
    request_id: &str,
    now: NaiveDateTime,
) -> Result<Joined, InviteError> {
    check_before_accepting(conn, token)?;
    db::write_transaction(conn, |conn| {
        accept_in_transaction(conn, token, user, request_id, now)
    })
}

/// Creates the invited person's account and accepts the invite, in one transaction.
pub fn accept_as_new_user(
    conn: &mut AnyConnection,
    token: &InviteToken,
    name: accounts::DisplayName,
    password: accounts::Password,
    password_hash: &str,
    request_id: &str,
    now: NaiveDateTime,
) -> Result<(User, Joined), InviteError> {
    check_before_accepting(conn, token)?;
    db::write_transaction(conn, |conn| {
        let row = by_token(conn, token)?;
        check_usable(conn, &row, db::now())?;
        let email = Email::parse(&row.email).map_err(|_| InviteError::NotFound)?;
        let user = accounts::create_account(
            conn,
            &NewAccount {
                email,
                name,
                password,
            },
            password_hash,
        )?;
        let joined = accept_in_transaction(conn, token, &user, request_id, now)?;
        Ok((user, joined))
    })
}

fn accept_in_transaction(
    conn: &mut AnyConnection,
    token: &InviteToken,
    user: &User,
    request_id: &str,
    notified_at: NaiveDateTime,
) -> Result<Joined, InviteError> {
    let row = by_token(conn, token)?;
    let now = db::now();
    check_usable(conn, &row, now)?;
    if !row.email.eq_ignore_ascii_case(&user.email) {
        return Err(InviteError::WrongAccount {
            invited: row.email,
            current: user.email.clone(),
        });
    }
    let won = diesel::update(
        org_invites::table
            .find(&row.id)
            .filter(org_invites::status.eq(InviteStatus::Pending)),
    )
    .set((
        org_invites::status.eq(InviteStatus::Accepted),
        org_invites::accepted_by_user_id.eq(Some(&user.id)),
        org_invites::accepted_at.eq(Some(now)),
        org_invites::updated_at.eq(now),
    ))
    .execute(conn)?;
    if won != 1 {
        return Err(InviteError::AlreadyUsed);
    }
    // Archived organizations and workspaces are read-only, memberships included.
    let (org_name, org_archived): (String, Option<NaiveDateTime>) = organizations::table
        .find(&row.organization_id)
        .select((organizations::name, organizations::archived_at))
        .first(conn)?;
    if org_archived.is_some() {
        return Err(OrgError::Archived(org_name).into());
    }
    if let Some(workspace_id) = &row.workspace_id {
        let (name, archived): (String, Option<NaiveDateTime>) = workspaces::table
            .find(workspace_id)
            .select((workspaces::name, workspaces::archived_at))
            .first(conn)?;
        if archived.is_some() {
            return Err(OrgError::Archived(name).into());
        }
    }
    mail::cancel_unsent_for_invite(conn, &row.id)?;
    let is_member: i64 = org_members::table
        .filter(org_members::organization_id.eq(&row.organization_id))
        .filter(org_members::user_id.eq(&user.id))
        .count()
        .get_result(conn)?;
    if is_member == 0 {
        diesel::insert_into(org_members::table)
            .values((
                org_members::id.eq(db::new_id()),
                org_members::organization_id.eq(&row.organization_id),
                org_members::user_id.eq(&user.id),
                org_members::role.eq(OrgRole::Member),
                org_members::created_at.eq(now),
                org_members::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let mut workspace_slug = None;
    if let Some(workspace_id) = &row.workspace_id {
        let existing: Option<String> = workspace_memberships::table
            .filter(workspace_memberships::workspace_id.eq(workspace_id))
            .filter(workspace_memberships::user_id.eq(&user.id))
            .select(workspace_memberships::id)
            .first(conn)
            .optional()?;
        match existing {
            Some(id) => {
                diesel::update(workspace_memberships::table.find(id))
                    .set((
                        workspace_memberships::active.eq(true),
                        workspace_memberships::role.eq(row.role),
                        workspace_memberships::invited_via_invite_id.eq(Some(&row.id)),
                        workspace_memberships::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(workspace_memberships::table)
                    .values((
                        workspace_memberships::id.eq(db::new_id()),
                        workspace_memberships::organization_id.eq(&row.organization_id),
                        workspace_memberships::workspace_id.eq(workspace_id),
                        workspace_memberships::user_id.eq(&user.id),
                        workspace_memberships::role.eq(row.role),
                        workspace_memberships::active.eq(true),
                        workspace_memberships::invited_via_invite_id.eq(Some(&row.id)),
                        workspace_memberships::created_at.eq(now),
                        workspace_memberships::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        workspace_slug = Some(
            workspaces::table
                .find(workspace_id)
                .select(workspaces::slug)
                .first(conn)?,
        );
    }
    let org_slug: String = organizations::table
        .find(&row.organization_id)
        .select(organizations::slug)
        .first(conn)?;
    let actor = Actor {
        user_id: user.id.clone(),
        request_id: request_id.to_owned(),
    };
    activity::record(
        conn,
        &actor,
        Subject {
            organization_id: &row.organization_id,
            workspace_id: None,
            kind: "org_invite",
            id: &row.id,
        },
        "org_invite.accepted",
        Some(json!({ "status": "pending" })),
        Some(json!({ "status": "accepted", "member": user.name })),
    )?;
    let inviter: String = org_invites::table
        .find(&row.id)
        .select(org_invites::invited_by_user_id)
        .first(conn)?;
    let accepted = Event {
        kind: NotificationKind::InviteAccepted,
        organization_id: row.organization_id.clone(),
        workspace_id: None,
        item_id: None,
        comment_id: None,
        actor_user_id: Some(user.id.clone()),
        recipient_user_ids: vec![inviter],
    };
    notifications::notify(conn, &accepted, notified_at)?;
    Ok(Joined {
        org_slug,
        workspace_slug,
    })
}
