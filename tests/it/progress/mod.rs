//! Progress stays right: after any random sequence of edits, check-ins, measure and weight
//! changes, and under concurrent edits. The expected values come from a model the test keeps
//! itself and DESIGN §3's rule written out in `model`, never from the app's own roll-up.

mod inputs;
mod model;

use cairn::activity::Actor;
use cairn::okr::check_ins::{self, CheckInDraft, Confidence};
use cairn::okr::edit::{self, ItemChanges};
use cairn::okr::measure::{MetricKind, Weight};
use cairn::okr::measure_change::MeasureChange;
use cairn::okr::{self, ActionStatus, ItemType, NewItem, OkrError, StoryPoints};
use cairn::schema::okr_items;
use cairn::scope::Viewer;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::harness::TestApp;
use inputs::{draft, measure_of, number, random_measure, random_reading, WEIGHTS};
use model::{Decimal, Measured, Model, Modelled, Reading};

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
async fn after_any_sequence_of_edits_and_check_ins_stored_progress_follows_the_rule() {
    let (app, actor, org, ws) = workspace().await;
    let mut conn = app.db();
    let viewer = viewer(&mut conn, &actor, &org, &ws);
    let mut model = Model::default();
    let (mut restored, mut refused) = (0, 0);
    let (mut readings, mut revised, mut unread, mut remeasured, mut merged) = (0, 0, 0, 0, 0);
    // Check-ins are written a minute apart, so which one is latest is never a tie.
    let start: NaiveDateTime = app.clock.now();
    let mut written = 0u64;
    for seed in 0..12u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        for step in 0..60 {
            let at = format!("seed {seed} step {step}");
            written += 1;
            let now = start + Duration::minutes(written as i64);
            let choice = rng.gen_range(0..100);
            let objectives = model.live(ItemType::Objective);
            let key_results = model.live(ItemType::KeyResult);
            let actions = model.live(ItemType::Action);
            let weighed: Vec<&String> = [objectives.clone(), key_results.clone()].concat();
            let trashed: Vec<&String> = model
                .items
                .iter()
                .filter(|(_, item)| item.deleted.is_some())
                .map(|(id, _)| id)
                .collect();
            if choice < 30 || objectives.is_empty() {
                // Create something where the rules allow it, sometimes measured and weighted.
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
                let mut modelled = Modelled::new(item_type, parent.clone());
                let mut new = NewItem::new(item_type, format!("s{seed} #{step}"), parent);
                if item_type != ItemType::Action && rng.gen_bool(0.4) {
                    modelled.weight = WEIGHTS[rng.gen_range(0..WEIGHTS.len())];
                    new.weight = Weight::new(modelled.weight).expect("weight");
                }
                if item_type == ItemType::KeyResult {
                    modelled.measure = random_measure(&mut rng);
                    new.measure = measure_of(&modelled.measure);
                }
                let item = okr::create(&mut conn, &actor, &viewer, new)
                    .unwrap_or_else(|e| panic!("{at}: create: {e}"));
                model.items.insert(item.id, modelled);
            } else if choice < 42 {
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
                edit::update(
                    &mut conn,
                    &actor,
                    &viewer,
                    &action,
                    changes,
                    cairn::db::now(),
                )
                .unwrap_or_else(|e| panic!("{at}: update: {e}"));
                let item = model.item(&action);
                (item.status, item.points) = (status, points);
            } else if choice < 54 {
                // A check-in on an objective or key result, for today or an earlier day; or
                // the latest one revised (its author may, within the day).
                let Some(id) = pick(&mut rng, &weighed).cloned() else {
                    continue;
                };
                let day = now.date() - Duration::days(rng.gen_range(0..5));
                let reading = random_reading(&mut rng, &model.items[&id].measure);
                let latest = model.items[&id].latest().map(|c| c.id.clone());
                match latest.filter(|_| rng.gen_bool(0.35)) {
                    Some(latest) => {
                        check_ins::update(
                            &mut conn,
                            &actor,
                            &viewer,
                            &latest,
                            draft(reading, day, &mut rng),
                            now,
                        )
                        .unwrap_or_else(|e| panic!("{at}: revise: {e}"));
                        let check_in = model
                            .item(&id)
                            .check_ins
                            .iter_mut()
                            .find(|c| c.id == latest)
                            .expect("modelled");
                        (check_in.value, check_in.done, check_in.effective_on) =
                            (reading.0, reading.1, day);
                        revised += 1;
                    }
                    None => {
                        let check_in = check_ins::add(
                            &mut conn,
                            &actor,
                            &viewer,
                            &id,
                            draft(reading, day, &mut rng),
                            now,
                        )
                        .unwrap_or_else(|e| panic!("{at}: check in: {e}"));
                        model.item(&id).check_ins.push(Reading {
                            id: check_in.id,
                            value: reading.0,
                            done: reading.1,
                            effective_on: day,
                            written,
                            deleted: false,
                        });
                        readings += 1;
                    }
                }
            } else if choice < 59 {
                // An admin deletes any live check-in of a live item; an older one speaks again.
                let live: Vec<(String, String)> = weighed
                    .iter()
                    .flat_map(|id| {
                        model.items[*id]
                            .check_ins
                            .iter()
                            .filter(|c| !c.deleted)
                            .map(|c| ((*id).clone(), c.id.clone()))
                    })
                    .collect();
                if live.is_empty() {
                    continue;
                }
                let (item, check_in) = live[rng.gen_range(0..live.len())].clone();
                check_ins::delete(&mut conn, &actor, &viewer, &check_in, now)
                    .unwrap_or_else(|e| panic!("{at}: delete check-in: {e}"));
                let modelled = model.item(&item);
                let reading = modelled.check_ins.iter_mut().find(|c| c.id == check_in);
                reading.expect("modelled").deleted = true;
                unread += 1;
            } else if choice < 66 {
                // A key result changes measure wholly, or (a metric) only its target, which
                // keeps the rest and is refused when it lies against the kind.
                let Some(id) = pick(&mut rng, &key_results).cloned() else {
                    continue;
                };
                let current = model.items[&id].measure.clone();
                if let (
                    true,
                    Measured::Metric {
                        kind,
                        baseline,
                        decimals,
                        ..
                    },
                ) = (rng.gen_bool(0.4), &current)
                {
                    let target = Decimal {
                        units: baseline.units + rng.gen_range(-300..300),
                        scale: *decimals,
                    };
                    let lies_against = match kind {
                        MetricKind::IncreaseTo => target.units <= baseline.units,
                        MetricKind::DecreaseTo => target.units >= baseline.units,
                        _ => false,
                    };
                    let changes = ItemChanges {
                        measure: Some(MeasureChange {
                            target: Some(number(target, *decimals)),
                            ..MeasureChange::default()
                        }),
                        ..ItemChanges::default()
                    };
                    match (
                        lies_against,
                        edit::update(&mut conn, &actor, &viewer, &id, changes, cairn::db::now()),
                    ) {
                        (false, Ok(_)) => {
                            let Measured::Metric { target: kept, .. } =
                                &mut model.item(&id).measure
                            else {
                                unreachable!("a metric");
                            };
                            *kept = target;
                            merged += 1;
                        }
                        (
                            true,
                            Err(OkrError::Field {
                                field: "target", ..
                            }),
                        ) => refused += 1,
                        (expected, outcome) => panic!(
                            "{at}: target {target:?} against {kind:?} from {baseline:?}: refusal \
                             expected {expected}, got {:?}",
                            outcome.map(|i| i.id)
                        ),
                    }
                } else {
                    let measured = random_measure(&mut rng);
                    let changes = ItemChanges {
                        measure: Some(measure_of(&measured).into()),
                        ..ItemChanges::default()
                    };
                    edit::update(&mut conn, &actor, &viewer, &id, changes, cairn::db::now())
                        .unwrap_or_else(|e| panic!("{at}: measure: {e}"));
                    model.item(&id).measure = measured;
                    remeasured += 1;
                }
            } else if choice < 71 {
                let Some(id) = pick(&mut rng, &weighed).cloned() else {
                    continue;
                };
                let weight = WEIGHTS[rng.gen_range(0..WEIGHTS.len())];
                let changes = ItemChanges {
                    weight: Some(Weight::new(weight).expect("weight")),
                    ..ItemChanges::default()
                };
                edit::update(&mut conn, &actor, &viewer, &id, changes, cairn::db::now())
                    .unwrap_or_else(|e| panic!("{at}: weight: {e}"));
                model.item(&id).weight = weight;
            } else if choice < 80 {
                let all: Vec<&String> = [objectives, key_results, actions].concat();
                let Some(id) = pick(&mut rng, &all).cloned() else {
                    continue;
                };
                edit::delete(&mut conn, &actor, &viewer, &id)
                    .unwrap_or_else(|e| panic!("{at}: delete: {e}"));
                model.delete(&id);
            } else if choice < 88 {
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
            } else if choice < 94 {
                let (Some(action), Some(target)) = (
                    pick(&mut rng, &actions).cloned(),
                    pick(&mut rng, &key_results).cloned(),
                ) else {
                    continue;
                };
                edit::move_to(&mut conn, &actor, &viewer, &action, Some(&target))
                    .unwrap_or_else(|e| panic!("{at}: move: {e}"));
                model.item(&action).parent = Some(target);
            } else {
                // What is in the trash cannot be edited, deleted again or checked in on, and
                // what is live cannot be restored: each answers as if it did not exist.
                let Some(id) = pick(&mut rng, &trashed).cloned() else {
                    continue;
                };
                let live: Vec<&String> = [objectives, key_results, actions].concat();
                let check_in = CheckInDraft {
                    value: None,
                    done: None,
                    confidence: Confidence::new(5).expect("confidence"),
                    note: None,
                    effective_on: None,
                };
                let refusals = [
                    edit::update(
                        &mut conn,
                        &actor,
                        &viewer,
                        &id,
                        ItemChanges::default(),
                        cairn::db::now(),
                    )
                    .map(drop),
                    edit::delete(&mut conn, &actor, &viewer, &id).map(drop),
                    check_ins::add(&mut conn, &actor, &viewer, &id, check_in, now).map(drop),
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
    println!(
        "progress walk: {} items, {} deletions, {restored} restored, {refused} refused, \
         {readings} check-ins, {revised} revised, {unread} deleted, {remeasured} measures \
         changed, {merged} targets changed alone",
        model.items.len(),
        model.deletions
    );
    assert!(model.deletions > 10, "{} deletions", model.deletions);
    assert!(
        restored > 0 && refused > 0,
        "{restored} restored, {refused} refused"
    );
    assert!(
        readings > 20 && revised > 0 && unread > 0 && remeasured > 10 && merged > 0,
        "{readings} check-ins, {revised} revised, {unread} deleted, {remeasured} remeasured, \
         {merged} merged"
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
                    edit::update(&mut conn, &actor, &viewer, &action, done, cairn::db::now())
                        .expect("update");
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
