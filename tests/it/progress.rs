//! Progress stays right: after any random sequence of edits, and under concurrent edits.

use cairn::activity::Actor;
use cairn::okr::edit::{self, ItemChanges};
use cairn::okr::progress::{compute_all, ProgressInput, TreeNode};
use cairn::okr::{self, ActionStatus, ItemType, NewItem, StoryPoints};
use cairn::schema::okr_items;
use cairn::scope::Viewer;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::TestApp;

type Row = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    f64,
);

/// Every live item's stored progress next to a fresh computation from scratch.
fn stored_and_fresh(
    conn: &mut cairn::db::AnyConnection,
    workspace_id: &str,
) -> Vec<(String, f64, f64)> {
    let rows: Vec<Row> = okr_items::table
        .filter(okr_items::workspace_id.eq(workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .select((
            okr_items::id,
            okr_items::parent_id,
            okr_items::item_type,
            okr_items::action_status,
            okr_items::story_points,
            okr_items::progress_computed,
        ))
        .load(conn)
        .expect("items");
    let nodes: Vec<TreeNode> = rows
        .iter()
        .map(|(id, parent, item_type, status, points, _)| TreeNode {
            id: id.clone(),
            parent_id: parent.clone(),
            input: ProgressInput {
                item_type: ItemType::parse(item_type).expect("type"),
                status: status.as_deref().and_then(ActionStatus::parse),
                points: points.as_deref().and_then(StoryPoints::parse),
            },
        })
        .collect();
    let fresh = compute_all(&nodes);
    rows.into_iter()
        .map(|(id, .., stored)| (id.clone(), stored, fresh[&id]))
        .collect()
}

async fn workspace() -> (TestApp, Actor, String, String) {
    let app = TestApp::spawn().await;
    let owner = app.person("owner@example.com", "Owner").await;
    let org = owner.create_org("Acme").await;
    let ws = owner.create_workspace(&org, "Plans", "option_1").await;
    let actor = Actor {
        user_id: app.user_id("owner@example.com"),
        request_id: "test".into(),
    };
    (app, actor, org, ws)
}

fn viewer(conn: &mut cairn::db::AnyConnection, actor: &Actor, org: &str, ws: &str) -> Viewer {
    let access = cairn::workspaces::access(conn, &actor.user_id, org, ws).expect("access");
    Viewer::new(conn, &access).expect("viewer")
}

#[tokio::test]
async fn after_any_sequence_of_edits_stored_progress_equals_a_fresh_computation() {
    let (app, actor, org, ws) = workspace().await;
    let mut conn = app.db();
    let viewer = viewer(&mut conn, &actor, &org, &ws);
    for seed in 0..12u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut live: Vec<(String, ItemType)> = Vec::new();
        let mut deleted: Vec<String> = Vec::new();
        for step in 0..60 {
            let choice = rng.gen_range(0..100);
            let pick = |rng: &mut StdRng, live: &[(String, ItemType)], wanted: ItemType| {
                let candidates: Vec<&String> = live
                    .iter()
                    .filter(|(_, t)| *t == wanted)
                    .map(|(id, _)| id)
                    .collect();
                (!candidates.is_empty())
                    .then(|| candidates[rng.gen_range(0..candidates.len())].clone())
            };
            let outcome = if choice < 40 || live.is_empty() {
                // Create something where the rules allow it.
                let (item_type, parent) = match rng.gen_range(0..3) {
                    0 => (
                        ItemType::Objective,
                        pick(&mut rng, &live, ItemType::Objective).filter(|_| rng.gen_bool(0.3)),
                    ),
                    1 => (
                        ItemType::KeyResult,
                        pick(&mut rng, &live, ItemType::Objective),
                    ),
                    _ => (ItemType::Action, pick(&mut rng, &live, ItemType::KeyResult)),
                };
                if item_type != ItemType::Objective && parent.is_none() {
                    continue;
                }
                let new = NewItem {
                    item_type,
                    title: format!("s{seed} #{step}"),
                    parent_id: parent,
                    due_date: None,
                    position: None,
                };
                okr::create(&mut conn, &actor, &viewer, new)
                    .map(|item| live.push((item.id, item_type)))
            } else if choice < 75 {
                let Some(action) = pick(&mut rng, &live, ItemType::Action) else {
                    continue;
                };
                let changes = ItemChanges {
                    action_status: Some(ActionStatus::ALL[rng.gen_range(0..3)]),
                    story_points: Some(
                        (rng.gen_bool(0.8))
                            .then(|| StoryPoints::ALL[rng.gen_range(0..StoryPoints::ALL.len())]),
                    ),
                    ..ItemChanges::default()
                };
                edit::update(&mut conn, &actor, &viewer, &action, changes).map(drop)
            } else if choice < 85 {
                let (id, _) = live[rng.gen_range(0..live.len())].clone();
                edit::delete(&mut conn, &actor, &viewer, &id).map(|_| {
                    deleted.push(id);
                })
            } else if choice < 93 {
                let Some(id) = deleted.pop() else { continue };
                // Restoring may be refused (its parent is in the trash too): that is fine.
                let _ = edit::restore(&mut conn, &actor, &viewer, &id);
                Ok(())
            } else {
                let Some(action) = pick(&mut rng, &live, ItemType::Action) else {
                    continue;
                };
                let Some(target) = pick(&mut rng, &live, ItemType::KeyResult) else {
                    continue;
                };
                edit::move_to(&mut conn, &actor, &viewer, &action, Some(&target)).map(drop)
            };
            // Items deleted with an ancestor are refused as not found; anything else is a bug.
            if let Err(e) = outcome {
                assert!(
                    matches!(e, okr::OkrError::NotFound),
                    "seed {seed} step {step}: {e}"
                );
            }
            for (id, stored, fresh) in stored_and_fresh(&mut conn, &viewer.workspace_id) {
                assert!(
                    (stored - fresh).abs() < 1e-9,
                    "seed {seed} step {step}: {id} stored {stored}, fresh {fresh}"
                );
            }
        }
    }
}

#[tokio::test]
async fn concurrent_edits_under_one_key_result_leave_its_progress_right() {
    let (app, actor, org, ws) = workspace().await;
    let mut conn = app.db();
    let viewer = viewer(&mut conn, &actor, &org, &ws);
    let create =
        |conn: &mut cairn::db::AnyConnection, item_type, parent: Option<String>, title: &str| {
            let new = NewItem {
                item_type,
                title: title.into(),
                parent_id: parent,
                due_date: None,
                position: None,
            };
            okr::create(conn, &actor, &viewer, new).expect("create").id
        };
    let objective = create(&mut conn, ItemType::Objective, None, "O");
    let kr = create(
        &mut conn,
        ItemType::KeyResult,
        Some(objective.clone()),
        "KR",
    );
    for round in 0..8 {
        let actions: Vec<String> = (0..2)
            .map(|n| {
                create(
                    &mut conn,
                    ItemType::Action,
                    Some(kr.clone()),
                    &format!("a{round}{n}"),
                )
            })
            .collect();
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let workers: Vec<_> = actions
            .into_iter()
            .map(|action| {
                let (url, actor, viewer, start) = (
                    app.database.url.clone(),
                    actor.clone(),
                    viewer.clone(),
                    start.clone(),
                );
                std::thread::spawn(move || {
                    let mut conn = cairn::db::establish(&url).expect("connect");
                    start.wait();
                    let done = ItemChanges {
                        action_status: Some(ActionStatus::Done),
                        ..ItemChanges::default()
                    };
                    edit::update(&mut conn, &actor, &viewer, &action, done).expect("update");
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("worker");
        }
        for (id, stored, fresh) in stored_and_fresh(&mut conn, &viewer.workspace_id) {
            assert!(
                (stored - fresh).abs() < 1e-9,
                "round {round}: {id} stored {stored}, fresh {fresh}"
            );
        }
    }
}
