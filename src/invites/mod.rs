//! Invitations by email. The token travels only in the emailed link; the database keeps
//! its SHA-256. An invite is pending until it is accepted (once), revoked, or expires.

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::{self, AccountError, Email, NewAccount, User};
use crate::activity::{self, Actor, Subject};
use crate::config::InviteSettings;
use crate::db::{self, AnyConnection, DbError};
use crate::mail::{self, Delivery, OutgoingEmail};
use crate::orgs::{self, OrgAccess, OrgError, OrgRole};
use crate::schema::{
    org_invites, org_members, organizations, users, workspace_memberships, workspaces,
};
use crate::text_enum;
use crate::workspaces::{WorkspaceAccess, WorkspaceRole};

text_enum! {
    pub enum InviteStatus {
        Pending => "pending",
        Accepted => "accepted",
        Expired => "expired",
        Revoked => "revoked",
    }
}

/// The secret in an invite link: 256 random bits, URL-safe. Not `Debug`, never logged.
pub struct InviteToken(String);

impl InviteToken {
    fn generate() -> Self {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it arrives in a URL; anything that cannot be one is refused outright.
    pub fn from_link(raw: &str) -> Option<Self> {
        let plausible = raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
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

/// Who may invite where: owners/admins anywhere, workspace admins to their workspace.
pub enum InviteTarget<'a> {
    Organization(&'a OrgAccess),
    Workspace(&'a WorkspaceAccess),
}

impl InviteTarget<'_> {
    fn org(&self) -> &OrgAccess {
        match self {
            Self::Organization(org) => org,
            Self::Workspace(ws) => &ws.org,
        }
    }

    fn workspace(&self) -> Option<(&str, &str)> {
        match self {
            Self::Organization(_) => None,
            Self::Workspace(ws) => Some((ws.workspace.id.as_str(), ws.workspace.name.as_str())),
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

/// Mints invite links at send time (see `mail::LinkSource`): each delivery attempt gets a new
/// token whose hash replaces the previous one, so only the link last sent works, and no
/// usable token is ever stored.
pub struct InviteLinks<'a> {
    pub base_url: &'a url::Url,
}

impl mail::LinkSource for InviteLinks<'_> {
    fn link_for(
        &self,
        conn: &mut AnyConnection,
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
            let mut url = self.base_url.clone();
            url.set_path(&format!("/invites/{}", token.as_str()));
            url.set_query(None);
            Ok(Some(url.to_string()))
        })
    }
}

/// A hash no link matches: what an invite holds until its email is sent.
fn no_link_yet() -> String {
    InviteToken::generate().digest()
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
        org_name: &org.org.name,
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
        letter.inviter_name, org.org.name
    );
    mail::enqueue(
        conn,
        &OutgoingEmail {
            organization_id: Some(&org.org.id),
            invite_id: Some(letter.invite_id),
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
        organization_id: &org.org.id,
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
        orgs::lock(conn, &org.org.id)?;
        let now = db::now();
        let inviter_name: String = users::table
            .find(&actor.user_id)
            .select(users::name)
            .first(conn)?;
        let mut budget = remaining_budget(conn, actor, &org.org.id, settings, now)?;
        let mut outcomes = Vec::new();
        for email in emails {
            let address = email.as_str().to_owned();
            let already_member: i64 = org_members::table
                .inner_join(users::table.on(users::id.eq(org_members::user_id)))
                .filter(org_members::organization_id.eq(&org.org.id))
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
                .filter(org_invites::organization_id.eq(&org.org.id))
                .filter(org_invites::normalized_email.eq(&address))
                .filter(org_invites::status.eq(InviteStatus::Pending))
                .select((org_invites::id, org_invites::workspace_id))
                .first(conn)
                .optional()?;
            // A workspace admin may renew their own workspace's invite, not take over one
            // made for the organization or another workspace.
            if let (InviteTarget::Workspace(ws), Some((_, pending_workspace))) = (target, &pending)
            {
                if pending_workspace.as_deref() != Some(ws.workspace.id.as_str()) {
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
                            org_invites::organization_id.eq(&org.org.id),
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

/// One invite as the invites page lists it.
#[derive(Debug, Clone)]
pub struct InviteListing {
    pub id: String,
    pub email: String,
    pub status: InviteStatus,
    pub role: WorkspaceRole,
    pub workspace_name: Option<String>,
    pub invited_by: String,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub delivery: Option<Delivery>,
}

impl InviteListing {
    /// A pending invite past its expiry reads as expired, even before housekeeping marks it.
    pub fn effective_status(&self, now: NaiveDateTime) -> InviteStatus {
        if self.status == InviteStatus::Pending && self.expires_at <= now {
            InviteStatus::Expired
        } else {
            self.status
        }
    }
}

/// The organization's invites, newest first; a workspace admin sees their workspaces' only.
pub fn list(
    conn: &mut AnyConnection,
    org: &OrgAccess,
    only_workspaces: Option<&[String]>,
) -> Result<Vec<InviteListing>, InviteError> {
    let mut query = org_invites::table
        .inner_join(users::table.on(users::id.eq(org_invites::invited_by_user_id)))
        .left_join(workspaces::table.on(workspaces::id.nullable().eq(org_invites::workspace_id)))
        .filter(org_invites::organization_id.eq(&org.org.id))
        .into_boxed();
    if let Some(ids) = only_workspaces {
        query = query.filter(org_invites::workspace_id.eq_any(ids.to_vec()));
    }
    type Row = (
        String,
        String,
        InviteStatus,
        WorkspaceRole,
        Option<String>,
        String,
        NaiveDateTime,
        NaiveDateTime,
    );
    let rows: Vec<Row> = query
        .order(org_invites::created_at.desc())
        .limit(500)
        .select((
            org_invites::id,
            org_invites::email,
            org_invites::status,
            org_invites::workspace_role,
            workspaces::name.nullable(),
            users::name,
            org_invites::expires_at,
            org_invites::created_at,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let deliveries = mail::latest_for_invites(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, email, status, role, workspace_name, invited_by, expires_at, created_at)| {
                let delivery = deliveries.iter().find(|d| d.invite_id == id).cloned();
                InviteListing {
                    id,
                    email,
                    status,
                    role,
                    workspace_name,
                    invited_by,
                    expires_at,
                    created_at,
                    delivery,
                }
            },
        )
        .collect())
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
    let workspace_name = match &row.workspace_id {
        Some(id) => Some(
            workspaces::table
                .find(id)
                .select(workspaces::name)
                .first(conn)?,
        ),
        None => None,
    };
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
/// simultaneous acceptances exactly one wins.
pub fn accept(
    conn: &mut AnyConnection,
    token: &InviteToken,
    user: &User,
    request_id: &str,
) -> Result<Joined, InviteError> {
    check_before_accepting(conn, token)?;
    db::write_transaction(conn, |conn| {
        accept_in_transaction(conn, token, user, request_id)
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
        let joined = accept_in_transaction(conn, token, &user, request_id)?;
        Ok((user, joined))
    })
}

fn accept_in_transaction(
    conn: &mut AnyConnection,
    token: &InviteToken,
    user: &User,
    request_id: &str,
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
    Ok(Joined {
        org_slug,
        workspace_slug,
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
    if row.organization_id != org.org.id {
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
        orgs::lock(conn, &org.org.id)?;
        let row = managed_invite(conn, org, manageable_workspaces, invite_id)?;
        match row.status {
            InviteStatus::Accepted => return Err(InviteError::AlreadyUsed),
            InviteStatus::Revoked => return Err(InviteError::Revoked),
            InviteStatus::Pending | InviteStatus::Expired => {}
        }
        let now = db::now();
        if remaining_budget(conn, actor, &org.org.id, settings, now)? <= 0 {
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
        let workspace_name: Option<String> = match &row.workspace_id {
            Some(id) => Some(
                workspaces::table
                    .find(id)
                    .select(workspaces::name)
                    .first(conn)?,
            ),
            None => None,
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = InviteToken::generate();
        let b = InviteToken::generate();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 43, "256 bits in unpadded base64url");
        assert!(InviteToken::from_link(a.as_str()).is_some());
        assert!(InviteToken::from_link("short").is_none());
        assert!(InviteToken::from_link(&format!("{}/", &a.as_str()[..42])).is_none());
        assert_eq!(a.digest().len(), 64, "hex SHA-256");
        assert_ne!(a.digest(), a.as_str());
    }
}
