//! `cargo bench`: the OKR tree, the board and the gantt at 1,000 and 10,000 items.
//!
//! Prints, per backend and size: the median server time of the tree page and of an item
//! edit (measured from a client on loopback), SQL statements per tree page load, and the
//! time to compute a need-to-know viewer's visible set and the JSON API's first page of
//! 1,000 items (bearer token checked on every request); then the board page's time and
//! size, and the throughput of card position saves from 16 concurrent clients; then the
//! gantt page's time and size (its first page of 200 rows) and the CSV export's time.
//! SQLite always; PostgreSQL too when `TEST_DATABASE_URL` points at a server (a scratch
//! database is created and dropped).

// A benchmark stops at the first thing that goes wrong, like a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use cairn::config::{Config, DatabaseUrl};
use cairn::db::{self, AnyConnection};
use cairn::schema::{
    okr_item_assignees, okr_items, org_members, organizations, users, workspace_memberships,
    workspaces,
};
use cairn::scope::{self, Viewer};
use cairn::RunningApp;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const SIZES: [usize; 2] = [1_000, 10_000];
const RUNS: usize = 15;
/// API paths take UUIDs, so the seeded workspace has one.
const WORKSPACE_ID: &str = "0190a000-0000-7000-8000-000000000001";
const PASSWORD: &str = "benchmark password";

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

/// One user, org, two members (admin, need-to-know user) and `n` items in tree shape.
fn seed(conn: &mut AnyConnection, n: usize) -> (String, String) {
    let now = db::now();
    let hash = cairn::accounts::hash_password(
        &cairn::accounts::Password::parse(PASSWORD.into()).expect("password"),
    )
    .expect("hash");
    for (id, email) in [
        ("admin", "admin@bench.test"),
        ("member", "member@bench.test"),
    ] {
        diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::email.eq(email),
                users::name.eq(id),
                users::password_hash.eq(&hash),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("user");
    }
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq("org"),
            organizations::name.eq("Bench"),
            organizations::slug.eq("bench"),
            organizations::created_by_user_id.eq("admin"),
            organizations::default_privacy_mode.eq("option_2"),
            organizations::ai_enrichment_opt_in.eq(false),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("org");
    diesel::insert_into(workspaces::table)
        .values((
            workspaces::id.eq(WORKSPACE_ID),
            workspaces::organization_id.eq("org"),
            workspaces::name.eq("Big plan"),
            workspaces::slug.eq("big"),
            workspaces::privacy_mode.eq("option_2"),
            workspaces::created_by_user_id.eq("admin"),
            workspaces::created_at.eq(now),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("workspace");
    for (user, org_role, ws_role) in [
        ("admin", "owner", "workspace_admin"),
        ("member", "member", "workspace_user"),
    ] {
        diesel::insert_into(org_members::table)
            .values((
                org_members::id.eq(format!("om-{user}")),
                org_members::organization_id.eq("org"),
                org_members::user_id.eq(user),
                org_members::role.eq(org_role),
                org_members::created_at.eq(now),
                org_members::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("org member");
        diesel::insert_into(workspace_memberships::table)
            .values((
                workspace_memberships::id.eq(format!("wm-{user}")),
                workspace_memberships::organization_id.eq("org"),
                workspace_memberships::workspace_id.eq(WORKSPACE_ID),
                workspace_memberships::user_id.eq(user),
                workspace_memberships::role.eq(ws_role),
                workspace_memberships::active.eq(true),
                workspace_memberships::created_at.eq(now),
                workspace_memberships::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("membership");
    }
    // Per objective: 3 key results with 4 actions each (16 items); every tenth action is the
    // member's, so the need-to-know set is a real closure, not everything or nothing.
    db::write_transaction(conn, |conn| {
        let mut made = 0;
        let mut objective = 0;
        while made < n {
            let o = format!("o{objective}");
            insert_item(conn, &o, None, "objective", "admin", objective);
            made += 1;
            for k in 0..3 {
                let kr = format!("{o}k{k}");
                insert_item(conn, &kr, Some(&o), "key_result", "admin", k);
                made += 1;
                for a in 0..4 {
                    let action = format!("{kr}a{a}");
                    let owner = if (made + a as usize).is_multiple_of(10) {
                        "member"
                    } else {
                        "admin"
                    };
                    insert_item(conn, &action, Some(&kr), "action", owner, a);
                    if a == 0 {
                        diesel::insert_into(okr_item_assignees::table)
                            .values((
                                okr_item_assignees::item_id.eq(&action),
                                okr_item_assignees::user_id.eq("admin"),
                                okr_item_assignees::organization_id.eq("org"),
                                okr_item_assignees::workspace_id.eq(WORKSPACE_ID),
                                okr_item_assignees::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    made += 1;
                }
            }
            objective += 1;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("items");
    ("o0k0a1".to_owned(), "member".to_owned())
}

fn insert_item(
    conn: &mut AnyConnection,
    id: &str,
    parent: Option<&str>,
    item_type: &str,
    owner: &str,
    sort: i32,
) {
    let now = db::now();
    diesel::insert_into(okr_items::table)
        .values((
            okr_items::id.eq(id),
            okr_items::organization_id.eq("org"),
            okr_items::workspace_id.eq(WORKSPACE_ID),
            okr_items::item_type.eq(item_type),
            okr_items::title.eq(format!("Item {id}")),
            okr_items::owner_user_id.eq(owner),
            okr_items::parent_id.eq(parent),
            okr_items::due_date.eq(chrono::NaiveDate::from_ymd_opt(2027, 3, 31)),
            okr_items::action_status.eq((item_type == "action").then_some("pending")),
            okr_items::progress_computed.eq(0.0),
            okr_items::sort_order.eq(sort),
            okr_items::created_at.eq(now),
            okr_items::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("item");
}

struct Target {
    name: &'static str,
    url: DatabaseUrl,
    raw: String,
    cleanup: Option<(String, String)>,
}

fn targets(n: usize, dir: &std::path::Path) -> Vec<Target> {
    let path = dir.join(format!("bench-{n}.db"));
    let mut all = vec![Target {
        name: "SQLite",
        raw: path.to_string_lossy().into_owned(),
        url: DatabaseUrl::Sqlite(path),
        cleanup: None,
    }];
    if let Some(admin) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("cairn_bench_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(&admin).expect("PostgreSQL");
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("create");
        let mut url = url::Url::parse(&admin).expect("url");
        url.set_path(&name);
        all.push(Target {
            name: "PostgreSQL",
            url: DatabaseUrl::Postgres(url.to_string()),
            raw: url.to_string(),
            cleanup: Some((admin, name)),
        });
    }
    all
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "{:<11} {:>7} {:>16} {:>16} {:>14} {:>28} {:>20} {:>22}",
        "backend",
        "items",
        "tree page (ms)",
        "item edit (ms)",
        "SQL per page",
        "visible, need-to-know (ms)",
        "visible, open (ms)",
        "API 1,000 items (ms)"
    );
    let mut board_rows = Vec::new();
    let mut gantt_rows = Vec::new();
    let mut write_rows = Vec::new();
    for n in sizes() {
        for target in targets(n, dir.path()) {
            let mut conn = db::establish(&target.url).expect("connect");
            db::run_pending_migrations(&mut conn).expect("migrate");
            let (edited, member) = seed(&mut conn, n);
            let data = dir.path().join(format!("data-{n}-{}", target.name));
            let vars = [
                ("CAIRN_DATA_DIR", data.to_string_lossy().into_owned()),
                ("DATABASE_URL", target.raw.clone()),
                ("BIND", "127.0.0.1:0".into()),
                ("WORKERS", "2".into()),
                ("API_RATE_PER_MINUTE", "1000000".into()),
                // No mail worker polling between requests: it would add to the SQL counts.
                ("OUTBOX_POLL_MILLIS", "3600000".into()),
            ];
            let config =
                Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
                    .expect("config");
            let app = RunningApp::start(config).expect("app");
            let base = format!("http://127.0.0.1:{}", app.port);
            let (tree_ms, edit_ms, queries) = runtime.block_on(measure_http(&base, &edited));
            let (reorder, position) = runtime.block_on(write_queries(&base, &edited));
            write_rows.push(format!(
                "{:<11} {:>7} {:>22} {:>24}",
                target.name, n, reorder, position
            ));
            let token = api_token(&mut conn);
            let api_ms = runtime.block_on(measure_api(&base, &token));
            let board = runtime.block_on(measure_board(&base));
            board_rows.push(format!(
                "{:<11} {:>7} {:>16.1} {:>16} {:>22.0} {:>18.1} {:>18.1}",
                target.name,
                n,
                board.page_ms,
                board.page_kib,
                board.saves_per_second,
                board.save_p50_ms,
                board.save_p95_ms
            ));
            let gantt = runtime.block_on(measure_gantt(&base));
            gantt_rows.push(format!(
                "{:<11} {:>7} {:>16.1} {:>16} {:>16.1}",
                target.name, n, gantt.page_ms, gantt.page_kib, gantt.csv_ms
            ));

            let need_to_know = visible_set_ms(&mut conn, &member);
            diesel::update(workspaces::table.find(WORKSPACE_ID))
                .set(workspaces::privacy_mode.eq("option_1"))
                .execute(&mut conn)
                .expect("open mode");
            let open = visible_set_ms(&mut conn, &member);
            println!(
                "{:<11} {:>7} {:>16.1} {:>16.1} {:>14} {:>28.2} {:>20.3} {:>22.1}",
                target.name, n, tree_ms, edit_ms, queries, need_to_know, open, api_ms
            );
            drop(app);
            drop(conn);
            if let Some((admin, name)) = target.cleanup {
                if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
    println!("(median of {RUNS} runs each; the tree page is rendered for the workspace admin, who sees every item)");
    println!();
    println!(
        "{:<11} {:>7} {:>16} {:>16} {:>22} {:>18} {:>18}",
        "backend",
        "items",
        "board page (ms)",
        "board (KiB)",
        "position saves/s (16)",
        "save p50 (ms)",
        "save p95 (ms)"
    );
    for row in board_rows {
        println!("{row}");
    }
    println!(
        "(board page: median of {RUNS}, every card for the admin; saves: {CLIENTS} clients × {SAVES_PER_CLIENT} saves each, all at once)"
    );
    println!();
    println!(
        "{:<11} {:>7} {:>16} {:>16} {:>16}",
        "backend", "items", "gantt page (ms)", "gantt (KiB)", "CSV export (ms)"
    );
    for row in gantt_rows {
        println!("{row}");
    }
    println!("(median of {RUNS}, for the admin; the page draws the first 200 rows, the CSV has every item)");
    println!();
    println!(
        "{:<11} {:>7} {:>22} {:>24}",
        "backend", "items", "SQL per tree reorder", "SQL per board position"
    );
    for row in write_rows {
        println!("{row}");
    }
    println!("(statements one request runs, session and CSRF checks included)");
}

/// `CAIRN_BENCH_SIZES=1000` (comma-separated) measures fewer workspace sizes.
fn sizes() -> Vec<usize> {
    std::env::var("CAIRN_BENCH_SIZES")
        .ok()
        .map(|list| {
            list.split(',')
                .map(|n| n.trim().parse().expect("CAIRN_BENCH_SIZES holds numbers"))
                .collect()
        })
        .unwrap_or_else(|| SIZES.to_vec())
}

/// SQL statements run by one tree reorder (as the tree's script sends it) and one board
/// position save (as the board's script sends it), each after a warm-up.
async fn write_queries(base: &str, edited: &str) -> (u64, u64) {
    let (client, token) = logged_in(base).await;
    let item = format!("{base}/orgs/bench/w/big/items/{edited}");
    let count = |path: String,
                 fields: Vec<(&'static str, String)>,
                 header: (&'static str, &'static str)| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let mut counted = 0;
            for _ in 0..2 {
                let before = db::queries_executed();
                let response = client
                    .post(&path)
                    .header("X-CSRF-Token", &token)
                    .header(header.0, header.1)
                    .form(&fields)
                    .send()
                    .await
                    .expect("write");
                assert!(
                    response.status().is_success(),
                    "{path}: {}",
                    response.status()
                );
                counted = db::queries_executed() - before;
            }
            counted
        }
    };
    let reorder = count(
        format!("{item}/reorder"),
        vec![("position", "0".into())],
        ("HX-Request", "true"),
    )
    .await;
    let position = count(
        format!("{item}/position"),
        vec![("x", "10".into()), ("y", "20".into())],
        ("Accept", "application/json"),
    )
    .await;
    (reorder, position)
}

const CLIENTS: usize = 16;
const SAVES_PER_CLIENT: usize = 40;

struct BoardFigures {
    page_ms: f64,
    page_kib: usize,
    saves_per_second: f64,
    save_p50_ms: f64,
    save_p95_ms: f64,
}

/// The board page for the admin, then 16 logged-in clients each dragging a card of its
/// own as fast as the server answers.
async fn measure_board(base: &str) -> BoardFigures {
    let (client, token) = logged_in(base).await;
    let board = format!("{base}/orgs/bench/w/big/board");
    let mut size = 0;
    let mut page_samples = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let response = client.get(&board).send().await.expect("board");
        assert_eq!(response.status().as_u16(), 200, "the board loads");
        size = response.bytes().await.expect("body").len();
        page_samples.push(start.elapsed());
    }
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, token) = (client.clone(), token.clone());
            let url = format!("{base}/orgs/bench/w/big/items/o{c}/position");
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(SAVES_PER_CLIENT);
                for step in 0..SAVES_PER_CLIENT {
                    let (x, y) = ((c * 300 + step) as f64, (step * 7) as f64);
                    let start = Instant::now();
                    let response = client
                        .post(&url)
                        .form(&[
                            ("csrf_token", token.as_str()),
                            ("x", x.to_string().as_str()),
                            ("y", y.to_string().as_str()),
                        ])
                        .send()
                        .await
                        .expect("save");
                    assert_eq!(response.status().as_u16(), 204, "the position is saved");
                    latencies.push(start.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await.expect("client"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    BoardFigures {
        page_ms: median(page_samples),
        page_kib: size / 1024,
        saves_per_second: latencies.len() as f64 / elapsed,
        save_p50_ms: at(0.5),
        save_p95_ms: at(0.95),
    }
}

/// Median time to check the member's access, build their viewer and compute what they see.
fn visible_set_ms(conn: &mut AnyConnection, member: &str) -> f64 {
    let samples = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let access = cairn::workspaces::access(conn, member, "bench", "big").expect("access");
            let viewer = Viewer::new(conn, &access).expect("viewer");
            scope::visible_items(conn, &viewer).expect("visible");
            start.elapsed()
        })
        .collect();
    median(samples)
}

/// A read token for the workspace admin.
fn api_token(conn: &mut AnyConnection) -> String {
    use cairn::tokens::{self, Description, Lifetime, NewToken, Scopes};
    let new = NewToken {
        description: Description::parse("bench").expect("description"),
        scopes: Scopes::parse(&["read"]).expect("scopes"),
        lifetime: Lifetime::days(1).expect("days"),
    };
    let (secret, _) = tokens::create(conn, "admin", &new).expect("token");
    secret.expose().to_owned()
}

/// Median time of `GET /api/v1/workspaces/{id}/items?limit=1000` with a bearer token.
async fn measure_api(base: &str, token: &str) -> f64 {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/workspaces/{WORKSPACE_ID}/items?limit=1000");
    let mut samples = Vec::new();
    for run in 0..=RUNS {
        let start = Instant::now();
        let response = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("API");
        assert_eq!(response.status().as_u16(), 200, "the token is accepted");
        response.bytes().await.expect("body");
        // The first call warms up.
        if run > 0 {
            samples.push(start.elapsed());
        }
    }
    median(samples)
}

fn csrf(body: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = body.find(marker).expect("csrf meta") + marker.len();
    body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

struct GanttFigures {
    page_ms: f64,
    page_kib: usize,
    csv_ms: f64,
}

/// The gantt over a half-year in months that holds every bar (items are due 31 March
/// 2027), and its CSV export.
async fn measure_gantt(base: &str) -> GanttFigures {
    let (client, _) = logged_in(base).await;
    let timed = |url: String| {
        let client = client.clone();
        async move {
            let mut size = 0;
            let mut samples = Vec::new();
            for _ in 0..RUNS {
                let start = Instant::now();
                let response = client.get(&url).send().await.expect("gantt");
                assert_eq!(response.status().as_u16(), 200, "the gantt loads");
                size = response.bytes().await.expect("body").len();
                samples.push(start.elapsed());
            }
            (median(samples), size)
        }
    };
    let (page_ms, page_size) = timed(format!(
        "{base}/orgs/bench/w/big/gantt?scale=month&from=2026-10-01&to=2027-03-31"
    ))
    .await;
    let (csv_ms, _) = timed(format!("{base}/orgs/bench/w/big/gantt.csv")).await;
    GanttFigures {
        page_ms,
        page_kib: page_size / 1024,
        csv_ms,
    }
}

/// A client logged in as the workspace admin, with its CSRF token.
async fn logged_in(base: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf(&login).as_str()),
            ("email", "admin@bench.test"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("log in");
    let home = client
        .get(format!("{base}/"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    let token = csrf(&home);
    (client, token)
}

async fn measure_http(base: &str, edited: &str) -> (f64, f64, u64) {
    let (client, token) = logged_in(base).await;
    let tree = format!("{base}/orgs/bench/w/big");
    for _ in 0..2 {
        client
            .get(&tree)
            .send()
            .await
            .expect("warm up")
            .bytes()
            .await
            .expect("body");
    }
    let before = db::queries_executed();
    client
        .get(&tree)
        .send()
        .await
        .expect("tree")
        .bytes()
        .await
        .expect("body");
    let queries = db::queries_executed() - before;
    let mut tree_samples = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let response = client.get(&tree).send().await.expect("tree");
        response.bytes().await.expect("body");
        tree_samples.push(start.elapsed());
    }
    let item = format!("{base}/orgs/bench/w/big/items/{edited}");
    let mut edit_samples = Vec::new();
    for run in 0..RUNS {
        let title = format!("Edited {run}");
        let start = Instant::now();
        let response = client
            .post(&item)
            .form(&[
                ("csrf_token", token.as_str()),
                ("title", title.as_str()),
                ("owner_user_id", "admin"),
                ("action_status", "done"),
            ])
            .send()
            .await
            .expect("edit");
        assert_eq!(response.status().as_u16(), 303, "the edit is accepted");
        edit_samples.push(start.elapsed());
    }
    (median(tree_samples), median(edit_samples), queries)
}
