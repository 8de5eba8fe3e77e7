//! A randomized differential test of the privacy rules. Random worlds (`world`): members,
//! org owners and admins, outsiders, removed and deactivated members, manager chains (also
//! through deactivated memberships), item trees, owners, assignees, deletions, links and
//! activity, in both modes and switched between them mid-run. An oracle written here from
//! DESIGN §3 (`oracle`) says what each person may see, and every read path (`paths`) is
//! compared with it as that person: in process, in their own logged-in browser, and over
//! the JSON API with their own token. Check-ins (live and deleted, on live and trashed items)
//! are visible exactly when their item is, and so are comments; the mention autocomplete
//! offers on an item exactly the people who can see it. Worlds have cycles: the tree, board
//! and gantt open on the default cycle, and are compared again under a random `?cycle=`,
//! which never shows more than the same page of every cycle. Notifications (read and unread, to anyone)
//! are listed in the inbox and the API, and counted on the bell, exactly when their
//! recipient can see their item.
//!
//! `CAIRN_FUZZ_SEEDS=500` runs more worlds than the default few.

mod api_paths;
mod comment_paths;
mod notification_paths;
mod oracle;
mod paths;
mod report_paths;
mod skill_paths;
mod store;
mod view_paths;
mod world;

use std::cell::RefCell;
use std::collections::BTreeMap;

use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use cairn::schema::{organizations, users};

use crate::harness::{Browser, TestApp, PASSWORD};
use crate::snapshot::Snapshot;
use oracle::{CycleView, Filter};
use paths::{Ctx, ReadPath};
use world::{Person, WORDS};

/// Enough worlds to meet every kind of viewer and path on each run, few enough for CI.
const DEFAULT_SEEDS: u64 = 8;
/// People who can sign in; person 0 owns every organization.
pub(super) const PEOPLE: usize = 8;

#[derive(Default)]
struct Tally {
    compared: usize,
    shown: usize,
    hidden: usize,
}

fn seeds() -> u64 {
    std::env::var("CAIRN_FUZZ_SEEDS")
        .ok()
        .map(|raw| raw.parse().expect("CAIRN_FUZZ_SEEDS is a number"))
        .unwrap_or(DEFAULT_SEEDS)
}

/// A random tree-page filter: a word or two (some not in any title), an owner, a type.
fn random_filter(rng: &mut StdRng, world: &world::World) -> Filter {
    let mut words: Vec<String> = (0..rng.gen_range(0..=2))
        .map(|_| WORDS.choose(rng).expect("words").to_uppercase())
        .collect();
    if rng.gen_bool(0.1) {
        words.push("nowhere".into());
    }
    Filter {
        words,
        owner: rng
            .gen_bool(0.3)
            .then(|| world.items.choose(rng).expect("items").owner),
        item_type: rng.gen_bool(0.3).then(|| {
            *["objective", "key_result", "action"]
                .choose(rng)
                .expect("types")
        }),
    }
}

/// A random `?cycle=` choice: one of the world's cycles, the backlog or everything.
fn random_cycle(rng: &mut StdRng, world: &world::World) -> CycleView {
    match rng.gen_range(0..=world.cycles.len() + 1) {
        0 => CycleView::All,
        1 => CycleView::Backlog,
        n => CycleView::Cycle(n - 2),
    }
}

/// People who can log in, sharing one password hash; each with a browser and a read token.
async fn people(app: &TestApp) -> (Vec<Person>, Vec<Browser>, Vec<String>) {
    let owner = app.person("p0@example.com", "Person 0").await;
    let mut conn = app.db();
    let hash: String = users::table
        .select(users::password_hash)
        .first(&mut conn)
        .expect("hash");
    let now = cairn::db::now();
    let mut people = vec![Person {
        user_id: app.user_id("p0@example.com"),
        email: "p0@example.com".into(),
    }];
    for n in 1..PEOPLE {
        let person = Person {
            user_id: uuid::Uuid::from_u128(1000 + n as u128).to_string(),
            email: format!("p{n}@example.com"),
        };
        diesel::insert_into(users::table)
            .values((
                users::id.eq(&person.user_id),
                users::email.eq(&person.email),
                users::name.eq(format!("Person {n}")),
                users::password_hash.eq(&hash),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("user");
        people.push(person);
    }
    let mut browsers = vec![owner];
    for person in &people[1..] {
        let browser = app.browser();
        browser
            .log_in(&person.email, PASSWORD)
            .await
            .assert_redirect("/");
        browsers.push(browser);
    }
    let tokens = people
        .iter()
        .map(|person| {
            let new = cairn::tokens::NewToken {
                description: cairn::tokens::Description::parse("fuzz").expect("description"),
                scopes: cairn::tokens::Scopes::parse(&["read"]).expect("scopes"),
                lifetime: cairn::tokens::Lifetime::days(1).expect("lifetime"),
            };
            let (secret, _) =
                cairn::tokens::create(&mut conn, &person.user_id, &new).expect("token");
            secret.expose().to_owned()
        })
        .collect();
    (people, browsers, tokens)
}

#[tokio::test]
async fn every_read_path_shows_each_person_exactly_what_the_rules_allow() {
    let app = TestApp::spawn().await;
    let (people, browsers, tokens) = people(&app).await;
    let conn = RefCell::new(app.db());
    let api = crate::harness::client_builder().build().expect("client");
    let api_base = format!("{}/api/v1", app.base_url);
    let mut tally: BTreeMap<ReadPath, Tally> = BTreeMap::new();
    let mut links = 0;

    for seed in 0..seeds() {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut world = world::generate(&mut rng, seed, PEOPLE);
        let org_slug = browsers[0].create_org(&format!("Fuzz org {seed}")).await;
        let org_id: String = organizations::table
            .filter(organizations::slug.eq(&org_slug))
            .select(organizations::id)
            .first(&mut *conn.borrow_mut())
            .expect("org");
        let (ws_id, ws_slug) = store::save(
            &mut conn.borrow_mut(),
            &org_id,
            &world,
            &people,
            app.clock.today(),
        );
        let base = format!("/orgs/{org_slug}/w/{ws_slug}");
        links += world.links.len();

        // Each world is compared in its mode, then again after its owner switches it.
        for round in 0..2 {
            if round == 1 {
                world.open = !world.open;
                let settings = format!("{base}/settings");
                browsers[0]
                    .submit(
                        &settings,
                        &settings,
                        &[
                            ("name", &format!("Fuzz {seed}")),
                            ("slug", &ws_slug),
                            ("privacy_mode", world::privacy_mode(world.open)),
                        ],
                    )
                    .await
                    .assert_redirect(&settings);
            }
            let reports = report_paths::build(&app, &people, &ws_id).await;
            // Reading changes nothing; and the worlds are all there, deleted links too.
            let before = Snapshot::take(&app);
            assert_eq!(before.rows("okr_links"), links);
            for person in 0..PEOPLE {
                let ctx = Ctx {
                    world: &world,
                    person,
                    user_id: &people[person].user_id,
                    people: &people,
                    conn: &conn,
                    browser: &browsers[person],
                    api: &api,
                    api_base: &api_base,
                    token: &tokens[person],
                    base: base.clone(),
                    org_slug: &org_slug,
                    ws_slug: &ws_slug,
                    ws_id: &ws_id,
                    filter: random_filter(&mut rng, &world),
                    cycle: random_cycle(&mut rng, &world),
                    visible: oracle::visible(&world, person),
                    reports: &reports,
                };
                for &path in ReadPath::ALL {
                    let answer = path.check(&ctx).await;
                    assert_eq!(
                        answer.actual,
                        answer.expected,
                        "seed {seed}, round {round}: {path:?} for person {person} ({:?}, {}, filter {:?})",
                        world.standings[person],
                        world::privacy_mode(world.open),
                        ctx.filter,
                    );
                    let count = tally.entry(path).or_default();
                    count.compared += 1;
                    count.shown += answer.shown;
                    count.hidden += answer.hidden;
                }
            }
            before.assert_unchanged(&app, &format!("seed {seed}, round {round}: reading"));
        }
    }

    let mut total = 0;
    for path in ReadPath::ALL {
        let count = tally.get(path).expect("every path ran");
        println!(
            "scope_fuzz: {path:?}: {} comparisons ({} shown, {} hidden)",
            count.compared, count.shown, count.hidden
        );
        total += count.compared;
        assert!(
            count.shown > 0 && count.hidden > 0,
            "{path:?} never compared both a visible and a hidden item"
        );
    }
    println!("scope_fuzz: {total} comparisons in all, {} seeds", seeds());
}
