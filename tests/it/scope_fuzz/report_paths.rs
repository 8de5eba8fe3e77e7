//! The report read path: each person who may open the workspace asks for a summary of
//! everything, built by the app's own builder as that person; then every person reads every
//! report. The objectives a reading lists are exactly the top-level objectives both its
//! requester and its reader may see, no hidden title, id or note appears in the API's answer
//! or on the page, and a reader who sees less than the requester gets no totals.

use cairn::db::Db;
use cairn::reports::ReportBuilder;
use cairn::scope::Viewer;
use reqwest::StatusCode;

use super::oracle;
use super::paths::{answer, Answer, Ctx};
use super::world::{Person, World};
use crate::harness::TestApp;

/// Each person's report (none for who may not open the workspace), built.
pub(super) async fn build(app: &TestApp, people: &[Person], ws_id: &str) -> Vec<Option<String>> {
    let mut conn = app.db();
    let now = app.clock.now();
    let reports: Vec<Option<String>> = people
        .iter()
        .map(|person| {
            let access = cairn::workspaces::access_by_id(&mut conn, &person.user_id, ws_id).ok()?;
            let viewer = Viewer::new(&mut conn, &access).expect("viewer");
            let report = cairn::reports::request(&mut conn, &viewer, None, now).expect("report");
            Some(report.id)
        })
        .collect();
    let db = Db::connect(&app.database.url, 2).expect("pool");
    let builder = ReportBuilder { llm: None };
    while cairn::reports::build_due(&db, &builder, now)
        .await
        .expect("build")
        > 0
    {}
    reports
}

/// The top-level objectives of `visible`.
fn tops(world: &World, visible: &std::collections::BTreeSet<usize>) -> Vec<usize> {
    visible
        .iter()
        .copied()
        .filter(|&i| world.items[i].item_type == "objective" && world.items[i].parent.is_none())
        .collect()
}

pub(super) async fn read_every_report(ctx: &Ctx<'_>) -> Answer {
    let (mut expected, mut actual) = (Vec::new(), Vec::new());
    let (mut shown, mut hidden) = (0, 0);
    for (requester, report) in ctx.reports.iter().enumerate() {
        let Some(report) = report else { continue };
        let (status, body) = ctx.api_get(&format!("/reports/{report}")).await;
        ctx.page(&format!("/reports/{report}")).await;
        let Some(reader) = ctx.visible.as_ref() else {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "a report of a workspace not theirs"
            );
            expected.push(format!("{requester}: 404"));
            actual.push(format!("{requester}: {}", status.as_u16()));
            continue;
        };
        assert_eq!(status, StatusCode::OK, "report of person {requester}");
        assert_eq!(body["status"], "done", "{body}");
        let asked = oracle::visible(ctx.world, requester).expect("the requester's sight");
        let both: std::collections::BTreeSet<usize> = asked.intersection(reader).copied().collect();
        let listed = tops(ctx.world, &both);
        shown += listed.len();
        hidden += tops(ctx.world, &asked).len() - listed.len();
        expected.extend(
            listed
                .iter()
                .map(|&i| format!("{requester}: {}", ctx.item_id(i))),
        );
        actual.extend(
            body["output_json"]["objectives"]
                .as_array()
                .expect("objectives")
                .iter()
                .map(|o| format!("{requester}: {}", o["id"].as_str().expect("id"))),
        );
        let sees_less = !asked.is_subset(reader);
        assert_eq!(
            body["output_json"]["totals_withheld"], sees_less,
            "person {} reading person {requester}'s report",
            ctx.person
        );
    }
    answer(Some(expected), Some(actual), shown, hidden)
}
