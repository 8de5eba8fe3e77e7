//! Random worlds for the privacy fuzz test, and storing them: one organization and one
//! workspace per seed, so org roles (owner, admin, removed, outsider) vary per world too.
//! Rows go straight into the database; only the org itself is made over HTTP by its owner.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::json;

use cairn::schema::{
    check_ins, item_activity_log, okr_item_assignees, okr_items, okr_links, org_members,
    workspace_memberships, workspaces,
};

/// Words titles and descriptions are made of, so searches have something to find. None is
/// part of another, nor of an item's token.
pub const WORDS: &[&str] = &["apple", "river", "stone", "cloud", "ember", "maple"];

/// Someone who can sign in; person 0 created every organization (its owner).
pub struct Person {
    pub user_id: String,
    pub email: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OrgRole {
    /// Signed in, never in this organization.
    Outsider,
    /// Was a member: the org row is gone, the workspace membership inactive.
    Removed,
    Member,
    Admin,
    Owner,
}

#[derive(Clone, Copy, Debug)]
pub struct Membership {
    pub admin: bool,
    pub active: bool,
    /// A person with a membership of this workspace (active or not), earlier in the list.
    pub manager: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
pub struct Standing {
    pub org: OrgRole,
    pub workspace: Option<Membership>,
}

pub struct Item {
    pub id: String,
    pub parent: Option<usize>,
    pub item_type: &'static str,
    pub owner: usize,
    pub assignees: Vec<usize>,
    /// The deletion (1, 2, …, in order) that took this item to the trash.
    pub deleted_in: Option<u32>,
    /// Whether this item was the one deleted (a top of the trash) rather than taken along.
    pub deletion_target: bool,
    pub title: String,
    pub description: Option<String>,
    pub due: bool,
}

impl Item {
    pub fn live(&self) -> bool {
        self.deleted_in.is_none()
    }
}

pub struct Link {
    pub id: String,
    pub from: usize,
    pub to: usize,
    pub deleted: bool,
}

/// A check-in on an objective or key result, live or deleted.
pub struct CheckIn {
    pub id: String,
    pub item: usize,
    pub author: usize,
    pub deleted: bool,
    pub confidence: i32,
    /// Days before today that it speaks for.
    pub days_ago: i64,
    /// In its note only (never in the activity log), so a page that shows check-ins can be
    /// read by it, and a leak of a hidden one shows anywhere.
    pub token: String,
}

pub struct Activity {
    pub id: String,
    pub item: usize,
    /// Other items the row names (a former parent, a link's other end).
    pub referenced: Vec<usize>,
    /// The check-in this row records (`check_in.created`, naming it by id).
    pub check_in: Option<usize>,
}

pub struct World {
    pub seed: u64,
    pub open: bool,
    /// Indexed like the people.
    pub standings: Vec<Standing>,
    pub items: Vec<Item>,
    pub links: Vec<Link>,
    pub check_ins: Vec<CheckIn>,
    pub activity: Vec<Activity>,
}

fn uuid(rng: &mut StdRng) -> String {
    uuid::Uuid::from_u128(rng.gen()).to_string()
}

fn words(rng: &mut StdRng, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| (*WORDS.choose(rng).expect("words")).to_owned())
        .collect()
}

pub fn generate(rng: &mut StdRng, seed: u64, people: usize) -> World {
    let open = rng.gen_bool(0.4);
    let mut standings = vec![Standing {
        org: OrgRole::Owner,
        workspace: None,
    }];
    for index in 1..people {
        let org = match rng.gen_range(0..20) {
            0..=1 => OrgRole::Outsider,
            2..=3 => OrgRole::Removed,
            4..=5 => OrgRole::Admin,
            6 => OrgRole::Owner,
            _ => OrgRole::Member,
        };
        let with_manager = |rng: &mut StdRng, standings: &[Standing]| {
            let earlier: Vec<usize> = (0..index)
                .filter(|&p| standings[p].workspace.is_some())
                .collect();
            (!earlier.is_empty() && rng.gen_bool(0.6))
                .then(|| *earlier.choose(rng).expect("earlier"))
        };
        let workspace = match org {
            OrgRole::Outsider => None,
            OrgRole::Removed => Some(Membership {
                admin: rng.gen_bool(0.2),
                active: false,
                manager: with_manager(rng, &standings),
            }),
            _ if rng.gen_bool(0.8) => Some(Membership {
                admin: rng.gen_bool(0.15),
                active: rng.gen_bool(0.8),
                manager: with_manager(rng, &standings),
            }),
            _ => None,
        };
        standings.push(Standing { org, workspace });
    }
    // Owners and assignees: anyone who is or was in the workspace, and org admins.
    let workers: Vec<usize> = (0..people)
        .filter(|&p| {
            standings[p].workspace.is_some()
                || matches!(standings[p].org, OrgRole::Admin | OrgRole::Owner)
        })
        .collect();

    let mut items: Vec<Item> = Vec::new();
    for n in 0..rng.gen_range(1..=14) {
        let parent =
            (!items.is_empty() && rng.gen_bool(0.75)).then(|| rng.gen_range(0..items.len()));
        let item_type = match parent.map(|p| items[p].item_type) {
            None => "objective",
            Some("objective") if rng.gen_bool(0.3) => "objective",
            Some("objective") => "key_result",
            Some("key_result") => "action",
            Some(_) => continue,
        };
        let mut title = words(rng, 2);
        // Mixed case, so searches prove they ignore it.
        title[0] = title[0].to_uppercase();
        let description_words = rng.gen_range(0..=2);
        items.push(Item {
            id: uuid(rng),
            parent,
            item_type,
            owner: *workers.choose(rng).expect("workers"),
            assignees: workers
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.12))
                .collect(),
            deleted_in: None,
            deletion_target: false,
            title: format!("{} Zs{seed}n{n}Z", title.join(" ")),
            description: (description_words > 0).then(|| words(rng, description_words).join(" ")),
            due: rng.gen_bool(0.5),
        });
    }
    // Deletions one after another, each taking the live subtree with it. Item 0 stays, so
    // the workspace is never empty.
    for event in 1..=rng.gen_range(0..=3u32) {
        let target = rng.gen_range(0..items.len());
        if target == 0 || !items[target].live() {
            continue;
        }
        items[target].deletion_target = true;
        let mut stack = vec![target];
        while let Some(index) = stack.pop() {
            items[index].deleted_in = Some(event);
            stack.extend(
                (0..items.len()).filter(|&c| items[c].parent == Some(index) && items[c].live()),
            );
        }
    }

    let mut links: Vec<Link> = Vec::new();
    if items.len() > 1 {
        for _ in 0..rng.gen_range(0..=5) {
            let (from, to) = (rng.gen_range(0..items.len()), rng.gen_range(0..items.len()));
            let taken = links
                .iter()
                .any(|l| (l.from, l.to) == (from, to) || (l.from, l.to) == (to, from));
            if from != to && !taken {
                links.push(Link {
                    id: uuid(rng),
                    from,
                    to,
                    deleted: rng.gen_bool(0.2),
                });
            }
        }
    }

    // Check-ins on live and trashed objectives and key results, by anyone who worked here.
    let mut check_ins: Vec<CheckIn> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if item.item_type == "action" {
            continue;
        }
        for _ in 0..rng.gen_range(0..=3) {
            let n = check_ins.len();
            check_ins.push(CheckIn {
                id: uuid(rng),
                item: index,
                author: *workers.choose(rng).expect("workers"),
                deleted: rng.gen_bool(0.2),
                confidence: rng.gen_range(0..=10),
                days_ago: rng.gen_range(0..30),
                token: format!("Ck{seed}q{n}K"),
            });
        }
    }

    let mut activity: Vec<Activity> = Vec::new();
    for (n, check_in) in check_ins.iter().enumerate() {
        activity.push(Activity {
            id: uuid(rng),
            item: check_in.item,
            referenced: Vec::new(),
            check_in: Some(n),
        });
    }
    for index in 0..items.len() {
        activity.push(Activity {
            id: uuid(rng),
            item: index,
            referenced: Vec::new(),
            check_in: None,
        });
        // A move from some other item: the row names both parents.
        if let Some(parent) = items[index].parent {
            if rng.gen_bool(0.3) {
                let former = rng.gen_range(0..items.len());
                activity.push(Activity {
                    id: uuid(rng),
                    item: index,
                    referenced: vec![former, parent],
                    check_in: None,
                });
            }
        }
    }
    for link in &links {
        activity.push(Activity {
            id: uuid(rng),
            item: link.from,
            referenced: vec![link.to],
            check_in: None,
        });
    }
    World {
        seed,
        open,
        standings,
        items,
        links,
        check_ins,
        activity,
    }
}

pub fn privacy_mode(open: bool) -> &'static str {
    if open {
        "option_1"
    } else {
        "option_2"
    }
}

/// Puts the world into the organization; returns the workspace's (id, slug).
pub fn store(
    conn: &mut cairn::db::AnyConnection,
    org_id: &str,
    world: &World,
    people: &[Person],
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
                okr_items::action_status.eq((item.item_type == "action").then_some("pending")),
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
    (ws_id, ws_slug)
}
