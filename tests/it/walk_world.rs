//! Where both rule walks (the pages' in `rules.rs`, the API's in `api_scopes.rs`) start: a
//! workspace with no mail worker running (a delivery would change the database under a
//! walk that compares every row), a plain member, an outsider, and one of each item a path
//! can name.

use diesel::prelude::*;

use crate::harness::{TestApp, Workspace};

/// The items every walk names: `throwaway` is there to be deleted, `deleted` is already in
/// the trash, `link` joins `objective` to `other`, and `notification` is the owner's, unread.
pub struct Items {
    pub objective: String,
    pub other: String,
    pub key_result: String,
    pub action: String,
    pub throwaway: String,
    pub deleted: String,
    pub link: String,
    pub notification: String,
}

pub async fn walk_world() -> (Workspace, Items) {
    let app = TestApp::spawn().await;
    let w = Workspace::in_app(app, "option_1").await;
    w.member("member@example.com", "Mia Member", None).await;
    w.app.person("outsider@example.com", "Otto Outsider").await;
    let admin = &w.admin;
    let objective = w.create(admin, "objective", None, "Grow").await;
    let other = w.create(admin, "objective", None, "Keep").await;
    let key_result = w
        .create(admin, "key_result", Some(&objective), "Ten deals")
        .await;
    let action = w
        .create(admin, "action", Some(&key_result), "Call Globex")
        .await;
    let throwaway = w
        .create(admin, "action", Some(&key_result), "Scratch")
        .await;
    let deleted = w.create(admin, "objective", None, "Dropped").await;
    let base = w.base();
    for (path, fields) in [
        (format!("{base}/items/{deleted}/delete"), vec![]),
        (
            format!("{base}/items/{objective}/links"),
            vec![("to_item_id", other.as_str())],
        ),
    ] {
        let page = admin.submit(&base, &path, &fields).await;
        assert!(page.status.is_redirection(), "{path}: {}", page.body);
    }
    let link = cairn::schema::okr_links::table
        .select(cairn::schema::okr_links::id)
        .first(&mut w.app.db())
        .expect("link");
    // No runner runs here to turn an event into a notification, so it is written as the
    // runner would.
    let notification = uuid::Uuid::new_v4().to_string();
    let (org_id, ws_id): (String, String) = cairn::schema::okr_items::table
        .find(&key_result)
        .select((
            cairn::schema::okr_items::organization_id,
            cairn::schema::okr_items::workspace_id,
        ))
        .first(&mut w.app.db())
        .expect("item");
    {
        use cairn::schema::notifications::dsl as n;
        diesel::insert_into(n::notifications)
            .values((
                n::id.eq(&notification),
                n::user_id.eq(w.app.user_id("admin@example.com")),
                n::organization_id.eq(org_id),
                n::workspace_id.eq(ws_id),
                n::item_id.eq(&key_result),
                n::actor_user_id.eq(w.app.user_id("member@example.com")),
                n::kind.eq("check_in"),
            ))
            .execute(&mut w.app.db())
            .expect("notification");
    }
    let items = Items {
        objective,
        other,
        key_result,
        action,
        throwaway,
        deleted,
        link,
        notification,
    };
    (w, items)
}

/// The organization opted in to AI enrichment, with a finished scrape suggesting an industry.
pub fn finished_scrape(
    conn: &mut cairn::db::AnyConnection,
    org_slug: &str,
    admin_id: &str,
) -> String {
    use cairn::schema::{organizations, scrape_jobs};
    let org_id: String = organizations::table
        .filter(organizations::slug.eq(org_slug))
        .select(organizations::id)
        .first(conn)
        .expect("org");
    diesel::update(organizations::table.find(&org_id))
        .set(organizations::ai_enrichment_opt_in.eq(true))
        .execute(conn)
        .expect("opt in");
    let id = uuid::Uuid::new_v4().to_string();
    let prefill = serde_json::json!({
        "version": 1,
        "page_url": "https://acme.example/",
        "suggestions": [{ "field": "industry", "value": "Farm robotics", "source": "json_ld" }],
        "facts": [],
    });
    diesel::insert_into(scrape_jobs::table)
        .values((
            scrape_jobs::id.eq(&id),
            scrape_jobs::organization_id.eq(&org_id),
            scrape_jobs::requested_by_user_id.eq(admin_id),
            scrape_jobs::source_url.eq("https://acme.example/"),
            scrape_jobs::status.eq("done"),
            scrape_jobs::prefill_json.eq(prefill.to_string()),
        ))
        .execute(conn)
        .expect("scrape");
    id
}

/// Two reports of the workspace asked for by `requester`: one built (through the real
/// builder), one that failed.
pub async fn reports(w: &Workspace, requester: &str) -> (String, String) {
    use cairn::schema::{reports, workspaces};
    let mut conn = w.app.db();
    let (ws_id, org_id): (String, String) = workspaces::table
        .filter(workspaces::slug.eq(&w.ws))
        .select((workspaces::id, workspaces::organization_id))
        .first(&mut conn)
        .expect("workspace");
    let mut insert = |status: &str| {
        let id = uuid::Uuid::new_v4().to_string();
        diesel::insert_into(reports::table)
            .values((
                reports::id.eq(&id),
                reports::organization_id.eq(&org_id),
                reports::workspace_id.eq(&ws_id),
                reports::requested_by_user_id.eq(requester),
                reports::status.eq(status),
                reports::error_message.eq((status == "failed").then_some("It broke.")),
            ))
            .execute(&mut conn)
            .expect("report");
        id
    };
    let (built, failed) = (insert("pending"), insert("failed"));
    let db = cairn::db::Db::connect(&w.app.database.url, 2).expect("pool");
    let builder = cairn::reports::ReportBuilder { llm: None };
    let done = cairn::reports::build_due(&db, &builder, w.app.clock.now())
        .await
        .expect("build");
    assert_eq!(done, 1);
    (built, failed)
}
