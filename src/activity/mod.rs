//! The activity log (`item_activity_log`): who changed what, when, with before/after JSON and
//! the id of the HTTP request that did it (the same id appears in the logs).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use crate::db::{self, AnyConnection};
use crate::schema::{item_activity_log, users};

/// Who is acting, and in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub request_id: String,
}

/// What an activity row is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub organization_id: &'a str,
    pub workspace_id: Option<&'a str>,
    pub kind: &'static str,
    pub id: &'a str,
}

pub fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: Subject<'_>,
    action_type: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> QueryResult<()> {
    diesel::insert_into(item_activity_log::table)
        .values((
            item_activity_log::id.eq(db::new_id()),
            item_activity_log::organization_id.eq(subject.organization_id),
            item_activity_log::workspace_id.eq(subject.workspace_id),
            item_activity_log::item_type.eq(subject.kind),
            item_activity_log::item_id.eq(subject.id),
            item_activity_log::action_type.eq(action_type),
            item_activity_log::actor_user_id.eq(&actor.user_id),
            item_activity_log::before_json.eq(before.map(|v| v.to_string())),
            item_activity_log::after_json.eq(after.map(|v| v.to_string())),
            item_activity_log::request_id.eq(&actor.request_id),
            item_activity_log::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Like `record`, but a row of the same kind by the same person on the same subject written
/// within `within` is extended instead (its `after` becomes this one's): a run of board moves
/// is one row, from the first place to the last.
pub fn record_or_extend(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: Subject<'_>,
    action_type: &str,
    (before, after): (Option<Value>, Option<Value>),
    within: chrono::Duration,
) -> QueryResult<()> {
    let now = db::now();
    let latest: Option<(String, String, String, NaiveDateTime)> = item_activity_log::table
        .filter(item_activity_log::item_type.eq(subject.kind))
        .filter(item_activity_log::item_id.eq(subject.id))
        .order((
            item_activity_log::created_at.desc(),
            item_activity_log::id.desc(),
        ))
        .select((
            item_activity_log::id,
            item_activity_log::action_type,
            item_activity_log::actor_user_id,
            item_activity_log::created_at,
        ))
        .first(conn)
        .optional()?;
    match latest {
        Some((id, action, actor_id, at))
            if action == action_type && actor_id == actor.user_id && at >= now - within =>
        {
            diesel::update(item_activity_log::table.find(id))
                .set((
                    item_activity_log::after_json.eq(after.map(|v| v.to_string())),
                    item_activity_log::request_id.eq(&actor.request_id),
                    item_activity_log::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        }
        _ => record(conn, actor, subject, action_type, before, after),
    }
}

/// One field that changed, for a readable history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub id: String,
    pub item_id: String,
    /// Other items the row mentions (`parent_id`, `linked_item_id`, before or after).
    pub referenced_ids: Vec<String>,
    pub action_type: String,
    pub actor_user_id: String,
    pub actor_name: String,
    pub created_at: NaiveDateTime,
    pub request_id: String,
    pub changes: Vec<FieldChange>,
    /// The recorded states, for machines (the API); `changes` is the readable form.
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The title of the other item a row names (a link's other end, the parent a move put
    /// it under), filled in by a reader who may see it.
    pub other_title: Option<String>,
}

/// The product's word for a stored value of a field ("option_2" of `privacy_mode` reads
/// "Need-to-know"), from the modules that own the values; `None` keeps the value as stored.
pub type Words = fn(field: &str, stored: &str) -> Option<&'static str>;

fn show(field: &str, value: Option<&Value>, words: Words) -> String {
    if let Some(word) = value.and_then(Value::as_str).and_then(|v| words(field, v)) {
        return word.to_owned();
    }
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) if s.is_empty() => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.is_empty() => "—".to_owned(),
        Some(Value::Bool(true)) => "yes".to_owned(),
        Some(Value::Bool(false)) => "no".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| show(field, Some(v), words))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields whose shown values differ between two JSON objects, in a stable order (a
/// field that is missing and one that is empty read the same). Id fields are for machines;
/// their readable twins (names, titles) are what a person sees.
pub fn diff(before: Option<&Value>, after: Option<&Value>, words: Words) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        // `reported` is a check-in's summary, already said in words by `summary()`.
        .filter(|field| !field.ends_with("_id") && !field.ends_with("_ids") && *field != "reported")
        .map(|field| FieldChange {
            field: field.replace('_', " "),
            before: show(field, before.get(field), words),
            after: show(field, after.get(field), words),
        })
        .filter(|change| change.before != change.after)
        .collect()
}

impl ActivityEntry {
    /// The other item a link row names.
    pub fn linked_item_id(&self) -> Option<&str> {
        [&self.after, &self.before]
            .into_iter()
            .flatten()
            .find_map(|state| state.get("linked_item_id").and_then(Value::as_str))
    }

    /// The other item a row names: a link's other end, or the parent a move put it under.
    pub fn other_item_id(&self) -> Option<&str> {
        match self.action_type.as_str() {
            "item.moved" => self.after.as_ref()?.get("parent_id")?.as_str(),
            _ => self.linked_item_id(),
        }
    }

    /// What happened, in words.
    pub fn summary(&self) -> std::borrow::Cow<'_, str> {
        // A check-in says what it reported: "checked in 12 deals, confidence 6".
        let reported = |verb: &str, state: &Option<Value>| {
            let said = state
                .as_ref()
                .and_then(|s| s.get("reported"))
                .and_then(Value::as_str)
                .unwrap_or("");
            std::borrow::Cow::Owned(format!("{verb} {said}").trim_end().to_owned())
        };
        match (self.action_type.as_str(), &self.other_title) {
            ("item.linked", Some(title)) => return format!("linked it to “{title}”").into(),
            ("item.unlinked", Some(title)) => {
                return format!("removed the link to “{title}”").into()
            }
            ("item.moved", Some(title)) => return format!("moved it under “{title}”").into(),
            ("item.moved", None) if self.other_item_id().is_none() && self.after.is_some() => {
                return "moved it to the top level".into()
            }
            _ => {}
        }
        match self.action_type.as_str() {
            "check_in.created" => return reported("checked in", &self.after),
            "check_in.updated" => return reported("changed a check-in to", &self.after),
            "check_in.deleted" => return reported("deleted a check-in of", &self.before),
            _ => {}
        }
        std::borrow::Cow::Borrowed(match self.action_type.as_str() {
            "organization.created" => "created the organization",
            "organization.settings_updated" => "changed the settings",
            "organization.profile_filled" => "filled the profile from the website",
            "organization.archived" => "archived the organization",
            "organization.unarchived" => "unarchived the organization",
            "org_member.role_changed" => "changed a member's role",
            "org_member.removed" => "removed a member",
            "workspace.created" => "created the workspace",
            "workspace.settings_updated" => "changed the workspace settings",
            "workspace.archived" => "archived the workspace",
            "workspace.unarchived" => "unarchived the workspace",
            "workspace_membership.added" => "added a member",
            "workspace_membership.updated" => "changed a membership",
            "org_invite.created" => "invited someone",
            "org_invite.resent" => "sent an invite again",
            "org_invite.revoked" => "withdrew an invite",
            "org_invite.accepted" => "accepted an invite",
            "item.created" => "created it",
            "item.updated" => "changed it",
            "item.deleted" => "moved it to the trash",
            "item.restored" => "restored it",
            "item.moved" => "moved it",
            "item.reordered" => "reordered it",
            "item.positioned" => "moved it on the board",
            "item.linked" => "linked it",
            "item.unlinked" => "removed a link",
            "comment.created" => "commented",
            "comment.updated" => "changed a comment",
            "comment.deleted" => "deleted a comment",
            "workspace.check_in_cadence_changed" => "changed the check-in cadence",
            "organization.fiscal_year_changed" => "changed the fiscal year",
            "cycle.created" => "created a cycle",
            "cycle.updated" => "changed a cycle",
            "cycle.activated" => "activated a cycle",
            "cycle.closed" => "closed a cycle",
            "cycle.reopened" => "reopened a cycle",
            "member.skills_updated" => "changed the skills",
            other => other,
        })
    }
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    String,
    Option<String>,
    Option<String>,
);

fn entries(rows: Vec<Row>, words: Words) -> Vec<ActivityEntry> {
    let parse = |raw: Option<String>| raw.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    rows.into_iter()
        .map(
            |(
                id,
                item_id,
                action_type,
                actor_user_id,
                actor_name,
                created_at,
                request_id,
                before,
                after,
            )| {
                let (before, after) = (parse(before), parse(after));
                let changes = diff(before.as_ref(), after.as_ref(), words);
                let referenced_ids = [&before, &after]
                    .into_iter()
                    .flatten()
                    .flat_map(|json| {
                        ["parent_id", "linked_item_id"]
                            .map(|key| json.get(key).and_then(Value::as_str))
                    })
                    .flatten()
                    .map(str::to_owned)
                    .collect();
                ActivityEntry {
                    id,
                    item_id,
                    referenced_ids,
                    action_type,
                    actor_user_id,
                    actor_name,
                    created_at,
                    request_id,
                    changes,
                    before,
                    after,
                    other_title: None,
                }
            },
        )
        .collect()
}

/// Which history to show.
#[derive(Debug, Clone, Copy)]
pub enum History<'a> {
    /// An organization's settings and members (not its workspaces).
    Organization(&'a str),
    /// A workspace's settings and memberships (items have their own history).
    Workspace(&'a str),
    /// One item's history (the caller has checked the viewer may see the item).
    Item(&'a str),
    /// Changes to a workspace's items, newest first (the caller filters them by `scope`).
    WorkspaceItems(&'a str),
    /// One member's skills in a workspace: (workspace id, user id).
    MemberSkills(&'a str, &'a str),
}

/// Where a page of history starts: strictly older than this row (the keyset of the order).
#[derive(Debug, Clone)]
pub struct Older {
    pub created_at: NaiveDateTime,
    pub id: String,
}

/// The row `id` of a workspace's log as a place to page from; `None` when there is no such
/// row there.
pub fn older_than(
    conn: &mut AnyConnection,
    workspace_id: &str,
    id: &str,
) -> QueryResult<Option<Older>> {
    item_activity_log::table
        .filter(item_activity_log::id.eq(id))
        .filter(item_activity_log::workspace_id.eq(workspace_id))
        .select(item_activity_log::created_at)
        .first(conn)
        .optional()
        .map(|at| {
            at.map(|created_at| Older {
                created_at,
                id: id.to_owned(),
            })
        })
}

/// The newest `limit` rows of `history`, their changes in `words`.
pub fn recent(
    conn: &mut AnyConnection,
    history: History<'_>,
    limit: i64,
    words: Words,
) -> QueryResult<Vec<ActivityEntry>> {
    older(conn, history, None, limit, words)
}

/// The newest `limit` rows of `history` older than `start` (all rows without one).
pub fn older(
    conn: &mut AnyConnection,
    history: History<'_>,
    start: Option<&Older>,
    limit: i64,
    words: Words,
) -> QueryResult<Vec<ActivityEntry>> {
    let mut query = item_activity_log::table
        .inner_join(users::table.on(users::id.eq(item_activity_log::actor_user_id)))
        .into_boxed();
    if let Some(Older { created_at, id }) = start {
        query = query.filter(
            item_activity_log::created_at
                .lt(*created_at)
                .or(item_activity_log::created_at
                    .eq(*created_at)
                    .and(item_activity_log::id.lt(id.clone()))),
        );
    }
    let query = match history {
        History::Organization(id) => query
            .filter(item_activity_log::organization_id.eq(id))
            .filter(item_activity_log::workspace_id.is_null()),
        History::Workspace(id) => query
            .filter(item_activity_log::workspace_id.eq(id))
            .filter(item_activity_log::item_type.eq_any(["workspace", "workspace_membership"])),
        History::Item(id) => query.filter(item_activity_log::item_id.eq(id)),
        History::MemberSkills(workspace_id, user_id) => query
            .filter(item_activity_log::workspace_id.eq(workspace_id))
            .filter(item_activity_log::item_type.eq("member_skills"))
            .filter(item_activity_log::item_id.eq(user_id)),
        History::WorkspaceItems(id) => query
            .filter(item_activity_log::workspace_id.eq(id))
            .filter(item_activity_log::item_type.eq_any(["objective", "key_result", "action"])),
    };
    let rows = query
        .order((
            item_activity_log::created_at.desc(),
            item_activity_log::id.desc(),
        ))
        .limit(limit)
        .select((
            item_activity_log::id,
            item_activity_log::item_id,
            item_activity_log::action_type,
            item_activity_log::actor_user_id,
            users::name,
            item_activity_log::created_at,
            item_activity_log::request_id,
            item_activity_log::before_json,
            item_activity_log::after_json,
        ))
        .load::<Row>(conn)?;
    Ok(entries(rows, words))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields() {
        let before = json!({"name": "Acme", "website": null, "customer_names": ["A"]});
        let after = json!({"name": "Acme Inc", "website": null, "customer_names": ["A", "B"]});
        let changes = diff(Some(&before), Some(&after), |_, _| None);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "customer names".into(),
                    before: "A".into(),
                    after: "A, B".into()
                },
                FieldChange {
                    field: "name".into(),
                    before: "Acme".into(),
                    after: "Acme Inc".into()
                },
            ]
        );
        assert_eq!(
            diff(None, Some(&json!({"role": "admin"})), |_, _| None)[0].before,
            "—"
        );
        assert!(diff(
            None,
            Some(&json!({"website": null, "customer_names": []})),
            |_, _| None
        )
        .is_empty());
    }

    #[test]
    fn stored_values_read_in_the_words_given_and_others_as_stored() {
        let words: Words = |field, stored| {
            (field == "privacy_mode" && stored == "option_2").then_some("Need-to-know")
        };
        let changes = diff(
            Some(&json!({"privacy_mode": "option_1", "name": "option_2"})),
            Some(&json!({"privacy_mode": "option_2", "name": "Ops"})),
            words,
        );
        assert_eq!(
            changes[0].before, "option_2",
            "a name is not a privacy mode"
        );
        assert_eq!(
            changes[1].before, "option_1",
            "a value without a word stays"
        );
        assert_eq!(changes[1].after, "Need-to-know");
    }
}
