//! Running an organization over the API: members and the owner rules, invites as the
//! invites page manages them, archiving, and a workspace's settings; each refusal as the
//! settings pages refuse it, and a refusal changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::Setup;
use crate::snapshot::Snapshot;

const EVERY: [&str; 3] = ["read", "write", "admin"];

fn role_of(members: &Value, user_id: &str) -> Value {
    members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == user_id)
        .map_or(Value::Null, |m| m["role"].clone())
}

#[tokio::test]
async fn org_members_follow_the_owner_rules_of_the_members_page() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    let (_, ada) = s.member(&owner, "ada@example.com", "Ada Admin").await;
    let (_, max) = s.member(&owner, "max@example.com", "Max Member").await;
    let members = format!("/orgs/{}/members", s.org_id);
    let member_path = |user: &str| format!("{members}/{user}");
    let listed = owner.get(&members).await.expect(StatusCode::OK);
    assert_eq!(role_of(&listed, &max), "member");
    assert_eq!(listed["members"][0]["name"], "Ada Admin", "by name");

    let changed = owner
        .call(
            Method::PATCH,
            &member_path(&ada),
            Some(json!({ "role": "admin" })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["role"], "admin");
    let admin = s.api("ada@example.com", &["admin"]);
    // A plain member reads the list but changes nothing.
    let by_member = s.api("max@example.com", &EVERY);
    by_member.get(&members).await.expect(StatusCode::OK);

    let before = Snapshot::take(&s.app);
    by_member
        .call(
            Method::PATCH,
            &member_path(&max),
            Some(json!({ "role": "admin" })),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    // Only owners make owners or touch them.
    admin
        .call(
            Method::PATCH,
            &member_path(&max),
            Some(json!({ "role": "owner" })),
        )
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let owner_id = s.app.user_id("owner@example.com");
    admin
        .call(Method::DELETE, &member_path(&owner_id), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    // The last owner stays one.
    owner
        .call(
            Method::PATCH,
            &member_path(&owner_id),
            Some(json!({ "role": "member" })),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    owner
        .call(Method::DELETE, &member_path(&owner_id), None)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let wrong = owner
        .call(
            Method::PATCH,
            &member_path(&max),
            Some(json!({ "role": "boss" })),
        )
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(wrong["error"]["fields"]["role"].is_string(), "{wrong}");
    owner
        .call(
            Method::DELETE,
            &member_path("00000000-0000-4000-8000-000000000000"),
            None,
        )
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    before.assert_unchanged(&s.app, "refused member changes");

    // An admin removes a member: gone from the organization, inactive in the workspace.
    admin
        .call(Method::DELETE, &member_path(&max), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    assert_eq!(
        role_of(&owner.get(&members).await.expect(StatusCode::OK), &max),
        Value::Null
    );
    let in_workspace = owner
        .get(&format!("/workspaces/{}/members", s.ws_id))
        .await
        .expect(StatusCode::OK);
    let max_there = in_workspace["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == max)
        .expect("still listed");
    assert_eq!(max_there["active"], false);
}

#[tokio::test]
async fn invites_are_listed_resent_and_withdrawn_by_whoever_manages_them() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    let (_, lead) = s.member(&owner, "lead@example.com", "Lea Lead").await;
    owner
        .call(
            Method::PUT,
            &format!("/workspaces/{}/members/{lead}", s.ws_id),
            Some(json!({ "role": "workspace_admin" })),
        )
        .await
        .expect(StatusCode::OK);
    s.member(&owner, "max@example.com", "Max Member").await;
    let invites = format!("/orgs/{}/invites", s.org_id);
    for (email, workspace) in [
        ("ws@example.com", Some(s.ws_id.as_str())),
        ("org@example.com", None),
    ] {
        owner
            .post(
                &invites,
                json!({ "email": email, "workspace_id": workspace, "workspace_role": "workspace_user" }),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    let listed = owner.get(&invites).await.expect(StatusCode::OK);
    let all = listed["invites"].as_array().expect("invites");
    assert_eq!(all.len(), 2, "{listed}");
    let find = |email: &str| {
        all.iter()
            .find(|i| i["email"] == email)
            .cloned()
            .expect("listed")
    };
    let (to_ws, to_org) = (find("ws@example.com"), find("org@example.com"));
    assert_eq!(to_ws["status"], "pending");
    assert_eq!(to_ws["workspace_name"], "Platform");
    assert_eq!(to_ws["invited_by"], "Olive Owner");
    assert_eq!(to_ws["delivery"]["status"], "pending", "{to_ws}");
    // The workspace admin sees and manages their workspace's invite only.
    let lead_api = s.api("lead@example.com", &EVERY);
    let theirs = lead_api.get(&invites).await.expect(StatusCode::OK);
    assert_eq!(theirs["invites"].as_array().map(Vec::len), Some(1));
    assert_eq!(theirs["invites"][0]["email"], "ws@example.com");
    let (ws_id, org_id) = (
        to_ws["id"].as_str().expect("id"),
        to_org["id"].as_str().expect("id"),
    );
    let max = s.api("max@example.com", &EVERY);
    let before = Snapshot::take(&s.app);
    lead_api
        .call(Method::POST, &format!("/invites/{org_id}/revoke"), None)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    max.get(&invites)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    max.call(Method::POST, &format!("/invites/{ws_id}/resend"), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    before.assert_unchanged(&s.app, "refused invite changes");

    let resent = lead_api
        .call(Method::POST, &format!("/invites/{ws_id}/resend"), None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(resent["outcome"], "resent");
    lead_api
        .call(Method::POST, &format!("/invites/{ws_id}/revoke"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let after = owner.get(&invites).await.expect(StatusCode::OK);
    let revoked = after["invites"]
        .as_array()
        .expect("invites")
        .iter()
        .find(|i| i["id"] == ws_id)
        .cloned()
        .expect("listed");
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["delivery"]["status"], "cancelled", "{revoked}");
    // A withdrawn invite is not sent again.
    owner
        .call(Method::POST, &format!("/invites/{ws_id}/resend"), None)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn workspace_settings_and_archives_follow_the_settings_pages() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    let (_, max) = s.member(&owner, "max@example.com", "Max Member").await;
    let second = owner
        .post(
            &format!("/orgs/{}/workspaces", s.org_id),
            json!({ "name": "Sales" }),
        )
        .await
        .expect(StatusCode::CREATED);
    let workspace = format!("/workspaces/{}", s.ws_id);

    let changed = owner
        .call(
            Method::PATCH,
            &workspace,
            Some(json!({ "name": "Platform team", "privacy_mode": "option_2" })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["name"], "Platform team");
    assert_eq!(changed["slug"], s.ws_slug, "the address stays unless given");
    assert_eq!(changed["privacy_mode"], "option_2");

    let by_member = s.api("max@example.com", &EVERY);
    let before = Snapshot::take(&s.app);
    for (body, field) in [
        (json!({ "name": "  " }), "name"),
        (json!({ "slug": "Not A Slug" }), "slug"),
        (json!({ "privacy_mode": "option_3" }), "privacy_mode"),
    ] {
        let refused = owner
            .call(Method::PATCH, &workspace, Some(body.clone()))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    owner
        .call(
            Method::PATCH,
            &workspace,
            Some(json!({ "slug": second["slug"] })),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    by_member
        .call(Method::PATCH, &workspace, Some(json!({ "name": "Mine" })))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    by_member
        .call(Method::POST, &format!("{workspace}/archive"), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    by_member
        .call(Method::POST, &format!("/orgs/{}/archive", s.org_id), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    before.assert_unchanged(&s.app, "refused settings");

    // An archived workspace is read-only until it is unarchived.
    owner
        .call(Method::POST, &format!("{workspace}/archive"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    let items = format!("{workspace}/items");
    let objective = json!({ "type": "objective", "title": "Grow" });
    owner
        .post(&items, objective.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    owner
        .call(Method::PATCH, &workspace, Some(json!({ "name": "Again" })))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    owner
        .call(Method::POST, &format!("{workspace}/unarchive"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    owner
        .post(&items, objective.clone())
        .await
        .expect(StatusCode::CREATED);

    // So is an archived organization, and its workspaces cannot be unarchived meanwhile.
    let org = format!("/orgs/{}", s.org_id);
    owner
        .call(Method::POST, &format!("{org}/archive"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    owner
        .post(&items, objective.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    owner
        .call(Method::DELETE, &format!("{org}/members/{max}"), None)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    owner
        .call(Method::POST, &format!("{org}/unarchive"), None)
        .await
        .expect(StatusCode::NO_CONTENT);
    owner
        .post(&items, objective)
        .await
        .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn the_org_profile_is_read_and_changed_with_the_settings_forms_rules() {
    let s = Setup::new("option_1").await;
    let owner = s.api("owner@example.com", &EVERY);
    s.member(&owner, "max@example.com", "Max Member").await;
    let other = owner
        .post("/orgs", json!({ "name": "Globex" }))
        .await
        .expect(StatusCode::CREATED);
    let org = format!("/orgs/{}", s.org_id);
    let changed = owner
        .call(
            Method::PATCH,
            &org,
            Some(json!({
                "industry": "Software", "website": "https://acme.example",
                "customer_names": ["Initech", "Acme, Inc."], "revenue_amount": 5000000,
                "revenue_currency": "EUR", "revenue_period": "year",
                "employee_count_min": 10, "employee_count_max": 50,
                "address_city": "Berlin", "time_zone": "Europe/Berlin",
                "default_privacy_mode": "option_2", "ai_enrichment_opt_in": true,
            })),
        )
        .await
        .expect(StatusCode::OK);
    let shown = owner.get(&org).await.expect(StatusCode::OK);
    assert_eq!(changed, shown, "PATCH answers the stored profile");
    for (field, value) in [
        ("name", json!("Acme")),
        ("industry", json!("Software")),
        ("website", json!("https://acme.example/")),
        ("customer_names", json!(["Initech", "Acme, Inc."])),
        ("revenue_amount", json!(5000000)),
        ("revenue_period", json!("year")),
        ("employee_count_max", json!(50)),
        ("time_zone", json!("Europe/Berlin")),
        ("default_privacy_mode", json!("option_2")),
        ("ai_enrichment_opt_in", json!(true)),
        ("role", json!("owner")),
    ] {
        assert_eq!(shown[field], value, "{field}: {shown}");
    }
    // Null clears; what is left out stays.
    let cleared = owner
        .call(Method::PATCH, &org, Some(json!({ "industry": null })))
        .await
        .expect(StatusCode::OK);
    assert_eq!(cleared["industry"], Value::Null);
    assert_eq!(cleared["address_city"], "Berlin");

    let member = s.api("max@example.com", &EVERY);
    let before = Snapshot::take(&s.app);
    member
        .get(&org)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    member
        .call(Method::PATCH, &org, Some(json!({ "industry": "Mine" })))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    for (body, fields) in [
        (json!({ "revenue_period": null }), vec!["revenue_period"]),
        (
            json!({ "employee_count_min": 60 }),
            vec!["employee_count_max"],
        ),
        (json!({ "website": "ftp://acme.example" }), vec!["website"]),
        (json!({ "time_zone": "Mars/Olympus" }), vec!["time_zone"]),
        (
            json!({ "customer_names": ["Two\nlines"] }),
            vec!["customer_names"],
        ),
        (json!({ "name": " ", "slug": "-x-" }), vec!["name", "slug"]),
        (
            json!({ "revenue_period": "decade" }),
            vec!["revenue_period"],
        ),
    ] {
        let refused = owner
            .call(Method::PATCH, &org, Some(body.clone()))
            .await
            .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        for field in fields {
            assert!(
                refused["error"]["fields"][field].is_string(),
                "{body}: {refused}"
            );
        }
    }
    owner
        .call(Method::PATCH, &org, Some(json!({ "slug": other["slug"] })))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    before.assert_unchanged(&s.app, "refused profile changes");
}
