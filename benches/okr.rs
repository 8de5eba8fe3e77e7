//! `cargo bench`: the OKR tree, the board and the gantt at 1,000 and 10,000 items, every
//! key result with ten check-ins (`seed`).
//!
//! Prints, per backend and size: the median server time of the tree page and of an item
//! edit (measured from a client on loopback), SQL statements per tree page load, and the
//! time to compute a need-to-know viewer's visible set and the JSON API's first page of
//! 1,000 items (bearer token checked on every request); then the board page's time, size
//! and SQL statements, and the throughput of card position saves from 16 concurrent
//! clients; then the gantt page's time, size and SQL statements (its first page of 200
//! rows) and the CSV export's time; then the tree, board and gantt pages fetched over one
//! kept-alive connection, with and without `Accept-Encoding: gzip`.
//! SQLite always; PostgreSQL too when `TEST_DATABASE_URL` points at a server (a scratch
//! database is created and dropped).

// A benchmark stops at the first thing that goes wrong, like a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use cairn::config::{Config, DatabaseUrl};
use cairn::db::{self, AnyConnection};
use cairn::schema::workspaces;
use cairn::scope::{self, Viewer};
use cairn::RunningApp;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

// In a folder of its own, so cargo does not take it for a benchmark.
#[path = "okr/seed.rs"]
mod seed;

const SIZES: [usize; 2] = [1_000, 10_000];
const RUNS: usize = 15;
/// API paths take UUIDs, so the seeded workspace has one.
const WORKSPACE_ID: &str = "0190a000-0000-7000-8000-000000000001";
const PASSWORD: &str = "benchmark password";

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
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
    let mut kept_alive_rows = Vec::new();
    let mut report_rows = Vec::new();
    for n in sizes() {
        for target in targets(n, dir.path()) {
            let mut conn = db::establish(&target.url).expect("connect");
            db::run_pending_migrations(&mut conn).expect("migrate");
            let (edited, member) = seed::seed(&mut conn, n);
            seed::check_in_everywhere(&mut conn);
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
            let board_sql = runtime.block_on(page_queries(&base, BOARD));
            let gantt_sql = runtime.block_on(page_queries(&base, GANTT));
            let board = runtime.block_on(measure_board(&base));
            board_rows.push(format!(
                "{:<11} {:>7} {:>16.1} {:>16} {:>14} {:>22.0} {:>18.1} {:>18.1}",
                target.name,
                n,
                board.page_ms,
                board.page_kib,
                board_sql,
                board.saves_per_second,
                board.save_p50_ms,
                board.save_p95_ms
            ));
            let gantt = runtime.block_on(measure_gantt(&base));
            gantt_rows.push(format!(
                "{:<11} {:>7} {:>16.1} {:>16} {:>14} {:>16.1}",
                target.name, n, gantt.page_ms, gantt.page_kib, gantt_sql, gantt.csv_ms
            ));

            for (page, path) in [("tree", TREE), ("board", BOARD), ("gantt", GANTT)] {
                let plain = runtime.block_on(measure_kept_alive(&base, path, None));
                let gzip = runtime.block_on(measure_kept_alive(&base, path, Some("gzip")));
                kept_alive_rows.push(format!(
                    "{:<11} {:>7} {:>7} {:>14.1} {:>14} {:>14.1} {:>14} {:>10.2}",
                    target.name,
                    n,
                    page,
                    plain.0,
                    plain.1 / 1024,
                    gzip.0,
                    gzip.1 / 1024,
                    gzip.0 / plain.0
                ));
            }

            let (admin_report, member_report) =
                runtime.block_on(report_build_ms(&target.url, &member));
            report_rows.push(format!(
                "{:<11} {:>7} {:>26.1} {:>28.1}",
                target.name, n, admin_report, member_report
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
    println!(
        "(median of {RUNS} runs each; the tree page is rendered for the workspace admin, who sees every item; every key result has {} check-ins)",
        seed::check_ins_per_key_result()
    );
    println!();
    println!(
        "{:<11} {:>7} {:>16} {:>16} {:>14} {:>22} {:>18} {:>18}",
        "backend",
        "items",
        "board page (ms)",
        "board (KiB)",
        "SQL per page",
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
        "{:<11} {:>7} {:>16} {:>16} {:>14} {:>16}",
        "backend", "items", "gantt page (ms)", "gantt (KiB)", "SQL per page", "CSV export (ms)"
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
    println!();
    println!(
        "{:<11} {:>7} {:>7} {:>14} {:>14} {:>14} {:>14} {:>10}",
        "backend",
        "items",
        "page",
        "plain (ms)",
        "plain (KiB)",
        "gzip (ms)",
        "gzip (KiB)",
        "gzip/plain"
    );
    for row in kept_alive_rows {
        println!("{row}");
    }
    println!("(median of {RUNS} requests, one after another on one kept-alive connection, as a browser sends them)");
    println!();
    println!(
        "{:<11} {:>7} {:>26} {:>28}",
        "backend", "items", "report build, admin (ms)", "report build, member (ms)"
    );
    for row in report_rows {
        println!("{row}");
    }
    println!("(median of {REPORT_RUNS} builds of a summary of everything in the workspace, no language model: claim, figures through scope, markdown, store)");
}

const REPORT_RUNS: usize = 5;

/// Median time to build a summary report for the admin and for the need-to-know member.
async fn report_build_ms(url: &DatabaseUrl, member: &str) -> (f64, f64) {
    let pool = db::Db::connect(url, 2).expect("pool");
    let builder = cairn::reports::ReportBuilder { llm: None };
    let mut conn = db::establish(url).expect("connect");
    let mut medians = Vec::new();
    for user in ["admin", member] {
        let access = cairn::workspaces::access(&mut conn, user, "bench", "big").expect("access");
        let viewer = Viewer::new(&mut conn, &access).expect("viewer");
        let mut samples = Vec::new();
        for _ in 0..REPORT_RUNS {
            cairn::reports::request(&mut conn, &viewer, None, db::now()).expect("report");
            let start = Instant::now();
            let built = cairn::reports::build_due(&pool, &builder, db::now())
                .await
                .expect("build");
            samples.push(start.elapsed());
            assert_eq!(built, 1);
        }
        medians.push(median(samples));
    }
    (medians[0], medians[1])
}

/// The median time of `path` fetched over one kept-alive connection, asking for
/// `encoding` (none: uncompressed), and the bytes that came over the wire.
async fn measure_kept_alive(base: &str, path: &str, encoding: Option<&str>) -> (f64, usize) {
    let (client, _) = logged_in(base).await;
    let url = format!("{base}{path}");
    let mut samples = Vec::new();
    let mut size = 0;
    for run in 0..RUNS + 2 {
        let request = client.get(&url);
        let request = match encoding {
            Some(encoding) => request.header("Accept-Encoding", encoding),
            None => request,
        };
        let start = Instant::now();
        let response = request.send().await.expect("page");
        assert_eq!(response.status().as_u16(), 200, "{path} loads");
        size = response.bytes().await.expect("body").len();
        // The first two warm the connection and the caches.
        if run >= 2 {
            samples.push(start.elapsed());
        }
    }
    (median(samples), size)
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

const TREE: &str = "/orgs/bench/w/big";
const BOARD: &str = "/orgs/bench/w/big/board";
const GANTT: &str = "/orgs/bench/w/big/gantt?scale=month&from=2026-10-01&to=2027-03-31";

/// SQL statements one load of a page runs, after a warm-up: the same whatever the
/// workspace's size and however many check-ins it holds, or a page reads per item.
async fn page_queries(base: &str, path: &str) -> u64 {
    let (client, _) = logged_in(base).await;
    let mut counted = 0;
    for _ in 0..2 {
        let before = db::queries_executed();
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("page");
        assert_eq!(response.status().as_u16(), 200, "{path} loads");
        response.bytes().await.expect("body");
        counted = db::queries_executed() - before;
    }
    counted
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
    let board = format!("{base}{BOARD}");
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
    let (page_ms, page_size) = timed(format!("{base}{GANTT}")).await;
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
