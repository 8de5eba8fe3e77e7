//! The JSON API's read paths for the fuzz test, each as the person with their own read
//! token: the item list (every page, filtered and not), each item, the links, each item's
//! history, the workspace feed page by page, each item's check-ins, and the trash.

use std::collections::BTreeSet;

use super::oracle::{self, Filter};
use super::paths::{answer, found, links_answer, trash_answer, Answer, Ctx};

/// Every page of `GET …/items` for this query, three items a page.
async fn item_pages(ctx: &Ctx<'_>, query: &str) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, body) = ctx
            .api_get(&format!(
                "/workspaces/{}/items?limit=3{query}{cursor}",
                ctx.ws_id
            ))
            .await;
        found(status, "API items", || ())?;
        let items = body["items"].as_array().expect("items");
        ids.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return Some(ids),
        }
    }
}

pub(super) async fn items(ctx: &Ctx<'_>) -> Answer {
    let mut everything = ctx.items(ctx.visible.as_ref(), item_pages(ctx, "").await);
    // The filtered list: the matches themselves, without ancestors (no text filter here).
    let filter = Filter {
        words: Vec::new(),
        ..ctx.filter.clone()
    };
    let mut query = String::new();
    if let Some(owner) = filter.owner {
        query.push_str(&format!("&owner={}", ctx.world_user(owner)));
    }
    if let Some(item_type) = filter.item_type {
        query.push_str(&format!("&type={item_type}"));
    }
    let expected: Option<BTreeSet<usize>> = ctx.visible.as_ref().map(|v| {
        v.iter()
            .copied()
            .filter(|&i| filter.matches(ctx.world, i))
            .collect()
    });
    let filtered = ctx.items(expected.as_ref(), item_pages(ctx, &query).await);
    let tag = |list: Vec<String>| list.into_iter().map(|id| format!("filtered {id}"));
    everything.expected.extend(tag(filtered.expected));
    everything.actual.extend(tag(filtered.actual));
    everything
}

pub(super) async fn item(ctx: &Ctx<'_>) -> Answer {
    let mut actual = Vec::new();
    for item in &ctx.world.items {
        let (status, body) = ctx.api_get(&format!("/items/{}", item.id)).await;
        if let Some(id) = found(status, "API item", || body["id"].clone()) {
            actual.push(id.as_str().unwrap_or("no id").to_owned());
        }
    }
    let expected = ctx.visible.clone().unwrap_or_default();
    ctx.items(Some(&expected), Some(actual))
}

pub(super) async fn links(ctx: &Ctx<'_>) -> Answer {
    let (status, body) = ctx
        .api_get(&format!("/workspaces/{}/links", ctx.ws_id))
        .await;
    let actual = found(status, "API links", || {
        body["links"]
            .as_array()
            .expect("links")
            .iter()
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect()
    });
    links_answer(ctx, actual, |l| ctx.world.links[l].id.clone())
}

pub(super) async fn item_activity(ctx: &Ctx<'_>) -> Answer {
    let mut actual = Vec::new();
    for item in &ctx.world.items {
        let (status, body) = ctx.api_get(&format!("/items/{}/activity", item.id)).await;
        if let Some(rows) = found(status, "API item activity", || body["activity"].clone()) {
            actual.push(format!("item {}", item.id));
            actual.extend(
                rows.as_array()
                    .expect("activity")
                    .iter()
                    .map(|r| r["id"].as_str().expect("id").to_owned()),
            );
        }
    }
    let visible = ctx.visible.clone().unwrap_or_default();
    let rows = oracle::activity(ctx.world, &visible);
    let expected = visible
        .iter()
        .map(|&i| format!("item {}", ctx.item_id(i)))
        .chain(rows.iter().map(|&a| ctx.world.activity[a].id.clone()))
        .collect();
    answer(
        Some(expected),
        Some(actual),
        rows.len(),
        ctx.world.activity.len() - rows.len(),
    )
}

/// The workspace feed over the API, two rows a page, every page: each page is filled from
/// what the person may read, so the pages together are exactly the oracle's rows.
pub(super) async fn activity_feed(ctx: &Ctx<'_>) -> Answer {
    let mut rows = Vec::new();
    let mut cursor = String::new();
    let actual = loop {
        let path = format!("/workspaces/{}/activity?limit=2{cursor}", ctx.ws_id);
        let (status, body) = ctx.api_get(&path).await;
        let Some(page) = found(status, "API activity feed", || body["activity"].clone()) else {
            break None;
        };
        let page = page.as_array().expect("activity").clone();
        let next = body["next_cursor"].as_str();
        assert!(
            page.len() == 2 || next.is_none(),
            "a page before the last is full: {body}"
        );
        rows.extend(
            page.iter()
                .map(|r| r["id"].as_str().expect("id").to_owned()),
        );
        match next {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break Some(rows),
        }
    };
    let expected = ctx.visible.as_ref().map(|v| {
        oracle::activity(ctx.world, v)
            .into_iter()
            .map(|a| ctx.world.activity[a].id.clone())
            .collect::<Vec<_>>()
    });
    let shown = expected.as_ref().map_or(0, Vec::len);
    answer(expected, actual, shown, ctx.world.activity.len() - shown)
}

/// One item's check-ins over the API, by id; `None` when it answers 404. Each note comes
/// with its own check-in: the ids listed are the ones whose notes the answer shows.
pub(super) async fn check_ins(ctx: &Ctx<'_>, item_id: &str) -> Option<Vec<String>> {
    let (status, body) = ctx.api_get(&format!("/items/{item_id}/check-ins")).await;
    found(status, "API check-ins", || {
        let rows = body["check_ins"].as_array().expect("check-ins");
        let mut ids: Vec<String> = rows
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect();
        for row in rows {
            let id = row["id"].as_str().expect("id");
            assert_eq!(ctx.check_ins_shown(&row["note"].to_string()), [id], "{row}");
        }
        ids.sort();
        ids
    })
}

/// `GET …/trash`: what the person may restore, the deleted items it names and no others.
pub(super) async fn trash(ctx: &Ctx<'_>) -> Answer {
    let expected = oracle::trash(ctx.world, ctx.person);
    let path = format!("/workspaces/{}/trash", ctx.ws_id);
    let (status, body) = ctx
        .api_get_allowing(&path, expected.as_deref().unwrap_or_default())
        .await;
    let actual = found(status, "API trash", || {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect()
    });
    trash_answer(ctx, expected, actual)
}
