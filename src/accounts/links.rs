//! Links emailed to prove an address: "forgot password" (to the account's address) and an
//! email change (to the new address). Each is a row of `account_links`; its token is minted
//! as the email is sent (see `mail::LinkSource`) and stored only as its SHA-256, works once,
//! and expires an hour after it was asked for.

use askama::Template;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{sessions, AccountError, Email, User};
use crate::db::{self, AnyConnection};
use crate::mail::{self, LinkToken, OutgoingEmail, LINK_PLACEHOLDER};
use crate::schema::{account_links, users};
use crate::text_enum;

/// How long a link works.
pub const LINK_LIFETIME_HOURS: i64 = 1;
/// Reset emails one address gets per hour at most; more asks are answered the same and
/// send nothing.
const RESETS_PER_HOUR: i64 = 3;

text_enum! {
    pub enum LinkPurpose {
        PasswordReset => "password_reset",
        EmailChange => "email_change",
    }
}

/// An emailed message about the account, with or without a link.
#[derive(Template)]
#[template(path = "emails/account.txt")]
struct AccountText<'a> {
    email: &'a AccountEmail<'a>,
}

#[derive(Template)]
#[template(path = "emails/account.html")]
struct AccountHtml<'a> {
    email: &'a AccountEmail<'a>,
}

struct AccountEmail<'a> {
    name: &'a str,
    lines: &'a [&'a str],
    /// The button's words when there is a link (the placeholder the outbox fills in).
    action: Option<&'a str>,
    link: &'static str,
    outro: &'a str,
}

fn enqueue(
    conn: &mut AnyConnection,
    to: &str,
    subject: &str,
    email: &AccountEmail<'_>,
    link_id: Option<&str>,
) -> Result<(), AccountError> {
    let text = AccountText { email }.render()?;
    let html = AccountHtml { email }.render()?;
    mail::enqueue(
        conn,
        &OutgoingEmail {
            organization_id: None,
            invite_id: None,
            check_in_link_id: None,
            account_link_id: link_id,
            to,
            subject,
            body_text: &text,
            body_html: &html,
        },
    )?;
    Ok(())
}

fn new_link(
    conn: &mut AnyConnection,
    user_id: &str,
    purpose: LinkPurpose,
    new_email: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = db::new_id();
    diesel::insert_into(account_links::table)
        .values((
            account_links::id.eq(&id),
            account_links::user_id.eq(user_id),
            account_links::purpose.eq(purpose),
            account_links::new_email.eq(new_email),
            account_links::token_hash.eq(mail::no_link_yet()),
            account_links::expires_at.eq(now + Duration::hours(LINK_LIFETIME_HOURS)),
            account_links::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Sends a reset link to `email` when it is an active account's and the hour's limit is
/// not reached. The caller answers the same whatever happened, so nobody learns which
/// addresses have accounts.
pub fn request_password_reset(
    conn: &mut AnyConnection,
    email: &Email,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    db::write_transaction(conn, |conn| {
        let Some(user) = users::table
            .filter(users::email.eq(email.as_str()))
            .filter(users::disabled_at.is_null())
            .select(User::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(());
        };
        let recent: i64 = account_links::table
            .filter(account_links::user_id.eq(&user.id))
            .filter(account_links::purpose.eq(LinkPurpose::PasswordReset))
            .filter(account_links::created_at.gt(now - Duration::hours(1)))
            .count()
            .get_result(conn)?;
        if recent >= RESETS_PER_HOUR {
            tracing::info!(user_id = %user.id, "password reset asked too often; nothing sent");
            return Ok(());
        }
        let link_id = new_link(conn, &user.id, LinkPurpose::PasswordReset, None, now)?;
        let email = AccountEmail {
            name: &user.name,
            lines: &["Someone (hopefully you) asked to reset the password of your Cairn account."],
            action: Some("Choose a new password"),
            link: LINK_PLACEHOLDER,
            outro: "The link works once, for an hour. Using it logs you out everywhere else. If you did not ask, ignore this email: your password stays as it is.",
        };
        enqueue(
            conn,
            &user.email,
            "Reset your Cairn password",
            &email,
            Some(&link_id),
        )
    })
}

/// Mints the link of an account email as it is sent; `None` once the link was used.
pub fn mint_link(
    conn: &mut AnyConnection,
    base_url: &url::Url,
    link_id: &str,
) -> Result<Option<String>, mail::MailError> {
    db::write_transaction(conn, |conn| {
        let purpose: Option<LinkPurpose> = account_links::table
            .find(link_id)
            .filter(account_links::used_at.is_null())
            .select(account_links::purpose)
            .first(conn)
            .optional()?;
        let Some(purpose) = purpose else {
            return Ok(None);
        };
        let token = LinkToken::generate();
        diesel::update(account_links::table.find(link_id))
            .set(account_links::token_hash.eq(token.digest()))
            .execute(conn)?;
        let path = match purpose {
            LinkPurpose::PasswordReset => format!("/reset-password/{}", token.as_str()),
            LinkPurpose::EmailChange => format!("/account/email/{}", token.as_str()),
        };
        Ok(Some(mail::absolute_link(base_url, &path, None)))
    })
}

/// A link that still works: its row, and whose account it is.
pub struct OpenLink {
    pub id: String,
    pub user: User,
    pub new_email: Option<String>,
}

/// The unused, unexpired link of `purpose` the token opens.
pub fn open_link(
    conn: &mut AnyConnection,
    token: &LinkToken,
    purpose: LinkPurpose,
    now: NaiveDateTime,
) -> Result<Option<OpenLink>, AccountError> {
    let found: Option<(String, Option<String>, User)> = account_links::table
        .inner_join(users::table)
        .filter(account_links::token_hash.eq(token.digest()))
        .filter(account_links::purpose.eq(purpose))
        .filter(account_links::used_at.is_null())
        .filter(account_links::expires_at.gt(now))
        .filter(users::disabled_at.is_null())
        .select((
            account_links::id,
            account_links::new_email,
            User::as_select(),
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, new_email, user)| OpenLink {
        id,
        user,
        new_email,
    }))
}

fn use_link(conn: &mut AnyConnection, link_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        account_links::table
            .find(link_id)
            .filter(account_links::used_at.is_null()),
    )
    .set(account_links::used_at.eq(now))
    .execute(conn)
}

/// Sets a new password from a reset link (hashed by the caller) and ends every session of
/// the account; the link, and any other reset link of the account, stops working.
pub fn reset_password(
    conn: &mut AnyConnection,
    token: &LinkToken,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    db::write_transaction(conn, |conn| {
        let link = open_link(conn, token, LinkPurpose::PasswordReset, now)?
            .ok_or(AccountError::LinkUnusable)?;
        if use_link(conn, &link.id, now)? == 0 {
            return Err(AccountError::LinkUnusable);
        }
        diesel::update(
            account_links::table
                .filter(account_links::user_id.eq(&link.user.id))
                .filter(account_links::purpose.eq(LinkPurpose::PasswordReset))
                .filter(account_links::used_at.is_null()),
        )
        .set(account_links::used_at.eq(now))
        .execute(conn)?;
        diesel::update(users::table.find(&link.user.id))
            .set((
                users::password_hash.eq(password_hash),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        sessions::delete_all_for_user(conn, &link.user.id)?;
        Ok(link.user)
    })
}

/// Asks to move the account to `new_email`: a confirmation link goes to the new address,
/// and the old one is told. Nothing changes until the link is followed.
pub fn request_email_change(
    conn: &mut AnyConnection,
    user: &User,
    new_email: &Email,
    now: NaiveDateTime,
) -> Result<(), AccountError> {
    db::write_transaction(conn, |conn| {
        let taken: i64 = users::table
            .filter(users::email.eq(new_email.as_str()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AccountError::EmailTaken);
        }
        let link_id = new_link(
            conn,
            &user.id,
            LinkPurpose::EmailChange,
            Some(new_email.as_str()),
            now,
        )?;
        let confirm = format!(
            "You asked to use {} for your Cairn account instead of {}.",
            new_email.as_str(),
            user.email
        );
        let to_new = AccountEmail {
            name: &user.name,
            lines: &[&confirm],
            action: Some("Confirm this address"),
            link: LINK_PLACEHOLDER,
            outro: "The link works once, for an hour. Until you confirm, you keep logging in with your current address.",
        };
        enqueue(
            conn,
            new_email.as_str(),
            "Confirm your new email for Cairn",
            &to_new,
            Some(&link_id),
        )?;
        let notice = format!(
            "Someone asked to change the email of your Cairn account to {}. It changes only when that address confirms.",
            new_email.as_str()
        );
        let to_old = AccountEmail {
            name: &user.name,
            lines: &[&notice],
            action: None,
            link: LINK_PLACEHOLDER,
            outro:
                "If this was not you, change your password now and tell your organization's admins.",
        };
        enqueue(
            conn,
            &user.email,
            "Your Cairn email is being changed",
            &to_old,
            None,
        )
    })
}

/// Follows an email change link: the account's address becomes the new one.
pub fn confirm_email_change(
    conn: &mut AnyConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> Result<User, AccountError> {
    db::write_transaction(conn, |conn| {
        let link = open_link(conn, token, LinkPurpose::EmailChange, now)?
            .ok_or(AccountError::LinkUnusable)?;
        let new_email = link.new_email.ok_or(AccountError::LinkUnusable)?;
        let taken: i64 = users::table
            .filter(users::email.eq(&new_email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AccountError::EmailTaken);
        }
        if use_link(conn, &link.id, now)? == 0 {
            return Err(AccountError::LinkUnusable);
        }
        diesel::update(users::table.find(&link.user.id))
            .set((users::email.eq(&new_email), users::updated_at.eq(now)))
            .execute(conn)?;
        Ok(User {
            email: new_email,
            ..link.user
        })
    })
}
