//! The one-time check-in link: its token is minted when the reminder is sent; the link opens
//! one form for exactly the key results it lists, which its person may still edit, and is
//! used up by the one submission that checks in.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::job::{may_check_in, viewer_of};
use super::{LinkToken, ReminderError};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::mail::{self, MailError};
use crate::okr::check_ins::{self, CheckInDraft};
use crate::okr::status::{self, Status};
use crate::okr::{Item, OkrError};
use crate::schema::{check_in_links, okr_items, users, workspaces};
use crate::scope::Viewer;

/// Mints the link of a reminder as its email is sent; `None` (the email is not sent) once
/// the link was used.
pub fn mint_link(
    conn: &mut AnyConnection,
    base_url: &url::Url,
    link_id: &str,
) -> Result<Option<String>, MailError> {
    db::write_transaction(conn, |conn| {
        let unused: i64 = check_in_links::table
            .find(link_id)
            .filter(check_in_links::used_at.is_null())
            .count()
            .get_result(conn)?;
        if unused == 0 {
            return Ok(None);
        }
        let token = LinkToken::generate();
        diesel::update(check_in_links::table.find(link_id))
            .set(check_in_links::token_hash.eq(Some(token.digest())))
            .execute(conn)?;
        let path = format!("/check-in/{}", token.as_str());
        Ok(Some(mail::absolute_link(base_url, &path, None)))
    })
}

/// A key result on the one-time form.
#[derive(Debug, Clone)]
pub struct OneTimeItem {
    pub item: Item,
    pub status: Option<Status>,
}

/// What a valid link opens.
#[derive(Debug, Clone)]
pub struct OneTimeCheckIn {
    pub user_name: String,
    pub workspace_name: String,
    pub expires_at: NaiveDateTime,
    pub items: Vec<OneTimeItem>,
}

struct Link {
    id: String,
    user_id: String,
    workspace_id: String,
    item_ids: Vec<String>,
}

/// The link the token names, if it may still be used at `now`.
fn usable(
    conn: &mut AnyConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> Result<(Link, NaiveDateTime), ReminderError> {
    type Row = (
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let row: Option<Row> = check_in_links::table
        .filter(check_in_links::token_hash.eq(token.digest()))
        .select((
            check_in_links::id,
            check_in_links::user_id,
            check_in_links::workspace_id,
            check_in_links::item_ids_json,
            check_in_links::expires_at,
            check_in_links::used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, workspace_id, item_ids_json, expires_at, used_at)) = row else {
        return Err(ReminderError::NotFound);
    };
    if used_at.is_some() {
        return Err(ReminderError::Used);
    }
    if expires_at <= now {
        return Err(ReminderError::Expired);
    }
    let item_ids = serde_json::from_str(&item_ids_json).unwrap_or_default();
    Ok((
        Link {
            id,
            user_id,
            workspace_id,
            item_ids,
        },
        expires_at,
    ))
}

/// The listed key results the link's person may still check in on.
fn checkable_items(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    link: &Link,
) -> Result<Vec<Item>, ReminderError> {
    let mut items = Vec::new();
    for id in &link.item_ids {
        if may_check_in(conn, viewer, id)? {
            items.push(
                okr_items::table
                    .find(id)
                    .select(Item::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(items)
}

/// Opens the form a link stands for; nothing changes.
pub fn open(
    conn: &mut AnyConnection,
    token: &LinkToken,
    now: NaiveDateTime,
) -> Result<OneTimeCheckIn, ReminderError> {
    let (link, expires_at) = usable(conn, token, now)?;
    let Some(viewer) = viewer_of(conn, &link.user_id, &link.workspace_id)? else {
        return Err(ReminderError::NotFound);
    };
    let statuses = status::statuses(conn, &viewer, now.date())?;
    let items = checkable_items(conn, &viewer, &link)?
        .into_iter()
        .map(|item| OneTimeItem {
            status: statuses.of(&item),
            item,
        })
        .collect();
    let user_name = users::table
        .find(&link.user_id)
        .select(users::name)
        .first(conn)?;
    let workspace_name = workspaces::table
        .find(&link.workspace_id)
        .select(workspaces::name)
        .first(conn)?;
    Ok(OneTimeCheckIn {
        user_name,
        workspace_name,
        expires_at,
        items,
    })
}

/// Checks in on the filled rows, one check-in each, and uses the link up, all in one
/// transaction: a refused row changes nothing and leaves the link usable. Rows for items
/// the link does not list, or that its person may no longer edit, are ignored. Returns how
/// many check-ins were written.
pub fn check_in(
    conn: &mut AnyConnection,
    token: &LinkToken,
    rows: Vec<(String, CheckInDraft)>,
    request_id: &str,
    now: NaiveDateTime,
) -> Result<usize, ReminderError> {
    db::write_transaction(conn, |conn| {
        let (link, _) = usable(conn, token, now)?;
        let claimed = diesel::update(
            check_in_links::table
                .find(&link.id)
                .filter(check_in_links::used_at.is_null()),
        )
        .set(check_in_links::used_at.eq(Some(now)))
        .execute(conn)?;
        if claimed == 0 {
            return Err(ReminderError::Used);
        }
        let Some(viewer) = viewer_of(conn, &link.user_id, &link.workspace_id)? else {
            return Err(ReminderError::NotFound);
        };
        let listed: HashSet<String> = checkable_items(conn, &viewer, &link)?
            .into_iter()
            .map(|item| item.id)
            .collect();
        let actor = Actor {
            user_id: link.user_id.clone(),
            request_id: request_id.to_owned(),
        };
        let mut written = 0;
        for (item_id, draft) in rows {
            if !listed.contains(&item_id) {
                continue;
            }
            match check_ins::add(conn, &actor, &viewer, &item_id, draft, now) {
                Ok(_) => written += 1,
                Err(OkrError::Field { field, message }) => {
                    return Err(ReminderError::Field {
                        item_id,
                        field,
                        message,
                    })
                }
                Err(OkrError::Db(e)) => return Err(e.into()),
                Err(other) => {
                    return Err(ReminderError::Field {
                        item_id,
                        field: "value",
                        message: other.to_string(),
                    })
                }
            }
        }
        if written == 0 {
            return Err(ReminderError::NothingFilled);
        }
        Ok(written)
    })
}
