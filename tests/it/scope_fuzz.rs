//! A randomized differential test of the privacy rules: random workspaces (members, manager
//! forest, item trees, owners, assignees, deleted items, both modes), an obviously-correct
//! oracle written here, and every read path compared with it for every member.

use std::collections::{BTreeSet, HashMap};

use cairn::schema::{
    okr_item_assignees, okr_items, org_members, users, workspace_memberships, workspaces,
};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::{Browser, TestApp, PASSWORD};

const SEEDS: std::ops::Range<u64> = 0..24;

struct Member {
    user_id: String,
    email: String,
    admin: bool,
    manager: Option<usize>,
}

struct Item {
    id: String,
    parent: Option<usize>,
    owner: usize,
    assignees: Vec<usize>,
    deleted: bool,
    title: String,
}

struct World {
    open: bool,
    members: Vec<Member>,
    items: Vec<Item>,
}

/// The rules as DESIGN states them, computed the slow, plain way.
fn oracle(world: &World, viewer: usize) -> BTreeSet<String> {
    let live: Vec<&Item> = world.items.iter().filter(|i| !i.deleted).collect();
    if world.open || world.members[viewer].admin {
        return live.iter().map(|i| i.title.clone()).collect();
    }
    let reports_to = |person: usize, boss: usize| {
        let mut current = Some(person);
        while let Some(p) = current {
            if p == boss {
                return true;
            }
            current = world.members[p].manager;
        }
        false
    };
    let touched = |item: &Item| {
        std::iter::once(item.owner)
            .chain(item.assignees.iter().copied())
            .any(|person| reports_to(person, viewer))
    };
    let ancestors = |index: usize| {
        let mut chain = vec![index];
        let mut current = world.items[index].parent;
        while let Some(p) = current {
            chain.push(p);
            current = world.items[p].parent;
        }
        chain
    };
    let mut visible = BTreeSet::new();
    for (index, item) in world.items.iter().enumerate() {
        if item.deleted {
            continue;
        }
        let seen = world.items.iter().enumerate().any(|(other, candidate)| {
            !candidate.deleted
                && touched(candidate)
                && (ancestors(other).contains(&index) || ancestors(index).contains(&other))
        });
        if seen {
            visible.insert(item.title.clone());
        }
    }
    visible
}

fn generate(rng: &mut StdRng, seed: u64, people: &[(String, String)]) -> (World, Vec<String>) {
    let open = rng.gen_bool(0.3);
    let count = rng.gen_range(2..=people.len());
    let members: Vec<Member> = (0..count)
        .map(|i| Member {
            user_id: people[i].0.clone(),
            email: people[i].1.clone(),
            admin: rng.gen_bool(0.15),
            // Managers come earlier in the list: a forest, never a loop.
            manager: (i > 0 && rng.gen_bool(0.6)).then(|| rng.gen_range(0..i)),
        })
        .collect();
    let mut items: Vec<Item> = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for n in 0..rng.gen_range(0..18) {
        // Parents must allow the child: objective → objective/key_result, key_result → action.
        let parent =
            (!items.is_empty() && rng.gen_bool(0.75)).then(|| rng.gen_range(0..items.len()));
        let item_type = match parent.map(|p| types[p]) {
            None => "objective",
            Some("objective") if rng.gen_bool(0.3) => "objective",
            Some("objective") => "key_result",
            Some("key_result") => "action",
            Some(_) => continue,
        };
        let assignees = (0..count).filter(|_| rng.gen_bool(0.12)).collect();
        items.push(Item {
            id: format!("s{seed}-i{n}"),
            parent,
            owner: rng.gen_range(0..count),
            assignees,
            deleted: false,
            title: format!("item {n}"),
        });
        types.push(item_type);
    }
    // Deleting takes the subtree with it.
    for index in 0..items.len() {
        let parent_deleted = items[index].parent.is_some_and(|p| items[p].deleted);
        if parent_deleted || rng.gen_bool(0.1) {
            items[index].deleted = true;
        }
    }
    let types = types.into_iter().map(str::to_owned).collect();
    (
        World {
            open,
            members,
            items,
        },
        types,
    )
}

fn store(
    conn: &mut cairn::db::AnyConnection,
    org_id: &str,
    seed: u64,
    world: &World,
    types: &[String],
) -> String {
    let now = cairn::db::now();
    let ws_id = format!("ws-{seed}");
    diesel::insert_into(workspaces::table)
        .values((
            workspaces::id.eq(&ws_id),
            workspaces::organization_id.eq(org_id),
            workspaces::name.eq(format!("Fuzz {seed}")),
            workspaces::slug.eq(format!("fuzz-{seed}")),
            workspaces::privacy_mode.eq(if world.open { "option_1" } else { "option_2" }),
            workspaces::created_by_user_id.eq(&world.members[0].user_id),
            workspaces::created_at.eq(now),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("workspace");
    for member in &world.members {
        diesel::insert_into(workspace_memberships::table)
            .values((
                workspace_memberships::id.eq(format!("m-{seed}-{}", member.user_id)),
                workspace_memberships::organization_id.eq(org_id),
                workspace_memberships::workspace_id.eq(&ws_id),
                workspace_memberships::user_id.eq(&member.user_id),
                workspace_memberships::role.eq(if member.admin {
                    "workspace_admin"
                } else {
                    "workspace_user"
                }),
                workspace_memberships::manager_user_id
                    .eq(member.manager.map(|m| world.members[m].user_id.clone())),
                workspace_memberships::active.eq(true),
                workspace_memberships::created_at.eq(now),
                workspace_memberships::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("membership");
    }
    for (index, item) in world.items.iter().enumerate() {
        diesel::insert_into(okr_items::table)
            .values((
                okr_items::id.eq(&item.id),
                okr_items::organization_id.eq(org_id),
                okr_items::workspace_id.eq(&ws_id),
                okr_items::item_type.eq(&types[index]),
                okr_items::title.eq(&item.title),
                okr_items::owner_user_id.eq(&world.members[item.owner].user_id),
                okr_items::parent_id.eq(item.parent.map(|p| world.items[p].id.clone())),
                okr_items::action_status.eq((types[index] == "action").then_some("pending")),
                okr_items::progress_computed.eq(0.0),
                okr_items::sort_order.eq(index as i32),
                okr_items::deleted_at.eq(item.deleted.then_some(now)),
                okr_items::created_at.eq(now),
                okr_items::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("item");
        diesel::insert_into(cairn::schema::item_activity_log::table)
            .values((
                cairn::schema::item_activity_log::id.eq(format!("act-{}", item.id)),
                cairn::schema::item_activity_log::organization_id.eq(org_id),
                cairn::schema::item_activity_log::workspace_id.eq(&ws_id),
                cairn::schema::item_activity_log::item_type.eq(&types[index]),
                cairn::schema::item_activity_log::item_id.eq(&item.id),
                cairn::schema::item_activity_log::action_type.eq("item.created"),
                cairn::schema::item_activity_log::actor_user_id
                    .eq(&world.members[item.owner].user_id),
                cairn::schema::item_activity_log::request_id.eq("fuzz"),
                cairn::schema::item_activity_log::created_at.eq(now),
            ))
            .execute(conn)
            .expect("activity");
        for &person in &item.assignees {
            diesel::insert_into(okr_item_assignees::table)
                .values((
                    okr_item_assignees::item_id.eq(&item.id),
                    okr_item_assignees::user_id.eq(&world.members[person].user_id),
                    okr_item_assignees::organization_id.eq(org_id),
                    okr_item_assignees::workspace_id.eq(&ws_id),
                    okr_item_assignees::created_at.eq(now),
                ))
                .execute(conn)
                .expect("assignee");
        }
    }
    ws_id
}

#[tokio::test]
async fn every_read_path_shows_each_member_exactly_what_the_rules_allow() {
    let app = TestApp::spawn().await;
    let owner = app.person("owner@example.com", "Owner").await;
    let org_slug = owner.create_org("Fuzz").await;
    // Six people who can log in (one password hash, reused), all plain org members.
    let mut conn = app.db();
    let hash: String = users::table
        .select(users::password_hash)
        .first(&mut conn)
        .expect("hash");
    let (org_id,): (String,) = cairn::schema::organizations::table
        .select((cairn::schema::organizations::id,))
        .first(&mut conn)
        .expect("org");
    let now = cairn::db::now();
    let people: Vec<(String, String)> = (0..6)
        .map(|n| (format!("u{n}"), format!("p{n}@example.com")))
        .collect();
    for (id, email) in &people {
        diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::email.eq(email),
                users::name.eq(format!("Person {id}")),
                users::password_hash.eq(&hash),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("user");
        diesel::insert_into(org_members::table)
            .values((
                org_members::id.eq(format!("om-{id}")),
                org_members::organization_id.eq(&org_id),
                org_members::user_id.eq(id),
                org_members::role.eq("member"),
                org_members::created_at.eq(now),
                org_members::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("org member");
    }
    let mut browsers: HashMap<String, Browser> = HashMap::new();
    for (_, email) in &people {
        let browser = app.browser();
        browser.log_in(email, PASSWORD).await.assert_redirect("/");
        browsers.insert(email.clone(), browser);
    }

    for seed in SEEDS {
        let mut rng = StdRng::seed_from_u64(seed);
        let (world, types) = generate(&mut rng, seed, &people);
        store(&mut conn, &org_id, seed, &world, &types);
        let titles: HashMap<&str, &str> = world
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.title.as_str()))
            .collect();
        for (index, member) in world.members.iter().enumerate() {
            let expected = oracle(&world, index);

            let access = cairn::workspaces::access(
                &mut conn,
                &member.user_id,
                &org_slug,
                &format!("fuzz-{seed}"),
            )
            .unwrap_or_else(|e| panic!("seed {seed}: access for {}: {e}", member.email));
            let viewer = cairn::scope::Viewer::new(&mut conn, &access).expect("viewer");
            let live: Vec<String> = okr_items::table
                .filter(okr_items::workspace_id.eq(format!("ws-{seed}")))
                .filter(okr_items::deleted_at.is_null())
                .select(okr_items::id)
                .load(&mut conn)
                .expect("items");
            let visible = cairn::scope::visible_items(&mut conn, &viewer).expect("visible");
            let from_scope: BTreeSet<String> = live
                .iter()
                .filter(|id| visible.contains(id))
                .map(|id| titles[id.as_str()].to_owned())
                .collect();
            assert_eq!(
                from_scope, expected,
                "seed {seed}: scope for member {index} ({})",
                member.email
            );

            let from_tree: BTreeSet<String> = cairn::okr::tree(&mut conn, &viewer)
                .expect("tree")
                .into_iter()
                .map(|row| row.item.title)
                .collect();
            assert_eq!(from_tree, expected, "seed {seed}: tree for member {index}");

            let page = browsers[&member.email]
                .get(&format!("/orgs/{org_slug}/w/fuzz-{seed}"))
                .await;
            let html = page.html();
            let selector = scraper::Selector::parse(".tree-title-text").expect("selector");
            let from_page: BTreeSet<String> =
                html.select(&selector).map(|t| t.text().collect()).collect();
            assert_eq!(
                from_page, expected,
                "seed {seed}: tree page for member {index}"
            );
        }
    }
}
