//! The API's scope matrix, generated from its own OpenAPI document: every operation the
//! document lists, with the scope the document says it needs, is called
//! - by the owner with a token holding every scope but that one: 403 `forbidden`;
//! - by a plain member with every scope, where the operation needs a role: 403 `forbidden`;
//! - by a signed-up outsider with every scope, where a path names something: 404 `not_found`;
//!
//! and none of these changes anything. A control run then sends the same requests with
//! exactly the scope named, and sees each succeed (writes store something), so every
//! refusal above is the scope's, the role's or the privacy rule's, never the request's.
//! The same writes in an archived organization, then an archived workspace, answer 403
//! with the archive's reason and change nothing.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{token_for, Api};
use crate::harness::{TestApp, Workspace};
use crate::snapshot::Snapshot;
use crate::walk_world::{walk_world, Items};

const SCOPES: [&str; 3] = ["read", "write", "admin"];

/// How a plain member of the open workspace, with every scope, fares.
#[derive(PartialEq)]
enum Member {
    /// The operation needs a role the member lacks (or an item they do not edit): 403.
    Refused,
    /// A trashed item the member could not edit is not theirs to see: 404.
    Hidden,
    /// Allowed to the member (or not about the workspace at all): not walked here.
    Allowed,
}

/// One request each operation would accept from the owner.
struct Call {
    method: Method,
    /// The document's path, parameters included.
    template: &'static str,
    path: String,
    body: Option<Value>,
    member: Member,
}

struct World {
    w: Workspace,
    calls: Vec<Call>,
}

async fn world() -> World {
    let (w, items) = walk_world().await;
    let Items {
        objective,
        other,
        key_result,
        action,
        throwaway,
        deleted,
        link,
    } = items;
    let mut conn = w.app.db();
    use cairn::schema::workspaces;
    use diesel::prelude::*;
    let (org_id, ws_id): (String, String) = workspaces::table
        .select((workspaces::organization_id, workspaces::id))
        .first(&mut conn)
        .expect("workspace");
    let (owner, member) = (
        w.app.user_id("admin@example.com"),
        w.app.user_id("member@example.com"),
    );
    // The owner's latest check-in, so the owner may still change and delete it.
    let check_in = api(&w.app, "admin@example.com", &["write"])
        .call(
            Method::POST,
            &format!("/items/{key_result}/check-ins"),
            Some(json!({"confidence": 6, "note": "On the way"})),
        )
        .await;
    assert_eq!(check_in.status, StatusCode::CREATED, "{}", check_in.body);
    let check_in = check_in.body["id"].as_str().expect("id").to_owned();
    // A cycle in planning, which the control run activates, closes and reopens.
    let cycle = api(&w.app, "admin@example.com", &["admin"])
        .post(
            &format!("/orgs/{org_id}/cycles"),
            json!({"name": "2031 Q1", "start_date": "2031-01-01", "end_date": "2031-03-31"}),
        )
        .await;
    assert_eq!(cycle.status, StatusCode::CREATED, "{}", cycle.body);
    let cycle = cycle.body["id"].as_str().expect("id").to_owned();
    // An active cycle with an objective of the owner's to carry over into that one.
    let admin = api(&w.app, "admin@example.com", &["admin", "write"]);
    let running = admin
        .post(
            &format!("/orgs/{org_id}/cycles"),
            json!({"name": "2030 Q1", "start_date": "2030-01-01", "end_date": "2030-03-31"}),
        )
        .await;
    let running = running.body["id"].as_str().expect("id").to_owned();
    let activated = admin
        .call(Method::POST, &format!("/cycles/{running}/activate"), None)
        .await;
    assert_eq!(activated.status, StatusCode::OK, "{}", activated.body);
    let quarterly = admin
        .post(
            &format!("/workspaces/{ws_id}/items"),
            json!({"type": "objective", "title": "Quarterly", "cycle_id": running}),
        )
        .await;
    assert_eq!(quarterly.status, StatusCode::CREATED, "{}", quarterly.body);
    let quarterly = quarterly.body["id"].as_str().expect("id").to_owned();

    let call = |method: Method, template: &'static str, body: Option<Value>, who: Member| {
        let path = template
            .trim_start_matches("/api/v1")
            .replace("{org_id}", &org_id)
            .replace("{ws_id}", &ws_id)
            .replace("{user_id}", &member)
            .replace("{link_id}", &link)
            .replace("{check_in_id}", &check_in)
            .replace("{cycle_id}", &cycle);
        Call {
            method,
            template,
            path,
            body,
            member: who,
        }
    };
    let on = |method: Method, template: &'static str, item: &str, body: Option<Value>| Call {
        path: template
            .trim_start_matches("/api/v1")
            .replace("{item_id}", item),
        ..call(method, template, body, Member::Refused)
    };
    use Member::{Allowed, Refused};
    // In walking order: reads first, then writes that leave what later ones need.
    let calls = vec![
        call(Method::GET, "/api/v1/me", None, Allowed),
        call(Method::GET, "/api/v1/orgs", None, Allowed),
        call(
            Method::GET,
            "/api/v1/orgs/{org_id}/workspaces",
            None,
            Allowed,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/members",
            None,
            Allowed,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/items",
            None,
            Allowed,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/links",
            None,
            Allowed,
        ),
        Call {
            member: Allowed,
            ..on(Method::GET, "/api/v1/items/{item_id}", &action, None)
        },
        Call {
            member: Allowed,
            ..on(
                Method::GET,
                "/api/v1/items/{item_id}/activity",
                &action,
                None,
            )
        },
        call(
            Method::POST,
            "/api/v1/orgs",
            Some(json!({"name": "Beta Org"})),
            Allowed,
        ),
        call(
            Method::POST,
            "/api/v1/orgs/{org_id}/workspaces",
            Some(json!({"name": "Second"})),
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/orgs/{org_id}/invites",
            Some(json!({"email": "new@example.com", "workspace_role": "workspace_user"})),
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/invites/accept",
            Some(json!({"token": "A".repeat(43)})),
            Allowed,
        ),
        call(
            Method::PUT,
            "/api/v1/workspaces/{ws_id}/members/{user_id}",
            Some(json!({"role": "workspace_user", "manager_user_id": owner, "active": true})),
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/items",
            Some(json!({"type": "action", "title": "Scoped", "parent_id": key_result})),
            Refused,
        ),
        on(
            Method::PATCH,
            "/api/v1/items/{item_id}",
            &action,
            Some(json!({"title": "Call Globex today"})),
        ),
        on(
            Method::PUT,
            "/api/v1/items/{item_id}/position",
            &action,
            Some(json!({"x": 120.0, "y": 160.0})),
        ),
        on(Method::DELETE, "/api/v1/items/{item_id}", &throwaway, None),
        Call {
            member: Member::Hidden,
            ..on(
                Method::POST,
                "/api/v1/items/{item_id}/restore",
                &deleted,
                None,
            )
        },
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/links",
            Some(json!({"from_item_id": action, "to_item_id": other})),
            Refused,
        ),
        call(Method::DELETE, "/api/v1/links/{link_id}", None, Refused),
        Call {
            member: Allowed,
            ..on(
                Method::GET,
                "/api/v1/items/{item_id}/check-ins",
                &key_result,
                None,
            )
        },
        on(
            Method::POST,
            "/api/v1/items/{item_id}/check-ins",
            &objective,
            Some(json!({"confidence": 8, "note": "Scoped"})),
        ),
        call(
            Method::PATCH,
            "/api/v1/check-ins/{check_in_id}",
            Some(json!({"confidence": 4})),
            Refused,
        ),
        call(
            Method::DELETE,
            "/api/v1/check-ins/{check_in_id}",
            None,
            Refused,
        ),
        call(Method::GET, "/api/v1/orgs/{org_id}/cycles", None, Allowed),
        call(Method::GET, "/api/v1/cycles/{cycle_id}", None, Allowed),
        call(
            Method::POST,
            "/api/v1/orgs/{org_id}/cycles",
            Some(json!({"name": "2032 Q1", "start_date": "2032-01-01", "end_date": "2032-03-31"})),
            Refused,
        ),
        call(
            Method::PATCH,
            "/api/v1/cycles/{cycle_id}",
            Some(json!({"name": "2031 first quarter"})),
            Refused,
        ),
        // In the order the states allow: planning → active → closed → active.
        call(
            Method::POST,
            "/api/v1/cycles/{cycle_id}/activate",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/cycles/{cycle_id}/close",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/cycles/{cycle_id}/reopen",
            None,
            Refused,
        ),
        Call {
            path: format!("/cycles/{running}/carry-over"),
            ..call(
                Method::POST,
                "/api/v1/cycles/{cycle_id}/carry-over",
                Some(json!({"to_cycle_id": cycle, "item_ids": [quarterly], "workspace_id": ws_id})),
                Refused,
            )
        },
    ];
    World { w, calls }
}

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
    // Tokens are made before the snapshot: making one is a change.
    let lacking: Vec<(&str, Api)> = SCOPES
        .into_iter()
        .map(|needed| {
            let others: Vec<&str> = SCOPES.into_iter().filter(|s| *s != needed).collect();
            (needed, api(app, "admin@example.com", &others))
        })
        .collect();
    let exact: Vec<(&str, Api)> = SCOPES
        .into_iter()
        .map(|scope| (scope, api(app, "admin@example.com", &[scope])))
        .collect();
    let before = Snapshot::take(app);
    let (mut scope_refusals, mut role_refusals, mut hidden) = (0, 0, 0);
    for call in &world.calls {
        let needed = scope_of(call);
        let lacking = &lacking.iter().find(|(s, _)| *s == needed).expect("token").1;
        let what = format!("{} {}", call.method, call.template);
        let answer = lacking
            .call(call.method.clone(), &call.path, call.body.clone())
            .await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{what} without {needed}: {}",
            answer.body
        );
        assert_eq!(answer.body["error"]["code"], "forbidden", "{what}");
        scope_refusals += 1;
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
        let exact = &exact.iter().find(|(s, _)| *s == needed).expect("token").1;
        let before = Snapshot::take(app);
        let answer = exact
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
        }
    }
    println!(
        "API scope matrix: {} operations, {scope_refusals} scope refusals, {role_refusals} role \
         refusals, {hidden} hidden from an outsider",
        world.calls.len()
    );
    assert!(role_refusals >= 19 && hidden >= 28);
}

/// Whether a call writes into the organization or workspace its path names.
fn writes_into(call: &Call, level: &str) -> bool {
    let named = |params: &[&str]| params.iter().any(|p| call.template.contains(p));
    let in_workspace = named(&["{ws_id}", "{item_id}", "{link_id}", "{check_in_id}"])
        || call.template.ends_with("/carry-over");
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
