//! OKR summary reports over HTTP on a fixed workspace: the figures to the number, built in
//! the background as the requester, read again through `scope` (rows a reader may not see
//! are withheld), a failed build shown and built again, and the narrative from an
//! OpenAI-compatible model played by a server started here, with its time limit.

use chrono::Duration as Days;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use cairn::db::Db;
use cairn::llm::Llm;
use cairn::reports::ReportBuilder;
use cairn::schema::workspace_memberships;

use crate::api::{Api, Setup};
use crate::receiver::{model, Reply};

fn builder(llm: Option<Llm>) -> ReportBuilder {
    ReportBuilder { llm }
}

/// Builds what is due; answers how many finished.
async fn build(s: &Setup, with: &ReportBuilder) -> usize {
    let db = Db::connect(&s.app.database.url, 2).expect("pool");
    cairn::reports::build_due(&db, with, s.app.clock.now())
        .await
        .expect("report round")
}

async fn ask(s: &Setup, api: &Api, cycle_id: Option<&str>) -> String {
    let created = api
        .post(
            &format!("/workspaces/{}/reports", s.ws_id),
            json!({ "cycle_id": cycle_id }),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(created["status"], "pending");
    created["id"].as_str().expect("id").to_owned()
}

async fn report(api: &Api, id: &str) -> Value {
    api.get(&format!("/reports/{id}"))
        .await
        .expect(StatusCode::OK)
}

async fn create(api: &Api, s: &Setup, body: Value) -> String {
    api.post(&format!("/workspaces/{}/items", s.ws_id), body)
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn check_in(api: &Api, item: &str, body: Value) {
    api.post(&format!("/items/{item}/check-ins"), body)
        .await
        .expect(StatusCode::CREATED);
}

/// Two objectives in an active cycle that began 30 days ago and ends in 60 (a third of it
/// gone): one with an off-track metric and a finished milestone, one with a key result
/// measured by three actions (done 3 points, pending 5 of Mia's, in progress 2 and overdue).
struct Fixed {
    s: Setup,
    admin: Api,
    cycle: String,
    ids: Vec<(&'static str, String)>,
}

impl Fixed {
    async fn new(mode: &str) -> Self {
        let s = Setup::new(mode).await;
        let admin = s.api("owner@example.com", &["read", "write", "admin"]);
        let (_, mia) = s.member(&admin, "mia@example.com", "Mia Member").await;
        let today = s.app.clock.today();
        let cycle = admin
            .post(
                &format!("/orgs/{}/cycles", s.org_id),
                json!({"name": "This quarter", "start_date": (today - Days::days(30)).to_string(),
                       "end_date": (today + Days::days(60)).to_string()}),
            )
            .await
            .expect(StatusCode::CREATED)["id"]
            .as_str()
            .expect("cycle")
            .to_owned();
        let revenue = create(
            &admin,
            &s,
            json!({"type": "objective", "title": "Grow revenue", "cycle_id": cycle}),
        )
        .await;
        let customers = create(
            &admin,
            &s,
            json!({"type": "key_result", "title": "Sign 10 customers", "parent_id": revenue,
            "measure": "metric", "metric_kind": "increase_to", "baseline": 0, "target": 10}),
        )
        .await;
        let pricing = create(
            &admin,
            &s,
            json!({"type": "key_result", "title": "Launch the pricing page", "parent_id": revenue,
            "measure": "milestone"}),
        )
        .await;
        let faster = create(
            &admin,
            &s,
            json!({"type": "objective", "title": "Ship faster", "cycle_id": cycle}),
        )
        .await;
        let builds = create(
            &admin,
            &s,
            json!({"type": "key_result", "title": "Cut build time", "parent_id": faster}),
        )
        .await;
        let cache = create(
            &admin,
            &s,
            json!({"type": "action", "title": "Cache dependencies", "parent_id": builds,
            "story_points": "3", "action_status": "done"}),
        )
        .await;
        let runners = create(
            &admin,
            &s,
            json!({"type": "action", "title": "Add runners", "parent_id": builds,
            "story_points": "5", "owner_user_id": mia}),
        )
        .await;
        let split = create(
            &admin,
            &s,
            json!({"type": "action", "title": "Split the test suite", "parent_id": builds,
            "story_points": "2", "action_status": "work_in_progress",
            "due_date": (today - Days::days(1)).to_string()}),
        )
        .await;
        check_in(
            &admin,
            &customers,
            json!({"value": 2, "confidence": 3, "note": "Pipeline is thin"}),
        )
        .await;
        check_in(&admin, &pricing, json!({"done": true, "confidence": 9})).await;
        check_in(
            &admin,
            &builds,
            json!({"confidence": 5, "note": "CI is slow"}),
        )
        .await;
        Self {
            s,
            admin,
            cycle,
            ids: vec![
                ("revenue", revenue),
                ("customers", customers),
                ("pricing", pricing),
                ("faster", faster),
                ("builds", builds),
                ("cache", cache),
                ("runners", runners),
                ("split", split),
            ],
        }
    }

    fn id(&self, name: &str) -> &str {
        &self
            .ids
            .iter()
            .find(|(n, _)| *n == name)
            .expect("named item")
            .1
    }
}

fn ids_of(rows: &Value) -> Vec<String> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

fn round(value: &Value) -> i64 {
    value.as_f64().expect("number").round() as i64
}

#[tokio::test]
async fn a_summary_of_a_fixed_workspace_has_exactly_its_figures() {
    let f = Fixed::new("option_1").await;
    let id = ask(&f.s, &f.admin, Some(&f.cycle)).await;
    let pending = report(&f.admin, &id).await;
    assert_eq!(pending["status"], "pending");
    assert!(pending["output_json"].is_null());
    assert_eq!(build(&f.s, &builder(None)).await, 1);
    let done = report(&f.admin, &id).await;
    assert_eq!(done["status"], "done", "{done}");
    let out = &done["output_json"];
    assert_eq!(out["version"], 1);
    assert_eq!(out["cycle"]["name"], "This quarter");
    assert_eq!(round(&out["progress"]), 50, "(60 + 40) / 2");
    assert_eq!(round(&out["expected"]), 33, "30 of 90 days");
    assert_eq!(
        out["status_counts"],
        json!({"off_track": 2, "at_risk": 2, "done": 1})
    );
    let objectives: Vec<(String, i64, String)> = out["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .map(|o| {
            (
                o["title"].as_str().expect("t").to_owned(),
                round(&o["progress"]),
                o["status"].as_str().expect("s").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        objectives,
        vec![
            ("Grow revenue".to_owned(), 60, "off_track".to_owned()),
            ("Ship faster".to_owned(), 40, "at_risk".to_owned())
        ]
    );
    assert_eq!(
        ids_of(&out["attention"]),
        vec![f.id("customers"), f.id("builds")]
    );
    assert_eq!(out["attention"][0]["note"], "Pipeline is thin");
    assert_eq!(out["attention"][1]["note"], "CI is slow");
    assert_eq!(
        ids_of(&out["behind_pace"]),
        vec![f.id("customers"), f.id("runners"), f.id("split")]
    );
    assert_eq!(ids_of(&out["overdue"]), vec![f.id("split")]);
    assert_eq!(
        ids_of(&out["completed"]),
        vec![f.id("pricing"), f.id("cache")]
    );
    assert_eq!(out["coverage"]["key_results"], 2);
    assert_eq!(out["coverage"]["updated"], 2);
    assert_eq!(
        out["load"],
        json!([
            {"owner": "Mia Member", "open_actions": 1, "story_points": 5},
            {"owner": "Olive Owner", "open_actions": 1, "story_points": 2}
        ])
    );
    let line: Vec<i64> = out["progress_over_time"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| round(&p["progress"]))
        .collect();
    assert_eq!(
        line,
        vec![0, 0, 0, 0, 53],
        "(20 + 100 + 40) / 3 once checked in"
    );
    assert_eq!(out["narrative"]["source"], "template");
    let narrative = out["narrative"]["text"].as_str().expect("text");
    assert!(
        narrative.contains("stands at 50% against 33% expected"),
        "{narrative}"
    );
    assert!(
        narrative.contains("Sign 10 customers (off track)"),
        "{narrative}"
    );
    assert!(done["model_used"].is_null());

    let markdown = done["output_markdown"].as_str().expect("markdown");
    assert!(
        markdown.contains("| Grow revenue | Olive Owner | 60% | 33% | Off track |"),
        "{markdown}"
    );
    assert!(markdown.contains("Latest note"), "{markdown}");

    // The page: charts with words, the markdown as HTML, downloads, the list.
    let base = format!("/orgs/{}/w/{}", f.s.org_slug, f.s.ws_slug);
    let page = f.s.owner.get(&format!("{base}/reports/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.html()
            .select(&scraper::Selector::parse("svg.report-chart").expect("s"))
            .count(),
        3
    );
    assert!(page
        .text_of("#chart-objectives-desc")
        .expect("desc")
        .contains("Grow revenue: 60%, expected 33%"));
    assert!(page
        .text_of("#chart-status-desc")
        .expect("desc")
        .contains("Off track: 2"));
    assert!(page
        .text_of(".report-body")
        .expect("body")
        .contains("Split the test suite"));
    let md =
        f.s.owner
            .get(&format!("{base}/reports/{id}/report.md"))
            .await;
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    assert_eq!(md.body, markdown);
    let downloaded =
        f.s.owner
            .get(&format!("{base}/reports/{id}/report.json"))
            .await;
    assert_eq!(
        serde_json::from_str::<Value>(&downloaded.body).expect("json"),
        *out
    );
    let list = f.s.owner.get(&format!("{base}/reports")).await;
    assert!(list
        .text_of(".report-list")
        .expect("list")
        .contains("This quarter"));
    let listed = f
        .admin
        .get(&format!("/workspaces/{}/reports", f.s.ws_id))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["reports"][0]["id"], id.as_str());
    assert_eq!(listed["reports"][0]["requested_by"], "Olive Owner");
}

#[tokio::test]
async fn a_need_to_know_report_holds_only_what_its_requester_saw_and_a_reader_sees_less() {
    let s = Setup::new("option_2").await;
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let (mia_page, mia) = s.member(&admin, "mia@example.com", "Mia Member").await;
    let (nora_page, _) = s.member(&admin, "nora@example.com", "Nora Member").await;
    let secret = create(
        &admin,
        &s,
        json!({"type": "objective", "title": "Secret acquisition"}),
    )
    .await;
    let hidden_kr = create(
        &admin,
        &s,
        json!({"type": "key_result", "title": "Buy Initrode", "parent_id": secret}),
    )
    .await;
    check_in(
        &admin,
        &hidden_kr,
        json!({"confidence": 2, "note": "Board says no"}),
    )
    .await;
    let mine = create(
        &admin,
        &s,
        json!({"type": "objective", "title": "Mia's onboarding", "owner_user_id": mia}),
    )
    .await;
    let mia_api = s.api("mia@example.com", &["read", "write"]);
    let id = ask(&s, &mia_api, None).await;
    assert_eq!(build(&s, &builder(None)).await, 1);
    let done = report(&mia_api, &id).await;
    let whole = done.to_string();
    for hidden in [
        "Secret acquisition",
        "Buy Initrode",
        "Board says no",
        secret.as_str(),
        hidden_kr.as_str(),
    ] {
        assert!(!whole.contains(hidden), "{hidden} in {whole}");
    }
    assert!(whole.contains("Mia's onboarding"));
    assert_eq!(done["output_json"]["withheld"], 0);
    let base = format!("/orgs/{}/w/{}", s.org_slug, s.ws_slug);
    let page = mia_page.get(&format!("{base}/reports/{id}")).await;
    for hidden in ["Secret acquisition", "Buy Initrode", secret.as_str()] {
        assert!(!page.body.contains(hidden), "{hidden} on the page");
    }
    assert!(page.body.contains("Mia&#x27;s onboarding") || page.body.contains("Mia's onboarding"));

    // Nora sees none of Mia's items: her reading withholds the row and says how many.
    let nora = s.api("nora@example.com", &["read"]);
    let read = report(&nora, &id).await;
    assert!(!read.to_string().contains("Mia's onboarding"), "{read}");
    assert!(!read.to_string().contains(&mine), "{read}");
    assert_eq!(read["output_json"]["withheld"], 1);
    assert_eq!(read["output_json"]["totals_withheld"], true);
    assert!(
        read["output_json"]["progress"].is_null(),
        "an average over hidden items"
    );
    assert_eq!(read["output_json"]["status_counts"], json!({}));
    assert!(read["output_markdown"]
        .as_str()
        .expect("md")
        .contains("1 rows are withheld"));
    let nora_sees = nora_page.get(&format!("{base}/reports/{id}")).await;
    assert!(!nora_sees.body.contains("onboarding"));
    assert!(nora_sees
        .text_of(".banner")
        .expect("notice")
        .contains("1 row is withheld"));
    let nora_md = nora_page
        .get(&format!("{base}/reports/{id}/report.md"))
        .await;
    assert!(!nora_md.body.contains("onboarding"));
    // The owner, who sees everything, reads all of it.
    assert_eq!(report(&admin, &id).await["output_json"]["withheld"], 0);
    // Outsiders do not find it.
    s.app.person("out@example.com", "Otto Outsider").await;
    s.api("out@example.com", &["read"])
        .get(&format!("/reports/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_failed_build_shows_its_error_and_builds_again() {
    let f = Fixed::new("option_1").await;
    let mia = f.s.api("mia@example.com", &["read", "write"]);
    let id = ask(&f.s, &mia, None).await;
    let leave = |active: bool| {
        diesel::update(
            workspace_memberships::table
                .filter(workspace_memberships::user_id.eq(f.s.app.user_id("mia@example.com"))),
        )
        .set(workspace_memberships::active.eq(active))
        .execute(&mut f.s.app.db())
        .expect("membership")
    };
    leave(false);
    assert_eq!(build(&f.s, &builder(None)).await, 1);
    let failed = report(&f.admin, &id).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["error_message"]
        .as_str()
        .expect("why")
        .contains("can no longer open the workspace"));
    let base = format!("/orgs/{}/w/{}", f.s.org_slug, f.s.ws_slug);
    let page = f.s.owner.get(&format!("{base}/reports/{id}")).await;
    assert!(page
        .text_of("[role=alert]")
        .expect("error")
        .contains("can no longer open the workspace"));
    leave(true);
    let again =
        f.s.owner
            .post_form(&format!("{base}/reports/{id}/retry"), &[])
            .await;
    again.assert_redirect(&format!("{base}/reports/{id}"));
    assert_eq!(report(&f.admin, &id).await["status"], "pending");
    let progress = f.s.owner.get(&format!("{base}/reports/{id}")).await;
    assert!(
        progress.attr_of(".report-progress", "hx-trigger").is_some(),
        "polls while waiting"
    );
    assert_eq!(build(&f.s, &builder(None)).await, 1);
    assert_eq!(report(&f.admin, &id).await["status"], "done");
    // A report that did not fail is not built again.
    let refused =
        f.s.owner
            .post_form(&format!("{base}/reports/{id}/retry"), &[])
            .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    // A cycle of another organization is refused next to its field.
    let bad = f
        .admin
        .post(
            &format!("/workspaces/{}/reports", f.s.ws_id),
            json!({"cycle_id": uuid::Uuid::new_v4()}),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(bad["error"]["fields"]["cycle_id"].is_string(), "{bad}");
}

#[tokio::test]
async fn a_configured_model_writes_the_narrative_from_visible_items_only_and_a_slow_one_falls_back()
{
    let s = Setup::new("option_2").await;
    let admin = s.api("owner@example.com", &["read", "write", "admin"]);
    let (mia_page, mia) = s.member(&admin, "mia@example.com", "Mia Member").await;
    create(
        &admin,
        &s,
        json!({"type": "objective", "title": "Secret acquisition"}),
    )
    .await;
    create(
        &admin,
        &s,
        json!({"type": "objective", "title": "Mia's onboarding", "owner_user_id": mia}),
    )
    .await;
    let answer = json!({"choices": [{"message": {"role": "assistant", "content": "Onboarding is under way."}}]});
    let (server, llm) = model(Reply::typed(200, "application/json", &answer.to_string()));
    let mia_api = s.api("mia@example.com", &["read", "write"]);
    let id = ask(&s, &mia_api, None).await;
    assert_eq!(build(&s, &builder(Some(llm))).await, 1);
    let done = report(&mia_api, &id).await;
    assert_eq!(done["output_json"]["narrative"]["source"], "llm");
    assert_eq!(
        done["output_json"]["narrative"]["text"],
        "Onboarding is under way."
    );
    assert_eq!(done["model_used"], "test-model");
    assert_eq!(done["provider"], "127.0.0.1");
    assert_eq!(done["prompt_version"], cairn::reports::PROMPT_VERSION);
    let sent = &server.received()[0];
    assert_eq!(
        sent.headers.get("authorization").map(String::as_str),
        Some("Bearer sk-test-key")
    );
    assert!(sent.body.contains("Mia's onboarding"), "{}", sent.body);
    assert!(!sent.body.contains("Secret acquisition"), "{}", sent.body);
    let base = format!("/orgs/{}/w/{}", s.org_slug, s.ws_slug);
    let page = mia_page.get(&format!("{base}/reports/{id}")).await;
    let shown = page.text_of(".report-sent pre").expect("what was sent");
    assert_eq!(
        serde_json::from_str::<Value>(&shown).expect("json"),
        serde_json::from_str::<Value>(&sent.body).expect("json")
    );

    let (_slow, slow) = model(Reply::Hang);
    let id = ask(&s, &mia_api, None).await;
    assert_eq!(build(&s, &builder(Some(slow))).await, 1);
    let fallback = report(&mia_api, &id).await;
    assert_eq!(fallback["status"], "done");
    let narrative = &fallback["output_json"]["narrative"];
    assert_eq!(narrative["source"], "template");
    assert!(narrative["note"]
        .as_str()
        .expect("note")
        .contains("did not answer within 1 s"));
}
