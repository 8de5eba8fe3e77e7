//! Each request context refuses the way the product promises, on one representative route:
//! outsiders 404, members without the role 403 with the reason, the logged out the log-in
//! page (scripts 401), and writes in an archived organization 403. The rule walks
//! (`rules.rs`) hold the first and last of these on every route; this names each context.

use reqwest::StatusCode;

use crate::harness::{Browser, Page, Workspace};

async fn get_as_script(browser: &Browser, path: &str) -> StatusCode {
    browser
        .client
        .get(browser.url(path))
        .header("Accept", "application/json")
        .send()
        .await
        .expect("GET")
        .status()
}

#[track_caller]
fn refused_with(page: &Page, status: StatusCode, reason: &str) {
    assert_eq!(page.status, status, "{}", page.body);
    assert!(page.body.contains(reason), "no “{reason}” in {}", page.body);
}

#[tokio::test]
async fn each_context_refuses_outsiders_members_without_the_role_and_the_logged_out() {
    let w = Workspace::new("option_1").await;
    let member = w.member("member@example.com", "Mia Member", None).await;
    let colleague = w.app.person("colleague@example.com", "Cole League").await;
    w.app.join_org(&w.org, "colleague@example.com", "member");
    let outsider = w.app.person("outsider@example.com", "Otto Outsider").await;
    let logged_out = w.app.browser();
    let (org, base) = (format!("/orgs/{}", w.org), w.base());

    // OrgCtx: the organization's people page.
    let people = format!("{org}/members");
    assert_eq!(member.get(&people).await.status, StatusCode::OK);
    assert_eq!(outsider.get(&people).await.status, StatusCode::NOT_FOUND);
    let page = logged_out.get(&people).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some(format!("/login?next=%2Forgs%2F{}%2Fmembers", w.org).as_str())
    );
    assert_eq!(
        get_as_script(&logged_out, &people).await,
        StatusCode::UNAUTHORIZED
    );

    // OrgAdmin: the organization's settings.
    let settings = format!("{org}/settings");
    assert_eq!(w.admin.get(&settings).await.status, StatusCode::OK);
    let page = member.get(&settings).await;
    refused_with(
        &page,
        StatusCode::FORBIDDEN,
        "Only owners and admins of Acme",
    );
    assert_eq!(outsider.get(&settings).await.status, StatusCode::NOT_FOUND);

    // Inviter: owners, admins and workspace admins.
    let page = member.get(&format!("{org}/invites")).await;
    refused_with(
        &page,
        StatusCode::FORBIDDEN,
        "Only owners, admins and workspace admins of Acme can invite people.",
    );

    // WorkspaceCtx: the board; an organization member outside the workspace is an outsider.
    let board = format!("{base}/board");
    assert_eq!(member.get(&board).await.status, StatusCode::OK);
    assert_eq!(colleague.get(&board).await.status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&board).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get_as_script(&logged_out, &board).await,
        StatusCode::UNAUTHORIZED
    );

    // WorkspaceAdmin: the workspace's settings.
    let page = member.get(&format!("{base}/settings")).await;
    refused_with(
        &page,
        StatusCode::FORBIDDEN,
        "Only admins of the workspace Platform can do this.",
    );
    assert_eq!(
        w.admin.get(&format!("{base}/settings")).await.status,
        StatusCode::OK
    );

    // An archived organization refuses a workspace write with the reason.
    w.admin
        .submit(&org, &format!("{org}/archive"), &[])
        .await
        .assert_redirect(&format!("{org}/settings"));
    let page = w
        .admin
        .submit(
            &base,
            &format!("{base}/items"),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", "Late"),
                ("due_date", ""),
            ],
        )
        .await;
    refused_with(
        &page,
        StatusCode::FORBIDDEN,
        "Acme is archived, so it is read-only.",
    );
}
