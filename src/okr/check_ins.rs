//! Check-ins (DESIGN §3 "Check-ins"): who said what about a key result or objective, for
//! which day, with what confidence. A check-in is visible exactly when its item is; writing
//! one needs the right to edit the item; its author may change or delete their latest one
//! for 24 hours, and admins may delete any. Each write refreshes the item's latest reading
//! and its progress up the chain in the same transaction, and is logged.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use super::edit::editable;
use super::measure::{FieldError, KeyResultMeasure, Number};
use super::status::within_edit_window;
use super::{load, lock_workspace, recompute_up, record, Item, OkrError};
use crate::activity::Actor;
use crate::db::{self, AnyConnection};
use crate::notifications::{self, Event, NotificationKind};
use crate::schema::{check_ins, okr_items, users};
use crate::scope::{self, Viewer};

/// The longest note, in characters.
pub const NOTE_MAX: usize = 4_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    pub id: String,
    pub organization_id: String,
    pub workspace_id: String,
    pub item_id: String,
    pub author_user_id: String,
    pub effective_on: NaiveDate,
    pub value: Option<Number>,
    pub done: Option<bool>,
    pub confidence: i32,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by_user_id: Option<String>,
}

/// A check-in's confidence: 0 to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confidence(u8);

impl Confidence {
    pub const MAX: u8 = 10;

    pub fn new(value: i64) -> Result<Self, FieldError> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= Self::MAX)
            .map(Self)
            .ok_or_else(|| FieldError::new("confidence", "Choose a confidence from 0 to 10."))
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().parse::<i64>() {
            Ok(value) => Self::new(value),
            Err(_) => Err(FieldError::new(
                "confidence",
                "Choose a confidence from 0 to 10.",
            )),
        }
    }

    pub fn value(self) -> i32 {
        i32::from(self.0)
    }
}

/// A check-in as the history shows it, with what its reader may do to it.
#[derive(Debug, Clone)]
pub struct CheckInEntry {
    pub check_in: CheckIn,
    pub author_name: String,
    pub can_edit: bool,
    pub can_delete: bool,
}

/// A check-in as typed, each field checked on its own; the reading is checked against the
/// item's measure when it is written. `None` for the day means today.
#[derive(Debug, Clone)]
pub struct CheckInDraft {
    /// A metric's new value, as typed (its decimals come from the key result).
    pub value: Option<String>,
    /// A milestone's done flag.
    pub done: Option<bool>,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub effective_on: Option<NaiveDate>,
}

/// The note as typed: trimmed, at most 4,000 characters; empty is none.
pub fn note(raw: &str) -> Result<Option<String>, FieldError> {
    let note = raw.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(FieldError::new(
            "note",
            "Keep the note under 4,000 characters.",
        ));
    }
    Ok(Some(note.to_owned()).filter(|n| !n.is_empty()))
}

/// The day a check-in speaks for, as typed (YYYY-MM-DD); empty is today.
pub fn effective_on(raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        raw => super::plan_date(raw, "date")
            .map(Some)
            .map_err(|message| FieldError::new("effective_on", message)),
    }
}

/// What a check-in reports, checked against the item's measure.
struct Reading {
    value: Option<Number>,
    done: Option<bool>,
}

fn reading(item: &Item, draft: &CheckInDraft) -> Result<Reading, FieldError> {
    match item.key_result_measure() {
        KeyResultMeasure::Metric(metric) => {
            if draft.done.is_some() {
                return Err(FieldError::new(
                    "done",
                    "This key result is measured by a number; enter its value.",
                ));
            }
            let raw = draft.value.as_deref().unwrap_or("").trim();
            if raw.is_empty() {
                return Err(FieldError::new("value", "Enter the current value."));
            }
            Ok(Reading {
                value: Some(Number::parse(raw, metric.decimals, "value")?),
                done: None,
            })
        }
        KeyResultMeasure::Milestone => {
            if draft.value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                return Err(FieldError::new(
                    "value",
                    "A milestone is done or not done; it takes no value.",
                ));
            }
            Ok(Reading {
                value: None,
                done: Some(draft.done.unwrap_or(false)),
            })
        }
        KeyResultMeasure::Actions => {
            if draft.value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                return Err(FieldError::new(
                    "value",
                    "Its progress comes from its actions; check in with a confidence and a note.",
                ));
            }
            if draft.done.is_some() {
                return Err(FieldError::new(
                    "done",
                    "Only milestones are done or not done.",
                ));
            }
            Ok(Reading {
                value: None,
                done: None,
            })
        }
    }
}

fn checked_day(draft: &CheckInDraft, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let day = draft.effective_on.unwrap_or(today);
    if day > today {
        return Err(FieldError::new(
            "effective_on",
            "A check-in cannot speak for a day in the future.",
        ));
    }
    Ok(day)
}

/// What the activity log and the history say a check-in reported: "12 deals, confidence 6".
fn reported(item: &Item, check_in: &CheckIn) -> String {
    let unit = item.unit.as_deref().map_or(String::new(), |u| {
        if u == "%" {
            u.to_owned()
        } else {
            format!(" {u}")
        }
    });
    let decimals = item.decimals.clamp(0, 4) as u32;
    let reading = match (check_in.value, check_in.done) {
        (Some(value), _) => format!("{}{unit}, ", value.display(decimals)),
        (None, Some(true)) => "done, ".to_owned(),
        (None, Some(false)) => "not done, ".to_owned(),
        (None, None) => String::new(),
    };
    format!("{reading}confidence {}", check_in.confidence)
}

fn snapshot(item: &Item, check_in: &CheckIn) -> serde_json::Value {
    json!({
        "check_in_id": check_in.id,
        "reported": reported(item, check_in),
        "effective_on": check_in.effective_on.to_string(),
        "value": check_in.value.map(Number::to_stored),
        "done": check_in.done,
        "confidence": check_in.confidence,
        "note": check_in.note,
    })
}

fn load_live(conn: &mut AnyConnection, id: &str) -> Result<CheckIn, OkrError> {
    Ok(check_ins::table
        .find(id)
        .filter(check_ins::deleted_at.is_null())
        .select(CheckIn::as_select())
        .first(conn)?)
}

fn latest_live(conn: &mut AnyConnection, item_id: &str) -> QueryResult<Option<CheckIn>> {
    check_ins::table
        .filter(check_ins::item_id.eq(item_id))
        .filter(check_ins::deleted_at.is_null())
        .order((check_ins::effective_on.desc(), check_ins::created_at.desc()))
        .select(CheckIn::as_select())
        .first(conn)
        .optional()
}

/// Keeps the item's latest reading in step with its live check-ins, then its progress.
fn refresh_item(conn: &mut AnyConnection, item_id: &str) -> Result<(), OkrError> {
    let latest = latest_live(conn, item_id)?;
    diesel::update(okr_items::table.find(item_id))
        .set((
            okr_items::current_value
                .eq(latest.as_ref().and_then(|c| c.value).map(Number::to_stored)),
            okr_items::current_done.eq(latest.as_ref().and_then(|c| c.done)),
            okr_items::last_check_in_on.eq(latest.as_ref().map(|c| c.effective_on)),
            okr_items::last_confidence.eq(latest.as_ref().map(|c| c.confidence)),
        ))
        .execute(conn)?;
    recompute_up(conn, Some(item_id))
}

/// A visible check-in with its item, for changing it.
fn check_in_of(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<(CheckIn, Item), OkrError> {
    let check_in = load_live(conn, id)?;
    if check_in.workspace_id != viewer.workspace_id {
        return Err(OkrError::NotFound);
    }
    scope::check_item(conn, viewer, &check_in.item_id)?;
    let item = load(conn, &check_in.item_id)?;
    if item.deleted_at.is_some() {
        return Err(OkrError::NotFound);
    }
    Ok((check_in, item))
}

/// Whether the author may still change this check-in: their own, the item's latest, within
/// 24 hours of writing it.
fn author_may_change(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    check_in: &CheckIn,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    Ok(check_in.author_user_id == viewer.user_id
        && within_edit_window(check_in.created_at, now)
        && latest_live(conn, &check_in.item_id)?.is_some_and(|latest| latest.id == check_in.id))
}

/// An objective or key result the viewer may check in on (what the check-in form opens).
pub fn checkable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
) -> Result<Item, OkrError> {
    let item = editable(conn, viewer, item_id)?;
    if !item.takes_check_ins() {
        return Err(OkrError::Refused(
            "Actions take no check-ins; change their status instead.".into(),
        ));
    }
    Ok(item)
}

/// A check-in the viewer may still change, with its item (what the edit form opens).
pub fn changeable(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    check_in_id: &str,
    now: NaiveDateTime,
) -> Result<(CheckIn, Item), OkrError> {
    viewer.require_writable()?;
    let (check_in, item) = check_in_of(conn, viewer, check_in_id)?;
    crate::cycles::require_open(conn, item.cycle_id.as_deref())?;
    if !author_may_change(conn, viewer, &check_in, now)? {
        return Err(OkrError::CheckInLocked);
    }
    Ok((check_in, item))
}

/// Records a check-in on an objective or key result the viewer may edit.
pub fn add(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    item_id: &str,
    draft: CheckInDraft,
    now: NaiveDateTime,
) -> Result<CheckIn, OkrError> {
    db::write_transaction(conn, |conn| {
        lock_workspace(conn, viewer)?;
        let item = checkable(conn, viewer, item_id)?;
        let reading = reading(&item, &draft)?;
        let effective_on = checked_day(&draft, now.date())?;
        let id = db::new_id();
        diesel::insert_into(check_ins::table)
            .values((
                check_ins::id.eq(&id),
                check_ins::organization_id.eq(&viewer.organization_id),
                check_ins::workspace_id.eq(&viewer.workspace_id),
                check_ins::item_id.eq(item_id),
                check_ins::author_user_id.eq(&actor.user_id),
                check_ins::effective_on.eq(effective_on),
                check_ins::value.eq(reading.value.map(Number::to_stored)),
                check_ins::done.eq(reading.done),
                check_ins::confidence.eq(draft.confidence.value()),
                check_ins::note.eq(&draft.note),
                check_ins::created_at.eq(now),
                check_ins::updated_at.eq(now),
            ))
            .execute(conn)?;
        refresh_item(conn, item_id)?;
        let check_in = load_live(conn, &id)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "check_in.created",
            None,
            Some(snapshot(&item, &check_in)),
        )?;
        let on_your_item = Event {
            kind: NotificationKind::CheckIn,
            organization_id: item.organization_id.clone(),
            workspace_id: Some(item.workspace_id.clone()),
            item_id: Some(item.id.clone()),
            comment_id: None,
            actor_user_id: Some(actor.user_id.clone()),
            recipient_user_ids: vec![item.owner_user_id.clone()],
        };
        notifications::notify(conn, &on_your_item, now)?;
        Ok(check_in)
    })
}

/// Changes the author's latest check-in within 24 hours of writing it.
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    check_in_id: &str,
    draft: CheckInDraft,
    now: NaiveDateTime,
) -> Result<CheckIn, OkrError> {
    db::write_transaction(conn, |conn| {
        lock_workspace(conn, viewer)?;
        let (before, item) = changeable(conn, viewer, check_in_id, now)?;
        let reading = reading(&item, &draft)?;
        let effective_on = checked_day(&draft, now.date())?;
        diesel::update(check_ins::table.find(check_in_id))
            .set((
                check_ins::effective_on.eq(effective_on),
                check_ins::value.eq(reading.value.map(Number::to_stored)),
                check_ins::done.eq(reading.done),
                check_ins::confidence.eq(draft.confidence.value()),
                check_ins::note.eq(&draft.note),
                check_ins::updated_at.eq(now),
            ))
            .execute(conn)?;
        refresh_item(conn, &item.id)?;
        let after = load_live(conn, check_in_id)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "check_in.updated",
            Some(snapshot(&item, &before)),
            Some(snapshot(&item, &after)),
        )?;
        Ok(after)
    })
}

/// Deletes a check-in (softly): the author's latest within 24 hours, or any, for admins.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &Viewer,
    check_in_id: &str,
    now: NaiveDateTime,
) -> Result<(), OkrError> {
    db::write_transaction(conn, |conn| {
        viewer.require_writable()?;
        lock_workspace(conn, viewer)?;
        let (before, item) = check_in_of(conn, viewer, check_in_id)?;
        crate::cycles::require_open(conn, item.cycle_id.as_deref())?;
        if !viewer.is_admin() && !author_may_change(conn, viewer, &before, now)? {
            return Err(OkrError::CheckInLocked);
        }
        diesel::update(check_ins::table.find(check_in_id))
            .set((
                check_ins::deleted_at.eq(now),
                check_ins::deleted_by_user_id.eq(&actor.user_id),
                check_ins::updated_at.eq(now),
            ))
            .execute(conn)?;
        refresh_item(conn, &item.id)?;
        record(
            conn,
            actor,
            viewer,
            &item,
            "check_in.deleted",
            Some(snapshot(&item, &before)),
            None,
        )?;
        Ok(())
    })
}

/// The workspace a check-in belongs to (live or deleted), so a request that names only the
/// check-in can check the caller's access to that workspace first.
pub fn workspace_of(conn: &mut AnyConnection, check_in_id: &str) -> Result<String, OkrError> {
    Ok(check_ins::table
        .find(check_in_id)
        .select(check_ins::workspace_id)
        .first(conn)?)
}

/// One visible check-in.
pub fn get(conn: &mut AnyConnection, viewer: &Viewer, id: &str) -> Result<CheckIn, OkrError> {
    Ok(check_in_of(conn, viewer, id)?.0)
}

/// An item's live check-ins, newest first, with what the viewer may do to each.
pub fn history(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    now: NaiveDateTime,
) -> Result<Vec<CheckInEntry>, OkrError> {
    scope::check_item(conn, viewer, item_id)?;
    let rows: Vec<(CheckIn, String)> = check_ins::table
        .inner_join(users::table.on(users::id.eq(check_ins::author_user_id)))
        .filter(check_ins::item_id.eq(item_id))
        .filter(check_ins::deleted_at.is_null())
        .order((check_ins::effective_on.desc(), check_ins::created_at.desc()))
        .select((CheckIn::as_select(), users::name))
        .load(conn)?;
    let cycle_id = load(conn, item_id)?.cycle_id;
    let writable = viewer.require_writable().is_ok()
        && crate::cycles::require_open(conn, cycle_id.as_deref()).is_ok();
    let latest_id = rows.first().map(|(c, _)| c.id.clone());
    Ok(rows
        .into_iter()
        .map(|(check_in, author_name)| {
            let authors_latest = check_in.author_user_id == viewer.user_id
                && latest_id.as_deref() == Some(check_in.id.as_str())
                && within_edit_window(check_in.created_at, now);
            CheckInEntry {
                can_edit: writable && authors_latest,
                can_delete: writable && (authors_latest || viewer.is_admin()),
                author_name,
                check_in,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_zero_to_ten() {
        assert!(Confidence::new(11).is_err() && Confidence::new(-1).is_err());
        assert_eq!(Confidence::parse(" 7 ").map(Confidence::value), Ok(7));
        assert_eq!(
            Confidence::parse("seven").err().map(|e| e.field),
            Some("confidence")
        );
    }

    #[test]
    fn notes_and_days_are_checked_as_typed() {
        assert_eq!(note("  "), Ok(None));
        assert!(note(&"x".repeat(NOTE_MAX + 1)).is_err());
        assert_eq!(effective_on(""), Ok(None));
        assert_eq!(
            effective_on("2027-13-01").err().map(|e| e.field),
            Some("effective_on")
        );
    }
}
