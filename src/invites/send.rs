//! Sending invitations: who may invite where, the invite email queued in the outbox (its
//! link minted when it is sent), the hourly budget, and resending and revoking.

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::{
    invite_row, no_link_yet, workspace_name, InviteError, InviteOutcome, InviteRow, InviteStatus,
    InviteToken,
};
use crate::accounts::Email;
use crate::activity::{self, Actor, Subject};
use crate::config::InviteSettings;
use crate::db::{self, AnyConnection};
use crate::mail::{self, OutgoingEmail};
use crate::orgs::{self, OrgAccess, OrgError};
use crate::schema::{org_invites, org_members, users};
use crate::workspaces::{WorkspaceAccess, WorkspaceRole};

/// Who may invite where: owners/admins anywhere, workspace admins to their workspace.
pub enum InviteTarget<'a> {
    Organization(&'a OrgAccess),
    Workspace(&'a WorkspaceAccess),
}

impl InviteTarget<'_> {
    fn org(&self) -> &OrgAccess {
        match self {
            Self::Organization(org) => org,
            Self::Workspace(ws) => ws.org(),
        }
    }

    fn workspace(&self) -> Option<(&str, &str)> {
        match self {
            Self::Organization(_) => None,
            Self::Workspace(ws) => Some((ws.workspace().id.as_str(), ws.workspace().name.as_str())),
        }
    }

    fn check(&self) -> Result<(), OrgError> {
        match self {
            Self::Organization(org) => {
                org.require_admin()?;
                org.require_writable()
            }
            Self::Workspace(ws) => {
                ws.require_admin()?;
                ws.require_writable()
            }
        }
    }
}

/// What an invite email needs to say.
#[derive(Template)]
#[template(path = "emails/invite.txt")]
struct InviteText<'a> {
    email: &'a InviteEmail<'a>,
}

#[derive(Template)]
#[template(path = "emails/invite.html")]
struct InviteHtml<'a> {
    email: &'a InviteEmail<'a>,
}

struct InviteEmail<'a> {
    org_name: &'a str,
    inviter_name: &'a str,
    role: WorkspaceRole,
    workspace_name: Option<&'a str>,
    /// The placeholder the outbox worker replaces with a freshly minted link.
    link: &'static str,
    expires_on: String,
}

/// Mints an invite's link at send time (see `mail::LinkSource`): each delivery attempt gets a
/// new token whose hash replaces the previous one, so only the link last sent works, and no
/// usable token is ever stored. `None` when the invite is no longer pending.
pub fn mint_link(
    conn: &mut AnyConnection,
    base_url: &url::Url,
    invite_id: &str,
) -> Result<Option<String>, mail::MailError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let pending: Option<NaiveDateTime> = org_invites::table
            .find(invite_id)
            .filter(org_invites::status.eq(InviteStatus::Pending))
            .select(org_invites::expires_at)
            .first(conn)
            .optional()?;
        if pending.is_none_or(|expires_at| expires_at <= now) {
            return Ok(None);
        }
        let token = InviteToken::generate();
        diesel::update(org_invites::table.find(invite_id))
            .set((
                org_invites::invite_token_hash.eq(token.digest()),
                org_invites::updated_at.eq(now),
            ))
            .execute(conn)?;
        let path = format!("/invites/{}", token.as_str());
        Ok(Some(mail::absolute_link(base_url, &path, None)))
    })
}

/// One invitation email to queue.
struct Letter<'a> {
    invite_id: &'a str,
    to: &'a str,
    inviter_name: &'a str,
    role: WorkspaceRole,
    workspace_name: Option<&'a str>,
    expires_at: NaiveDateTime,
}

/// Queues the invite's email, replacing any of its emails not sent yet.
fn queue_email(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    letter: &Letter<'_>,
) -> Result<(), InviteError> {
    mail::cancel_unsent_for_invite(conn, letter.invite_id)?;
    let email = InviteEmail {
        org_name: &org.org().name,
        inviter_name: letter.inviter_name,
        role: letter.role,
        workspace_name: letter.workspace_name,
        link: mail::LINK_PLACEHOLDER,
        expires_on: letter.expires_at.format("%-d %B %Y").to_string(),
    };
    let body_text = InviteText { email: &email }.render()?;
    let body_html = InviteHtml { email: &email }.render()?;
    let subject = format!(
        "{} invited you to {} on Cairn",
        letter.inviter_name,
        org.org().name
    );
    mail::enqueue(
        conn,
        &OutgoingEmail {
            organization_id: Some(&org.org().id),
            invite_id: Some(letter.invite_id),
            check_in_link_id: None,
            account_link_id: None,
            to: letter.to,
            subject: &subject,
            body_text: &body_text,
            body_html: &body_html,
        },
    )?;
    Ok(())
}

fn invite_subject<'a>(org: &'a OrgAccess, invite_id: &'a str) -> Subject<'a> {
    Subject {
        organization_id: &org.org().id,
        workspace_id: None,
        kind: "org_invite",
        id: invite_id,
    }
}

/// Invitation emails still allowed this hour: the smaller of what the organization and what
/// the inviter (counted from the activity log, across organizations) have left.
fn remaining_budget(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: &str,
    settings: &InviteSettings,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    use crate::schema::item_activity_log;
    let since = now - chrono::Duration::hours(1);
    let by_org = mail::queued_since(conn, org_id, since)?;
    let by_user: i64 = item_activity_log::table
        .filter(item_activity_log::actor_user_id.eq(&actor.user_id))
        .filter(item_activity_log::action_type.eq_any(["org_invite.created", "org_invite.resent"]))
        .filter(item_activity_log::created_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok((i64::from(settings.per_org_per_hour) - by_org)
        .min(i64::from(settings.per_user_per_hour) - by_user))
}

fn expiry(settings: &InviteSettings, now: NaiveDateTime) -> NaiveDateTime {
    now + chrono::Duration::from_std(settings.expiry).unwrap_or(chrono::Duration::days(7))
}

/// Invites each address (or sends a pending invite again with a fresh link). Addresses past
/// the organization's hourly limit are reported, not sent.
pub fn invite(
    conn: &mut AnyConnection,
    actor: &Actor,
    target: &InviteTarget<'_>,
    emails: &[Email],
    role: WorkspaceRole,
    settings: &InviteSettings,
) -> Result<Vec<InviteOutcome>, InviteError> {
    target.check()?;
    let org = target.org();
    db::write_transaction(conn, |conn| {
        // Serializes invitations per organization, so the hourly cap holds under concurrency.
        orgs::lock(conn, &org.org().id)?;
        let now = db::now();
        let inviter_name: String = users::table
            .find(&actor.user_id)
            .select(users::name)
            .first(conn)?;
        let mut budget = remaining_budget(conn, actor, &org.org().id, settings, now)?;
        let mut outcomes = Vec::new();
        for email in emails {
            let address = email.as_str().to_owned();
            let already_member: i64 = org_members::table
                .inner_join(users::table.on(users::id.eq(org_members::user_id)))
                .filter(org_members::organization_id.eq(&org.org().id))
                .filter(users::email.eq(&address))
                .count()
                .get_result(conn)?;
            if already_member > 0 {
                outcomes.push(InviteOutcome::AlreadyMember(address));
                continue;
            }
            if budget <= 0 {
                outcomes.push(InviteOutcome::OverHourlyLimit(address));
                continue;
            }
            let expires_at = expiry(settings, now);
            let workspace = target.workspace();
            let pending: Option<(String, Option<String>)> = org_invites::table
                .filter(org_invites::organization_id.eq(&org.org().id))
                .filter(org_invites::normalized_email.eq(&address))
                .filter(org_invites::status.eq(InviteStatus::Pending))
                .select((org_invites::id, org_invites::workspace_id))
                .first(conn)
                .optional()?;
            // A workspace admin may renew their own workspace's invite, not take over one
            // made for the organization or another workspace.
            if let (InviteTarget::Workspace(ws), Some((_, pending_workspace))) = (target, &pending)
            {
                if pending_workspace.as_deref() != Some(ws.workspace().id.as_str()) {
                    outcomes.push(InviteOutcome::InvitedElsewhere(address));
                    continue;
                }
            }
            budget -= 1;
            let (invite_id, outcome, action) = match pending {
                Some((id, _)) => {
                    diesel::update(org_invites::table.find(&id))
                        .set((
                            org_invites::invite_token_hash.eq(no_link_yet()),
                            org_invites::expires_at.eq(expires_at),
                            org_invites::workspace_role.eq(role),
                            org_invites::workspace_id.eq(workspace.map(|(id, _)| id)),
                            org_invites::invited_by_user_id.eq(&actor.user_id),
                            org_invites::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    (
                        id,
                        InviteOutcome::Resent(address.clone()),
                        "org_invite.resent",
                    )
                }
                None => {
                    let id = db::new_id();
                    diesel::insert_into(org_invites::table)
                        .values((
                            org_invites::id.eq(&id),
                            org_invites::organization_id.eq(&org.org().id),
                            org_invites::email.eq(&address),
                            org_invites::normalized_email.eq(&address),
                            org_invites::invite_token_hash.eq(no_link_yet()),
                            org_invites::status.eq(InviteStatus::Pending),
                            org_invites::workspace_role.eq(role),
                            org_invites::workspace_id.eq(workspace.map(|(id, _)| id)),
                            org_invites::invited_by_user_id.eq(&actor.user_id),
                            org_invites::expires_at.eq(expires_at),
                            org_invites::created_at.eq(now),
                            org_invites::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    (
                        id,
                        InviteOutcome::Sent(address.clone()),
                        "org_invite.created",
                    )
                }
            };
            let letter = Letter {
                invite_id: &invite_id,
                to: &address,
                inviter_name: &inviter_name,
                role,
                workspace_name: workspace.map(|(_, name)| name),
                expires_at,
            };
            queue_email(conn, org, &letter)?;
            activity::record(
                conn,
                actor,
                invite_subject(org, &invite_id),
                action,
                None,
                Some(
                    json!({ "email": address, "role": role.as_str(), "workspace": workspace.map(|(_, n)| n) }),
                ),
            )?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    })
}

/// Finds an invite of this organization by id, checking the inviter may manage it.
fn managed_invite(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    manageable_workspaces: Option<&[String]>,
    invite_id: &str,
) -> Result<InviteRow, InviteError> {
    let row = invite_row(conn, None, Some(invite_id))?;
    if row.organization_id != org.org().id {
        return Err(InviteError::NotFound);
    }
    match manageable_workspaces {
        None => {
            org.require_admin()?;
        }
        Some(ids) => {
            if !row.workspace_id.as_ref().is_some_and(|id| ids.contains(id)) {
                return Err(InviteError::NotFound);
            }
        }
    }
    org.require_writable()?;
    Ok(row)
}

/// Withdraws a pending invite; its link stops working at once.
pub fn revoke(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: &OrgAccess,
    manageable_workspaces: Option<&[String]>,
    invite_id: &str,
) -> Result<(), InviteError> {
    db::write_transaction(conn, |conn| {
        let row = managed_invite(conn, org, manageable_workspaces, invite_id)?;
        if row.status != InviteStatus::Pending {
            return Ok(());
        }
        let now = db::now();
        mail::cancel_unsent_for_invite(conn, &row.id)?;
        diesel::update(org_invites::table.find(&row.id))
            .set((
                org_invites::status.eq(InviteStatus::Revoked),
                org_invites::updated_at.eq(now),
            ))
            .execute(conn)?;
        activity::record(
            conn,
            actor,
            invite_subject(org, &row.id),
            "org_invite.revoked",
            Some(json!({ "email": row.email, "status": "pending" })),
            Some(json!({ "email": row.email, "status": "revoked" })),
        )?;
        Ok(())
    })
}

/// Sends a pending or expired invite again with a new link; the old link stops working.
pub fn resend(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: &OrgAccess,
    manageable_workspaces: Option<&[String]>,
    invite_id: &str,
    settings: &InviteSettings,
) -> Result<InviteOutcome, InviteError> {
    db::write_transaction(conn, |conn| {
        orgs::lock(conn, &org.org().id)?;
        let row = managed_invite(conn, org, manageable_workspaces, invite_id)?;
        match row.status {
            InviteStatus::Accepted => return Err(InviteError::AlreadyUsed),
            InviteStatus::Revoked => return Err(InviteError::Revoked),
            InviteStatus::Pending | InviteStatus::Expired => {}
        }
        let now = db::now();
        if remaining_budget(conn, actor, &org.org().id, settings, now)? <= 0 {
            return Ok(InviteOutcome::OverHourlyLimit(row.email));
        }
        let expires_at = expiry(settings, now);
        diesel::update(org_invites::table.find(&row.id))
            .set((
                org_invites::status.eq(InviteStatus::Pending),
                org_invites::invite_token_hash.eq(no_link_yet()),
                org_invites::expires_at.eq(expires_at),
                org_invites::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    InviteError::AlreadyPending
                } else {
                    e.into()
                }
            })?;
        let inviter_name: String = users::table
            .find(&actor.user_id)
            .select(users::name)
            .first(conn)?;
        let workspace_name = workspace_name(conn, row.workspace_id.as_deref())?;
        let letter = Letter {
            invite_id: &row.id,
            to: &row.email,
            inviter_name: &inviter_name,
            role: row.role,
            workspace_name: workspace_name.as_deref(),
            expires_at,
        };
        queue_email(conn, org, &letter)?;
        activity::record(
            conn,
            actor,
            invite_subject(org, &row.id),
            "org_invite.resent",
            None,
            Some(json!({ "email": row.email })),
        )?;
        Ok(InviteOutcome::Resent(row.email))
    })
}
