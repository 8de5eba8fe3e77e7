//! The API's scope matrix, generated from its own OpenAPI document: every operation the
//! document lists, with the scope the document says it needs, is called
//! - by the owner with a token holding every scope below that one (scopes nest: `write`
//!   reads, `admin` reads and writes, so only `write` and `admin` can be lacked): 403
//!   `forbidden`;
//! - by a plain member with every scope, where the operation needs a role: 403 `forbidden`;
//! - by a signed-up outsider with every scope, where a path names something: 404 `not_found`;
//!
//! and none of these changes anything. A control run then sends the same requests with
//! exactly the scope named, and sees each succeed (writes store something), so every
//! refusal above is the scope's, the role's or the privacy rule's, never the request's; every
//! read also succeeds with a `write`-only and an `admin`-only token.
//! The same writes in an archived organization, then an archived workspace, answer 403
//! with the archive's reason and change nothing.

mod world;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::api::{token_for, Api};
use crate::harness::TestApp;
use crate::snapshot::Snapshot;
use world::{world, Call, Member, World};

const SCOPES: [&str; 3] = ["read", "write", "admin"];

/// Each operation of the document with the scope its `security` names.
async fn documented_operations(app: &TestApp) -> Vec<(Method, String, String)> {
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base_url))
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    let mut operations = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let scopes = operation["security"][0]["bearer"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} names no scope in its security"));
            assert_eq!(scopes.len(), 1, "{method} {path} needs one scope");
            let scope = scopes[0].as_str().expect("scope").to_owned();
            assert!(SCOPES.contains(&scope.as_str()), "{method} {path}: {scope}");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            operations.push((method, path.clone(), scope));
        }
    }
    operations
}

fn api(app: &TestApp, email: &str, scopes: &[&str]) -> Api {
    Api::new(app, Some(token_for(app, email, scopes)))
}

#[tokio::test]
async fn every_operation_refuses_a_token_without_its_scope_a_member_without_the_role_and_outsiders()
{
    let world = world().await;
    let app = &world.w.app;
    let operations = documented_operations(app).await;
    let documented: BTreeSet<(String, String)> = operations
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.clone()))
        .collect();
    let walked: BTreeSet<(String, String)> = world
        .calls
        .iter()
        .map(|c| (c.method.to_string(), c.template.to_owned()))
        .collect();
    assert_eq!(
        documented, walked,
        "every documented operation needs a request in api_scopes::world, and only those"
    );
    let scope_of = |call: &Call| {
        operations
            .iter()
            .find(|(m, p, _)| *m == call.method && p == call.template)
            .map(|(.., s)| s.as_str())
            .expect("documented")
    };
    let outsider = api(app, "outsider@example.com", &SCOPES);
    let member = api(app, "member@example.com", &SCOPES);
    // Tokens are made before the snapshot: making one is a change. Every token reads, so a
    // read has no token that lacks its scope.
    let lacking: Vec<(&str, Api)> = [("write", &["read"][..]), ("admin", &["read", "write"])]
        .into_iter()
        .map(|(needed, below)| (needed, api(app, "admin@example.com", below)))
        .collect();
    let exact: Vec<(&str, Api)> = SCOPES
        .into_iter()
        .map(|scope| (scope, api(app, "admin@example.com", &[scope])))
        .collect();
    let before = Snapshot::take(app);
    let (mut scope_refusals, mut role_refusals, mut hidden, mut nested_reads) = (0, 0, 0, 0);
    for call in &world.calls {
        let needed = scope_of(call);
        let what = format!("{} {}", call.method, call.template);
        if let Some((_, lacking)) = lacking.iter().find(|(s, _)| *s == needed) {
            let answer = lacking
                .call(call.method.clone(), &call.path, call.body.clone())
                .await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{what} with only the scopes below {needed}: {}",
                answer.body
            );
            assert_eq!(answer.body["error"]["code"], "forbidden", "{what}");
            scope_refusals += 1;
        }
        let by_member = match call.member {
            Member::Refused => Some((StatusCode::FORBIDDEN, "forbidden")),
            Member::Hidden => Some((StatusCode::NOT_FOUND, "not_found")),
            Member::Allowed => None,
        };
        if let Some((status, code)) = by_member {
            let answer = member
                .call(call.method.clone(), &call.path, call.body.clone())
                .await;
            assert_eq!(answer.status, status, "{what} by a member: {}", answer.body);
            assert_eq!(answer.body["error"]["code"], code, "{what}");
            role_refusals += 1;
        }
        if call.template.contains('{') {
            let answer = outsider
                .call(call.method.clone(), &call.path, call.body.clone())
                .await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{what} by an outsider: {}",
                answer.body
            );
            assert_eq!(answer.body["error"]["code"], "not_found", "{what}");
            hidden += 1;
        }
        before.assert_unchanged(app, &format!("refused calls to {what}"));
    }

    // The control: the owner with exactly the scope named.
    for call in &world.calls {
        let what = format!("{} {}", call.method, call.template);
        let needed = scope_of(call);
        let with_scope = &exact.iter().find(|(s, _)| *s == needed).expect("token").1;
        let before = Snapshot::take(app);
        let answer = with_scope
            .call(call.method.clone(), &call.path, call.body.clone())
            .await;
        if call.template == "/api/v1/invites/accept" {
            // No real invite carries this token: past the scope, the token is what refuses.
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{what}: {}",
                answer.body
            );
            continue;
        }
        assert!(
            answer.status.is_success(),
            "control: {what} answered {}: {}",
            answer.status,
            answer.body
        );
        if call.method != Method::GET {
            assert!(
                Snapshot::take(app) != before,
                "control: {what} stored nothing, so its refusals prove nothing"
            );
            continue;
        }
        // Scopes nest: each one above the needed one reads too.
        let rank = |scope: &str| ["read", "write", "admin"].iter().position(|s| *s == scope);
        for (scope, higher) in exact.iter().filter(|(s, _)| rank(s) > rank(needed)) {
            let answer = higher.call(Method::GET, &call.path, None).await;
            assert!(
                answer.status.is_success(),
                "{what} with only {scope}: {} {}",
                answer.status,
                answer.body
            );
            nested_reads += 1;
        }
    }
    println!(
        "API scope matrix: {} operations, {scope_refusals} scope refusals, {role_refusals} role \
         refusals, {hidden} hidden from an outsider, {nested_reads} reads by write and admin tokens",
        world.calls.len()
    );
    assert!(role_refusals >= 19 && hidden >= 28 && scope_refusals >= 20 && nested_reads >= 20);
}

#[tokio::test]
async fn every_path_answers_other_methods_405_naming_its_own_and_unknown_paths_404_without_a_token()
{
    let world = world().await;
    let app = &world.w.app;
    let owner = api(app, "admin@example.com", &SCOPES);
    let mut methods_of: std::collections::BTreeMap<&str, (&str, BTreeSet<String>)> =
        Default::default();
    for call in &world.calls {
        let entry = methods_of
            .entry(call.template)
            .or_insert((call.path.as_str(), BTreeSet::new()));
        entry.1.insert(call.method.to_string());
    }
    let before = Snapshot::take(app);
    let mut refused = 0;
    for (template, (path, methods)) in &methods_of {
        for other in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            if methods.contains(other.as_str()) {
                continue;
            }
            let answer = owner
                .call(other.clone(), path, Some(serde_json::json!({})))
                .await;
            let allow: BTreeSet<String> = answer
                .headers
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{other} {template} carries no Allow"))
                .split(',')
                .map(|m| m.trim().to_owned())
                .collect();
            assert_eq!(&allow, methods, "{other} {template}");
            answer.expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
            refused += 1;
        }
    }
    before.assert_unchanged(app, "calls with other methods");
    let anonymous = Api::new(app, None);
    for unknown in ["/nothing-here", "/items/some-id/unknown", "/orgs/x/y/z"] {
        let answer = anonymous.get(unknown).await;
        assert!(
            answer.headers.get("www-authenticate").is_none(),
            "{unknown}"
        );
        answer.expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    println!("API methods: {refused} other methods answered 405 with Allow");
    assert!(refused >= 60, "{refused}");
}

/// Whether a call writes into the organization or workspace its path names (archiving and
/// unarchiving aside: they are how an archive begins and ends).
fn writes_into(call: &Call, level: &str) -> bool {
    if call.template.ends_with("archive") {
        return false;
    }
    let named = |params: &[&str]| params.iter().any(|p| call.template.contains(p));
    let in_workspace = named(&[
        "{ws_id}",
        "{item_id}",
        "{link_id}",
        "{check_in_id}",
        "{comment_id}",
    ]) || call.template.ends_with("/carry-over");
    call.method != Method::GET
        && match level {
            "workspace" => in_workspace,
            _ => in_workspace || named(&["{org_id}", "{cycle_id}"]),
        }
}

/// Archives or unarchives through the page, as the owner.
async fn switch(world: &World, path: String) {
    let overview = format!("/orgs/{}", world.w.org);
    let page = world.w.admin.submit(&overview, &path, &[]).await;
    assert!(page.status.is_redirection(), "{path}: {}", page.body);
}

#[tokio::test]
async fn every_api_write_is_refused_in_an_archived_organization_and_workspace() {
    let world = world().await;
    let (app, org, ws) = (&world.w.app, &world.w.org, &world.w.ws);
    let owner = api(app, "admin@example.com", &SCOPES);
    let mut refused = 0;
    for (level, archive, unarchive) in [
        (
            "organization",
            format!("/orgs/{org}/archive"),
            format!("/orgs/{org}/unarchive"),
        ),
        (
            "workspace",
            format!("/orgs/{org}/w/{ws}/archive"),
            format!("/orgs/{org}/w/{ws}/unarchive"),
        ),
    ] {
        switch(&world, archive).await;
        let before = Snapshot::take(app);
        for call in world.calls.iter().filter(|c| writes_into(c, level)) {
            let what = format!("{} {} in an archived {level}", call.method, call.template);
            let answer = owner
                .call(call.method.clone(), &call.path, call.body.clone())
                .await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{what}: {}",
                answer.body
            );
            assert_eq!(answer.body["error"]["code"], "forbidden", "{what}");
            let message = answer.body["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("is archived, so it is read-only"),
                "{what}: {message}"
            );
            before.assert_unchanged(app, &what);
            refused += 1;
        }
        switch(&world, unarchive).await;
    }
    println!("API archive walk: {refused} writes refused");
    assert!(refused >= 31);
}
