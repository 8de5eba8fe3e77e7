//! The workspace's views for the fuzz test: the tree (filtered or not), the board's cards
//! and links, the gantt's rows and its CSV, each as it opens (on the default cycle) or under
//! a `?cycle=`, and the check that a cycle never shows more than all cycles.

use std::collections::BTreeSet;

use super::oracle::{self, CycleView, Filter};
use super::paths::{answer, attr, found, links_among, select, text, Answer, Ctx};

/// A page under a cycle never shows what the same page of all cycles does not: every item
/// (or link) it shows is one the unfiltered page shows too. Answers the cycle's answer.
pub(super) fn narrower(cycle: Answer, all: Answer) -> Answer {
    let counted = |entry: &String| entry.starts_with("unscheduled count");
    let shown_more: Vec<&String> = cycle
        .actual
        .iter()
        .filter(|entry| !counted(entry) && !all.actual.contains(entry))
        .collect();
    assert!(
        shown_more.is_empty(),
        "a cycle filter shows what all cycles do not: {shown_more:?}"
    );
    cycle
}

/// The tree page for a filter, in a cycle (`None`: as it opens).
pub(super) async fn tree_page(ctx: &Ctx<'_>, cycle: Option<CycleView>, filter: &Filter) -> Answer {
    let (cycle_query, view) = ctx.cycle_query(cycle);
    let mut query = Vec::new();
    if !filter.words.is_empty() {
        query.push(("q", filter.words.join(" ")));
    }
    if let Some(owner) = filter.owner {
        query.push(("owner", ctx.world_user(owner)));
    }
    if let Some(item_type) = filter.item_type {
        query.push(("type", item_type.to_owned()));
    }
    let query = [query_string(&query), cycle_query]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    let page = ctx.page(&format!("?{query}")).await;
    let actual = found(page.status, "tree page", || {
        select(&page, ".tree-title-text", |e| ctx.id_of_title(&text(e)))
    });
    let expected = ctx
        .visible_in(view)
        .map(|v| oracle::search(ctx.world, &v, filter));
    ctx.items(expected.as_ref(), actual)
}

pub(super) async fn tree_search(ctx: &Ctx<'_>, cycle: Option<CycleView>) -> Answer {
    tree_page(ctx, cycle, &ctx.filter).await
}

fn query_string(pairs: &[(&str, String)]) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("url");
    url.query_pairs_mut()
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    url.query().unwrap_or_default().to_owned()
}

pub(super) async fn board_cards(ctx: &Ctx<'_>, cycle: Option<CycleView>) -> Answer {
    let (query, view) = ctx.cycle_query(cycle);
    let page = ctx.page(&format!("/board?{query}")).await;
    let actual = found(page.status, "board", || {
        select(&page, "article.board-card", |e| {
            attr(e, "id").trim_start_matches("card-").to_owned()
        })
    });
    ctx.items(ctx.visible_in(view).as_ref(), actual)
}

pub(super) async fn board_links(ctx: &Ctx<'_>, cycle: Option<CycleView>) -> Answer {
    let (query, view) = ctx.cycle_query(cycle);
    let page = ctx.page(&format!("/board?{query}")).await;
    let actual = found(page.status, "board", || {
        select(&page, "path.edge-link", |e| {
            format!("{}>{}", attr(e, "data-from"), attr(e, "data-to"))
        })
    });
    links_among(ctx, ctx.visible_in(view).as_ref(), actual, |l| {
        let link = &ctx.world.links[l];
        format!("{}>{}", ctx.item_id(link.from), ctx.item_id(link.to))
    })
}

pub(super) async fn gantt_rows(ctx: &Ctx<'_>, cycle: Option<CycleView>) -> Answer {
    const PAGE_ROWS: usize = 200;
    let (query, view) = ctx.cycle_query(cycle);
    let visible = ctx.visible_in(view);
    let mut actual: Option<Vec<String>> = None;
    for number in 1.. {
        let page = ctx.page(&format!("/gantt?page={number}&{query}")).await;
        let Some(mut rows) = found(page.status, "gantt", || {
            select(&page, "li.gantt-name", |e| attr(e, "data-id"))
        }) else {
            break;
        };
        let full = rows.len() == PAGE_ROWS;
        if number == 1 {
            // The unscheduled list and its count, once: the same on every page.
            rows.extend(select(&page, "li.unscheduled-item", |e| {
                format!(
                    "unscheduled {}",
                    attr(e, "id").trim_start_matches("unscheduled-")
                )
            }));
            rows.extend(select(&page, "#unscheduled-title .pill", |e| {
                format!("unscheduled count {}", text(e).trim())
            }));
        }
        actual.get_or_insert_with(Vec::new).extend(rows);
        if !full {
            break;
        }
    }
    let expected = visible.as_ref().map(|v| {
        let unscheduled: Vec<usize> = v
            .iter()
            .copied()
            // In a cycle, the cycle's dates stand in for a missing due date.
            .filter(|&i| !ctx.world.items[i].due && ctx.world.items[i].cycle.is_none())
            .collect();
        v.iter()
            .map(|&i| ctx.item_id(i))
            .chain(
                unscheduled
                    .iter()
                    .map(|&i| format!("unscheduled {}", ctx.item_id(i))),
            )
            .chain([format!("unscheduled count {}", unscheduled.len())])
            .collect::<Vec<_>>()
    });
    let shown = visible.as_ref().map_or(0, BTreeSet::len);
    answer(expected, actual, shown, ctx.world.items.len() - shown)
}

pub(super) async fn gantt_csv(ctx: &Ctx<'_>, cycle: Option<CycleView>) -> Answer {
    let (query, view) = ctx.cycle_query(cycle);
    let page = ctx.page(&format!("/gantt.csv?{query}")).await;
    let actual = found(page.status, "gantt.csv", || {
        page.body
            .lines()
            .skip(1)
            .map(|line| ctx.id_of_title(line.split(',').next().unwrap_or_default()))
            .collect()
    });
    ctx.items(ctx.visible_in(view).as_ref(), actual)
}
