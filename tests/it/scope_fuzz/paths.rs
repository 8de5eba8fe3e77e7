//! The read paths the fuzz test compares with the oracle, one function each, listed in
//! `ReadPath::ALL` (the JSON API's are in `api_paths`). A new read path (comments,
//! notifications, reports) joins with a variant, a line in `ALL` and a function returning its
//! `Answer`. Check-ins and comments are read item by item through `by_item` (the API's list and
//! the item page's history). The tree, board and gantt are read as they open (on the default
//! cycle) and under the context's random `?cycle=` (the `…InCycle` paths), which must never
//! show more than the same page of all cycles.

use std::cell::RefCell;
use std::collections::BTreeSet;

use cairn::db::AnyConnection;
use reqwest::StatusCode;
use serde_json::Value;

use super::oracle::{self, CycleView, Filter, Sight};
use super::view_paths::{
    board_cards, board_links, gantt_csv, gantt_rows, narrower, tree_page, tree_search,
};
use super::world::{Person, World};
use super::{api_paths, comment_paths, notification_paths, report_paths, skill_paths};
use crate::harness::{Browser, Page};

/// One viewer looking at one world.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub person: usize,
    pub user_id: &'a str,
    pub people: &'a [Person],
    pub conn: &'a RefCell<AnyConnection>,
    pub browser: &'a Browser,
    pub api: &'a reqwest::Client,
    pub api_base: &'a str,
    pub token: &'a str,
    pub base: String,
    pub org_slug: &'a str,
    pub ws_slug: &'a str,
    pub ws_id: &'a str,
    pub filter: Filter,
    /// The `?cycle=` of the `…InCycle` paths.
    pub cycle: CycleView,
    /// The oracle's visible set (`None`: the workspace is not theirs).
    pub visible: Option<BTreeSet<usize>>,
    /// Each person's summary report of the workspace (`None`: not theirs to ask for).
    pub reports: &'a [Option<String>],
}

/// A read path's answer next to the oracle's, as sorted lists (so a duplicate shows), and how
/// many things the oracle expected shown and hidden.
pub struct Answer {
    pub expected: Vec<String>,
    pub actual: Vec<String>,
    pub shown: usize,
    pub hidden: usize,
}

const NO_ACCESS: &str = "status 404";

impl Ctx<'_> {
    pub(super) fn world_user(&self, person: usize) -> String {
        self.people[person].user_id.clone()
    }

    pub(super) fn item_id(&self, index: usize) -> String {
        self.world.items[index].id.clone()
    }

    /// Maps a title shown on a page back to its item's id (unknown titles stay, to show).
    pub(super) fn id_of_title(&self, title: &str) -> String {
        self.world
            .items
            .iter()
            .find(|i| i.title == title.trim())
            .map_or_else(|| format!("unknown title {title:?}"), |i| i.id.clone())
    }

    /// A list of items against the oracle's; `None` expects a 404 for the whole page.
    pub(super) fn items(
        &self,
        expected: Option<&BTreeSet<usize>>,
        actual: Option<Vec<String>>,
    ) -> Answer {
        let shown = expected.map_or(0, BTreeSet::len);
        answer(
            expected.map(|e| e.iter().map(|&i| self.item_id(i)).collect()),
            actual,
            shown,
            self.world.items.len() - shown,
        )
    }

    /// The query part naming a cycle (none: the page's default) and the cycle it shows.
    pub(super) fn cycle_query(&self, cycle: Option<CycleView>) -> (String, CycleView) {
        match cycle {
            None => (String::new(), oracle::default_cycle(self.world)),
            Some(view) => (format!("cycle={}", view.param(self.world)), view),
        }
    }

    /// The visible items a view of the cycle shows (`None`: the workspace is not theirs).
    pub(super) fn visible_in(&self, cycle: CycleView) -> Option<BTreeSet<usize>> {
        self.visible
            .as_ref()
            .map(|v| oracle::in_cycle(self.world, v, cycle))
    }

    pub(super) async fn page(&self, path: &str) -> Page {
        let page = self.browser.get(&format!("{}{path}", self.base)).await;
        self.assert_no_leak(&page.body, &format!("GET {path}"), &[]);
        page
    }

    pub(super) async fn api_get(&self, path: &str) -> (StatusCode, Value) {
        self.api_get_allowing(path, &[]).await
    }

    /// An API read that may name the deleted items in `extra` (the trash).
    pub(super) async fn api_get_allowing(
        &self,
        path: &str,
        extra: &[usize],
    ) -> (StatusCode, Value) {
        let response = self
            .api
            .get(format!("{}{path}", self.api_base))
            .bearer_auth(self.token)
            .send()
            .await
            .expect("API GET");
        let status = response.status();
        let body = response.text().await.expect("API body");
        self.assert_no_leak(&body, &format!("API GET {path}"), extra);
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Hidden means absent: no title or id of an item the viewer may not see appears in
    /// the answer (deleted items appear only where `extra` allows, the trash), nor the id or
    /// note of a check-in on one.
    pub(super) fn assert_no_leak(&self, body: &str, what: &str, extra: &[usize]) {
        let sees = |index: usize| self.visible.as_ref().is_some_and(|v| v.contains(&index));
        for (index, item) in self.world.items.iter().enumerate() {
            let allowed = sees(index) || extra.contains(&index);
            let token = item.title.rsplit(' ').next().expect("token");
            assert!(
                allowed || !(body.contains(token) || body.contains(&item.id)),
                "seed {}: {what} shows person {} hidden item {index} ({})",
                self.world.seed,
                self.person,
                item.title
            );
        }
        for (n, check_in) in self.world.check_ins.iter().enumerate() {
            assert!(
                sees(check_in.item)
                    || !(body.contains(&check_in.token) || body.contains(&check_in.id)),
                "seed {}: {what} shows person {} check-in {n} of hidden item {}",
                self.world.seed,
                self.person,
                check_in.item
            );
        }
        for (n, comment) in self.world.comments.iter().enumerate() {
            assert!(
                sees(comment.item)
                    || !(body.contains(&comment.token) || body.contains(&comment.id)),
                "seed {}: {what} shows person {} comment {n} of hidden item {}",
                self.world.seed,
                self.person,
                comment.item
            );
        }
    }

    /// The check-ins whose notes an answer shows, by id (sorted, as answers are compared).
    pub(super) fn check_ins_shown(&self, body: &str) -> Vec<String> {
        self.world
            .check_ins
            .iter()
            .filter(|c| body.contains(&c.token))
            .map(|c| c.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

pub(super) fn answer(
    expected: Option<Vec<String>>,
    actual: Option<Vec<String>>,
    shown: usize,
    hidden: usize,
) -> Answer {
    let sorted = |list: Option<Vec<String>>| {
        let mut list = list.unwrap_or_else(|| vec![NO_ACCESS.to_owned()]);
        list.sort();
        list
    };
    Answer {
        expected: sorted(expected),
        actual: sorted(actual),
        shown,
        hidden,
    }
}

/// The page's matches for a CSS selector, mapped to text.
pub(super) fn select(
    page: &Page,
    selector: &str,
    f: impl Fn(scraper::ElementRef) -> String,
) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    page.html().select(&selector).map(f).collect()
}

pub(super) fn attr(element: scraper::ElementRef, name: &str) -> String {
    element.value().attr(name).unwrap_or_default().to_owned()
}

pub(super) fn text(element: scraper::ElementRef) -> String {
    element.text().collect()
}

/// `Some(body)` for a 200, `None` for a 404; anything else fails the test.
pub(super) fn found<T>(status: StatusCode, what: &str, body: impl FnOnce() -> T) -> Option<T> {
    match status {
        StatusCode::OK => Some(body()),
        StatusCode::NOT_FOUND => None,
        other => panic!("{what}: unexpected {other}"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReadPath {
    ScopeVisibleItems,
    OkrTree,
    TreePage,
    TreeSearch,
    ItemPage,
    BoardCards,
    BoardLinks,
    GanttRows,
    GanttCsv,
    TreeInCycle,
    TreeSearchInCycle,
    BoardCardsInCycle,
    BoardLinksInCycle,
    GanttRowsInCycle,
    GanttCsvInCycle,
    ActivityFeed,
    Trash,
    ApiTrash,
    ApiItems,
    ApiItem,
    ApiLinks,
    ApiItemActivity,
    ApiActivityFeed,
    ApiCheckIns,
    ItemPageCheckIns,
    ApiComments,
    ItemPageComments,
    MentionSuggestions,
    Inbox,
    Bell,
    ApiNotifications,
    Reports,
    AssigneeSuggestions,
}

impl ReadPath {
    pub const ALL: &'static [ReadPath] = &[
        Self::ScopeVisibleItems,
        Self::OkrTree,
        Self::TreePage,
        Self::TreeSearch,
        Self::ItemPage,
        Self::BoardCards,
        Self::BoardLinks,
        Self::GanttRows,
        Self::GanttCsv,
        Self::TreeInCycle,
        Self::TreeSearchInCycle,
        Self::BoardCardsInCycle,
        Self::BoardLinksInCycle,
        Self::GanttRowsInCycle,
        Self::GanttCsvInCycle,
        Self::ActivityFeed,
        Self::Trash,
        Self::ApiTrash,
        Self::ApiItems,
        Self::ApiItem,
        Self::ApiLinks,
        Self::ApiItemActivity,
        Self::ApiActivityFeed,
        Self::ApiCheckIns,
        Self::ItemPageCheckIns,
        Self::ApiComments,
        Self::ItemPageComments,
        Self::MentionSuggestions,
        Self::Inbox,
        Self::Bell,
        Self::ApiNotifications,
        Self::Reports,
        Self::AssigneeSuggestions,
    ];

    pub async fn check(self, ctx: &Ctx<'_>) -> Answer {
        let (cycle, all) = (Some(ctx.cycle), Some(CycleView::All));
        let no_filter = Filter::default();
        match self {
            Self::ScopeVisibleItems => scope_visible_items(ctx),
            Self::OkrTree => okr_tree(ctx),
            Self::TreePage => tree_page(ctx, None, &no_filter).await,
            Self::TreeSearch => tree_search(ctx, None).await,
            Self::ItemPage => item_page(ctx).await,
            Self::BoardCards => board_cards(ctx, None).await,
            Self::BoardLinks => board_links(ctx, None).await,
            Self::GanttRows => gantt_rows(ctx, None).await,
            Self::GanttCsv => gantt_csv(ctx, None).await,
            Self::TreeInCycle => narrower(
                tree_page(ctx, cycle, &no_filter).await,
                tree_page(ctx, all, &no_filter).await,
            ),
            Self::TreeSearchInCycle => {
                narrower(tree_search(ctx, cycle).await, tree_search(ctx, all).await)
            }
            Self::BoardCardsInCycle => {
                narrower(board_cards(ctx, cycle).await, board_cards(ctx, all).await)
            }
            Self::BoardLinksInCycle => {
                narrower(board_links(ctx, cycle).await, board_links(ctx, all).await)
            }
            Self::GanttRowsInCycle => {
                narrower(gantt_rows(ctx, cycle).await, gantt_rows(ctx, all).await)
            }
            Self::GanttCsvInCycle => {
                narrower(gantt_csv(ctx, cycle).await, gantt_csv(ctx, all).await)
            }
            Self::ActivityFeed => activity_feed(ctx).await,
            Self::Trash => trash(ctx).await,
            Self::ApiTrash => api_paths::trash(ctx).await,
            Self::ApiItems => api_paths::items(ctx).await,
            Self::ApiItem => api_paths::item(ctx).await,
            Self::ApiLinks => api_paths::links(ctx).await,
            Self::ApiItemActivity => api_paths::item_activity(ctx).await,
            Self::ApiActivityFeed => api_paths::activity_feed(ctx).await,
            Self::ApiCheckIns => check_ins_by_item(ctx, api_paths::check_ins).await,
            Self::ItemPageCheckIns => check_ins_by_item(ctx, item_page_check_ins).await,
            Self::ApiComments => comment_paths::api_comments(ctx).await,
            Self::ItemPageComments => comment_paths::item_page_comments(ctx).await,
            Self::MentionSuggestions => comment_paths::mention_suggestions(ctx).await,
            Self::Inbox => notification_paths::inbox(ctx).await,
            Self::Bell => notification_paths::bell(ctx).await,
            Self::ApiNotifications => notification_paths::api(ctx).await,
            Self::Reports => report_paths::read_every_report(ctx).await,
            Self::AssigneeSuggestions => skill_paths::assignee_suggestions(ctx).await,
        }
    }
}

/// The in-process viewer, or `None` when the access check refuses (as 404 would).
fn viewer(ctx: &Ctx<'_>, conn: &mut AnyConnection) -> Option<cairn::scope::Viewer> {
    match cairn::workspaces::access(conn, ctx.user_id, ctx.org_slug, ctx.ws_slug) {
        Ok(access) => Some(cairn::scope::Viewer::new(conn, &access).expect("viewer")),
        Err(cairn::orgs::OrgError::NotFound) => None,
        Err(e) => panic!("access: {e}"),
    }
}

fn scope_visible_items(ctx: &Ctx<'_>) -> Answer {
    let conn = &mut *ctx.conn.borrow_mut();
    let actual = viewer(ctx, conn).map(|viewer| {
        match cairn::scope::visible_items(conn, &viewer).expect("visible") {
            cairn::scope::Visible::All => vec!["every item".to_owned()],
            cairn::scope::Visible::Only(ids) => ids.into_iter().collect(),
        }
    });
    let expected = match oracle::sight(ctx.world, ctx.person) {
        Sight::Nothing => None,
        Sight::Everything => Some(vec!["every item".to_owned()]),
        Sight::Team(_) => ctx
            .visible
            .as_ref()
            .map(|v| v.iter().map(|&i| ctx.item_id(i)).collect()),
    };
    let shown = ctx.visible.as_ref().map_or(0, BTreeSet::len);
    answer(expected, actual, shown, ctx.world.items.len() - shown)
}

fn okr_tree(ctx: &Ctx<'_>) -> Answer {
    let conn = &mut *ctx.conn.borrow_mut();
    let actual = viewer(ctx, conn).map(|viewer| {
        cairn::okr::tree(conn, &viewer)
            .expect("tree")
            .into_iter()
            .map(|row| row.item.id)
            .collect()
    });
    ctx.items(ctx.visible.as_ref(), actual)
}

async fn item_page(ctx: &Ctx<'_>) -> Answer {
    let mut actual = Vec::new();
    for item in &ctx.world.items {
        let page = ctx.page(&format!("/items/{}", item.id)).await;
        if found(page.status, "item page", || ()).is_some() {
            actual.push(item.id.clone());
        }
    }
    let expected = ctx.visible.clone().unwrap_or_default();
    ctx.items(Some(&expected), Some(actual))
}

/// The check-ins the item page's history lists.
async fn item_page_check_ins<'c>(ctx: &'c Ctx<'c>, id: &'c str) -> Option<Vec<String>> {
    let page = ctx.page(&format!("/items/{id}")).await;
    found(page.status, "item page", || {
        select(&page, "#check-ins li.check-in-entry", |e| {
            attr(e, "id").trim_start_matches("check-in-").to_owned()
        })
    })
}

/// Links as `from>to`, against the oracle's.
pub(super) fn links_answer(
    ctx: &Ctx<'_>,
    actual: Option<Vec<String>>,
    key: impl Fn(usize) -> String,
) -> Answer {
    links_among(ctx, ctx.visible.as_ref(), actual, key)
}

/// Links as `from>to` against the oracle's links between these visible items.
pub(super) fn links_among(
    ctx: &Ctx<'_>,
    visible: Option<&BTreeSet<usize>>,
    actual: Option<Vec<String>>,
    key: impl Fn(usize) -> String,
) -> Answer {
    let expected = visible.map(|v| oracle::links(ctx.world, v));
    let shown = expected.as_ref().map_or(0, Vec::len);
    answer(
        expected.map(|e| e.into_iter().map(key).collect()),
        actual,
        shown,
        ctx.world.links.len() - shown,
    )
}

async fn activity_feed(ctx: &Ctx<'_>) -> Answer {
    let page = ctx.page("/activity").await;
    let actual = found(page.status, "activity feed", || {
        select(&page, "a.feed-item", |e| {
            attr(e, "href")
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
    });
    let expected = ctx.visible.as_ref().map(|v| oracle::activity(ctx.world, v));
    let shown = expected.as_ref().map_or(0, Vec::len);
    answer(
        expected.map(|e| {
            e.into_iter()
                .map(|a| ctx.item_id(ctx.world.activity[a].item))
                .collect()
        }),
        actual,
        shown,
        ctx.world.activity.len() - shown,
    )
}

async fn trash(ctx: &Ctx<'_>) -> Answer {
    let expected = oracle::trash(ctx.world, ctx.person);
    let path = format!("{}/trash", ctx.base);
    let page = ctx.browser.get(&path).await;
    ctx.assert_no_leak(&page.body, &path, expected.as_deref().unwrap_or_default());
    let actual = found(page.status, "trash", || {
        select(&page, ".trash-title", |e| ctx.id_of_title(&text(e)))
    });
    trash_answer(ctx, expected, actual)
}

/// A trash as read against the oracle's, counting the deleted items it withholds.
pub(super) fn trash_answer(
    ctx: &Ctx<'_>,
    expected: Option<Vec<usize>>,
    actual: Option<Vec<String>>,
) -> Answer {
    let deleted = ctx.world.items.iter().filter(|i| !i.live()).count();
    let shown = expected.as_ref().map_or(0, Vec::len);
    answer(
        expected.map(|e| e.into_iter().map(|i| ctx.item_id(i)).collect()),
        actual,
        shown,
        deleted - shown,
    )
}

/// Each item's check-ins as one reader shows them, against the oracle's live check-ins.
async fn check_ins_by_item<'c, F, Fut>(ctx: &'c Ctx<'c>, read: F) -> Answer
where
    F: Fn(&'c Ctx<'c>, &'c str) -> Fut,
    Fut: std::future::Future<Output = Option<Vec<String>>>,
{
    let visible = ctx.visible.clone().unwrap_or_default();
    let shown: Vec<String> = oracle::check_ins(ctx.world, &visible)
        .into_iter()
        .map(|c| ctx.world.check_ins[c].id.clone())
        .collect();
    by_item(ctx, read, shown, ctx.world.check_ins.len()).await
}

/// What each item carries (check-ins, comments) as one reader shows it (`None`: the item
/// answered 404), against the oracle: every visible item answers with exactly the ids in
/// `shown`, of `total` in the world, and every other item 404s.
pub(super) async fn by_item<'c, F, Fut>(
    ctx: &'c Ctx<'c>,
    read: F,
    shown: Vec<String>,
    total: usize,
) -> Answer
where
    F: Fn(&'c Ctx<'c>, &'c str) -> Fut,
    Fut: std::future::Future<Output = Option<Vec<String>>>,
{
    let mut actual = Vec::new();
    for item in &ctx.world.items {
        if let Some(carried) = read(ctx, &item.id).await {
            actual.push(format!("item {}", item.id));
            actual.extend(carried);
        }
    }
    let visible = ctx.visible.clone().unwrap_or_default();
    let count = shown.len();
    let expected = visible
        .iter()
        .map(|&i| format!("item {}", ctx.item_id(i)))
        .chain(shown)
        .collect();
    answer(Some(expected), Some(actual), count, total - count)
}
