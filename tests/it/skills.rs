//! Member skills over HTTP: who may change them (the member, workspace admins; others are
//! refused), names normalized and limited, assignee suggestions ranked as the scoring says on
//! a fixed team (a full member down, an unavailable one down, nobody inactive or outside the
//! workspace), one-click assign, skill tags on actions, the tag fields' chip buttons, and the
//! matrix with its CSV.

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, Setup};

fn skills_path(s: &Setup, user_id: &str) -> String {
    format!("/workspaces/{}/members/{user_id}/skills", s.ws_id)
}

async fn put_skills(api: &Api, s: &Setup, user_id: &str, body: Value) -> crate::api::Answer {
    api.call(Method::PUT, &skills_path(s, user_id), Some(body))
        .await
}

fn page_base(s: &Setup) -> String {
    format!("/orgs/{}/w/{}", s.org_slug, s.ws_slug)
}

#[tokio::test]
async fn members_change_their_own_skills_admins_anyones_and_others_are_refused() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let (mia_browser, mia) = s.member(&owner, "mia@example.com", "Mia Member").await;
    let (sam_browser, sam) = s.member(&owner, "sam@example.com", "Sam Member").await;
    let mia_api = s.api("mia@example.com", &["read", "write"]);
    let sam_api = s.api("sam@example.com", &["read", "write"]);

    let saved = put_skills(
        &mia_api,
        &s,
        &mia,
        json!({
            "can": [{"name": "  Rust  ", "level": 3}, {"name": "rust", "level": 1}, {"name": "Data   science", "level": 2}],
            "should": ["go"],
            "want": ["SQL", "sql"],
            "constraints": {"hours_per_week": 20, "unavailable": [{"from": "2027-01-04", "to": "2027-01-08"}]}
        }),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(
        saved["can"],
        json!([{"name": "Rust", "level": 3}, {"name": "Data science", "level": 2}])
    );
    assert_eq!(saved["should"], json!(["go"]));
    assert_eq!(saved["want"], json!(["SQL"]));
    assert_eq!(
        saved["constraints"],
        json!({"hours_per_week": 20, "unavailable": [{"from": "2027-01-04", "to": "2027-01-08"}]})
    );
    assert_eq!(saved["editable"], true);

    // Another member reads them but may not change them, on the API or the page.
    let read = sam_api
        .get(&skills_path(&s, &mia))
        .await
        .expect(StatusCode::OK);
    assert_eq!(read["want"], json!(["SQL"]));
    assert_eq!(read["editable"], false);
    put_skills(&sam_api, &s, &mia, json!({"want": ["Go"]}))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let member_page = format!("{}/members/{mia}", page_base(&s));
    let seen = sam_browser.get(&member_page).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.html().select(&sel("#skills form")).next().is_none());
    assert!(seen.body.contains("SQL"), "read-only lists show the skills");
    let refused = sam_browser
        .submit(
            &member_page,
            &format!("{member_page}/skills"),
            &[("want", "Go")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        owner
            .get(&skills_path(&s, &mia))
            .await
            .expect(StatusCode::OK)["want"],
        json!(["SQL"])
    );

    // A workspace admin changes anyone's; a name already used keeps the workspace's spelling.
    let sams = put_skills(
        &owner,
        &s,
        &sam,
        json!({"can": [{"name": "RUST", "level": 2}], "want": ["Sql"]}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(sams["can"], json!([{"name": "Rust", "level": 2}]));
    assert_eq!(sams["want"], json!(["SQL"]));

    // Limits, each named; nothing is stored.
    let long = "x".repeat(41);
    let many: Vec<String> = (0..51).map(|i| format!("skill {i}")).collect();
    let refused = put_skills(
        &mia_api,
        &s,
        &mia,
        json!({
            "can": [{"name": long, "level": 2}, {"name": "Go", "level": 4}],
            "want": many,
            "constraints": {"hours_per_week": 200, "unavailable": [{"from": "2027-02-30"}]}
        }),
    )
    .await
    .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = &refused["error"]["fields"];
    assert!(fields["can"]
        .as_str()
        .is_some_and(|m| m.contains("40 characters")));
    assert!(fields["want"].as_str().is_some_and(|m| m.contains("50")));
    assert!(fields["hours_per_week"].is_string());
    assert_eq!(
        fields["unavailable"],
        "unavailable: 2027-02-30 is not a date (YYYY-MM-DD)."
    );
    assert_eq!(
        mia_api
            .get(&skills_path(&s, &mia))
            .await
            .expect(StatusCode::OK)["can"],
        saved["can"]
    );

    // The page: Mia's own form; a refused add comes back with what she typed beside the field.
    let own = mia_browser.get(&member_page).await;
    assert!(own.html().select(&sel("#skills form")).next().is_some());
    let typed = mia_browser
        .submit(
            &member_page,
            &format!("{member_page}/skills"),
            &[
                ("can_name", "Rust"),
                ("can_level", "3"),
                ("can_add", &long),
                ("can_add_level", "2"),
                ("want", "SQL"),
                ("hours_per_week", "20"),
            ],
        )
        .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        typed.attr_of("#can-add", "value").as_deref(),
        Some(long.as_str())
    );
    assert!(typed
        .text_of("#can-error")
        .is_some_and(|m| m.contains("40 characters")));
    let saved_page = mia_browser
        .submit(
            &member_page,
            &format!("{member_page}/skills"),
            &[
                ("can_name", "Rust"),
                ("can_level", "3"),
                ("can_add", "Kotlin"),
                ("can_add_level", "1"),
                ("want", "SQL"),
                ("hours_per_week", "24"),
            ],
        )
        .await;
    saved_page.assert_redirect(&member_page);
    let after = mia_api
        .get(&skills_path(&s, &mia))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        after["can"],
        json!([{"name": "Rust", "level": 3}, {"name": "Kotlin", "level": 1}])
    );
    assert_eq!(after["should"], json!([]));
    assert_eq!(after["constraints"]["hours_per_week"], 24);
    assert_eq!(after["constraints"]["unavailable"], json!([]));

    // Each save is a history row on the member page.
    let history = mia_browser.get(&member_page).await;
    let rows = history
        .html()
        .select(&sel(".activity-entry"))
        .map(|e| e.text().collect::<String>())
        .collect::<Vec<_>>();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("Mia Member changed the skills"),
        "{rows:?}"
    );
    assert!(rows[0].contains("Kotlin (1)"), "{rows:?}");

    // Someone outside the workspace has no skills here to read.
    s.app.person("out@example.com", "Otto Outside").await;
    let outside = s.app.user_id("out@example.com");
    s.app.join_org(&s.org_slug, "out@example.com", "member");
    owner
        .get(&skills_path(&s, &outside))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("selector")
}

/// Ranks on a fixed team: Ben (solid Rust, wants SQL, free), Ada (expert, 13 of 20 h), Dee
/// (expert, away while it runs), Cy (expert, 13 points on 10 h: full) and the owner (no
/// skills, holding the action itself). Eve is an expert but inactive; Oz administers the
/// organization without joining the workspace; Pia is in another workspace.
#[tokio::test]
async fn suggestions_rank_a_fixed_team_as_the_scoring_says_and_assign_in_one_click() {
    let s = Setup::new("option_2").await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let mut ids = std::collections::HashMap::new();
    for (email, name) in [
        ("ada@example.com", "Ada"),
        ("ben@example.com", "Ben"),
        ("cy@example.com", "Cy"),
        ("dee@example.com", "Dee"),
        ("eve@example.com", "Eve"),
    ] {
        let (_, id) = s.member(&owner, email, name).await;
        ids.insert(name, id);
    }
    s.app.person("oz@example.com", "Oz").await;
    s.app.join_org(&s.org_slug, "oz@example.com", "admin");
    s.app.person("pia@example.com", "Pia").await;
    s.app.join_org(&s.org_slug, "pia@example.com", "member");
    let today = s.app.clock.today();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let expert = json!([{"name": "Rust", "level": 3}]);
    for (name, body) in [
        (
            "Ada",
            json!({"can": expert, "constraints": {"hours_per_week": 20}}),
        ),
        (
            "Ben",
            json!({"can": [{"name": "Rust", "level": 2}], "want": ["SQL"]}),
        ),
        (
            "Cy",
            json!({"can": expert, "constraints": {"hours_per_week": 10}}),
        ),
        (
            "Dee",
            json!({"can": expert, "constraints": {"unavailable": [{"from": day(5), "to": day(9)}]}}),
        ),
        ("Eve", json!({"can": expert})),
    ] {
        put_skills(&owner, &s, &ids[name], body)
            .await
            .expect(StatusCode::OK);
    }
    owner
        .call(
            Method::PUT,
            &format!("/workspaces/{}/members/{}", s.ws_id, ids["Eve"]),
            Some(json!({"role": "workspace_user", "active": false})),
        )
        .await
        .expect(StatusCode::OK);

    let objective = s.item(&owner, "objective", None, "Faster API").await;
    let key_result = s
        .item(&owner, "key_result", Some(&objective), "p99 under 30 ms")
        .await;
    let action = |title: &str, body: Value| {
        let mut all = json!({"type": "action", "title": title, "parent_id": key_result});
        all.as_object_mut()
            .expect("object")
            .extend(body.as_object().expect("object").clone());
        all
    };
    for holder in ["Ada", "Cy"] {
        owner
            .post(
                &format!("/workspaces/{}/items", s.ws_id),
                action(
                    &format!("{holder}'s work"),
                    json!({"story_points": "13", "assignee_user_ids": [ids[holder]]}),
                ),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    let tuned = owner
        .post(
            &format!("/workspaces/{}/items", s.ws_id),
            action(
                "Tune the SQL queries",
                json!({"story_points": "3", "skill_tags": [" rust "], "start_date": day(0)}),
            ),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(tuned["skill_tags"], json!(["Rust"]));
    let tuned_id = tuned["id"].as_str().expect("id").to_owned();
    owner
        .call(
            Method::PATCH,
            &format!("/items/{tuned_id}"),
            Some(json!({"due_date": day(7)})),
        )
        .await
        .expect(StatusCode::OK);

    let ranked = owner
        .get(&format!("/items/{tuned_id}/assignee-suggestions"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ranked["skill_tags"], json!(["Rust"]));
    let list: Vec<(String, i64, Vec<String>, bool)> = ranked["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_owned(),
                s["score"].as_i64().expect("score"),
                s["reasons"]
                    .as_array()
                    .expect("reasons")
                    .iter()
                    .map(|r| r.as_str().expect("reason").to_owned())
                    .collect(),
                s["full"].as_bool().expect("full"),
            )
        })
        .collect();
    let owned = |name: &str, score, reasons: &[&str], full| {
        (
            name.to_owned(),
            score,
            reasons.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>(),
            full,
        )
    };
    let away = format!("unavailable {} to {}", day(5), day(9));
    assert_eq!(
        list,
        vec![
            owned(
                "Ben",
                26,
                &["can Rust (2)", "wants SQL", "0 points open (40 h assumed)"],
                false
            ),
            owned(
                "Ada",
                17,
                &["can Rust (3)", "13 points open of 20 h"],
                false
            ),
            owned(
                "Dee",
                10,
                &["can Rust (3)", "0 points open (40 h assumed)", &away],
                true
            ),
            owned(
                "Cy",
                4,
                &["can Rust (3)", "13 points open of 10 h", "full"],
                true
            ),
            owned("Olive Owner", -2, &["3 points open (40 h assumed)"], false),
        ]
    );

    // The item page's fragment says the same, and "Assign" adds Ben in one click.
    let base = page_base(&s);
    let item_page = format!("{base}/items/{tuned_id}");
    let fragment = s
        .owner
        .get(&format!("{item_page}/assignee-suggestions"))
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert_eq!(
        fragment
            .text_of(".suggestion .suggestion-reasons")
            .as_deref(),
        Some("can Rust (2), wants SQL, 0 points open (40 h assumed)")
    );
    s.owner
        .submit(
            &item_page,
            &format!("{item_page}/assignees"),
            &[("user_id", &ids["Ben"])],
        )
        .await
        .assert_redirect(&item_page);
    let item = owner
        .get(&format!("/items/{tuned_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(item["assignee_user_ids"], json!([ids["Ben"]]));
    let again = owner
        .get(&format!("/items/{tuned_id}/assignee-suggestions"))
        .await
        .expect(StatusCode::OK);
    let names: Vec<&str> = again["suggestions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Ada", "Dee", "Cy", "Olive Owner"]);
    // Eve, inactive, cannot be assigned either.
    let refused = s
        .owner
        .submit(
            &item_page,
            &format!("{item_page}/assignees"),
            &[("user_id", &ids["Eve"])],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Assignees must be active members"));

    // Only actions get suggestions.
    owner
        .get(&format!("/items/{objective}/assignee-suggestions"))
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

#[tokio::test]
async fn actions_carry_skill_tags_from_the_api_the_item_page_and_the_board_dialog() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let objective = s.item(&owner, "objective", None, "Launch").await;
    let key_result = s
        .item(&owner, "key_result", Some(&objective), "Ship it")
        .await;
    let action = s
        .item(&owner, "action", Some(&key_result), "Write the docs")
        .await;

    let patched = owner
        .call(
            Method::PATCH,
            &format!("/items/{action}"),
            Some(json!({"skill_tags": ["Writing", "writing", "SQL"]})),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(patched["skill_tags"], json!(["SQL", "Writing"]));
    let refused = owner
        .call(
            Method::PATCH,
            &format!("/items/{objective}"),
            Some(json!({"skill_tags": ["Writing"]})),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        refused["error"]["fields"]["skill_tags"],
        "Only actions carry skill tags."
    );
    let too_long = owner
        .call(
            Method::PATCH,
            &format!("/items/{action}"),
            Some(json!({"skill_tags": ["y".repeat(41)]})),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(too_long["error"]["fields"]["skill_tags"].is_string());

    // The item page: chips post as repeated fields; the history names the change.
    let base = page_base(&s);
    let item_page = format!("{base}/items/{action}");
    let page = s.owner.get(&item_page).await;
    let chips: Vec<String> = page
        .html()
        .select(&sel("#skill_tags-field .chip span"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(chips, ["SQL", "Writing"]);
    s.owner
        .submit(
            &item_page,
            &item_page,
            &[
                ("title", "Write the docs"),
                ("description", ""),
                ("owner_user_id", &s.app.user_id("owner@example.com")),
                ("start_date", ""),
                ("due_date", ""),
                ("action_status", "pending"),
                ("story_points", ""),
                ("skill_tags_field", "1"),
                ("skill_tags", "Writing"),
                ("skill_tags_add", "sql, please"),
            ],
        )
        .await
        .assert_redirect(&item_page);
    let item = owner
        .get(&format!("/items/{action}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(item["skill_tags"], json!(["sql, please", "Writing"]));
    let history = s.owner.get(&item_page).await;
    assert!(
        history.body.contains("skill tags"),
        "history names the tags"
    );

    // The board's create dialog takes them comma-separated; a refusal keeps what was typed.
    let browser = &s.owner;
    let on_board = |title: &'static str, tags: &str| {
        let fields = [
            ("cycle", ""),
            ("x", "10"),
            ("y", "10"),
            ("item_type", "action"),
            ("parent_id", key_result.as_str()),
            ("title", title),
            ("skill_tags", tags),
        ];
        let (board, create) = (format!("{base}/board"), format!("{base}/board/items"));
        let fields: Vec<(&str, String)> =
            fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.submit(&board, &create, &fields).await
        }
    };
    let created = on_board("Review the docs", "Writing, Editing").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let new_id = created
        .location()
        .expect("location")
        .rsplit("#card-")
        .next()
        .expect("card")
        .to_owned();
    let new_item = owner
        .get(&format!("/items/{new_id}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(new_item["skill_tags"], json!(["Editing", "Writing"]));
    let long = "z".repeat(41);
    let refused = on_board("Refused", &long).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attr_of("#create-skill-tags", "value").as_deref(),
        Some(long.as_str())
    );
    assert!(refused.text_of("#skill_tags-error").is_some());
    assert_eq!(
        refused.attr_of("meta[name=cairn-address]", "content"),
        Some(format!("{base}/board")),
        "the address bar goes back to the board, which a reload can show"
    );
}

#[tokio::test]
async fn tag_fields_add_and_remove_chips_by_the_lists_rules_without_saving() {
    let s = Setup::new("option_1").await;
    let field = format!("{}/skills/field", page_base(&s));
    let added = s
        .owner
        .get(&format!("{field}?field=want&want=Rust&want_add=%20sql%20"))
        .await;
    assert_eq!(added.status, StatusCode::OK);
    let chips = |page: &crate::harness::Page| -> Vec<String> {
        page.html()
            .select(&sel(".chip input[type=hidden]"))
            .map(|e| e.value().attr("value").unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(chips(&added), ["Rust", "sql"]);
    assert_eq!(added.attr_of("#want-add", "value").as_deref(), Some(""));
    let repeat = s
        .owner
        .get(&format!("{field}?field=want&want=Rust&want_add=RUST"))
        .await;
    assert_eq!(chips(&repeat), ["Rust"], "a repeat in any case counts once");
    let long = "q".repeat(41);
    let refused = s
        .owner
        .get(&format!("{field}?field=should&should=Go&should_add={long}"))
        .await;
    assert_eq!(chips(&refused), ["Go"]);
    assert_eq!(
        refused.attr_of("#should-add", "value").as_deref(),
        Some(long.as_str())
    );
    assert!(refused.text_of("#should-error").is_some());
    let removed = s
        .owner
        .get(&format!(
            "{field}?field=can&can_name=Rust&can_level=3&can_name=Go&can_level=1&remove=can%3ARust"
        ))
        .await;
    assert_eq!(chips(&removed), ["Go"]);
    let unknown = s.owner.get(&format!("{field}?field=nothing")).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let stored: i64 = cairn::schema::member_skills::table
        .count()
        .get_result(&mut s.app.db())
        .expect("count");
    assert_eq!(stored, 0, "nothing is saved");
}

#[tokio::test]
async fn the_matrix_shows_admins_members_by_skill_filters_and_exports_csv() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &["read", "write", "admin"]);
    let (mia_browser, mia) = s.member(&owner, "mia@example.com", "Mia Member").await;
    let (_, sam) = s.member(&owner, "sam@example.com", "Sam Member").await;
    put_skills(
        &owner,
        &s,
        &mia,
        json!({"can": [{"name": "Rust", "level": 3}], "want": ["SQL"]}),
    )
    .await
    .expect(StatusCode::OK);
    put_skills(
        &owner,
        &s,
        &sam,
        json!({"can": [{"name": "SQL", "level": 1}], "should": ["Rust"]}),
    )
    .await
    .expect(StatusCode::OK);
    let base = page_base(&s);
    let page = s.owner.get(&format!("{base}/skills")).await;
    assert_eq!(page.status, StatusCode::OK);
    let headers: Vec<String> = page
        .html()
        .select(&sel(".skills-matrix thead th"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(headers, ["Member", "Rust", "SQL"]);
    let rows: Vec<String> = page
        .html()
        .select(&sel(".skills-matrix tbody tr"))
        .map(|row| {
            row.select(&sel("th, td .visually-hidden"))
                .map(|e| e.text().collect::<String>())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert_eq!(
        rows,
        [
            "Mia Member|can 3|wants",
            "Olive Owner|none|none",
            "Sam Member|should|can 1"
        ]
    );
    let filtered = s.owner.get(&format!("{base}/skills?skill=ru")).await;
    let filtered_rows: Vec<String> = filtered
        .html()
        .select(&sel(".skills-matrix tbody th"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(filtered_rows, ["Mia Member", "Sam Member"]);
    let csv = s.owner.get(&format!("{base}/skills.csv?member=mia")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body, "Member,Rust,SQL\r\nMia Member,can 3,wants\r\n");
    // A plain member reads skills on member pages, not the matrix.
    assert_eq!(
        mia_browser.get(&format!("{base}/skills")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        mia_browser.get(&format!("{base}/skills.csv")).await.status,
        StatusCode::FORBIDDEN
    );
}
