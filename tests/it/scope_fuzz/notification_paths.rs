//! The notification read paths: the inbox page, the bell's count and the API's list, each
//! against the oracle: a person hears of exactly their notifications about items they may
//! see now.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use super::paths::{answer, attr, select, Answer, Ctx};

/// The person's notifications (indexes into the world's) about items they see, and about
/// items they do not.
fn theirs(ctx: &Ctx<'_>, unread_only: bool) -> (Vec<usize>, Vec<usize>) {
    let sees = |item: usize| ctx.visible.as_ref().is_some_and(|v| v.contains(&item));
    ctx.world
        .notifications
        .iter()
        .enumerate()
        .filter(|(_, n)| n.recipient == ctx.person && !(unread_only && n.read))
        .map(|(i, _)| i)
        .partition(|&i| sees(ctx.world.notifications[i].item))
}

fn by_id(ctx: &Ctx<'_>, unread_only: bool, actual: Vec<String>) -> Answer {
    let (shown, hidden) = theirs(ctx, unread_only);
    let expected = shown
        .iter()
        .map(|&i| ctx.world.notifications[i].id.clone())
        .collect();
    answer(Some(expected), Some(actual), shown.len(), hidden.len())
}

pub(super) async fn inbox(ctx: &Ctx<'_>) -> Answer {
    let page = ctx.browser.get("/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "inbox");
    ctx.assert_no_leak(&page.body, "GET /notifications", &[]);
    let actual = select(&page, "li.inbox-entry", |e| {
        attr(e, "id").trim_start_matches("notification-").to_owned()
    });
    by_id(ctx, false, actual)
}

pub(super) async fn bell(ctx: &Ctx<'_>) -> Answer {
    let page = ctx.browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK, "home");
    let actual = page
        .text_of("#bell .bell-count")
        .unwrap_or_else(|| "0".into());
    let (shown, hidden) = theirs(ctx, true);
    answer(
        Some(vec![shown.len().to_string()]),
        Some(vec![actual]),
        shown.len(),
        hidden.len(),
    )
}

pub(super) async fn api(ctx: &Ctx<'_>) -> Answer {
    let (status, body) = ctx.api_get("/notifications?limit=100").await;
    assert_eq!(status, StatusCode::OK, "API notifications");
    let notifications = body["notifications"].as_array().expect("list");
    let actual: Vec<String> = notifications
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();
    let distinct: BTreeSet<&String> = actual.iter().collect();
    assert_eq!(distinct.len(), actual.len(), "no notification twice");
    by_id(ctx, false, actual)
}
