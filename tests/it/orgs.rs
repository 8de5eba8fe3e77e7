//! Organizations, workspaces and members over HTTP: validation, permissions, manager
//! cycles, last owner, archive, activity.

use cairn::schema::{item_activity_log, org_members, organizations, workspace_memberships};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, Page, TestApp};
use crate::snapshot::Snapshot;

/// The settings form as the page fills it, with some fields replaced.
fn settings_fields<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "Acme Robotics"),
        ("slug", "acme-robotics"),
        ("default_privacy_mode", "option_1"),
        ("industry", "Robotics"),
        ("website", "https://acme.example"),
        ("customer_names", "Globex\nInitech"),
        ("revenue_amount", "1,250,000"),
        ("revenue_currency", "eur"),
        ("revenue_period", "year"),
        ("employee_count_min", "50"),
        ("employee_count_max", "200"),
        ("address_street", "1 Main Street"),
        ("address_postal_code", "10115"),
        ("address_city", "Berlin"),
        ("address_country", "Germany"),
        ("ai_enrichment_opt_in", "on"),
        ("time_zone", "Europe/Berlin"),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn save_settings(browser: &Browser, org: &str, overrides: &[(&str, &str)]) -> Page {
    browser
        .submit(
            &format!("/orgs/{org}/settings"),
            &format!("/orgs/{org}/settings"),
            &settings_fields(overrides),
        )
        .await
}

fn org_name(app: &TestApp, slug_or_id: &str) -> Option<String> {
    organizations::table
        .filter(
            organizations::slug
                .eq(slug_or_id)
                .or(organizations::id.eq(slug_or_id)),
        )
        .select(organizations::name)
        .first(&mut app.db())
        .optional()
        .expect("query")
}

#[tokio::test]
async fn creating_an_organization_makes_the_creator_its_owner() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@example.com", "Ada").await;
    ada.get("/").await;
    let page = ada
        .post_form("/orgs", &[("name", "Acme Robotics"), ("slug", "")])
        .await;
    page.assert_redirect("/orgs/acme-robotics");
    let request_id = page.header("x-request-id").expect("request id").to_owned();

    let home = ada.get("/").await;
    assert_eq!(
        home.text_of(".org-card h3").as_deref(),
        Some("Acme Robotics")
    );
    assert_eq!(home.text_of(".org-card .pill").as_deref(), Some("Owner"));
    let role: String = org_members::table
        .select(org_members::role)
        .first(&mut app.db())
        .expect("membership");
    assert_eq!(role, "owner");
    let logged: String = item_activity_log::table
        .filter(item_activity_log::action_type.eq("organization.created"))
        .select(item_activity_log::request_id)
        .first(&mut app.db())
        .expect("activity row");
    assert_eq!(
        logged, request_id,
        "the activity row carries the request id"
    );

    // The same name again gets the next free address.
    assert_eq!(ada.create_org("Acme Robotics").await, "acme-robotics-2");
}

#[tokio::test]
async fn organization_addresses_are_validated_and_unique() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@example.com", "Ada").await;
    ada.create_org("Acme").await;

    let page = ada
        .submit("/", "/orgs", &[("name", "Other"), ("slug", "Not Valid")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#slug-error")
        .unwrap_or_default()
        .starts_with("Use lower-case letters"));
    let page = ada
        .submit("/", "/orgs", &[("name", "Other"), ("slug", "acme")])
        .await;
    assert_eq!(
        page.text_of("#slug-error").as_deref(),
        Some("This address is already taken; choose another.")
    );
    let page = ada
        .submit("/", "/orgs", &[("name", " "), ("slug", "")])
        .await;
    assert_eq!(
        page.text_of("#name-error").as_deref(),
        Some("This is required.")
    );
    assert_eq!(
        organizations::table
            .count()
            .get_result::<i64>(&mut app.db())
            .expect("count"),
        1
    );

    // Validation on blur (htmx) says the same.
    let field = ada.get("/orgs/slug-field?name=Other&slug=acme").await;
    assert_eq!(
        field.text_of("#slug-error").as_deref(),
        Some("This address is already taken; choose another.")
    );
    let field = ada.get("/orgs/slug-field?name=Globex%20Corp&slug=").await;
    assert_eq!(
        field.attr_of("#slug", "placeholder").as_deref(),
        Some("globex-corp")
    );
}

#[tokio::test]
async fn every_settings_rule_is_checked_next_to_its_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@example.com", "Ada").await;
    let org = ada.create_org("Acme Robotics").await;
    let other = ada.create_org("Globex").await;
    let long = "x".repeat(101);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("name", "", "This is required."),
        ("name", &long, "Use at most 100 characters."),
        ("slug", "Acme Robotics", "Use lower-case letters, digits and hyphens, starting and ending with a letter or digit."),
        ("slug", &other, "This address is already taken; choose another."),
        ("website", "ftp://acme.example", "Enter a full address starting with http:// or https://."),
        ("website", "acme.example", "Enter a full address starting with http:// or https://."),
        ("revenue_amount", "-5", "Enter 0 or more."),
        ("revenue_amount", "lots", "Enter a whole number."),
        ("revenue_currency", "XYZ", "Use a three-letter ISO 4217 code such as EUR or USD."),
        ("revenue_currency", "", "Choose the currency too."),
        ("revenue_period", "decade", "Choose year, quarter or month."),
        ("employee_count_max", "10", "The maximum must not be below the minimum."),
        ("employee_count_min", "-1", "Enter 0 or more."),
        ("industry", &long, "Use at most 100 characters."),
        ("default_privacy_mode", "option_9", "Choose Open or Need-to-know."),
    ];
    for (field, value, message) in cases {
        let page = save_settings(&ada, &org, &[(field, value)]).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        assert_eq!(
            page.text_of(&format!("#{field}-error")).as_deref(),
            Some(message),
            "{field}={value}"
        );
        assert_eq!(
            page.attr_of("#address_city", "value").as_deref(),
            Some("Berlin"),
            "what was typed is kept"
        );
        assert_eq!(
            org_name(&app, &org).as_deref(),
            Some("Acme Robotics"),
            "{field}={value} changed nothing"
        );
        let industry: Option<String> = organizations::table
            .filter(organizations::slug.eq(&org))
            .select(organizations::industry)
            .first(&mut app.db())
            .expect("org");
        assert_eq!(industry, None, "{field}={value} changed nothing");
    }
}

#[tokio::test]
async fn saving_settings_stores_every_field_marks_them_manual_and_logs_the_change() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@example.com", "Ada").await;
    let org = ada.create_org("Acme").await;
    let page = save_settings(&ada, &org, &[("slug", "acme-robotics")]).await;
    page.assert_redirect("/orgs/acme-robotics/settings");
    let request_id = page.header("x-request-id").expect("request id").to_owned();

    type Saved = (
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<i32>,
        bool,
        Option<String>,
    );
    let saved: Saved = organizations::table
        .select((
            organizations::name,
            organizations::website,
            organizations::customer_names,
            organizations::revenue_amount,
            organizations::revenue_currency,
            organizations::revenue_period,
            organizations::employee_count_min,
            organizations::employee_count_max,
            organizations::ai_enrichment_opt_in,
            organizations::last_enrichment_source,
        ))
        .first(&mut app.db())
        .expect("org");
    assert_eq!(
        saved,
        (
            "Acme Robotics".to_owned(),
            Some("https://acme.example/".to_owned()),
            Some(r#"["Globex","Initech"]"#.to_owned()),
            Some(1_250_000),
            Some("EUR".to_owned()),
            Some("year".to_owned()),
            Some(50),
            Some(200),
            true,
            Some("manual".to_owned()),
        )
    );
    let (before, after, logged_request): (Option<String>, Option<String>, String) =
        item_activity_log::table
            .filter(item_activity_log::action_type.eq("organization.settings_updated"))
            .select((
                item_activity_log::before_json,
                item_activity_log::after_json,
                item_activity_log::request_id,
            ))
            .first(&mut app.db())
            .expect("activity");
    assert_eq!(logged_request, request_id);
    assert!(before.unwrap_or_default().contains(r#""name":"Acme""#));
    assert!(after
        .unwrap_or_default()
        .contains(r#""name":"Acme Robotics""#));

    let settings = ada.get("/orgs/acme-robotics/settings").await;
    assert_eq!(
        settings.attr_of("#revenue_currency", "value").as_deref(),
        Some("EUR")
    );
    let history = settings.text_of(".activity").unwrap_or_default();
    assert!(history.contains("changed the settings"), "{history}");
    assert!(history.contains("name: Acme → Acme Robotics"), "{history}");
}

/// The five kinds of visitor an organization has.
struct Cast {
    app: TestApp,
    owner: Browser,
    admin: Browser,
    member: Browser,
    outsider: Browser,
    anonymous: Browser,
    org: String,
    workspace: String,
}

async fn cast() -> Cast {
    let app = TestApp::spawn().await;
    let owner = app.person("owner@example.com", "Olive Owner").await;
    let admin = app.person("admin@example.com", "Adam Admin").await;
    let member = app.person("member@example.com", "Mia Member").await;
    let outsider = app.person("outsider@example.com", "Otto Outsider").await;
    let org = owner.create_org("Acme").await;
    outsider.create_org("Globex").await;
    app.join_org(&org, "admin@example.com", "admin");
    app.join_org(&org, "member@example.com", "member");
    let workspace = owner.create_workspace(&org, "Platform", "option_1").await;
    let anonymous = app.browser();
    anonymous.get("/login").await;
    Cast {
        app,
        owner,
        admin,
        member,
        outsider,
        anonymous,
        org,
        workspace,
    }
}

impl Cast {
    fn everyone(&self) -> [(&'static str, &Browser); 5] {
        [
            ("owner", &self.owner),
            ("admin", &self.admin),
            ("member", &self.member),
            ("outsider", &self.outsider),
            ("anonymous", &self.anonymous),
        ]
    }
}

/// A form's fields, and what each member of the cast should get.
type Form<'a> = Vec<(&'a str, &'a str)>;
type Expected = [&'static str; 5];

fn status_name(page: &Page) -> String {
    match (page.status, page.location()) {
        (StatusCode::SEE_OTHER, Some(location)) if location.starts_with("/login") => "login".into(),
        (status, _) => status.as_u16().to_string(),
    }
}

#[tokio::test]
async fn who_may_see_and_do_what_in_an_organization() {
    let cast = cast().await;
    let (org, ws) = (cast.org.clone(), cast.workspace.clone());
    let member_id = cast.app.user_id("member@example.com");
    let reads: Vec<(String, [&str; 5])> = vec![
        (
            format!("/orgs/{org}"),
            ["200", "200", "200", "404", "login"],
        ),
        (
            format!("/orgs/{org}/settings"),
            ["200", "200", "403", "404", "login"],
        ),
        (
            format!("/orgs/{org}/members"),
            ["200", "200", "200", "404", "login"],
        ),
        // An org member outside the workspace does not learn it exists.
        (
            format!("/orgs/{org}/w/{ws}"),
            ["200", "200", "404", "404", "login"],
        ),
        (
            format!("/orgs/{org}/w/{ws}/members"),
            ["200", "200", "404", "404", "login"],
        ),
        (
            format!("/orgs/{org}/w/{ws}/settings"),
            ["200", "200", "404", "404", "login"],
        ),
        (
            format!("/orgs/{org}/w/nope"),
            ["404", "404", "404", "404", "login"],
        ),
    ];
    for (path, expected) in &reads {
        for ((who, browser), want) in cast.everyone().iter().zip(expected) {
            let page = browser.get(path).await;
            assert_eq!(status_name(&page), *want, "{who} GET {path}");
        }
    }
    let forbidden = cast.member.get(&format!("/orgs/{org}/settings")).await;
    assert_eq!(
        forbidden.text_of("#error-title + p").as_deref(),
        Some("Only owners and admins of Acme can do this.")
    );

    let role_path = format!("/orgs/{org}/members/{member_id}/role");
    let writes: Vec<(String, Form, Expected)> = vec![
        (
            format!("/orgs/{org}/settings"),
            settings_fields(&[("slug", "acme")]),
            ["303", "303", "403", "404", "login"],
        ),
        (
            role_path.clone(),
            vec![("role", "member")],
            ["303", "303", "403", "404", "login"],
        ),
        (
            format!("/orgs/{org}/workspaces"),
            vec![("name", "New"), ("slug", ""), ("privacy_mode", "option_1")],
            ["303", "422", "403", "404", "login"],
        ),
        (
            format!("/orgs/{org}/w/{ws}/settings"),
            vec![
                ("name", "Platform"),
                ("slug", "platform"),
                ("privacy_mode", "option_2"),
            ],
            ["303", "303", "404", "404", "login"],
        ),
    ];
    for (path, fields, expected) in &writes {
        for ((who, browser), want) in cast.everyone().iter().zip(expected) {
            browser.get("/").await;
            let before = Snapshot::take(&cast.app);
            let page = browser.post_form(path, fields).await;
            assert_eq!(
                status_name(&page),
                *want,
                "{who} POST {path}: {}",
                page.body
            );
            // Everything but a 303 to the result is a refusal, the log-in redirect included.
            if *want != "303" {
                before.assert_unchanged(&cast.app, &format!("{who} refused POST {path}"));
            }
        }
    }
}

#[tokio::test]
async fn an_organization_always_keeps_an_owner_and_only_owners_touch_owners() {
    let cast = cast().await;
    let org = cast.org.clone();
    let owner_id = cast.app.user_id("owner@example.com");
    let admin_id = cast.app.user_id("admin@example.com");
    let members_page = format!("/orgs/{org}/members");

    let page = cast
        .owner
        .submit(
            &members_page,
            &format!("/orgs/{org}/members/{owner_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .body
        .contains("An organization needs at least one owner."));
    let page = cast
        .owner
        .submit(
            &members_page,
            &format!("/orgs/{org}/members/{owner_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An admin may not demote or remove the owner, nor make anyone an owner.
    for (path, fields) in [
        (
            format!("/orgs/{org}/members/{owner_id}/role"),
            vec![("role", "member")],
        ),
        (format!("/orgs/{org}/members/{owner_id}/remove"), vec![]),
        (
            format!("/orgs/{org}/members/{admin_id}/role"),
            vec![("role", "owner")],
        ),
    ] {
        let page = cast.admin.submit(&members_page, &path, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            page.body.contains("Only owners can make someone an owner"),
            "{path}"
        );
    }
    let org_id: String = organizations::table
        .filter(organizations::slug.eq(&org))
        .select(organizations::id)
        .first(&mut cast.app.db())
        .expect("org");
    let owners = || -> i64 {
        org_members::table
            .filter(org_members::organization_id.eq(&org_id))
            .filter(org_members::role.eq("owner"))
            .count()
            .get_result(&mut cast.app.db())
            .expect("count")
    };
    assert_eq!(owners(), 1);

    // With a second owner, the first may step down; htmx gets the refreshed list.
    cast.owner
        .submit(
            &members_page,
            &format!("/orgs/{org}/members/{admin_id}/role"),
            &[("role", "owner")],
        )
        .await
        .assert_redirect(&members_page);
    cast.owner.get(&members_page).await;
    let list = cast
        .owner
        .htmx_post(
            &format!("/orgs/{org}/members/{owner_id}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body
            .trim_start()
            .starts_with("<ul class=\"member-list\""),
        "a fragment: {}",
        list.body
    );
    assert_eq!(owners(), 1);
}

#[tokio::test]
async fn removing_a_member_ends_their_workspace_memberships() {
    let cast = cast().await;
    let (org, ws) = (cast.org.clone(), cast.workspace.clone());
    let member_id = cast.app.user_id("member@example.com");
    cast.owner
        .submit(
            &format!("/orgs/{org}/w/{ws}/members"),
            &format!("/orgs/{org}/w/{ws}/members"),
            &[("user_id", &member_id), ("role", "workspace_user")],
        )
        .await
        .assert_redirect(&format!("/orgs/{org}/w/{ws}/members"));
    assert_eq!(
        cast.member.get(&format!("/orgs/{org}/w/{ws}")).await.status,
        StatusCode::OK
    );

    cast.owner
        .submit(
            &format!("/orgs/{org}/members"),
            &format!("/orgs/{org}/members/{member_id}/remove"),
            &[],
        )
        .await
        .assert_redirect(&format!("/orgs/{org}/members"));
    let active: Vec<bool> = workspace_memberships::table
        .filter(workspace_memberships::user_id.eq(&member_id))
        .select(workspace_memberships::active)
        .load(&mut cast.app.db())
        .expect("memberships");
    assert_eq!(active, vec![false], "the membership stays, inactive");
    assert_eq!(
        cast.member.get(&format!("/orgs/{org}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn workspace_members_get_roles_managers_without_cycles_and_can_be_deactivated() {
    let cast = cast().await;
    let (org, ws) = (cast.org.clone(), cast.workspace.clone());
    let base = format!("/orgs/{org}/w/{ws}");
    let members_page = format!("{base}/members");
    let id = |email: &str| cast.app.user_id(email);
    let (owner, admin, member) = (
        id("owner@example.com"),
        id("admin@example.com"),
        id("member@example.com"),
    );
    for user in [&admin, &member] {
        cast.owner
            .submit(
                &members_page,
                &members_page,
                &[("user_id", user), ("role", "workspace_user")],
            )
            .await
            .assert_redirect(&members_page);
    }
    // Only organization members can join.
    let outsider = id("outsider@example.com");
    let page = cast
        .owner
        .submit(
            &members_page,
            &members_page,
            &[("user_id", &outsider), ("role", "workspace_user")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of("#add-error").as_deref(),
        Some("Only members of the organization can join its workspaces.")
    );

    // member → admin → owner
    let set_manager = |user: String, manager: String| {
        let browser = &cast.owner;
        let path = format!("{base}/members/{user}");
        let members_page = members_page.clone();
        async move {
            browser
                .submit(&members_page, &path, &[("manager_user_id", &manager)])
                .await
        }
    };
    set_manager(member.clone(), admin.clone())
        .await
        .assert_redirect(&members_page);
    set_manager(admin.clone(), owner.clone())
        .await
        .assert_redirect(&members_page);
    let page = set_manager(owner.clone(), member.clone()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text_of(".member-error").as_deref(),
        Some("Mia Member already reports to Olive Owner, directly or through others; that would make a circle.")
    );
    let page = set_manager(owner.clone(), owner.clone()).await;
    assert_eq!(
        page.text_of(".member-error").as_deref(),
        Some("Nobody can be their own manager.")
    );
    let page = set_manager(owner.clone(), outsider.clone()).await;
    assert_eq!(
        page.text_of(".member-error").as_deref(),
        Some("A manager must be an active member of this workspace.")
    );
    let managers: Vec<(String, Option<String>)> = workspace_memberships::table
        .select((
            workspace_memberships::user_id,
            workspace_memberships::manager_user_id,
        ))
        .load(&mut cast.app.db())
        .expect("managers");
    assert!(
        managers.contains(&(owner.clone(), None)),
        "the refused changes changed nothing"
    );

    // The page shows the manager tree.
    let page = cast.owner.get(&members_page).await;
    assert!(
        page.body.contains("Reports: Mia Member"),
        "admin's reports are listed"
    );

    // htmx: the refreshed list, with the refusal next to the row.
    let list = cast
        .owner
        .htmx_post(
            &format!("{base}/members/{owner}"),
            &[("manager_user_id", &member)],
        )
        .await;
    assert_eq!(list.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(list
        .body
        .trim_start()
        .starts_with("<ul class=\"member-list\""));
    assert!(list.body.contains("would make a circle"));

    // A workspace user cannot change memberships.
    let page = cast
        .member
        .submit(
            &base,
            &format!("{base}/members/{admin}"),
            &[("role", "workspace_admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.text_of("#error-title + p").as_deref(),
        Some("Only admins of the workspace Platform can do this.")
    );

    // A deactivated member no longer gets in.
    cast.owner
        .submit(
            &members_page,
            &format!("{base}/members/{member}"),
            &[("active", "false")],
        )
        .await
        .assert_redirect(&members_page);
    assert_eq!(cast.member.get(&base).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn archived_organizations_and_workspaces_are_read_only_and_hidden() {
    let cast = cast().await;
    let (org, ws) = (cast.org.clone(), cast.workspace.clone());
    let settings = format!("/orgs/{org}/settings");
    cast.member
        .submit("/", &format!("/orgs/{org}/archive"), &[])
        .await;
    assert!(
        !cast.owner.get("/").await.body.contains("archived"),
        "a member cannot archive"
    );

    cast.owner
        .submit(&settings, &format!("/orgs/{org}/archive"), &[])
        .await
        .assert_redirect(&settings);
    let home = cast.owner.get("/").await;
    assert!(
        home.text_of(".org-list").unwrap_or_default().is_empty(),
        "hidden from home by default"
    );
    assert!(cast
        .owner
        .get("/?archived=1")
        .await
        .text_of(".org-list")
        .unwrap_or_default()
        .contains("Acme"));

    for (path, fields) in [
        (
            settings.clone(),
            settings_fields(&[("slug", "acme"), ("name", "Renamed")]),
        ),
        (
            format!("/orgs/{org}/workspaces"),
            vec![("name", "New"), ("slug", ""), ("privacy_mode", "option_1")],
        ),
        (
            format!("/orgs/{org}/w/{ws}/settings"),
            vec![
                ("name", "Renamed"),
                ("slug", "platform"),
                ("privacy_mode", "option_1"),
            ],
        ),
    ] {
        let page = cast.owner.submit("/", &path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            page.body.contains("is archived, so it is read-only"),
            "{path}"
        );
    }
    assert_eq!(org_name(&cast.app, &org).as_deref(), Some("Acme"));

    cast.owner
        .submit(&settings, &format!("/orgs/{org}/unarchive"), &[])
        .await
        .assert_redirect(&settings);
    save_settings(
        &cast.owner,
        &org,
        &[("slug", "acme"), ("name", "Acme Again")],
    )
    .await
    .assert_redirect(&settings);

    // A workspace can be archived on its own.
    let ws_settings = format!("/orgs/{org}/w/{ws}/settings");
    cast.owner
        .submit(&ws_settings, &format!("/orgs/{org}/w/{ws}/archive"), &[])
        .await
        .assert_redirect(&ws_settings);
    let page = cast
        .owner
        .submit(
            &ws_settings,
            &ws_settings,
            &[
                ("name", "Renamed"),
                ("slug", "platform"),
                ("privacy_mode", "option_1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn workspaces_default_to_the_organizations_privacy_and_have_unique_addresses() {
    let cast = cast().await;
    let org = cast.org.clone();
    save_settings(
        &cast.owner,
        &org,
        &[("slug", "acme"), ("default_privacy_mode", "option_2")],
    )
    .await
    .assert_redirect(&format!("/orgs/{org}/settings"));
    let overview = cast.owner.get(&format!("/orgs/{org}")).await;
    assert_eq!(
        overview
            .attr_of("input[name=privacy_mode][checked]", "value")
            .as_deref(),
        Some("option_2")
    );

    let page = cast
        .owner
        .submit(
            &format!("/orgs/{org}"),
            &format!("/orgs/{org}/workspaces"),
            &[
                ("name", "Platform"),
                ("slug", ""),
                ("privacy_mode", "option_2"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#slug-error")
        .unwrap_or_default()
        .contains("already uses this address"));
    // Another organization may use the same workspace address.
    let globex = cast.outsider.create_org("Globex Two").await;
    assert_eq!(
        cast.outsider
            .create_workspace(&globex, "Platform", "option_1")
            .await,
        "platform"
    );
}

#[tokio::test]
async fn organizations_created_at_the_same_moment_all_get_their_own_address() {
    let app = TestApp::spawn().await;
    app.person("ada@example.com", "Ada").await;
    let actor = cairn::activity::Actor {
        user_id: app.user_id("ada@example.com"),
        request_id: "concurrency-test".into(),
    };
    let start = std::sync::Arc::new(std::sync::Barrier::new(6));
    let creators: Vec<_> = (0..6)
        .map(|_| {
            let (url, actor, start) = (app.database.url.clone(), actor.clone(), start.clone());
            std::thread::spawn(move || {
                let mut conn = cairn::db::establish(&url).expect("connect");
                start.wait();
                let new = cairn::orgs::NewOrganization {
                    name: "Acme".into(),
                    slug: None,
                };
                cairn::orgs::create(&mut conn, &actor, new).map(|org| org.slug)
            })
        })
        .collect();
    let mut slugs: Vec<String> = creators
        .into_iter()
        .map(|t| t.join().expect("thread").expect("every creation succeeds"))
        .collect();
    slugs.sort();
    assert_eq!(
        slugs,
        ["acme", "acme-2", "acme-3", "acme-4", "acme-5", "acme-6"]
    );
}

#[tokio::test]
async fn settings_are_checked_as_they_are_typed_without_saving() {
    let cast = cast().await;
    let org = cast.org.clone();
    cast.owner.get(&format!("/orgs/{org}/settings")).await;
    let fields = settings_fields(&[
        ("slug", "acme"),
        ("website", "ftp://nope"),
        ("name", "Renamed"),
    ]);
    let answer = cast
        .owner
        .htmx_post(&format!("/orgs/{org}/settings/check"), &fields)
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let html = scraper::Html::parse_fragment(&answer.body);
    let slot = |id: &str| {
        let selector = scraper::Selector::parse(&format!("#{id}-slot")).expect("selector");
        html.select(&selector)
            .next()
            .map(|e| e.text().collect::<String>().trim().to_owned())
    };
    assert_eq!(
        slot("website").as_deref(),
        Some("Enter a full address starting with http:// or https://.")
    );
    assert_eq!(
        slot("name").as_deref(),
        Some(""),
        "valid fields clear their message"
    );
    assert!(answer.body.contains(r#"hx-swap-oob="true""#));
    assert_eq!(
        org_name(&cast.app, &org).as_deref(),
        Some("Acme"),
        "nothing is saved"
    );

    let taken = settings_fields(&[("slug", "globex")]);
    let answer = cast
        .owner
        .htmx_post(&format!("/orgs/{org}/settings/check"), &taken)
        .await;
    assert!(
        answer.body.contains("This address is already taken"),
        "{}",
        answer.body
    );

    cast.member.get(&format!("/orgs/{org}")).await;
    let refused = cast
        .member
        .htmx_post(&format!("/orgs/{org}/settings/check"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// Settings and membership history reads in the product's words: "Need-to-know", not the
/// stored `option_2`; "Member", not `workspace_user`.
#[tokio::test]
async fn settings_history_speaks_the_products_words() {
    let ws = crate::harness::Workspace::new("option_1").await;
    ws.member("max@example.com", "Max Member", None).await;
    ws.set_privacy_mode("option_2").await;
    let settings = format!("{}/settings", ws.base());
    let history = ws
        .admin
        .get(&settings)
        .await
        .text_of(".activity")
        .unwrap_or_default();
    assert!(
        history.contains("privacy mode: Open → Need-to-know"),
        "{history}"
    );
    assert!(history.contains("role: — → Member"), "{history}");
    for stored in ["option_1", "option_2", "workspace_user"] {
        assert!(!history.contains(stored), "{stored} in {history}");
    }
}
