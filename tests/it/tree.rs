//! The OKR tree page and the privacy modes behind it, over HTTP.

use cairn::schema::{okr_items, workspace_memberships};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::browser::Chrome;
use crate::harness::{Browser, Workspace};
use crate::snapshot::Snapshot;

#[tokio::test]
async fn items_nest_by_type_and_the_rules_refuse_the_rest() {
    let ws = Workspace::new("option_1").await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let key_result = ws
        .create(&ws.admin, "key_result", Some(&objective), "ARR to 2M")
        .await;
    ws.create(
        &ws.admin,
        "action",
        Some(&key_result),
        "Launch pricing page",
    )
    .await;
    ws.create(&ws.admin, "objective", Some(&objective), "Win Europe")
        .await;
    assert_eq!(
        ws.titles(&ws.admin).await,
        [
            "Grow revenue",
            "ARR to 2M",
            "Launch pricing page",
            "Win Europe"
        ],
        "tree order: children under their parent, siblings by creation"
    );

    let base = ws.base();
    for (item_type, parent, message) in [
        (
            "action",
            objective.as_str(),
            "An action belongs under a key result.",
        ),
        ("key_result", "", "A key result belongs under an objective."),
        (
            "objective",
            key_result.as_str(),
            "An objective can only sit at the top or under another objective.",
        ),
    ] {
        let page = ws
            .admin
            .submit(
                &base,
                &format!("{base}/items"),
                &[
                    ("item_type", item_type),
                    ("parent_id", parent),
                    ("title", "Nope"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{item_type} under {parent:?}"
        );
        assert!(page.body.contains(message), "{message}");
    }
    let page = ws
        .admin
        .submit(
            &base,
            &format!("{base}/items"),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", "  "),
            ],
        )
        .await;
    assert_eq!(
        page.text_of("#new-objective-error").as_deref(),
        Some("Give it a title.")
    );
    for (due, message) in [
        ("9999-12-31", "Choose a due date between 1900 and 2200."),
        ("+262142-12-31", "Enter the due date as YYYY-MM-DD."),
    ] {
        let page = ws
            .admin
            .submit(
                &base,
                &format!("{base}/items"),
                &[
                    ("item_type", "objective"),
                    ("parent_id", ""),
                    ("title", "Far off"),
                    ("due_date", due),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{due}");
        assert_eq!(
            page.text_of("#new-objective-error").as_deref(),
            Some(message)
        );
    }
    let count: i64 = okr_items::table
        .count()
        .get_result(&mut ws.app.db())
        .expect("count");
    assert_eq!(count, 4, "refusals change nothing");
}

#[tokio::test]
async fn progress_rolls_up_when_items_are_created() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "KR")
        .await;
    let action = ws.create(&ws.admin, "action", Some(&kr), "Do it").await;
    // Mark the action done directly (editing arrives with the item detail page)...
    diesel::update(okr_items::table.find(&action))
        .set(okr_items::action_status.eq("done"))
        .execute(&mut ws.app.db())
        .expect("done");
    // ...then a new pending action under the same key result recomputes the chain.
    ws.create(&ws.admin, "action", Some(&kr), "Do more").await;
    let progress = |id: &str| -> f64 {
        okr_items::table
            .find(id)
            .select(okr_items::progress_computed)
            .first(&mut ws.app.db())
            .expect("item")
    };
    assert_eq!(progress(&kr), 50.0, "one of two equal actions done");
    assert_eq!(
        progress(&objective),
        50.0,
        "the objective averages its key result"
    );
}

#[tokio::test]
async fn need_to_know_shows_own_work_with_its_context_and_reports_work_to_managers() {
    let ws = Workspace::new("option_2").await;
    let lead = ws.member("lead@example.com", "Lena Lead", None).await;
    let dev = ws
        .member("dev@example.com", "Dan Dev", Some("lead@example.com"))
        .await;
    let other = ws.member("other@example.com", "Olga Other", None).await;

    let objective = ws
        .create(&ws.admin, "objective", None, "Company goal")
        .await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "Team KR")
        .await;
    let task = ws.create(&ws.admin, "action", Some(&kr), "Dev task").await;
    ws.create(&ws.admin, "objective", None, "Secret plan").await;
    ws.assign(&task, "dev@example.com");

    let everything = ["Company goal", "Team KR", "Dev task", "Secret plan"];
    assert_eq!(
        ws.titles(&ws.admin).await,
        everything,
        "admins see everything"
    );
    assert_eq!(
        ws.titles(&dev).await,
        ["Company goal", "Team KR", "Dev task"],
        "own work with its ancestors"
    );
    assert_eq!(
        ws.titles(&lead).await,
        ["Company goal", "Team KR", "Dev task"],
        "a manager sees the report's work"
    );
    assert!(
        ws.titles(&other).await.is_empty(),
        "unrelated people see nothing"
    );

    // Creating under an item one cannot see is refused as if it did not exist.
    let secret: String = okr_items::table
        .filter(okr_items::title.eq("Secret plan"))
        .select(okr_items::id)
        .first(&mut ws.app.db())
        .expect("item");
    let base = ws.base();
    let page = other
        .submit(
            &base,
            &format!("{base}/items"),
            &[
                ("item_type", "key_result"),
                ("parent_id", &secret),
                ("title", "Peek"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // A visible item one does not own cannot take children either.
    let page = dev
        .submit(
            &base,
            &format!("{base}/items"),
            &[
                ("item_type", "key_result"),
                ("parent_id", &objective),
                ("title", "Mine?"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // A mode switch takes effect on the next request.
    ws.set_privacy_mode("option_1").await;
    assert_eq!(ws.titles(&other).await, everything);

    // A deactivated member sees nothing at all.
    let other_id = ws.app.user_id("other@example.com");
    diesel::update(
        workspace_memberships::table.filter(workspace_memberships::user_id.eq(&other_id)),
    )
    .set(workspace_memberships::active.eq(false))
    .execute(&mut ws.app.db())
    .expect("deactivate");
    assert_eq!(other.get(&base).await.status, StatusCode::NOT_FOUND);
}

impl Workspace {
    pub(crate) fn item_path(&self, id: &str) -> String {
        format!("{}/items/{id}", self.base())
    }

    fn progress(&self, id: &str) -> f64 {
        okr_items::table
            .find(id)
            .select(okr_items::progress_computed)
            .first(&mut self.app.db())
            .expect("item")
    }

    /// Saves the item form with these fields (the rest as they are on the page).
    async fn edit(&self, who: &Browser, id: &str, fields: &[(&str, &str)]) -> crate::harness::Page {
        let page = who.get(&self.item_path(id)).await;
        let html = page.html();
        let value = |selector: &str, attr: &str| page.attr_of(selector, attr).unwrap_or_default();
        let mut form: Vec<(String, String)> = vec![
            ("title".into(), value("#title", "value")),
            (
                "description".into(),
                page.text_of("#description").unwrap_or_default(),
            ),
            (
                "owner_user_id".into(),
                value("#owner_user_id option[selected]", "value"),
            ),
            ("start_date".into(), value("#start_date", "value")),
            ("due_date".into(), value("#due_date", "value")),
        ];
        if page.attr_of("#action_status", "name").is_some() {
            form.push((
                "action_status".into(),
                value("#action_status option[selected]", "value"),
            ));
            form.push((
                "story_points".into(),
                value("#story_points option[selected]", "value"),
            ));
        }
        let checked =
            scraper::Selector::parse("input[name=assignee_user_ids][checked]").expect("selector");
        for input in html.select(&checked) {
            form.push((
                "assignee_user_ids".into(),
                input.value().attr("value").unwrap_or_default().to_owned(),
            ));
        }
        for (name, value) in fields {
            form.retain(|(n, _)| n != name || *name == "assignee_user_ids");
            form.push((name.to_string(), value.to_string()));
        }
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        who.post_form(&self.item_path(id), &fields).await
    }
}

#[tokio::test]
async fn editing_moving_deleting_and_restoring_keep_progress_right() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr1 = ws
        .create(&ws.admin, "key_result", Some(&objective), "KR one")
        .await;
    let kr2 = ws
        .create(&ws.admin, "key_result", Some(&objective), "KR two")
        .await;
    let a1 = ws
        .create(&ws.admin, "action", Some(&kr1), "Three points")
        .await;
    let a2 = ws
        .create(&ws.admin, "action", Some(&kr1), "One point")
        .await;

    // Status and points.
    let page = ws
        .edit(
            &ws.admin,
            &a1,
            &[("action_status", "done"), ("story_points", "3")],
        )
        .await;
    page.assert_redirect(&ws.item_path(&a1));
    let request_id = page.header("x-request-id").expect("request id").to_owned();
    ws.edit(
        &ws.admin,
        &a2,
        &[("action_status", "pending"), ("story_points", "1")],
    )
    .await;
    assert_eq!(ws.progress(&a1), 100.0);
    assert_eq!(ws.progress(&kr1), 75.0, "weighted by points");
    assert_eq!(ws.progress(&objective), 37.5, "plain average of 75 and 0");
    let logged: Vec<String> = cairn::schema::item_activity_log::table
        .filter(cairn::schema::item_activity_log::item_id.eq(&a1))
        .filter(cairn::schema::item_activity_log::action_type.eq("item.updated"))
        .select(cairn::schema::item_activity_log::request_id)
        .load(&mut ws.app.db())
        .expect("activity");
    assert_eq!(
        logged,
        vec![request_id],
        "the change is logged with its request id"
    );
    let detail = ws.admin.get(&ws.item_path(&a1)).await;
    let history = detail.text_of(".activity").unwrap_or_default();
    assert!(
        history.contains("owner: — → Adele Admin"),
        "names, not ids: {history}"
    );
    assert!(
        !history.contains(&ws.app.user_id("admin@example.com")),
        "no raw ids in the history"
    );
    assert!(
        history.contains("action status: Pending → Done"),
        "the product's words, not stored values: {history}"
    );

    // Move the done action to the other key result: both chains recompute.
    ws.admin
        .submit(
            &ws.item_path(&a1),
            &format!("{}/move", ws.item_path(&a1)),
            &[("parent_id", &kr2)],
        )
        .await
        .assert_redirect(&ws.item_path(&a1));
    assert_eq!(ws.progress(&kr1), 0.0);
    assert_eq!(ws.progress(&kr2), 100.0);
    assert_eq!(ws.progress(&objective), 50.0);
    // A move that breaks the type rules or makes a loop is refused.
    for (item, parent, message) in [
        (
            &a1,
            objective.as_str(),
            "An action belongs under a key result.",
        ),
        (
            &objective,
            kr1.as_str(),
            "An objective can only sit at the top or under another objective.",
        ),
    ] {
        let page = ws
            .admin
            .submit(
                &ws.item_path(item),
                &format!("{}/move", ws.item_path(item)),
                &[("parent_id", parent)],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(page.text_of("#item-error").as_deref(), Some(message));
    }
    let sub = ws
        .create(&ws.admin, "objective", Some(&objective), "Sub")
        .await;
    let page = ws
        .admin
        .submit(
            &ws.item_path(&objective),
            &format!("{}/move", ws.item_path(&objective)),
            &[("parent_id", &sub)],
        )
        .await;
    assert_eq!(
        page.text_of("#item-error").as_deref(),
        Some("An item cannot move under itself or its own children.")
    );

    // Delete the key result with its action: it leaves the tree and the progress.
    ws.admin
        .submit(
            &ws.item_path(&kr2),
            &format!("{}/delete", ws.item_path(&kr2)),
            &[],
        )
        .await
        .assert_redirect(&ws.base());
    assert!(
        !ws.titles(&ws.admin)
            .await
            .contains(&"Three points".to_owned()),
        "the subtree goes too"
    );
    assert_eq!(
        ws.progress(&objective),
        0.0,
        "average of KR one (0) and Sub (0)"
    );
    assert_eq!(
        ws.admin.get(&ws.item_path(&a1)).await.status,
        StatusCode::NOT_FOUND
    );
    let trash = ws.admin.get(&format!("{}/trash", ws.base())).await;
    assert_eq!(
        trash.text_of(".trash-title").as_deref(),
        Some("KR two"),
        "only the top of the deletion is listed"
    );

    // Restoring brings the subtree back, and its progress.
    ws.admin
        .submit(
            &format!("{}/trash", ws.base()),
            &format!("{}/restore", ws.item_path(&kr2)),
            &[],
        )
        .await
        .assert_redirect(&format!("{}/trash", ws.base()));
    assert!(ws
        .titles(&ws.admin)
        .await
        .contains(&"Three points".to_owned()));
    assert!(
        (ws.progress(&objective) - 100.0 / 3.0).abs() < 1e-9,
        "(0 + 100 + 0) / 3"
    );
}

#[tokio::test]
async fn bad_edits_are_refused_with_a_reason_and_change_nothing() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    for (fields, message) in [
        (vec![("title", " ")], "Give it a title."),
        (
            vec![("start_date", "2026-12-31"), ("due_date", "2026-01-01")],
            "The start date must not be after the due date.",
        ),
        (
            vec![("due_date", "31/12/2026")],
            "Enter the due date as YYYY-MM-DD.",
        ),
        (
            vec![("due_date", "9999-12-31")],
            "Choose a due date between 1900 and 2200.",
        ),
        (
            vec![("due_date", "+262142-12-31")],
            "Enter the due date as YYYY-MM-DD.",
        ),
        (
            vec![("start_date", "1066-10-14")],
            "Choose a start date between 1900 and 2200.",
        ),
        (
            vec![("action_status", "done")],
            "Only actions have a status and story points.",
        ),
        (
            vec![("owner_user_id", "nobody")],
            "The owner must be an active member of this workspace.",
        ),
        (
            vec![("assignee_user_ids", "nobody")],
            "Assignees must be active members of this workspace.",
        ),
    ] {
        let page = ws.edit(&ws.admin, &objective, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        // Beside the field it is about, or for the whole form.
        let field = fields[0].0;
        assert_eq!(
            page.text_of(&format!("#{field}-error"))
                .or_else(|| page.text_of("#item-error"))
                .as_deref(),
            Some(message),
            "{fields:?}"
        );
    }
    let (title, due): (String, Option<chrono::NaiveDate>) = okr_items::table
        .find(&objective)
        .select((okr_items::title, okr_items::due_date))
        .first(&mut ws.app.db())
        .expect("item");
    assert_eq!((title.as_str(), due), ("Grow", None));
}

#[tokio::test]
async fn links_relate_two_items_once_and_reordering_swaps_siblings() {
    let ws = Workspace::new("option_1").await;
    let first = ws.create(&ws.admin, "objective", None, "First").await;
    let second = ws.create(&ws.admin, "objective", None, "Second").await;
    let links = format!("{}/links", ws.item_path(&first));
    ws.admin
        .submit(&ws.item_path(&first), &links, &[("to_item_id", &second)])
        .await
        .assert_redirect(&ws.item_path(&first));
    for (to, message) in [
        (&second, "These items are already linked."),
        (&first, "An item cannot be linked to itself."),
    ] {
        let page = ws
            .admin
            .submit(&ws.item_path(&first), &links, &[("to_item_id", to)])
            .await;
        assert_eq!(page.text_of("#item-error").as_deref(), Some(message));
    }
    // The link shows from both ends.
    let other_end = ws.admin.get(&ws.item_path(&second)).await;
    assert_eq!(other_end.text_of("#links a").as_deref(), Some("First"));
    let link_id: String = cairn::schema::okr_links::table
        .select(cairn::schema::okr_links::id)
        .first(&mut ws.app.db())
        .expect("link");
    ws.admin
        .submit(
            &ws.item_path(&first),
            &format!("{}/links/{link_id}/delete", ws.item_path(&first)),
            &[],
        )
        .await
        .assert_redirect(&ws.item_path(&first));
    assert!(ws
        .admin
        .get(&ws.item_path(&second))
        .await
        .text_of("#links a")
        .is_none());

    assert_eq!(ws.titles(&ws.admin).await, ["First", "Second"]);
    ws.admin
        .submit(
            &ws.base(),
            &format!("{}/reorder", ws.item_path(&second)),
            &[("direction", "up")],
        )
        .await
        .assert_redirect(&format!("{}#item-{second}", ws.base()));
    assert_eq!(ws.titles(&ws.admin).await, ["Second", "First"]);
}

#[tokio::test]
async fn people_edit_what_they_own_or_are_assigned_to() {
    let ws = Workspace::new("option_1").await;
    let member = ws.member("member@example.com", "Mo Member", None).await;
    let objective = ws.create(&ws.admin, "objective", None, "Admin's").await;
    let page = ws.edit(&member, &objective, &[("title", "Hijacked")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    ws.assign(&objective, "member@example.com");
    ws.edit(&member, &objective, &[("title", "Shared work")])
        .await
        .assert_redirect(&ws.item_path(&objective));
    // And may add children under it, which they then own.
    let kr = ws
        .create(&member, "key_result", Some(&objective), "Mine")
        .await;
    ws.edit(&member, &kr, &[("title", "Still mine")])
        .await
        .assert_redirect(&ws.item_path(&kr));
}

impl Workspace {
    async fn titles_at(&self, who: &Browser, query: &str) -> Vec<String> {
        let page = who.get(&format!("{}?{query}", self.base())).await;
        assert_eq!(page.status, StatusCode::OK);
        let selector = scraper::Selector::parse(".tree-title-text").expect("selector");
        page.html()
            .select(&selector)
            .map(|t| t.text().collect())
            .collect()
    }
}

#[tokio::test]
async fn filters_and_search_narrow_the_tree_and_keep_the_context() {
    let ws = Workspace::new("option_1").await;
    let member = ws.member("member@example.com", "Mo Member", None).await;
    let objective = ws
        .create(&ws.admin, "objective", None, "Grow revenue")
        .await;
    let kr = ws
        .create(
            &ws.admin,
            "key_result",
            Some(&objective),
            "Pricing page live",
        )
        .await;
    let late = ws
        .create(&ws.admin, "action", Some(&kr), "Write the copy")
        .await;
    ws.create(&ws.admin, "action", Some(&kr), "Design the table")
        .await;
    ws.create(&ws.admin, "objective", None, "Hire well").await;
    ws.edit(
        &ws.admin,
        &late,
        &[
            ("due_date", "2020-01-01"),
            ("action_status", "work_in_progress"),
        ],
    )
    .await;
    ws.assign(&late, "member@example.com");
    let member_id = ws.app.user_id("member@example.com");

    assert_eq!(
        ws.titles_at(&ws.admin, "type=objective").await,
        ["Grow revenue", "Hire well"]
    );
    let with_context = ["Grow revenue", "Pricing page live", "Write the copy"];
    assert_eq!(
        ws.titles_at(&ws.admin, "overdue=1").await,
        with_context,
        "matches come with their ancestors"
    );
    assert_eq!(
        ws.titles_at(&ws.admin, "status=work_in_progress").await,
        with_context
    );
    assert_eq!(
        ws.titles_at(&ws.admin, &format!("assignee={member_id}"))
            .await,
        with_context
    );
    assert_eq!(
        ws.titles_at(&ws.admin, "q=COPY+write").await,
        with_context,
        "all words, any case"
    );
    assert!(ws
        .titles_at(&ws.admin, "q=nothing+like+this")
        .await
        .is_empty());
    assert_eq!(
        ws.titles_at(&ws.admin, "type=nonsense").await.len(),
        5,
        "unknown values are ignored"
    );
    // The filter is kept in the page, so the URL can be shared.
    let page = member.get(&format!("{}?q=copy&overdue=1", ws.base())).await;
    assert_eq!(page.attr_of("#filter-q", "value").as_deref(), Some("copy"));
    assert!(page
        .attr_of("input[name=overdue][checked]", "value")
        .is_some());
}

#[tokio::test]
async fn each_privacy_rule_as_a_table() {
    let ws = Workspace::new("option_2").await;
    let boss = ws.member("boss@example.com", "Bea Boss", None).await;
    let lead = ws
        .member("lead@example.com", "Lee Lead", Some("boss@example.com"))
        .await;
    let dev = ws
        .member("dev@example.com", "Dee Dev", Some("lead@example.com"))
        .await;
    let owner = ws.member("owner@example.com", "Owen Owner", None).await;
    let assignee = ws
        .member("assignee@example.com", "Asa Assignee", None)
        .await;
    let unrelated = ws
        .member("unrelated@example.com", "Una Unrelated", None)
        .await;
    let deactivated = ws.member("gone@example.com", "Gus Gone", None).await;
    // Someone in another workspace of the organization, and someone in another organization.
    let elsewhere = ws
        .app
        .person("elsewhere@example.com", "Eli Elsewhere")
        .await;
    ws.app.join_org(&ws.org, "elsewhere@example.com", "member");
    let outsider = ws.app.person("outsider@example.com", "Ola Outsider").await;
    outsider.create_org("Other Co").await;
    let anonymous = ws.app.browser();

    let o = ws
        .create(&ws.admin, "objective", None, "Company goal")
        .await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&o), "Team result")
        .await;
    let dev_task = ws.create(&ws.admin, "action", Some(&kr), "Dev task").await;
    let shared_task = ws
        .create(&ws.admin, "action", Some(&kr), "Shared task")
        .await;
    let owned = ws.create(&ws.admin, "objective", None, "Owen's goal").await;
    ws.create(&ws.admin, "key_result", Some(&owned), "Owen's result")
        .await;
    let secret = ws.create(&ws.admin, "objective", None, "Secret goal").await;
    ws.edit(
        &ws.admin,
        &dev_task,
        &[("owner_user_id", &ws.app.user_id("dev@example.com"))],
    )
    .await;
    ws.edit(
        &ws.admin,
        &owned,
        &[("owner_user_id", &ws.app.user_id("owner@example.com"))],
    )
    .await;
    ws.assign(&shared_task, "assignee@example.com");
    // A link from the dev's task to an objective the dev may not see.
    let links = format!("{}/links", ws.item_path(&dev_task));
    ws.admin
        .submit(&ws.item_path(&dev_task), &links, &[("to_item_id", &secret)])
        .await
        .assert_redirect(&ws.item_path(&dev_task));
    let gone_id = ws.app.user_id("gone@example.com");
    diesel::update(
        workspace_memberships::table.filter(workspace_memberships::user_id.eq(&gone_id)),
    )
    .set(workspace_memberships::active.eq(false))
    .execute(&mut ws.app.db())
    .expect("deactivate");

    let all = vec![
        "Company goal",
        "Team result",
        "Dev task",
        "Shared task",
        "Owen's goal",
        "Owen's result",
        "Secret goal",
    ];
    let dev_view = vec!["Company goal", "Team result", "Dev task"];
    let cases: Vec<(&str, &Browser, Option<Vec<&str>>)> = vec![
        ("admin sees everything", &ws.admin, Some(all)),
        (
            "an owner sees their item and what is below it",
            &owner,
            Some(vec!["Owen's goal", "Owen's result"]),
        ),
        (
            "an assignee sees the item with its ancestors",
            &assignee,
            Some(vec!["Company goal", "Team result", "Shared task"]),
        ),
        (
            "the owner of an action sees its ancestors",
            &dev,
            Some(dev_view.clone()),
        ),
        (
            "a direct manager sees the report's work",
            &lead,
            Some(dev_view.clone()),
        ),
        ("a manager's manager too", &boss, Some(dev_view)),
        ("an unrelated member sees nothing", &unrelated, Some(vec![])),
        ("a deactivated member is out", &deactivated, None),
        ("a member of another workspace is out", &elsewhere, None),
        ("a member of another organization is out", &outsider, None),
    ];
    for (rule, browser, expected) in cases {
        match expected {
            Some(titles) => assert_eq!(ws.titles(browser).await, titles, "{rule}"),
            None => assert_eq!(
                browser.get(&ws.base()).await.status,
                StatusCode::NOT_FOUND,
                "{rule}"
            ),
        }
    }
    anonymous
        .get(&ws.base())
        .await
        .assert_redirect(&format!("/login?next={}", ws.base().replace('/', "%2F")));

    // A link shows only when both ends are visible; the hidden end answers 404.
    assert_eq!(
        ws.admin
            .get(&ws.item_path(&dev_task))
            .await
            .text_of("#links a")
            .as_deref(),
        Some("Secret goal")
    );
    assert!(dev
        .get(&ws.item_path(&dev_task))
        .await
        .text_of("#links a")
        .is_none());
    assert_eq!(
        dev.get(&ws.item_path(&secret)).await.status,
        StatusCode::NOT_FOUND
    );
    // The history of a visible item never names a hidden one either.
    let history = dev.get(&ws.item_path(&dev_task)).await;
    assert!(
        !history.body.contains("Secret goal"),
        "a hidden item leaks through the history"
    );
}

#[tokio::test]
async fn dragging_an_item_to_a_place_among_its_siblings_is_saved() {
    let ws = Workspace::new("option_1").await;
    let mut ids = Vec::new();
    for title in ["One", "Two", "Three", "Four"] {
        ids.push(ws.create(&ws.admin, "objective", None, title).await);
    }
    ws.admin.get(&ws.base()).await;
    // What tree.js sends: the header token and the new place, from 0.
    let response = ws
        .admin
        .client
        .post(ws.admin.url(&format!("{}/reorder", ws.item_path(&ids[3]))))
        .header("X-CSRF-Token", ws.admin.csrf_token())
        .form(&[("position", "1")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(ws.titles(&ws.admin).await, ["One", "Four", "Two", "Three"]);
    let page = ws.admin.get(&ws.base()).await;
    assert!(page.attr_of(".tree-list", "data-reorder-url").is_some());
    assert!(
        page.body.contains("/static/tree."),
        "the tree script is loaded"
    );
}

#[tokio::test]
async fn hidden_items_stay_hidden_through_history_writes_restore_and_reordering() {
    let ws = Workspace::new("option_2").await;
    let bob = ws.member("bob@example.com", "Bob", None).await;
    let secret = ws
        .create(&ws.admin, "objective", None, "Secret objective")
        .await;
    let secret_kr = ws
        .create(&ws.admin, "key_result", Some(&secret), "Secret result")
        .await;
    let task = ws
        .create(&ws.admin, "action", Some(&secret_kr), "Task that moves")
        .await;
    let hidden_task = ws
        .create(&ws.admin, "action", Some(&secret_kr), "Hidden task")
        .await;
    let bobs = ws
        .create(&ws.admin, "objective", None, "Bob's objective")
        .await;
    ws.edit(
        &ws.admin,
        &bobs,
        &[("owner_user_id", &ws.app.user_id("bob@example.com"))],
    )
    .await;
    let bobs_kr = ws
        .create(&ws.admin, "key_result", Some(&bobs), "Bob's result")
        .await;
    ws.admin
        .submit(
            &ws.item_path(&task),
            &format!("{}/move", ws.item_path(&task)),
            &[("parent_id", &bobs_kr)],
        )
        .await
        .assert_redirect(&ws.item_path(&task));

    // Bob now sees the task (below his objective), but not where it came from.
    let page = bob.get(&ws.item_path(&task)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("Secret"),
        "the history names no hidden item"
    );
    assert!(!page
        .text_of(".activity")
        .unwrap_or_default()
        .contains("moved it"));
    assert!(ws
        .admin
        .get(&ws.item_path(&task))
        .await
        .text_of(".activity")
        .unwrap_or_default()
        .contains("moved it under “Bob's result”"));

    // Every write on a hidden item answers as if it did not exist.
    let hidden = ws.item_path(&hidden_task);
    for (path, fields) in [
        (
            hidden.clone(),
            vec![("title", "Mine now"), ("owner_user_id", "x")],
        ),
        (
            format!("{hidden}/move"),
            vec![("parent_id", bobs_kr.as_str())],
        ),
        (format!("{hidden}/reorder"), vec![("direction", "up")]),
        (format!("{hidden}/delete"), vec![]),
        (
            format!("{hidden}/links"),
            vec![("to_item_id", bobs.as_str())],
        ),
        (format!("{hidden}/restore"), vec![]),
    ] {
        let page = bob.submit(&ws.base(), &path, &fields).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Restore answers 404 for a live item, and for a deleted one Bob could not edit.
    ws.admin
        .submit(
            &ws.item_path(&secret),
            &format!("{}/delete", ws.item_path(&secret)),
            &[],
        )
        .await
        .assert_redirect(&ws.base());
    let trash = ws.admin.get(&format!("{}/trash", ws.base())).await;
    assert_eq!(
        trash.text_of(".trash-title").as_deref(),
        Some("Secret objective")
    );
    let before = Snapshot::take(&ws.app);
    let page = bob
        .submit(
            &ws.base(),
            &format!("{}/restore", ws.item_path(&secret)),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    before.assert_unchanged(&ws.app, "Bob restoring what he could not edit");
    let page = ws
        .admin
        .submit(&ws.base(), &format!("{}/restore", ws.item_path(&bobs)), &[])
        .await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "a live item is not in the trash"
    );
}

#[tokio::test]
async fn reordering_visible_siblings_keeps_hidden_ones_in_place() {
    let ws = Workspace::new("option_2").await;
    let bob = ws.member("bob@example.com", "Bob", None).await;
    let bob_id = ws.app.user_id("bob@example.com");
    let mut ids = Vec::new();
    for (title, bobs) in [
        ("A", true),
        ("hidden B", false),
        ("C", true),
        ("hidden D", false),
        ("E", true),
    ] {
        let id = ws.create(&ws.admin, "objective", None, title).await;
        if bobs {
            ws.edit(&ws.admin, &id, &[("owner_user_id", &bob_id)]).await;
        }
        ids.push(id);
    }
    assert_eq!(ws.titles(&bob).await, ["A", "C", "E"]);
    // Bob drags E to the top of what he sees (what tree.js sends: 204 when saved).
    bob.get(&ws.base()).await;
    let response = bob
        .client
        .post(bob.url(&format!("{}/reorder", ws.item_path(&ids[4]))))
        .header("X-CSRF-Token", bob.csrf_token())
        .header("HX-Request", "true")
        .form(&[("position", "0")])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(ws.titles(&bob).await, ["E", "A", "C"]);
    assert_eq!(
        ws.titles(&ws.admin).await,
        ["E", "hidden B", "A", "hidden D", "C"],
        "hidden siblings keep their places"
    );
}

#[tokio::test]
async fn saving_an_item_keeps_an_owner_who_has_left() {
    let ws = Workspace::new("option_1").await;
    ws.member("leaver@example.com", "Lee Leaver", None).await;
    let leaver_id = ws.app.user_id("leaver@example.com");
    let item = ws
        .create(&ws.admin, "objective", None, "Long-running goal")
        .await;
    ws.edit(&ws.admin, &item, &[("owner_user_id", &leaver_id)])
        .await;
    diesel::update(
        workspace_memberships::table.filter(workspace_memberships::user_id.eq(&leaver_id)),
    )
    .set(workspace_memberships::active.eq(false))
    .execute(&mut ws.app.db())
    .expect("deactivate");
    ws.edit(&ws.admin, &item, &[("title", "Renamed goal")])
        .await
        .assert_redirect(&ws.item_path(&item));
    let owner: String = okr_items::table
        .find(&item)
        .select(okr_items::owner_user_id)
        .first(&mut ws.app.db())
        .expect("item");
    assert_eq!(owner, leaver_id, "the owner stays");
    // But nobody can newly hand an item to someone who left.
    let other = ws.create(&ws.admin, "objective", None, "Another").await;
    let page = ws
        .edit(&ws.admin, &other, &[("owner_user_id", &leaver_id)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_action_status_changes_in_place_in_the_tree() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let kr = ws
        .create(&ws.admin, "key_result", Some(&objective), "KR")
        .await;
    let action = ws.create(&ws.admin, "action", Some(&kr), "Do it").await;
    let tree = ws.admin.get(&ws.base()).await;
    let select = format!("#status-{action}");
    assert_eq!(
        tree.attr_of(&format!("{select} option[selected]"), "value")
            .as_deref(),
        Some("pending")
    );
    assert!(
        tree.attr_of(".status-form", "hx-post").is_some(),
        "the select saves itself with htmx"
    );
    ws.admin
        .htmx_post(
            &format!("{}/status", ws.item_path(&action)),
            &[("action_status", "done")],
        )
        .await
        .assert_redirect(&format!("{}#item-{action}", ws.base()));
    let tree = ws.admin.get(&ws.base()).await;
    assert_eq!(
        tree.attr_of(&format!("{select} option[selected]"), "value")
            .as_deref(),
        Some("done")
    );
    assert_eq!(ws.progress(&objective), 100.0);
    let page = ws
        .admin
        .htmx_post(
            &format!("{}/status", ws.item_path(&kr)),
            &[("action_status", "done")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only actions have a status"
    );
}

/// Headless Chromium on the workspace's tree, logged in as `email`; `None` where a laptop
/// has no chromedriver (see `Chrome::launch`).
async fn tree_in_chrome(ws: &Workspace, email: &str) -> Option<Chrome> {
    let chrome = Chrome::launch().await?;
    chrome.log_in(&ws.app.base_url, email).await;
    chrome
        .client
        .goto(&format!("{}{}", ws.app.base_url, ws.base()))
        .await
        .expect("tree");
    Some(chrome)
}

/// Drags the tree row at `index` (from 0) by its handle to just inside the top of the first
/// row.
async fn drag_row_to_top(chrome: &Chrome, index: usize) {
    let handle = chrome
        .find(&format!(
            ".tree-row:nth-child({}) .drag-handle:not([hidden])",
            index + 1
        ))
        .await;
    let dy = chrome
        .client
        .execute(
            &format!("const rows = document.querySelectorAll('.tree-row'); const h = rows[{index}].querySelector('.drag-handle').getBoundingClientRect(); return rows[0].getBoundingClientRect().top + 4 - (h.top + h.height / 2);"),
            vec![],
        )
        .await
        .expect("geometry")
        .as_f64()
        .expect("number");
    chrome.drag_by(&handle, 0.0, dy).await;
}

/// In headless Chromium: dragging a row's handle above its first sibling reorders the tree,
/// and the order is still there after a reload.
#[tokio::test]
async fn rows_reorder_by_dragging_in_a_real_browser() {
    let ws = Workspace::new("option_1").await;
    for title in ["Alpha", "Bravo", "Charlie"] {
        ws.create(&ws.admin, "objective", None, title).await;
    }
    let Some(chrome) = tree_in_chrome(&ws, "admin@example.com").await else {
        return;
    };
    drag_row_to_top(&chrome, 2).await;
    let expected = ["Charlie", "Alpha", "Bravo"];
    // The script saves in the background; the server's answer is what counts.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while ws.titles(&ws.admin).await != expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new order was not saved: {:?}",
            ws.titles(&ws.admin).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    chrome.client.refresh().await.expect("reload");
    chrome.find(".tree-row .drag-handle:not([hidden])").await;
    let shown = chrome
        .client
        .execute(
            "return [...document.querySelectorAll('.tree-title-text')].map((a) => a.textContent);",
            vec![],
        )
        .await
        .expect("titles");
    assert_eq!(shown, serde_json::json!(expected));
    chrome.quit().await;
}

/// In headless Chromium: a member dragging someone else's row is refused; the row goes
/// back and the server's reason stays on screen until dismissed.
#[tokio::test]
async fn a_refused_drag_in_a_real_browser_puts_the_row_back_with_the_reason() {
    let ws = Workspace::new("option_1").await;
    ws.member("bob@example.com", "Bob Member", None).await;
    for title in ["Alpha", "Bravo"] {
        ws.create(&ws.admin, "objective", None, title).await;
    }
    let Some(chrome) = tree_in_chrome(&ws, "bob@example.com").await else {
        return;
    };
    drag_row_to_top(&chrome, 1).await;
    let message = chrome
        .wait_until("return document.querySelector('.toast-error')?.firstChild.textContent ?? null")
        .await;
    let message = message.as_str().expect("text");
    assert!(
        message.contains("only items you own or are assigned to")
            && message.ends_with("The row is back where it was."),
        "{message}"
    );
    let shown = chrome
        .client
        .execute(
            "return [...document.querySelectorAll('.tree-title-text')].map((a) => a.textContent);",
            vec![],
        )
        .await
        .expect("titles");
    assert_eq!(shown, serde_json::json!(["Alpha", "Bravo"]));
    assert_eq!(ws.titles(&ws.admin).await, ["Alpha", "Bravo"]);
    chrome
        .find(".toast-error .toast-close")
        .await
        .click()
        .await
        .expect("dismiss");
    chrome
        .wait_until("return document.querySelector('.toast-error') === null")
        .await;
    chrome.quit().await;
}

#[tokio::test]
async fn a_refused_status_change_in_a_real_browser_puts_the_select_back_with_the_reason() {
    let ws = Workspace::new("option_1").await;
    ws.member("bob@example.com", "Bob Member", None).await;
    let goal = ws.create(&ws.admin, "objective", None, "Goal").await;
    let measure = ws
        .create(&ws.admin, "key_result", Some(&goal), "Measure")
        .await;
    let task = ws.create(&ws.admin, "action", Some(&measure), "Task").await;
    ws.assign(&task, "bob@example.com");
    let Some(chrome) = tree_in_chrome(&ws, "bob@example.com").await else {
        return;
    };
    chrome.find(&format!("#status-{task}")).await;
    // Bob's page still offers the select when the workspace becomes read-only.
    let settings = format!("{}/settings", ws.base());
    ws.admin
        .submit(&settings, &format!("{}/archive", ws.base()), &[])
        .await
        .assert_redirect(&settings);
    chrome
        .client
        .execute(
            &format!(
                "const s = document.getElementById('status-{task}'); s.value = 'done'; \
                 s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
            ),
            vec![],
        )
        .await
        .expect("change the status");
    let message = chrome
        .wait_until("return document.querySelector('.toast-error')?.firstChild.textContent ?? null")
        .await;
    assert_eq!(
        message.as_str(),
        Some("Platform is archived, so it is read-only. An owner or admin can unarchive it in its settings.")
    );
    let shown = chrome
        .client
        .execute(
            &format!("return document.getElementById('status-{task}').value;"),
            vec![],
        )
        .await
        .expect("value");
    assert_eq!(
        shown,
        serde_json::json!("pending"),
        "the select shows what is saved"
    );
    let stored: Option<String> = {
        use cairn::schema::okr_items;
        use diesel::prelude::*;
        okr_items::table
            .find(&task)
            .select(okr_items::action_status)
            .first(&mut ws.app.db())
            .expect("item")
    };
    assert_eq!(stored.as_deref(), Some("pending"));
    chrome.quit().await;
}

#[tokio::test]
async fn an_empty_need_to_know_tree_says_nothing_is_shared_and_switching_to_it_asks() {
    let ws = Workspace::new("option_2").await;
    let member = ws.member("mia@example.com", "Mia", None).await;
    ws.create(&ws.admin, "objective", None, "Admins only").await;
    let heading = |page: &crate::harness::Page| page.text_of(".empty-state h3");
    assert_eq!(
        heading(&member.get(&ws.base()).await).as_deref(),
        Some("Nothing here is shared with you yet")
    );
    let open = Workspace::new("option_1").await;
    assert_eq!(
        heading(&open.admin.get(&open.base()).await).as_deref(),
        Some("Create your first objective")
    );
    let settings = open.admin.get(&format!("{}/settings", open.base())).await;
    assert!(settings
        .attr_of(
            "input[name=privacy_mode][value=option_2]",
            "data-confirm-when"
        )
        .is_some_and(|q| q.contains("Switch to need-to-know?")));
    assert!(settings
        .attr_of(
            "input[name=privacy_mode][value=option_1]",
            "data-confirm-when"
        )
        .is_none());
}

#[tokio::test]
async fn a_refused_item_edit_keeps_what_was_typed_beside_each_field() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let item = format!("{}/items/{objective}", ws.base());
    let owner = ws.app.user_id("admin@example.com");
    let save = |fields: Vec<(&'static str, String)>| {
        let (item, browser) = (item.clone(), &ws.admin);
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.submit(&item, &item, &fields).await
        }
    };
    let typed = |title: &str, start: &str, due: &str| {
        vec![
            ("title", title.to_owned()),
            ("description", "Typed with care".to_owned()),
            ("owner_user_id", owner.clone()),
            ("start_date", start.to_owned()),
            ("due_date", due.to_owned()),
            ("weight", "1".to_owned()),
        ]
    };
    let empty_title = save(typed("", "", "")).await;
    assert_eq!(empty_title.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty_title.text_of("#title-error").is_some());
    assert_eq!(
        empty_title.text_of("#description").as_deref(),
        Some("Typed with care")
    );
    let backwards = save(typed("Grow more", "2027-03-01", "2027-02-01")).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(backwards
        .text_of("#start_date-error")
        .is_some_and(|m| m.contains("not be after the due date")));
    assert_eq!(
        backwards.attr_of("#title", "value").as_deref(),
        Some("Grow more")
    );
    assert_eq!(
        backwards.attr_of("#start_date", "value").as_deref(),
        Some("2027-03-01")
    );
    assert_eq!(
        backwards.text_of("#description").as_deref(),
        Some("Typed with care")
    );
    assert_eq!(ws.titles(&ws.admin).await, ["Grow"], "nothing changed");
}

#[tokio::test]
async fn a_refused_item_edit_keeps_the_typed_description_in_a_real_browser() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&ws.app.base_url, "admin@example.com").await;
    chrome
        .client
        .goto(&format!(
            "{}{}/items/{objective}",
            ws.app.base_url,
            ws.base()
        ))
        .await
        .expect("item page");
    chrome
        .find("#title")
        .await
        .clear()
        .await
        .expect("clear the title");
    chrome
        .find("#description")
        .await
        .send_keys("Why this matters, typed at length")
        .await
        .expect("type");
    chrome
        .find("form.settings-form button.button-primary[type=submit]")
        .await
        .click()
        .await
        .expect("save");
    chrome.wait_for("#title-error").await;
    let kept = chrome
        .client
        .execute(
            "return document.querySelector('#description').value;",
            vec![],
        )
        .await
        .expect("read");
    assert_eq!(kept, "Why this matters, typed at length");
    assert_eq!(ws.titles(&ws.admin).await, ["Grow"]);
}

#[tokio::test]
async fn a_refused_create_keeps_the_title_and_points_the_address_bar_at_the_tree() {
    let ws = Workspace::new("option_1").await;
    let long = "t".repeat(201);
    let page = ws
        .admin
        .submit(
            &ws.base(),
            &format!("{}/items", ws.base()),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", &long),
                ("due_date", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.attr_of("#new-objective-title", "value").as_deref(),
        Some(long.as_str())
    );
    assert_eq!(
        page.attr_of("meta[name=cairn-address]", "content"),
        Some(ws.base())
    );
    assert_eq!(
        ws.admin.get(&ws.base()).await.status,
        StatusCode::OK,
        "that address shows the tree"
    );
}
