//! Never show what cannot be used: a member sees the add forms and status selects only on
//! items they may change, and a workspace's settings link only where they administer it.

use crate::harness::{Page, Workspace};

fn has(page: &Page, selector: &str) -> bool {
    let selector = scraper::Selector::parse(selector).expect("selector");
    page.html().select(&selector).next().is_some()
}

#[tokio::test]
async fn a_member_sees_controls_only_for_what_they_may_change() {
    let w = Workspace::new("option_1").await;
    let member = w.member("member@example.com", "Mia Member", None).await;
    let theirs = w.create(&w.admin, "objective", None, "Admin's goal").await;
    let key_result = w
        .create(&w.admin, "key_result", Some(&theirs), "Admin's measure")
        .await;
    let action = w
        .create(&w.admin, "action", Some(&key_result), "Admin's task")
        .await;
    let mine = w.create(&member, "objective", None, "Member's goal").await;
    let settings = format!("a[href=\"{}/settings\"]", w.base());

    let page = member.get(&w.base()).await;
    assert!(has(&page, &format!("#item-{mine} details.add-child")));
    assert!(!has(&page, &format!("#item-{theirs} details.add-child")));
    assert!(!has(
        &page,
        &format!("#item-{key_result} details.add-child")
    ));
    assert!(!has(&page, &format!("#item-{action} select.status-select")));
    assert!(has(&page, &format!("#item-{action} .tree-status .pill")));
    assert!(!has(&page, &settings), "no settings link for a member");

    let page = w.admin.get(&w.base()).await;
    assert!(has(&page, &format!("#item-{theirs} details.add-child")));
    assert!(has(&page, &format!("#item-{action} select.status-select")));
    assert!(
        has(&page, &settings),
        "the admin's sidebar links the settings"
    );
}
