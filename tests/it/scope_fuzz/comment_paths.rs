//! Comments, read item by item: the item page's section and the API's list show exactly the
//! live comments of visible items (each by the token in its body), hidden items answer 404;
//! the mention autocomplete offers, on a visible item, exactly the people who can see it.

use std::collections::BTreeSet;

use super::oracle;
use super::paths::{answer, attr, by_item, found, select, Answer, Ctx};
use super::PEOPLE;

impl Ctx<'_> {
    /// The comments whose bodies an answer shows, by id (sorted, as answers are compared).
    pub(super) fn comments_shown(&self, body: &str) -> Vec<String> {
        self.world
            .comments
            .iter()
            .filter(|c| body.contains(&c.token))
            .map(|c| c.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// The comments the item page's section lists, each with its own words.
async fn item_page(ctx: &Ctx<'_>, id: &str) -> Option<Vec<String>> {
    let page = ctx.page(&format!("/items/{id}")).await;
    found(page.status, "item page", || {
        let listed = select(&page, "#comments li.comment", |e| {
            attr(e, "id").trim_start_matches("comment-").to_owned()
        });
        let section = select(&page, "#comments", |e| e.html()).concat();
        assert_eq!(ctx.comments_shown(&section), listed, "{section}");
        listed
    })
}

/// One item's comments over the API, by id; each body comes with its own comment.
async fn api(ctx: &Ctx<'_>, id: &str) -> Option<Vec<String>> {
    let (status, body) = ctx.api_get(&format!("/items/{id}/comments")).await;
    found(status, "API comments", || {
        let rows = body["comments"].as_array().expect("comments");
        let mut ids: Vec<String> = rows
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect();
        for row in rows {
            let id = row["id"].as_str().expect("id");
            assert_eq!(ctx.comments_shown(&row["body"].to_string()), [id], "{row}");
        }
        ids.sort();
        ids
    })
}

/// Each item's comments as one reader shows them, against the oracle's live comments.
async fn comments_by_item<'c, F, Fut>(ctx: &'c Ctx<'c>, read: F) -> Answer
where
    F: Fn(&'c Ctx<'c>, &'c str) -> Fut,
    Fut: std::future::Future<Output = Option<Vec<String>>>,
{
    let visible = ctx.visible.clone().unwrap_or_default();
    let shown: Vec<String> = oracle::comments(ctx.world, &visible)
        .into_iter()
        .map(|c| ctx.world.comments[c].id.clone())
        .collect();
    by_item(ctx, read, shown, ctx.world.comments.len()).await
}

pub(super) async fn item_page_comments<'c>(ctx: &'c Ctx<'c>) -> Answer {
    comments_by_item(ctx, item_page).await
}

pub(super) async fn api_comments<'c>(ctx: &'c Ctx<'c>) -> Answer {
    comments_by_item(ctx, api).await
}

/// Whom the autocomplete offers on each item (everyone is called "Person n").
pub(super) async fn mention_suggestions(ctx: &Ctx<'_>) -> Answer {
    let mut actual = Vec::new();
    for item in &ctx.world.items {
        let page = ctx
            .page(&format!("/items/{}/mentions?q=person", item.id))
            .await;
        let offered = found(page.status, "mention suggestions", || {
            let body: serde_json::Value = serde_json::from_str(&page.body).expect("json");
            let mut ids: Vec<String> = body["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| m["user_id"].as_str().expect("user id").to_owned())
                .collect();
            ids.sort();
            ids
        });
        if let Some(offered) = offered {
            actual.push(format!("item {}", item.id));
            actual.extend(offered);
        }
    }
    let visible = ctx.visible.clone().unwrap_or_default();
    let mut expected = Vec::new();
    let (mut shown, mut hidden) = (0, 0);
    for &i in &visible {
        expected.push(format!("item {}", ctx.item_id(i)));
        let seeing = oracle::seeing(ctx.world, i, PEOPLE);
        shown += seeing.len();
        hidden += PEOPLE - seeing.len();
        let mut ids: Vec<String> = seeing.into_iter().map(|p| ctx.world_user(p)).collect();
        ids.sort();
        expected.extend(ids);
    }
    answer(Some(expected), Some(actual), shown, hidden)
}
