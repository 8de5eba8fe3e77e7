//! Storing a random world: rows go straight into the database; only the organization itself
//! is made over HTTP by its owner.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use cairn::schema::{
    check_ins, comments, cycles, item_activity_log, notifications, okr_item_assignees, okr_items,
    okr_links, org_members, workspace_memberships, workspaces,
};

use super::world::{privacy_mode, OrgRole, Person, World};

/// Puts the world into the organization, its cycles around `today` (the app's); returns
/// the workspace's (id, slug).
pub fn save(
    conn: &mut cairn::db::AnyConnection,
    org_id: &str,
    world: &World,
    people: &[Person],
    today: NaiveDate,
) -> (String, String) {
    let now = cairn::db::now();
    let at = |event: u32| now - Duration::minutes(60) + Duration::minutes(i64::from(event));
    let seed = world.seed;
    let ws_id = uuid::Uuid::from_u128(u128::from(seed) + 1).to_string();
    let ws_slug = format!("fuzz-{seed}");
    let user = |p: usize| people[p].user_id.as_str();
    diesel::insert_into(workspaces::table)
        .values((
            workspaces::id.eq(&ws_id),
            workspaces::organization_id.eq(org_id),
            workspaces::name.eq(format!("Fuzz {seed}")),
            workspaces::slug.eq(&ws_slug),
            workspaces::privacy_mode.eq(privacy_mode(world.open)),
            workspaces::created_by_user_id.eq(user(0)),
            workspaces::created_at.eq(now),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("workspace");
    for (person, standing) in world.standings.iter().enumerate() {
        let role = match standing.org {
            OrgRole::Member => Some("member"),
            OrgRole::Admin => Some("admin"),
            // Person 0 is the owner already, having created the organization.
            OrgRole::Owner if person > 0 => Some("owner"),
            _ => None,
        };
        if let Some(role) = role {
            diesel::insert_into(org_members::table)
                .values((
                    org_members::id.eq(format!("om-{seed}-{person}")),
                    org_members::organization_id.eq(org_id),
                    org_members::user_id.eq(user(person)),
                    org_members::role.eq(role),
                    org_members::created_at.eq(now),
                    org_members::updated_at.eq(now),
                ))
                .execute(conn)
                .expect("org member");
        }
        if let Some(membership) = standing.workspace {
            diesel::insert_into(workspace_memberships::table)
                .values((
                    workspace_memberships::id.eq(format!("wm-{seed}-{person}")),
                    workspace_memberships::organization_id.eq(org_id),
                    workspace_memberships::workspace_id.eq(&ws_id),
                    workspace_memberships::user_id.eq(user(person)),
                    workspace_memberships::role.eq(if membership.admin {
                        "workspace_admin"
                    } else {
                        "workspace_user"
                    }),
                    workspace_memberships::manager_user_id.eq(membership.manager.map(user)),
                    workspace_memberships::active.eq(membership.active),
                    workspace_memberships::created_at.eq(now),
                    workspace_memberships::updated_at.eq(now),
                ))
                .execute(conn)
                .expect("membership");
        }
    }
    for (n, cycle) in world.cycles.iter().enumerate() {
        let closed = (cycle.state == "closed").then_some(now);
        diesel::insert_into(cycles::table)
            .values((
                cycles::id.eq(&cycle.id),
                cycles::organization_id.eq(org_id),
                cycles::name.eq(format!("Cycle {n}")),
                cycles::start_date.eq(today + Duration::days(cycle.start)),
                cycles::end_date.eq(today + Duration::days(cycle.end)),
                cycles::state.eq(cycle.state),
                cycles::created_by_user_id.eq(user(0)),
                cycles::closed_at.eq(closed),
                cycles::closed_by_user_id.eq(closed.map(|_| user(0))),
                cycles::created_at.eq(now),
                cycles::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("cycle");
    }
    for (index, item) in world.items.iter().enumerate() {
        let deleted_at: Option<NaiveDateTime> = item.deleted_in.map(at);
        let due = item
            .due
            .then(|| now.date() + Duration::days(index as i64 * 3 - 10));
        diesel::insert_into(okr_items::table)
            .values((
                okr_items::id.eq(&item.id),
                okr_items::organization_id.eq(org_id),
                okr_items::workspace_id.eq(&ws_id),
                okr_items::item_type.eq(item.item_type),
                okr_items::title.eq(&item.title),
                okr_items::description.eq(&item.description),
                okr_items::owner_user_id.eq(user(item.owner)),
                okr_items::parent_id.eq(item.parent.map(|p| world.items[p].id.clone())),
                okr_items::cycle_id.eq(item.cycle.map(|c| world.cycles[c].id.clone())),
                okr_items::action_status.eq((item.item_type == "action").then_some("pending")),
                okr_items::story_points.eq((item.item_type == "action")
                    .then(|| super::skill_paths::points(index).to_string())),
                okr_items::due_date.eq(due),
                okr_items::progress_computed.eq(0.0),
                okr_items::sort_order.eq(index as i32),
                okr_items::deleted_at.eq(deleted_at),
                okr_items::deleted_by_user_id.eq(deleted_at.map(|_| user(0))),
                okr_items::created_at.eq(now),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("item");
        for &person in &item.assignees {
            diesel::insert_into(okr_item_assignees::table)
                .values((
                    okr_item_assignees::item_id.eq(&item.id),
                    okr_item_assignees::user_id.eq(user(person)),
                    okr_item_assignees::organization_id.eq(org_id),
                    okr_item_assignees::workspace_id.eq(&ws_id),
                    okr_item_assignees::created_at.eq(now),
                ))
                .execute(conn)
                .expect("assignee");
        }
    }
    for link in &world.links {
        diesel::insert_into(okr_links::table)
            .values((
                okr_links::id.eq(&link.id),
                okr_links::organization_id.eq(org_id),
                okr_links::workspace_id.eq(&ws_id),
                okr_links::from_item_id.eq(&world.items[link.from].id),
                okr_links::to_item_id.eq(&world.items[link.to].id),
                okr_links::link_type.eq("objective_relation"),
                okr_links::deleted_at.eq(link.deleted.then_some(now)),
                okr_links::created_at.eq(now),
                okr_links::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("link");
    }
    for check_in in &world.check_ins {
        let written = now - Duration::days(check_in.days_ago);
        diesel::insert_into(check_ins::table)
            .values((
                check_ins::id.eq(&check_in.id),
                check_ins::organization_id.eq(org_id),
                check_ins::workspace_id.eq(&ws_id),
                check_ins::item_id.eq(&world.items[check_in.item].id),
                check_ins::author_user_id.eq(user(check_in.author)),
                check_ins::effective_on.eq(written.date()),
                check_ins::confidence.eq(check_in.confidence),
                check_ins::note.eq(format!("{} on the way", check_in.token)),
                check_ins::created_at.eq(written),
                check_ins::updated_at.eq(written),
                check_ins::deleted_at.eq(check_in.deleted.then_some(now)),
                check_ins::deleted_by_user_id.eq(check_in.deleted.then(|| user(0))),
            ))
            .execute(conn)
            .expect("check-in");
    }
    for comment in &world.comments {
        diesel::insert_into(comments::table)
            .values((
                comments::id.eq(&comment.id),
                comments::organization_id.eq(org_id),
                comments::workspace_id.eq(&ws_id),
                comments::item_id.eq(&world.items[comment.item].id),
                comments::author_user_id.eq(user(comment.author)),
                comments::body.eq(format!(
                    "{} for @[Person {}](user:{})",
                    comment.token,
                    comment.mentioned,
                    user(comment.mentioned)
                )),
                comments::mentioned_user_ids.eq(json!([user(comment.mentioned)]).to_string()),
                comments::deleted_at.eq(comment.deleted.then_some(now)),
                comments::created_at.eq(now),
                comments::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("comment");
    }
    for (n, row) in world.activity.iter().enumerate() {
        let item = &world.items[row.item];
        let id_of = |i: usize| world.items[i].id.clone();
        let (action, before, after) = match (row.check_in, row.referenced.as_slice()) {
            (Some(c), _) => (
                "check_in.created",
                None,
                Some(json!({
                    "check_in_id": world.check_ins[c].id,
                    "reported": format!("confidence {}", world.check_ins[c].confidence),
                    "confidence": world.check_ins[c].confidence,
                })),
            ),
            (None, []) => (
                "item.created",
                None,
                Some(json!({ "item_type": item.item_type })),
            ),
            (None, [to]) => (
                "link.added",
                None,
                Some(json!({ "linked_item_id": id_of(*to) })),
            ),
            (None, [former, parent, ..]) => (
                "item.moved",
                Some(json!({ "parent_id": id_of(*former) })),
                Some(json!({ "parent_id": id_of(*parent) })),
            ),
        };
        diesel::insert_into(item_activity_log::table)
            .values((
                item_activity_log::id.eq(&row.id),
                item_activity_log::organization_id.eq(org_id),
                item_activity_log::workspace_id.eq(&ws_id),
                item_activity_log::item_type.eq(item.item_type),
                item_activity_log::item_id.eq(&item.id),
                item_activity_log::action_type.eq(action),
                item_activity_log::actor_user_id.eq(user(item.owner)),
                item_activity_log::before_json.eq(before.map(|j| j.to_string())),
                item_activity_log::after_json.eq(after.map(|j| j.to_string())),
                item_activity_log::request_id.eq("fuzz"),
                item_activity_log::created_at.eq(now + Duration::seconds(n as i64)),
            ))
            .execute(conn)
            .expect("activity");
    }
    // Only this world's notifications, so a person's inbox (which spans organizations) is
    // this world's alone.
    diesel::delete(notifications::table)
        .execute(conn)
        .expect("earlier notifications");
    for (n, note) in world.notifications.iter().enumerate() {
        diesel::insert_into(notifications::table)
            .values((
                notifications::id.eq(&note.id),
                notifications::user_id.eq(user(note.recipient)),
                notifications::organization_id.eq(org_id),
                notifications::workspace_id.eq(&ws_id),
                notifications::item_id.eq(&world.items[note.item].id),
                notifications::actor_user_id.eq(user(0)),
                notifications::kind.eq("check_in"),
                notifications::read_at.eq(note.read.then_some(now)),
                notifications::created_at.eq(now - Duration::seconds(n as i64)),
            ))
            .execute(conn)
            .expect("notification");
    }
    (ws_id, ws_slug)
}
