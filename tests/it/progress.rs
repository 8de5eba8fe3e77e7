//! Progress stays right: after any random sequence of edits, and under concurrent edits.
//! The expected values come from a model the test keeps itself and DESIGN §3's rule written
//! out here, never from the app's own roll-up.

use std::collections::BTreeMap;

use cairn::activity::Actor;
use cairn::okr::edit::{self, ItemChanges};
use cairn::okr::{self, ActionStatus, ItemType, NewItem, OkrError, StoryPoints};
use cairn::schema::okr_items;
use cairn::scope::Viewer;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::TestApp;

const PARENT_IN_TRASH: &str = "Its parent is in the trash too; restore the parent first.";

/// One item as the test expects it to be.
struct Modelled {
    item_type: ItemType,
    parent: Option<String>,
    status: ActionStatus,
    points: Option<StoryPoints>,
    /// Which deletion took it to the trash.
    deleted: Option<u32>,
}

/// The workspace as the test expects it: every item ever created, live or in the trash.
#[derive(Default)]
struct Model {
    items: BTreeMap<String, Modelled>,
    deletions: u32,
}

/// DESIGN §3: numeric points weigh their value; `?`, `∞` and none weigh 1.
fn weight(points: Option<StoryPoints>) -> f64 {
    match points {
        Some(StoryPoints::Zero) => 0.0,
        Some(StoryPoints::One) => 1.0,
        Some(StoryPoints::Two) => 2.0,
        Some(StoryPoints::Three) => 3.0,
        Some(StoryPoints::Five) => 5.0,
        Some(StoryPoints::Eight) => 8.0,
        Some(StoryPoints::Thirteen) => 13.0,
        Some(StoryPoints::TwentyOne) => 21.0,
        Some(StoryPoints::Forty) => 40.0,
        Some(StoryPoints::Unknown | StoryPoints::Infinite) | None => 1.0,
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

impl Model {
    fn live(&self, wanted: ItemType) -> Vec<&String> {
        self.items
            .iter()
            .filter(|(_, item)| item.deleted.is_none() && item.item_type == wanted)
            .map(|(id, _)| id)
            .collect()
    }

    fn children(&self, id: &str) -> Vec<&String> {
        self.items
            .iter()
            .filter(|(_, item)| item.parent.as_deref() == Some(id))
            .map(|(id, _)| id)
            .collect()
    }

    fn live_children(&self, id: &str) -> Vec<&String> {
        self.children(id)
            .into_iter()
            .filter(|child| self.items[*child].deleted.is_none())
            .collect()
    }

    /// DESIGN §3's rule, from the model.
    fn expected_progress(&self, id: &str) -> f64 {
        let item = &self.items[id];
        let children = self.live_children(id);
        match item.item_type {
            ItemType::Action => match item.status {
                ActionStatus::Done => 100.0,
                ActionStatus::WorkInProgress => 50.0,
                ActionStatus::Pending => 0.0,
            },
            ItemType::KeyResult => {
                let actions: Vec<(f64, f64)> = children
                    .iter()
                    .map(|a| (self.expected_progress(a), weight(self.items[*a].points)))
                    .collect();
                let total: f64 = actions.iter().map(|(_, w)| w).sum();
                if total == 0.0 {
                    // No actions, or all at 0 points: each counts the same.
                    mean(&actions.iter().map(|(p, _)| *p).collect::<Vec<_>>())
                } else {
                    actions.iter().map(|(p, w)| p * w).sum::<f64>() / total
                }
            }
            ItemType::Objective => mean(
                &children
                    .iter()
                    .map(|c| self.expected_progress(c))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// The item and its live descendants go to the trash in one deletion.
    fn delete(&mut self, id: &str) {
        self.deletions += 1;
        let deletion = self.deletions;
        let mut frontier = vec![id.to_owned()];
        while let Some(next) = frontier.pop() {
            frontier.extend(self.live_children(&next).into_iter().cloned());
            self.items.get_mut(&next).expect("modelled").deleted = Some(deletion);
        }
    }

    /// What restoring `id` should answer, applied to the model when it succeeds.
    fn restore(&mut self, id: &str) -> Result<(), &'static str> {
        let deletion = self.items[id].deleted.expect("restoring a deleted item");
        if let Some(parent) = &self.items[id].parent {
            if self.items[parent].deleted.is_some() {
                return Err(PARENT_IN_TRASH);
            }
        }
        // Exactly what went in the same deletion comes back.
        let mut frontier = vec![id.to_owned()];
        while let Some(next) = frontier.pop() {
            frontier.extend(
                self.children(&next)
                    .into_iter()
                    .filter(|child| self.items[*child].deleted == Some(deletion))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            self.items.get_mut(&next).expect("modelled").deleted = None;
        }
        Ok(())
    }
}

type Stored = (String, Option<String>, f64);

/// Every live item's parent and stored progress.
fn stored(conn: &mut cairn::db::AnyConnection, workspace_id: &str) -> Vec<Stored> {
    let mut rows: Vec<Stored> = okr_items::table
        .filter(okr_items::workspace_id.eq(workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .select((
            okr_items::id,
            okr_items::parent_id,
            okr_items::progress_computed,
        ))
        .load(conn)
        .expect("items");
    // Sorted here: the backends' collations order text differently.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[track_caller]
fn assert_matches_model(
    conn: &mut cairn::db::AnyConnection,
    viewer: &Viewer,
    model: &Model,
    at: &str,
) {
    let rows = stored(conn, &viewer.workspace_id);
    let live: Vec<&String> = model
        .items
        .iter()
        .filter(|(_, item)| item.deleted.is_none())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        rows.iter().map(|(id, ..)| id).collect::<Vec<_>>(),
        live,
        "{at}: the live items"
    );
    for (id, parent, progress) in rows {
        assert_eq!(parent, model.items[&id].parent, "{at}: parent of {id}");
        let expected = model.expected_progress(&id);
        assert!(
            (progress - expected).abs() < 1e-9,
            "{at}: {id} stored {progress}, expected {expected}"
        );
    }
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

fn pick<'a>(rng: &mut StdRng, candidates: &[&'a String]) -> Option<&'a String> {
    (!candidates.is_empty()).then(|| candidates[rng.gen_range(0..candidates.len())])
}

#[tokio::test]
async fn after_any_sequence_of_edits_stored_progress_follows_the_rule() {
    let (app, actor, org, ws) = workspace().await;
    let mut conn = app.db();
    let viewer = viewer(&mut conn, &actor, &org, &ws);
    let mut model = Model::default();
    let (mut restored, mut refused) = (0, 0);
    for seed in 0..12u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        for step in 0..60 {
            let at = format!("seed {seed} step {step}");
            let choice = rng.gen_range(0..100);
            let objectives = model.live(ItemType::Objective);
            let key_results = model.live(ItemType::KeyResult);
            let actions = model.live(ItemType::Action);
            let trashed: Vec<&String> = model
                .items
                .iter()
                .filter(|(_, item)| item.deleted.is_some())
                .map(|(id, _)| id)
                .collect();
            if choice < 40 || objectives.is_empty() {
                // Create something where the rules allow it.
                let (item_type, parent) = match rng.gen_range(0..3) {
                    0 => (
                        ItemType::Objective,
                        pick(&mut rng, &objectives).filter(|_| rng.gen_bool(0.3)),
                    ),
                    1 => (ItemType::KeyResult, pick(&mut rng, &objectives)),
                    _ => (ItemType::Action, pick(&mut rng, &key_results)),
                };
                if item_type != ItemType::Objective && parent.is_none() {
                    continue;
                }
                let parent = parent.cloned();
                let new = NewItem::new(item_type, format!("s{seed} #{step}"), parent.clone());
                let item = okr::create(&mut conn, &actor, &viewer, new)
                    .unwrap_or_else(|e| panic!("{at}: create: {e}"));
                model.items.insert(
                    item.id,
                    Modelled {
                        item_type,
                        parent,
                        status: ActionStatus::Pending,
                        points: None,
                        deleted: None,
                    },
                );
            } else if choice < 70 {
                let Some(action) = pick(&mut rng, &actions).cloned() else {
                    continue;
                };
                let status = ActionStatus::ALL[rng.gen_range(0..3)];
                let points = rng
                    .gen_bool(0.8)
                    .then(|| StoryPoints::ALL[rng.gen_range(0..StoryPoints::ALL.len())]);
                let changes = ItemChanges {
                    action_status: Some(status),
                    story_points: Some(points),
                    ..ItemChanges::default()
                };
                edit::update(&mut conn, &actor, &viewer, &action, changes)
                    .unwrap_or_else(|e| panic!("{at}: update: {e}"));
                let item = model.items.get_mut(&action).expect("modelled");
                (item.status, item.points) = (status, points);
            } else if choice < 80 {
                let all: Vec<&String> = [objectives, key_results, actions].concat();
                let Some(id) = pick(&mut rng, &all).cloned() else {
                    continue;
                };
                edit::delete(&mut conn, &actor, &viewer, &id)
                    .unwrap_or_else(|e| panic!("{at}: delete: {e}"));
                model.delete(&id);
            } else if choice < 90 {
                let Some(id) = pick(&mut rng, &trashed).cloned() else {
                    continue;
                };
                let outcome = edit::restore(&mut conn, &actor, &viewer, &id);
                match (model.restore(&id), outcome) {
                    (Ok(()), Ok(item)) => {
                        assert!(item.deleted_at.is_none(), "{at}");
                        restored += 1;
                    }
                    (Err(reason), Err(OkrError::Refused(message))) => {
                        assert_eq!(message, reason, "{at}");
                        refused += 1;
                    }
                    (expected, outcome) => panic!(
                        "{at}: restore expected {expected:?}, got {:?}",
                        outcome.map(|item| item.id)
                    ),
                }
            } else if choice < 95 {
                let (Some(action), Some(target)) = (
                    pick(&mut rng, &actions).cloned(),
                    pick(&mut rng, &key_results).cloned(),
                ) else {
                    continue;
                };
                edit::move_to(&mut conn, &actor, &viewer, &action, Some(&target))
                    .unwrap_or_else(|e| panic!("{at}: move: {e}"));
                model.items.get_mut(&action).expect("modelled").parent = Some(target);
            } else {
                // What is in the trash cannot be edited or deleted again, and what is
                // live cannot be restored: each answers as if it did not exist.
                let Some(id) = pick(&mut rng, &trashed).cloned() else {
                    continue;
                };
                let live: Vec<&String> = [objectives, key_results, actions].concat();
                let refusals = [
                    edit::update(&mut conn, &actor, &viewer, &id, ItemChanges::default()).map(drop),
                    edit::delete(&mut conn, &actor, &viewer, &id).map(drop),
                    match pick(&mut rng, &live) {
                        Some(live) => edit::restore(&mut conn, &actor, &viewer, live).map(drop),
                        None => Err(OkrError::NotFound),
                    },
                ];
                for refusal in refusals {
                    assert!(
                        matches!(refusal, Err(OkrError::NotFound)),
                        "{at}: {refusal:?}"
                    );
                }
            }
            assert_matches_model(&mut conn, &viewer, &model, &at);
        }
    }
    // The walk really went through the interesting cases.
    assert!(model.deletions > 10, "{} deletions", model.deletions);
    assert!(
        restored > 0 && refused > 0,
        "{restored} restored, {refused} refused"
    );
}

#[tokio::test]
async fn concurrent_edits_under_one_key_result_leave_its_progress_right() {
    let (app, actor, org, ws) = workspace().await;
    let mut conn = app.db();
    let viewer = viewer(&mut conn, &actor, &org, &ws);
    let create =
        |conn: &mut cairn::db::AnyConnection, item_type, parent: Option<String>, title: &str| {
            let new = NewItem::new(item_type, title.into(), parent);
            okr::create(conn, &actor, &viewer, new).expect("create").id
        };
    let progress = |conn: &mut cairn::db::AnyConnection, id: &str| -> f64 {
        okr_items::table
            .find(id)
            .select(okr_items::progress_computed)
            .first(conn)
            .expect("item")
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
        // Two new pending actions among the done ones: 2 of 2(round+1) are at 0.
        let before = 100.0 * f64::from(round) / f64::from(round + 1);
        assert!(
            (progress(&mut conn, &kr) - before).abs() < 1e-9,
            "round {round}"
        );
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
        // Every action is done, so neither write may have computed from a stale sibling.
        assert_eq!(progress(&mut conn, &kr), 100.0, "round {round}: key result");
        assert_eq!(
            progress(&mut conn, &objective),
            100.0,
            "round {round}: objective"
        );
    }
}
