//! The cycle switcher of the tree, board and gantt (`?cycle=`), new objectives in the
//! view's cycle, an objective's cycle on its page (its subtree follows it), and closed
//! cycles: read-only on every page write path, with the outcome and closing note still
//! open. `closed` holds the refusals, `browser` the switch in a real browser.

mod arrange;
mod browser;
mod closed;

use cairn::cycles::{self, CycleDates};
use cairn::schema::item_activity_log;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::{Browser, Page, Workspace};

fn ids(page: &Page, selector: &str, attr: &str, prefix: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).expect("selector");
    let mut ids: Vec<String> = page
        .html()
        .select(&selector)
        .filter_map(|e| e.value().attr(attr))
        .map(|v| v.trim_start_matches(prefix).to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(list: &[&String]) -> Vec<String> {
    let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    list.sort();
    list
}

/// The items the tree, the board, the gantt and its CSV show for a `?cycle=` query.
async fn shown(w: &Workspace, who: &Browser, query: &str) -> [Vec<String>; 4] {
    let base = w.base();
    let tree = who.get(&format!("{base}{query}")).await;
    let board = who.get(&format!("{base}/board{query}")).await;
    let gantt = who.get(&format!("{base}/gantt{query}")).await;
    for page in [&tree, &board, &gantt] {
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
    }
    let csv = who.get(&format!("{base}/gantt.csv{query}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut csv_titles: Vec<String> = csv
        .body
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default().to_owned())
        .collect();
    csv_titles.sort();
    [
        ids(&tree, "li.tree-row", "data-id", ""),
        ids(&board, "article.board-card", "id", "card-"),
        ids(&gantt, "li.gantt-name", "data-id", ""),
        csv_titles,
    ]
}

#[tokio::test]
async fn the_views_open_on_the_active_cycle_containing_today_and_keep_it_in_their_links() {
    let w = Workspace::new("option_1").await;
    // Without cycles every view shows everything, as before.
    let early = w.objective_in("all", "Before cycles").await;
    let page = w.admin.get(&w.base()).await;
    assert_eq!(
        page.attr_of("#cycle-select option[selected]", "value")
            .as_deref(),
        Some("all")
    );
    let q = w.quarters();
    let now = w.objective_in(&q.this, "Now").await;
    w.objective_in(&q.last, "Before").await;
    for view in ["", "/board", "/gantt"] {
        let page = w.admin.get(&format!("{}{view}", w.base())).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.attr_of("#cycle-select option[selected]", "value"),
            Some(q.this.clone()),
            "{view} opens on the active cycle containing today"
        );
        assert!(page.body.contains(&now) && !page.body.contains(&early));
        // The views link to each other in the same cycle.
        let tabs = ids(&page, ".view-tabs a", "href", "");
        assert!(
            tabs.iter()
                .all(|href| href.ends_with(&format!("cycle={}", q.this))),
            "{tabs:?}"
        );
        assert!(page
            .text_of("#cycle-summary")
            .expect("summary")
            .contains("Active"));
    }
    // The tree's filters keep the cycle, and the switcher keeps the filters.
    let page = w
        .admin
        .get(&format!("{}?q=now&cycle={}", w.base(), q.this))
        .await;
    assert_eq!(
        page.attr_of("form.filter-bar input[name=cycle]", "value"),
        Some(q.this.clone())
    );
    assert_eq!(
        page.attr_of("form.cycle-switch input[name=q]", "value")
            .as_deref(),
        Some("now")
    );
    // With the containing cycle closed, the latest active one is the default.
    w.close_cycle(&q.this);
    let page = w.admin.get(&w.base()).await;
    assert_eq!(
        page.attr_of("#cycle-select option[selected]", "value"),
        Some(q.last.clone())
    );
}

#[tokio::test]
async fn tree_board_gantt_and_csv_show_the_chosen_cycle_the_backlog_or_everything() {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    let this = w.objective_in(&q.this, "Grow revenue").await;
    let kr = w
        .create(&w.admin, "key_result", Some(&this), "Ten deals")
        .await;
    let action = w.create(&w.admin, "action", Some(&kr), "Call Globex").await;
    let last = w.objective_in(&q.last, "Hire").await;
    let backlog = w.objective_in("backlog", "Someday").await;
    for (id, cycle) in [(&kr, &q.this), (&action, &q.this)] {
        assert_eq!(w.cycle_of(id).as_ref(), Some(cycle), "children follow");
    }
    assert_eq!(w.cycle_of(&backlog), None);
    let title = |t: &str| vec![t.to_owned()];
    let cases = [
        (
            format!("?cycle={}", q.this),
            sorted(&[&this, &kr, &action]),
            {
                let mut t = vec![
                    "Call Globex".to_owned(),
                    "Grow revenue".into(),
                    "Ten deals".into(),
                ];
                t.sort();
                t
            },
        ),
        (
            format!("?cycle={}", q.last),
            sorted(&[&last]),
            title("Hire"),
        ),
        (
            "?cycle=backlog".to_owned(),
            sorted(&[&backlog]),
            title("Someday"),
        ),
        (format!("?cycle={}", q.next), Vec::new(), Vec::new()),
    ];
    for (query, expected, titles) in cases {
        let [tree, board, gantt, csv] = shown(&w, &w.admin, &query).await;
        assert_eq!(tree, expected, "tree {query}");
        assert_eq!(board, expected, "board {query}");
        assert_eq!(gantt, expected, "gantt {query}");
        assert_eq!(csv, titles, "csv {query}");
    }
    let [tree, board, gantt, csv] = shown(&w, &w.admin, "?cycle=all").await;
    let everything = sorted(&[&this, &kr, &action, &last, &backlog]);
    assert_eq!(
        (tree, board, gantt),
        (everything.clone(), everything.clone(), everything)
    );
    assert_eq!(csv.len(), 5);
    // An empty cycle says so, and offers to create in it.
    let page = w.admin.get(&format!("{}?cycle={}", w.base(), q.next)).await;
    assert!(page.body.contains("No objectives in Next quarter yet"));
    assert_eq!(
        page.text_of("label[for=new-objective-title]").as_deref(),
        Some("New objective in Next quarter")
    );
}

#[tokio::test]
async fn a_cycle_that_is_not_the_organizations_is_not_found() {
    let w = Workspace::new("option_1").await;
    w.quarters();
    // Another organization of the same app: its cycle id is no cycle here.
    let other_org = w.admin.create_org("Elsewhere").await;
    let (actor, _) = w.cycle_admin();
    let foreign_admin = cairn::orgs::access(&mut w.app.db(), &actor.user_id, &other_org)
        .expect("access")
        .admin()
        .expect("admin");
    let dates = CycleDates::new(w.day(0), w.day(10)).expect("dates");
    let foreign = cycles::create(
        &mut w.app.db(),
        &actor,
        &foreign_admin,
        "Theirs".into(),
        dates,
        w.app.clock.now(),
    )
    .expect("cycle")
    .id;
    for cycle in [foreign.as_str(), "no-such-cycle"] {
        for view in ["", "/board", "/gantt", "/gantt.csv"] {
            let page = w
                .admin
                .get(&format!("{}{view}?cycle={cycle}", w.base()))
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{view} {cycle}");
        }
    }
}

#[tokio::test]
async fn new_objectives_join_the_views_cycle_and_items_under_a_parent_follow_it() {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    let on_tree = w.objective_in(&q.next, "Planned ahead").await;
    assert_eq!(w.cycle_of(&on_tree), Some(q.next.clone()));
    assert_eq!(w.cycle_of(&w.objective_in("backlog", "Later").await), None);
    assert_eq!(w.cycle_of(&w.objective_in("all", "Unsorted").await), None);
    // On the board, with a place.
    let board = format!("{}/board?cycle={}", w.base(), q.this);
    let page = w
        .admin
        .submit(
            &board,
            &format!("{}/board/items", w.base()),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", "Placed"),
                ("cycle", &q.this),
                ("x", "40"),
                ("y", "80"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let location = page.location().expect("redirect").to_owned();
    assert!(location.contains(&format!("/board?cycle={}#card-", q.this)));
    let placed = location.rsplit("#card-").next().expect("id").to_owned();
    assert_eq!(w.cycle_of(&placed), Some(q.this.clone()));
    // A key result under it, from a view of another cycle, still follows its objective.
    let page = w
        .admin
        .submit(
            &w.base(),
            &format!("{}/items", w.base()),
            &[
                ("item_type", "key_result"),
                ("parent_id", &placed),
                ("title", "Follows"),
                ("cycle", &q.next),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let kr = page
        .location()
        .expect("redirect")
        .rsplit("#item-")
        .next()
        .expect("id")
        .to_owned();
    assert_eq!(w.cycle_of(&kr), Some(q.this.clone()));
    // A cycle of no organization is refused next to the form, with the title kept.
    let page = w
        .admin
        .submit(
            &w.base(),
            &format!("{}/items", w.base()),
            &[
                ("item_type", "objective"),
                ("parent_id", ""),
                ("title", "Lost"),
                ("cycle", "no-such-cycle"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "the view itself is not found"
    );
}

#[tokio::test]
async fn the_gantt_opens_on_the_cycles_dates_unless_the_url_names_a_range() {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    // An objective with no dates of its own spans its cycle, as its pace does.
    let undated = w.objective_in(&q.next, "Undated").await;
    let page = w
        .admin
        .get(&format!("{}/gantt?cycle={}", w.base(), q.next))
        .await;
    let bar = format!(".gantt-bar-group[data-id=\"{undated}\"]");
    assert_eq!(
        page.attr_of(&bar, "data-start"),
        Some(w.day(61).to_string())
    );
    assert_eq!(page.attr_of(&bar, "data-due"), Some(w.day(150).to_string()));
    assert!(page.text_of(&format!("#unscheduled-{undated}")).is_none());
    let page = w
        .admin
        .get(&format!("{}/gantt?cycle={}", w.base(), q.next))
        .await;
    assert_eq!(
        page.attr_of("#gantt-from", "value"),
        Some(w.day(61).to_string())
    );
    assert_eq!(
        page.attr_of("#gantt-to", "value"),
        Some(w.day(150).to_string())
    );
    assert_eq!(
        page.attr_of("#gantt-view input[name=cycle]", "value")
            .or_else(|| page.attr_of(".gantt-toolbar input[name=cycle]", "value")),
        Some(q.next.clone())
    );
    // The default cycle's dates too.
    let page = w.admin.get(&format!("{}/gantt", w.base())).await;
    assert_eq!(
        page.attr_of("#gantt-from", "value"),
        Some(w.day(-30).to_string())
    );
    let range = format!(
        "{}/gantt?cycle={}&from=2027-01-04&to=2027-02-28",
        w.base(),
        q.next
    );
    let page = w.admin.get(&range).await;
    assert_eq!(
        page.attr_of("#gantt-from", "value").as_deref(),
        Some("2027-01-04")
    );
    // The CSV link follows the cycle.
    assert_eq!(
        page.attr_of("a[download]", "href"),
        Some(format!("{}/gantt.csv?cycle={}", w.base(), q.next))
    );
}

/// Saves the objective "Grow"'s page form with another cycle.
async fn save_cycle(w: &Workspace, item: &str, cycle: &str) -> Page {
    let owner = w.app.user_id("admin@example.com");
    let fields = [
        ("title", "Grow"),
        ("description", ""),
        ("owner_user_id", owner.as_str()),
        ("start_date", ""),
        ("due_date", ""),
        ("weight", "1"),
        ("cycle_id", cycle),
    ];
    w.admin.submit(item, item, &fields).await
}

#[tokio::test]
async fn moving_an_objective_to_another_cycle_takes_its_subtree_and_is_logged() {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    let objective = w.objective_in(&q.this, "Grow").await;
    let kr = w
        .create(&w.admin, "key_result", Some(&objective), "Deals")
        .await;
    let action = w.create(&w.admin, "action", Some(&kr), "Call").await;
    let item = format!("{}/items/{objective}", w.base());
    let page = w.admin.get(&item).await;
    assert_eq!(
        page.attr_of("#cycle_id option[selected]", "value"),
        Some(q.this.clone())
    );
    assert!(page
        .text_of("#item-cycle")
        .expect("cycle")
        .contains("This quarter"));
    save_cycle(&w, &item, &q.next).await.assert_redirect(&item);
    for id in [&objective, &kr, &action] {
        assert_eq!(w.cycle_of(id), Some(q.next.clone()));
    }
    let logged: Vec<String> = item_activity_log::table
        .filter(item_activity_log::item_id.eq(&objective))
        .select(item_activity_log::after_json)
        .load::<Option<String>>(&mut w.app.db())
        .expect("log")
        .into_iter()
        .flatten()
        .collect();
    assert!(
        logged.iter().any(|after| after.contains(&q.next)),
        "{logged:?}"
    );
    // To the backlog, and refused into a closed cycle with the reason and nothing moved.
    save_cycle(&w, &item, "").await.assert_redirect(&item);
    assert_eq!(w.cycle_of(&action), None);
    w.close_cycle(&q.last);
    let page = save_cycle(&w, &item, &q.last).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("This cycle is closed"));
    assert_eq!(w.cycle_of(&kr), None);
    // A key result does not choose: its page offers no cycle, and sending one is refused.
    let kr_page = w.admin.get(&format!("{}/items/{kr}", w.base())).await;
    assert!(kr_page.attr_of("#cycle_id", "name").is_none());
    // Moving an objective under another one takes it (and its subtree) into that cycle.
    let host = w.objective_in(&q.this, "Host").await;
    let page = w
        .admin
        .submit(&item, &format!("{item}/move"), &[("parent_id", &host)])
        .await;
    page.assert_redirect(&item);
    for id in [&objective, &kr, &action] {
        assert_eq!(w.cycle_of(id), Some(q.this.clone()), "moved under Host");
    }
}
