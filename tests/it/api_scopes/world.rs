//! What the scope matrix walks: the rule walks' world (`walk_world`) with a check-in, a cycle
//! in planning and an active one holding an objective, and one request per documented
//! operation that the owner's token with the operation's scope gets through.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::api;
use crate::harness::Workspace;
use crate::walk_world::{walk_world, Items};

/// How a plain member of the open workspace, with every scope, fares.
#[derive(PartialEq)]
pub(super) enum Member {
    /// The operation needs a role the member lacks (or an item they do not edit): 403.
    Refused,
    /// A trashed item the member could not edit is not theirs to see: 404.
    Hidden,
    /// Allowed to the member (or not about the workspace at all): not walked here.
    Allowed,
}

/// One request each operation would accept from the owner.
pub(super) struct Call {
    pub(super) method: Method,
    /// The document's path, parameters included.
    pub(super) template: &'static str,
    pub(super) path: String,
    pub(super) body: Option<Value>,
    pub(super) member: Member,
}

pub(super) struct World {
    pub(super) w: Workspace,
    pub(super) calls: Vec<Call>,
}

pub(super) async fn world() -> World {
    let (w, items) = walk_world().await;
    let Items {
        objective,
        other,
        key_result,
        action,
        throwaway,
        deleted,
        link,
        notification,
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
    // The owner's comment on the action, which only the owner may change and then delete.
    let comment = api(&w.app, "admin@example.com", &["write"])
        .post(
            &format!("/items/{action}/comments"),
            json!({"body": "Over to you"}),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.body);
    let comment = comment.body["id"].as_str().expect("id").to_owned();
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
    // A pending invite, which the control run resends and then withdraws.
    let invited = admin
        .post(
            &format!("/orgs/{org_id}/invites"),
            json!({"email": "invitee@example.com", "workspace_role": "workspace_user"}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let invite: String = cairn::schema::org_invites::table
        .filter(cairn::schema::org_invites::email.eq("invitee@example.com"))
        .select(cairn::schema::org_invites::id)
        .first(&mut w.app.db())
        .expect("invite");

    // A webhook, whose log the walk reads before deleting it.
    let webhook = admin
        .post(
            &format!("/workspaces/{ws_id}/webhooks"),
            json!({"url": "https://hooks.example.com/cairn", "events": ["item.created"]}),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.body);
    let webhook = webhook.body["id"].as_str().expect("id").to_owned();

    let org_slug: String = cairn::schema::organizations::table
        .find(&org_id)
        .select(cairn::schema::organizations::slug)
        .first(&mut conn)
        .expect("org");
    let scrape = crate::walk_world::finished_scrape(&mut conn, &org_slug, &owner);
    let (report, _) = crate::walk_world::reports(&w, &owner).await;

    let call = |method: Method, template: &'static str, body: Option<Value>, who: Member| {
        let path = template
            .trim_start_matches("/api/v1")
            .replace("{org_id}", &org_id)
            .replace("{ws_id}", &ws_id)
            .replace("{user_id}", &member)
            .replace("{link_id}", &link)
            .replace("{check_in_id}", &check_in)
            .replace("{comment_id}", &comment)
            .replace("{cycle_id}", &cycle)
            .replace("{invite_id}", &invite)
            .replace("{webhook_id}", &webhook)
            .replace("{scrape_job_id}", &scrape)
            .replace("{report_id}", &report);
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
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/activity",
            None,
            Allowed,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/trash",
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
        Call {
            member: Allowed,
            ..on(
                Method::GET,
                "/api/v1/items/{item_id}/comments",
                &action,
                None,
            )
        },
        Call {
            member: Allowed,
            ..on(
                Method::POST,
                "/api/v1/items/{item_id}/comments",
                &action,
                Some(json!({"body": "Scoped"})),
            )
        },
        call(
            Method::PATCH,
            "/api/v1/comments/{comment_id}",
            Some(json!({"body": "Scoped again"})),
            Refused,
        ),
        call(
            Method::DELETE,
            "/api/v1/comments/{comment_id}",
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
        call(Method::GET, "/api/v1/notifications", None, Allowed),
        call(
            Method::POST,
            "/api/v1/notifications/read",
            Some(json!({"ids": [notification]})),
            Allowed,
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
        call(Method::GET, "/api/v1/orgs/{org_id}/members", None, Allowed),
        call(Method::GET, "/api/v1/orgs/{org_id}", None, Refused),
        call(
            Method::PATCH,
            "/api/v1/orgs/{org_id}",
            Some(json!({"industry": "Software", "employee_count_min": 10})),
            Refused,
        ),
        call(Method::GET, "/api/v1/orgs/{org_id}/invites", None, Refused),
        call(
            Method::POST,
            "/api/v1/invites/{invite_id}/resend",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/invites/{invite_id}/revoke",
            None,
            Refused,
        ),
        call(
            Method::PATCH,
            "/api/v1/workspaces/{ws_id}",
            Some(json!({"name": "Platform, renamed", "privacy_mode": "option_1"})),
            Refused,
        ),
        // Each archive is undone at once, so what follows still writes.
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/archive",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/unarchive",
            None,
            Refused,
        ),
        call(Method::POST, "/api/v1/orgs/{org_id}/archive", None, Refused),
        call(
            Method::POST,
            "/api/v1/orgs/{org_id}/unarchive",
            None,
            Refused,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/webhooks",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/webhooks",
            Some(json!({"url": "https://hooks.example.com/other", "events": ["cycle.closed"]})),
            Refused,
        ),
        call(
            Method::GET,
            "/api/v1/webhooks/{webhook_id}/deliveries",
            None,
            Refused,
        ),
        call(
            Method::DELETE,
            "/api/v1/webhooks/{webhook_id}",
            None,
            Refused,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/reports",
            None,
            Allowed,
        ),
        call(Method::GET, "/api/v1/reports/{report_id}", None, Allowed),
        call(
            Method::POST,
            "/api/v1/workspaces/{ws_id}/reports",
            Some(json!({"cycle_id": null})),
            Allowed,
        ),
        call(
            Method::GET,
            "/api/v1/scrape-jobs/{scrape_job_id}",
            None,
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/scrape-jobs/{scrape_job_id}/apply",
            Some(json!({"fields": ["industry"]})),
            Refused,
        ),
        call(
            Method::POST,
            "/api/v1/orgs/{org_id}/scrape-jobs",
            Some(json!({"url": "https://acme.example/"})),
            Refused,
        ),
        call(
            Method::GET,
            "/api/v1/workspaces/{ws_id}/members/{user_id}/skills",
            None,
            Allowed,
        ),
        call(
            Method::PUT,
            "/api/v1/workspaces/{ws_id}/members/{user_id}/skills",
            Some(json!({"can": [{"name": "Rust", "level": 3}], "want": ["SQL"]})),
            Allowed,
        ),
        Call {
            member: Allowed,
            ..on(
                Method::GET,
                "/api/v1/items/{item_id}/assignee-suggestions",
                &action,
                None,
            )
        },
        // Last: the member becomes an admin, then leaves.
        call(
            Method::PATCH,
            "/api/v1/orgs/{org_id}/members/{user_id}",
            Some(json!({"role": "admin"})),
            Refused,
        ),
        call(
            Method::DELETE,
            "/api/v1/orgs/{org_id}/members/{user_id}",
            None,
            Refused,
        ),
    ];
    World { w, calls }
}
