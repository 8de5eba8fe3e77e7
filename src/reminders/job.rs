//! The reminder job: one workspace, one local day. Who is reminded of what is decided when
//! the job runs, through `scope`: an owner hears only of key results they may still edit,
//! a manager only of key results they may see.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::email::{self, Late, Letter, Listed};
use super::{checked_in_within, ReminderError, ESCALATE_AFTER_DAYS, LINK_DAYS};
use crate::cycles::CycleState;
use crate::db::{self, AnyConnection, DbError};
use crate::jobs::{self, JobContext, JobError};
use crate::okr::status::{self, Statuses};
use crate::okr::{check_ins, Item, ItemType, OkrError};
use crate::orgs::{OrgError, Organization};
use crate::schema::{
    check_in_links, check_in_reminders, check_ins as check_in_rows, cycles, okr_items,
    organizations, users, workspace_memberships, workspaces,
};
use crate::scope::{self, ScopeError, Viewer, Visible};
use crate::workspaces::{access_by_id, Workspace};

/// One workspace's reminders for one day of its own calendar.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Due {
    pub workspace_id: String,
    pub day: NaiveDate,
}

/// Runs `REMINDER_JOB`.
pub fn run(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    payload: &str,
) -> Result<Option<String>, JobError> {
    let due: Due = jobs::payload(payload)?;
    Ok(remind(conn, context, &due)?)
}

fn remind(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    due: &Due,
) -> Result<Option<String>, ReminderError> {
    let found: Option<(Workspace, Organization)> = workspaces::table
        .inner_join(organizations::table)
        .filter(workspaces::id.eq(&due.workspace_id))
        .select((Workspace::as_select(), Organization::as_select()))
        .first(conn)
        .optional()?;
    let Some((workspace, org)) = found else {
        return Ok(Some(json!({ "emails": 0 }).to_string()));
    };
    if workspace.archived_at.is_some() || org.is_archived() {
        return Ok(Some(json!({ "emails": 0 }).to_string()));
    }
    let mut letters: BTreeMap<String, Letter> = BTreeMap::new();
    let mut by_owner: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for item in due_key_results(conn, &workspace, due.day)? {
        by_owner
            .entry(item.owner_user_id.clone())
            .or_default()
            .push(item);
    }
    for (owner, items) in by_owner {
        let Some(viewer) = viewer_of(conn, &owner, &workspace.id)? else {
            continue;
        };
        let statuses = status::statuses(conn, &viewer, due.day)?;
        let mut listed = Vec::new();
        for item in items {
            if may_check_in(conn, &viewer, &item.id)? {
                listed.push(Listed::new(&item, &statuses));
            }
        }
        if !listed.is_empty() {
            letters.entry(owner).or_default().due = listed;
        }
    }
    if workspace.reminders().escalate_to_manager {
        for (manager, late) in late_key_results(conn, &workspace, due.day, context.now)? {
            letters.entry(manager).or_default().late = late;
        }
    }
    let mut emails = 0;
    for (user_id, letter) in &letters {
        if send(conn, context, &workspace, &org, user_id, letter)? {
            emails += 1;
        }
    }
    Ok(Some(json!({ "emails": emails }).to_string()))
}

/// The live key results of the workspace's active cycles (all of them while the
/// organization has no cycle yet) that are not done and not checked in within the cadence.
fn due_key_results(
    conn: &mut AnyConnection,
    workspace: &Workspace,
    today: NaiveDate,
) -> QueryResult<Vec<Item>> {
    let org_cycles: Vec<(String, CycleState)> = cycles::table
        .filter(cycles::organization_id.eq(&workspace.organization_id))
        .select((cycles::id, cycles::state))
        .load(conn)?;
    let active: Vec<&String> = org_cycles
        .iter()
        .filter(|(_, state)| *state == CycleState::Active)
        .map(|(id, _)| id)
        .collect();
    let cadence = workspace.check_in_cadence();
    let items: Vec<Item> = okr_items::table
        .filter(okr_items::workspace_id.eq(&workspace.id))
        .filter(okr_items::item_type.eq(ItemType::KeyResult))
        .filter(okr_items::deleted_at.is_null())
        .filter(okr_items::progress_computed.lt(100.0))
        .order((okr_items::sort_order.asc(), okr_items::id.asc()))
        .select(Item::as_select())
        .load(conn)?;
    Ok(items
        .into_iter()
        .filter(|item| {
            org_cycles.is_empty() || item.cycle_id.as_ref().is_some_and(|c| active.contains(&c))
        })
        .filter(|item| !checked_in_within(cadence, item.last_check_in_on, today))
        .collect())
}

/// The person's view of the workspace, if they are still in it and not disabled.
pub(super) fn viewer_of(
    conn: &mut AnyConnection,
    user_id: &str,
    workspace_id: &str,
) -> Result<Option<Viewer>, DbError> {
    let enabled: i64 = users::table
        .find(user_id)
        .filter(users::disabled_at.is_null())
        .count()
        .get_result(conn)?;
    if enabled == 0 {
        return Ok(None);
    }
    let access = match access_by_id(conn, user_id, workspace_id) {
        Ok(access) => access,
        Err(OrgError::Db(e)) => return Err(e),
        Err(_) => return Ok(None),
    };
    match Viewer::new(conn, &access) {
        Ok(viewer) => Ok(Some(viewer)),
        Err(OrgError::Db(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Whether the viewer may check in on the item now.
pub(super) fn may_check_in(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<bool, DbError> {
    match check_ins::checkable(conn, viewer, item_id) {
        Ok(_) => Ok(true),
        Err(OkrError::Db(e) | OkrError::Org(OrgError::Db(e))) => Err(e),
        Err(_) => Ok(false),
    }
}

/// Key results reminded at least two days ago and not checked in since, not escalated yet,
/// by the owner's manager who may see them.
fn late_key_results(
    conn: &mut AnyConnection,
    workspace: &Workspace,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<BTreeMap<String, Vec<Late>>, ReminderError> {
    let rows: Vec<(String, String, String, NaiveDateTime)> = check_in_reminders::table
        .filter(check_in_reminders::workspace_id.eq(&workspace.id))
        .filter(check_in_reminders::escalated_at.is_null())
        .filter(check_in_reminders::reminded_at.le(now - Duration::days(ESCALATE_AFTER_DAYS)))
        .order((
            check_in_reminders::reminded_at.asc(),
            check_in_reminders::id.asc(),
        ))
        .select((
            check_in_reminders::id,
            check_in_reminders::item_id,
            check_in_reminders::owner_user_id,
            check_in_reminders::reminded_at,
        ))
        .load(conn)?;
    let mut views: HashMap<String, Option<(Viewer, Visible, Statuses)>> = HashMap::new();
    let mut late: BTreeMap<String, Vec<Late>> = BTreeMap::new();
    for (reminder_id, item_id, owner, reminded_at) in rows {
        let checked_in_since: i64 = check_in_rows::table
            .filter(check_in_rows::item_id.eq(&item_id))
            .filter(check_in_rows::deleted_at.is_null())
            .filter(check_in_rows::created_at.gt(reminded_at))
            .count()
            .get_result(conn)?;
        if checked_in_since > 0 {
            continue;
        }
        let item: Option<Item> = okr_items::table
            .find(&item_id)
            .filter(okr_items::deleted_at.is_null())
            .filter(okr_items::progress_computed.lt(100.0))
            .select(Item::as_select())
            .first(conn)
            .optional()?;
        let Some(item) = item else {
            continue;
        };
        let Some(manager) = manager_of(conn, &workspace.id, &owner)? else {
            continue;
        };
        if !views.contains_key(&manager) {
            let view = match viewer_of(conn, &manager, &workspace.id)? {
                Some(viewer) => {
                    let visible = scope::visible_items(conn, &viewer)?;
                    let statuses = status::statuses(conn, &viewer, today)?;
                    Some((viewer, visible, statuses))
                }
                None => None,
            };
            views.insert(manager.clone(), view);
        }
        let Some(Some((viewer, visible, statuses))) = views.get(&manager) else {
            continue;
        };
        match scope::check_in(conn, viewer, visible, &item_id) {
            Ok(()) => {}
            Err(ScopeError::NotFound) => continue,
            Err(ScopeError::Db(e)) => return Err(e.into()),
        }
        let listed = late.entry(manager).or_default();
        match listed.iter_mut().find(|l| l.item.item_id == item_id) {
            Some(known) => known.reminder_ids.push(reminder_id),
            None => {
                let owner_name: String =
                    users::table.find(&owner).select(users::name).first(conn)?;
                listed.push(Late {
                    item: Listed::new(&item, statuses),
                    owner_name,
                    reminded_on: reminded_at.date(),
                    reminder_ids: vec![reminder_id],
                });
            }
        }
    }
    Ok(late)
}

/// The owner's manager in the workspace, while both are active members.
fn manager_of(
    conn: &mut AnyConnection,
    workspace_id: &str,
    owner: &str,
) -> QueryResult<Option<String>> {
    let manager: Option<Option<String>> = workspace_memberships::table
        .filter(workspace_memberships::workspace_id.eq(workspace_id))
        .filter(workspace_memberships::user_id.eq(owner))
        .filter(workspace_memberships::active.eq(true))
        .select(workspace_memberships::manager_user_id)
        .first(conn)
        .optional()?;
    Ok(manager.flatten())
}

/// Writes one person's link (when they have key results to check in on), reminder rows,
/// escalation marks and email. Returns whether an email was queued.
fn send(
    conn: &mut AnyConnection,
    context: &JobContext<'_>,
    workspace: &Workspace,
    org: &Organization,
    user_id: &str,
    letter: &Letter,
) -> Result<bool, ReminderError> {
    let person: Option<(String, String)> = users::table
        .find(user_id)
        .filter(users::disabled_at.is_null())
        .select((users::email, users::name))
        .first(conn)
        .optional()?;
    let Some((address, name)) = person else {
        return Ok(false);
    };
    let now = context.now;
    let link_id = if letter.due.is_empty() {
        None
    } else {
        let id = db::new_id();
        let item_ids: Vec<&str> = letter.due.iter().map(|l| l.item_id.as_str()).collect();
        let item_ids_json = serde_json::to_string(&item_ids)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        diesel::insert_into(check_in_links::table)
            .values((
                check_in_links::id.eq(&id),
                check_in_links::token_hash.eq(None::<String>),
                check_in_links::user_id.eq(user_id),
                check_in_links::workspace_id.eq(&workspace.id),
                check_in_links::item_ids_json.eq(item_ids_json),
                check_in_links::expires_at.eq(now + Duration::days(LINK_DAYS)),
                check_in_links::created_at.eq(now),
            ))
            .execute(conn)?;
        for listed in &letter.due {
            diesel::insert_into(check_in_reminders::table)
                .values((
                    check_in_reminders::id.eq(db::new_id()),
                    check_in_reminders::workspace_id.eq(&workspace.id),
                    check_in_reminders::item_id.eq(&listed.item_id),
                    check_in_reminders::owner_user_id.eq(user_id),
                    check_in_reminders::reminded_at.eq(now),
                    check_in_reminders::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Some(id)
    };
    let escalated: Vec<&String> = letter
        .late
        .iter()
        .flat_map(|late| &late.reminder_ids)
        .collect();
    if !escalated.is_empty() {
        diesel::update(check_in_reminders::table.filter(check_in_reminders::id.eq_any(escalated)))
            .set(check_in_reminders::escalated_at.eq(Some(now)))
            .execute(conn)?;
    }
    email::queue(
        conn,
        context.base_url,
        &email::Addressed {
            to: &address,
            name: &name,
            org,
            workspace,
            link_id: link_id.as_deref(),
        },
        letter,
    )?;
    Ok(true)
}
