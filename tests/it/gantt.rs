//! The gantt timeline over HTTP: bar geometry per scale, collapse, overdue marking,
//! unscheduled items, date edits with their rules, CSV export and privacy.

use cairn::schema::{item_activity_log, okr_items};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::browser::Chrome;
use crate::harness::{Browser, Page, Workspace};

impl Workspace {
    fn gantt(&self) -> String {
        format!("{}/gantt", self.base())
    }

    /// Changes dates the way the timeline's script does; answers (status, body).
    async fn set_dates(
        &self,
        who: &Browser,
        item: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        who.get(&self.gantt()).await;
        let page = who
            .script_post(&format!("{}/gantt/items/{item}/dates", self.base()), fields)
            .await;
        (page.status, page.body)
    }

    async fn schedule(&self, item: &str, start: &str, due: &str) {
        let (status, body) = self
            .set_dates(
                &self.admin,
                item,
                &[("start_date", start), ("due_date", due)],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }

    fn dates(&self, item: &str) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
        okr_items::table
            .find(item)
            .select((okr_items::start_date, okr_items::due_date))
            .first(&mut self.app.db())
            .expect("item")
    }
}

fn date(raw: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

/// (x, width, progress width) of an item's bar.
fn bar(page: &Page, item: &str) -> Option<(i64, i64, i64)> {
    let group = format!(".gantt-bar-group[data-id=\"{item}\"]");
    let number = |selector: &str, attr: &str| {
        page.attr_of(&format!("{group} {selector}"), attr)
            .map(|v| v.parse::<i64>().expect("a number"))
    };
    Some((
        number(".gantt-bar", "x")?,
        number(".gantt-bar", "width")?,
        number(".gantt-progress", "width")?,
    ))
}

/// What a row's fold button asks for: the page's view form, plus `toggle`.
fn toggle(page: &Page, item: &str) -> String {
    let html = page.html();
    let form = scraper::Selector::parse("#gantt-view").expect("selector");
    let inputs = scraper::Selector::parse("input").expect("selector");
    let form = html.select(&form).next().expect("view form");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for input in form.select(&inputs) {
        let field = input.value();
        query.append_pair(
            field.attr("name").expect("name"),
            field.attr("value").unwrap_or(""),
        );
    }
    query.append_pair("toggle", item);
    format!(
        "{}?{}",
        form.value().attr("action").expect("action"),
        query.finish()
    )
}

fn rows(page: &Page) -> Vec<String> {
    let html = page.html();
    let selector = scraper::Selector::parse(".gantt-name").expect("selector");
    html.select(&selector)
        .filter_map(|e| e.value().attr("data-id").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn bars_sit_where_their_dates_fall_on_every_scale() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let key_result = ws
        .create(
            &ws.admin,
            "key_result",
            Some(&objective),
            "Sign 10 customers",
        )
        .await;
    let action = ws
        .create(&ws.admin, "action", Some(&key_result), "Call them")
        .await;
    ws.schedule(&objective, "2026-01-05", "2026-01-18").await;
    ws.schedule(&action, "2026-01-12", "2026-01-31").await;
    let status = ws
        .admin
        .post_form(
            &format!("{}/items/{action}/status", ws.base()),
            &[("action_status", "done")],
        )
        .await;
    assert_eq!(status.status, StatusCode::SEE_OTHER);

    for (scale, per_day) in [("week", 20), ("month", 5), ("quarter", 2)] {
        let page = ws
            .admin
            .get(&format!(
                "{}?scale={scale}&from=2026-01-01&to=2026-03-31",
                ws.gantt()
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // The chart groups its bars for assistive tech; as an image it would hide them.
        assert_eq!(
            page.attr_of(".gantt-chart", "role").as_deref(),
            Some("group")
        );
        assert_eq!(
            page.attr_of(".gantt-chart", "aria-label").as_deref(),
            Some("Timeline from 2026-01-01 to 2026-03-31")
        );
        // 5 Jan is 4 days after the range starts; 5–18 Jan is 14 days; the objective's only
        // key result is done, so the objective is fully done too.
        assert_eq!(
            bar(&page, &objective),
            Some((4 * per_day, 14 * per_day, 14 * per_day)),
            "{scale}"
        );
        assert_eq!(
            bar(&page, &action),
            Some((11 * per_day, 20 * per_day, 20 * per_day)),
            "{scale}"
        );
        assert_eq!(
            page.attr_of(".gantt-chart", "width"),
            Some((90 * per_day).to_string())
        );
        assert_eq!(
            page.attr_of(".gantt-tick-label", "data-date").as_deref(),
            Some("2026-01-01")
        );
        // The key result has no due date: no bar, and it waits in the unscheduled list.
        assert_eq!(bar(&page, &key_result), None);
        assert!(page
            .text_of(&format!("#unscheduled-{key_result}"))
            .is_some());
        // The view lives in the URL: the toolbar shows it back.
        assert_eq!(
            page.attr_of("#gantt-scale option[selected]", "value")
                .as_deref(),
            Some(scale)
        );
        assert_eq!(
            page.attr_of("#gantt-from", "value").as_deref(),
            Some("2026-01-01")
        );
    }

    let weeks = ws
        .admin
        .get(&format!(
            "{}?scale=week&from=2026-01-01&to=2026-01-31",
            ws.gantt()
        ))
        .await;
    let html = weeks.html();
    let labels = scraper::Selector::parse(".gantt-tick-label").expect("selector");
    let ticks: Vec<&str> = html
        .select(&labels)
        .filter_map(|t| t.value().attr("data-date"))
        .collect();
    assert_eq!(
        ticks,
        [
            "2026-01-01",
            "2026-01-05",
            "2026-01-12",
            "2026-01-19",
            "2026-01-26"
        ]
    );
    // Geometry goes in SVG attributes: the strict CSP allows no inline style or script.
    assert!(!weeks.body.contains(" style=\""));
    let scripts = scraper::Selector::parse("script").expect("selector");
    assert!(html
        .select(&scripts)
        .all(|s| s.value().attr("src").is_some()));
    // An arrow needs a link; none yet.
    assert!(weeks.text_of(".gantt-arrow").is_none());

    // "Fit to items" spans the items' whole weeks.
    let fit = weeks.attr_of("a[href*='from=2026-01-05&to=2026-02-01']", "href");
    assert!(fit.is_some(), "{}", weeks.body);

    // A range typed backwards is explained, and the default range shows instead.
    let backwards = ws
        .admin
        .get(&format!("{}?from=2026-03-01&to=2026-01-01", ws.gantt()))
        .await;
    assert_eq!(backwards.status, StatusCode::OK);
    assert_eq!(
        backwards.text_of("#gantt-range-error").as_deref(),
        Some("The range must end on or after its start.")
    );
}

#[tokio::test]
async fn collapsing_a_branch_hides_its_rows_and_pages_keep_large_plans_short() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    let key_result = ws
        .create(&ws.admin, "key_result", Some(&objective), "Sign")
        .await;
    let action = ws
        .create(&ws.admin, "action", Some(&key_result), "Call")
        .await;
    let page = ws.admin.get(&ws.gantt()).await;
    assert_eq!(
        rows(&page),
        [objective.as_str(), key_result.as_str(), action.as_str()]
    );
    assert_eq!(
        page.attr_of(&format!("#row-{objective} .gantt-toggle"), "aria-expanded")
            .as_deref(),
        Some("true")
    );

    // htmx sends the row's button with the view; the fragment comes without the page
    // around it, and the address to keep is the resulting view (without the toggle).
    let fold = toggle(&page, &objective);
    let response = ws
        .admin
        .client
        .get(ws.admin.url(&fold))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        response.headers().get("vary").and_then(|v| v.to_str().ok()),
        Some("HX-Request")
    );
    let pushed = response
        .headers()
        .get("hx-push-url")
        .and_then(|v| v.to_str().ok())
        .expect("HX-Push-Url")
        .to_owned();
    assert!(pushed.contains(&format!("collapsed={objective}")) && !pushed.contains("toggle"));
    let fragment = response.text().await.expect("body");
    assert!(!fragment.contains("<html"), "a fragment, not a page");

    // Without script the same button submits the view form and lands on that address.
    let folded_page = ws.admin.get(&fold).await;
    assert_eq!(folded_page.location(), Some(pushed.as_str()));
    let collapse = pushed;
    let folded = ws.admin.get(&collapse).await;
    assert_eq!(rows(&folded), [objective.as_str()]);
    assert_eq!(
        folded
            .attr_of(&format!("#row-{objective} .gantt-toggle"), "aria-expanded")
            .as_deref(),
        Some("false")
    );
    let expanded = ws.admin.get(&toggle(&folded, &objective)).await;
    let expanded = ws.admin.get(expanded.location().expect("view")).await;
    assert_eq!(
        rows(&expanded),
        [objective.as_str(), key_result.as_str(), action.as_str()]
    );

    // Folding only the key result keeps the objective and the key result.
    let inner = ws.admin.get(&toggle(&page, &key_result)).await;
    let inner = ws.admin.get(inner.location().expect("view")).await;
    assert_eq!(rows(&inner), [objective.as_str(), key_result.as_str()]);

    // 200 rows a page: with 3 + 197 + 1 rows, the last is alone on page 2.
    let create = format!("{}/items", ws.base());
    for n in 0..197 {
        let title = format!("Objective {n}");
        let created = ws
            .admin
            .post_form(&create, &[("item_type", "objective"), ("title", &title)])
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
    }
    let last = ws
        .create(&ws.admin, "objective", None, "The last one")
        .await;
    let first_page = ws.admin.get(&ws.gantt()).await;
    assert_eq!(rows(&first_page).len(), 200);
    assert!(!rows(&first_page).contains(&last));
    let next = first_page
        .attr_of(".gantt-pager a[rel=next]", "href")
        .expect("next page");
    let second_page = ws.admin.get(&next).await;
    assert_eq!(rows(&second_page), [last.as_str()]);
    // Folding the first branch pulls the last row onto page 1.
    let folded = rows(&ws.admin.get(&collapse).await);
    assert_eq!(folded.len(), 199);
    assert!(folded.contains(&last));

    // The address kept is the page shown: past the last page is the last page, and a fold
    // that empties the page asked for lands on the last one left.
    let pushed = |path: String| {
        let client = ws.admin.client.clone();
        let url = ws.admin.url(&path);
        async move {
            let response = client
                .get(url)
                .header("HX-Request", "true")
                .send()
                .await
                .expect("GET");
            response
                .headers()
                .get("hx-push-url")
                .and_then(|v| v.to_str().ok())
                .expect("HX-Push-Url")
                .to_owned()
        }
    };
    let far = pushed(format!("{}?page=999", ws.gantt())).await;
    assert!(far.ends_with("&page=2"), "{far}");
    let refolded = pushed(toggle(&second_page, &objective)).await;
    assert!(
        refolded.contains(&format!("collapsed={objective}")) && !refolded.contains("page="),
        "{refolded}"
    );
    let redirected = ws.admin.get(&toggle(&second_page, &objective)).await;
    assert_eq!(redirected.location(), Some(refolded.as_str()));
}

#[tokio::test]
async fn overdue_items_are_marked_unless_done() {
    let ws = Workspace::new("option_1").await;
    let late = ws.create(&ws.admin, "objective", None, "Late").await;
    let finished = ws.create(&ws.admin, "objective", None, "Finished").await;
    let key_result = ws
        .create(&ws.admin, "key_result", Some(&finished), "Measured")
        .await;
    let action = ws
        .create(&ws.admin, "action", Some(&key_result), "Done thing")
        .await;
    let future = ws.create(&ws.admin, "objective", None, "Future").await;
    ws.schedule(&late, "2020-01-06", "2020-01-31").await;
    ws.schedule(&finished, "2020-01-06", "2020-01-31").await;
    ws.schedule(&future, "2020-01-06", "2099-01-31").await;
    ws.admin
        .post_form(
            &format!("{}/items/{action}/status", ws.base()),
            &[("action_status", "done")],
        )
        .await;
    let page = ws
        .admin
        .get(&format!(
            "{}?scale=month&from=2020-01-01&to=2020-06-30",
            ws.gantt()
        ))
        .await;
    let marked = |id: &str| {
        page.attr_of(&format!(".gantt-bar-group[data-id=\"{id}\"]"), "class")
            .is_some_and(|c| c.contains("is-overdue"))
    };
    assert!(marked(&late));
    assert!(!marked(&finished));
    assert!(!marked(&future));
    // Not by colour alone: the row says so in words.
    assert_eq!(
        page.text_of(&format!("#row-{late} .pill-warning"))
            .as_deref(),
        Some("overdue")
    );
    assert!(page
        .text_of(&format!("#row-{finished} .pill-warning"))
        .is_none());
    // The late objective's bar: 6 Jan to 31 Jan at 5 px a day, nothing done.
    assert_eq!(bar(&page, &late), Some((25, 130, 0)));
    // A bar running past the range is clipped at its edge.
    assert_eq!(bar(&page, &future).map(|b| b.0 + b.1), Some(182 * 5));
}

#[tokio::test]
async fn unscheduled_items_get_a_due_date_from_the_list() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Someday").await;
    let page = ws.admin.get(&ws.gantt()).await;
    let form = page
        .attr_of(&format!("#unscheduled-{objective} form"), "action")
        .expect("quick form");
    assert!(page
        .text_of(".gantt-no-bar")
        .is_some_and(|t| t == "No due date"));

    // A date typed wrongly is explained next to the item; nothing changes.
    let refused = ws
        .admin
        .post_form(&form, &[("due_date", "next tuesday")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused
            .text_of(&format!("#unscheduled-{objective} .field-error"))
            .as_deref(),
        Some("Enter the due date as YYYY-MM-DD.")
    );
    assert_eq!(ws.dates(&objective), (None, None));

    let saved = ws
        .admin
        .post_form(&form, &[("due_date", "2030-06-30")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(saved
        .location()
        .is_some_and(|l| l.starts_with(&ws.gantt()) && l.ends_with(&format!("#row-{objective}"))));
    assert_eq!(ws.dates(&objective), (None, date("2030-06-30")));
    let after = ws
        .admin
        .get(&format!(
            "{}?scale=quarter&from=2026-01-01&to=2031-12-31",
            ws.gantt()
        ))
        .await;
    assert!(after
        .text_of(&format!("#unscheduled-{objective}"))
        .is_none());
    assert!(bar(&after, &objective).is_some());
}

#[tokio::test]
async fn date_edits_follow_the_rules_and_are_logged() {
    let ws = Workspace::new("option_1").await;
    let member = ws.member("member@example.com", "Mo Member", None).await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    ws.schedule(&objective, "2026-01-05", "2026-01-18").await;

    // Start after due: refused with a stable code and a sentence; nothing changes.
    let (status, body) = ws
        .set_dates(&ws.admin, &objective, &[("due_date", "2026-01-01")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["error"]["code"], "validation_failed");
    assert_eq!(
        json["error"]["message"],
        "The start date must not be after the due date."
    );
    let (status, body) = ws
        .set_dates(&ws.admin, &objective, &[("due_date", "31/01/2026")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["error"]["code"], "bad_request");
    assert_eq!(
        json["error"]["message"],
        "Enter the due date as YYYY-MM-DD."
    );
    assert_eq!(
        ws.dates(&objective),
        (date("2026-01-05"), date("2026-01-18"))
    );

    // Someone who may see but not edit the item is refused, and the page offers no drag.
    let (status, body) = ws
        .set_dates(&member, &objective, &[("due_date", "2026-02-28")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["error"]["code"], "forbidden");
    assert_eq!(
        ws.dates(&objective),
        (date("2026-01-05"), date("2026-01-18"))
    );
    let seen = member
        .get(&format!("{}?from=2026-01-01&to=2026-03-31", ws.gantt()))
        .await;
    let class = seen
        .attr_of(
            &format!(".gantt-bar-group[data-id=\"{objective}\"]"),
            "class",
        )
        .expect("bar");
    assert!(!class.contains("is-editable"));
    // The side panel's form is not offered either, and a form post is refused in words.
    let panel = member
        .get(&format!("{}?edit={objective}", ws.gantt()))
        .await;
    assert!(panel.text_of(".gantt-dates-form").is_none());
    let refused = member
        .post_form(
            &format!("{}/gantt/items/{objective}/dates", ws.base()),
            &[("due_date", "2026-02-28")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.text_of(".gantt-panel .field-error").as_deref(),
        Some("You can change only items you own or are assigned to.")
    );

    // The owner's shift is saved like any edit: through the activity log.
    let logged = || -> i64 {
        item_activity_log::table
            .filter(item_activity_log::item_id.eq(&objective))
            .count()
            .get_result(&mut ws.app.db())
            .expect("count")
    };
    let before = logged();
    let (status, _) = ws
        .set_dates(
            &ws.admin,
            &objective,
            &[("start_date", "2026-01-07"), ("due_date", "2026-01-20")],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        ws.dates(&objective),
        (date("2026-01-07"), date("2026-01-20"))
    );
    assert_eq!(logged(), before + 1);

    // The side panel edits dates without the mouse, as a plain form.
    let panel = ws
        .admin
        .get(&format!("{}?edit={objective}", ws.gantt()))
        .await;
    let action = panel
        .attr_of(".gantt-dates-form", "action")
        .expect("panel form");
    let saved = ws
        .admin
        .post_form(
            &action,
            &[("start_date", "2026-01-07"), ("due_date", "2026-02-01")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ws.dates(&objective),
        (date("2026-01-07"), date("2026-02-01"))
    );
}

#[tokio::test]
async fn dates_outside_the_plan_window_are_refused_and_never_break_the_page() {
    let ws = Workspace::new("option_1").await;
    let objective = ws.create(&ws.admin, "objective", None, "Grow").await;
    ws.schedule(&objective, "2026-01-05", "2026-01-18").await;

    // A range at chrono's edge is explained next to the picker, not a panic.
    let page = ws
        .admin
        .get(&format!(
            "{}?scale=week&from=%2B262142-12-25&to=%2B262142-12-31",
            ws.gantt()
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text_of("#gantt-range-error").as_deref(),
        Some("Enter the first day as YYYY-MM-DD.")
    );
    let page = ws
        .admin
        .get(&format!("{}?from=9999-12-01&to=9999-12-31", ws.gantt()))
        .await;
    assert_eq!(
        page.text_of("#gantt-range-error").as_deref(),
        Some("Choose a first day between 1900 and 2200.")
    );

    // The script's endpoint and the panel's form refuse such dates; nothing changes.
    for (raw, message) in [
        ("9999-12-31", "Choose a due date between 1900 and 2200."),
        ("+262142-12-31", "Enter the due date as YYYY-MM-DD."),
        ("1899-12-31", "Choose a due date between 1900 and 2200."),
    ] {
        let (status, body) = ws
            .set_dates(&ws.admin, &objective, &[("due_date", raw)])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["error"]["message"], message, "{raw}");
        let refused = ws
            .admin
            .post_form(
                &format!("{}/gantt/items/{objective}/dates", ws.base()),
                &[("due_date", raw)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}");
        assert_eq!(
            refused.text_of(".gantt-panel .field-error").as_deref(),
            Some(message)
        );
        assert_eq!(
            ws.dates(&objective),
            (date("2026-01-05"), date("2026-01-18"))
        );
    }

    // A date saved before the window existed still draws, on every scale and when fitted.
    diesel::update(okr_items::table.find(&objective))
        .set(okr_items::due_date.eq(chrono::NaiveDate::MAX))
        .execute(&mut ws.app.db())
        .expect("legacy date");
    for scale in ["week", "month", "quarter"] {
        let page = ws.admin.get(&format!("{}?scale={scale}", ws.gantt())).await;
        assert_eq!(page.status, StatusCode::OK, "{scale}");
        let links = scraper::Selector::parse("a").expect("selector");
        let fit = page
            .html()
            .select(&links)
            .find(|a| a.text().collect::<String>() == "Fit to items")
            .and_then(|a| a.value().attr("href").map(str::to_owned))
            .expect("fit link");
        let fitted = ws.admin.get(&fit).await;
        assert_eq!(fitted.status, StatusCode::OK, "{scale}");
        assert!(bar(&fitted, &objective).is_some(), "{scale}");
    }
}

#[tokio::test]
async fn need_to_know_members_see_only_their_part_of_the_gantt_and_the_csv() {
    let ws = Workspace::new("option_2").await;
    let member = ws.member("member@example.com", "Mo Member", None).await;
    let secret = ws
        .create(&ws.admin, "objective", None, "=HYPERLINK(\"http://x\")")
        .await;
    let shared = ws
        .create(&ws.admin, "objective", None, "Launch, \"big\" day")
        .await;
    ws.schedule(&secret, "2026-01-05", "2026-01-18").await;
    ws.schedule(&shared, "2026-01-20", "2026-02-10").await;
    ws.assign(&shared, "member@example.com");
    let link = ws
        .admin
        .submit(
            &format!("{}/items/{secret}", ws.base()),
            &format!("{}/items/{secret}/links", ws.base()),
            &[("to_item_id", &shared)],
        )
        .await;
    assert_eq!(link.status, StatusCode::SEE_OTHER, "{}", link.body);

    let range = format!("{}?scale=week&from=2026-01-05&to=2026-02-15", ws.gantt());
    let admin_view = ws.admin.get(&range).await;
    assert_eq!(rows(&admin_view), [secret.as_str(), shared.as_str()]);
    // The arrow runs from the end of the first bar (14 days) to the start of the second (15 days in).
    assert_eq!(
        admin_view.attr_of(".gantt-arrow", "data-to").as_deref(),
        Some(shared.as_str())
    );
    assert!(admin_view
        .attr_of(".gantt-arrow", "d")
        .is_some_and(|d| d.starts_with("M280 ") && d.ends_with("H300")));

    let member_view = member.get(&range).await;
    assert_eq!(rows(&member_view), [shared.as_str()]);
    assert!(!member_view.body.contains("HYPERLINK"));
    assert!(member_view.text_of(".gantt-arrow").is_none());
    assert!(member_view.attr_of(".gantt-arrow", "d").is_none());

    let csv = ws.admin.get(&format!("{}.csv", ws.gantt())).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/csv")));
    assert!(csv
        .header("content-disposition")
        .is_some_and(|c| c.starts_with("attachment")));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines,
        [
            "title,type,owner,start,due,progress,status",
            "\"'=HYPERLINK(\"\"http://x\"\")\",Objective,Adele Admin,2026-01-05,2026-01-18,0,",
            "\"Launch, \"\"big\"\" day\",Objective,Adele Admin,2026-01-20,2026-02-10,0,",
        ]
    );
    let member_csv = member.get(&format!("{}.csv", ws.gantt())).await;
    assert!(!member_csv.body.contains("HYPERLINK"));
    assert_eq!(member_csv.body.lines().count(), 2);

    // A hidden item does not exist for the member: its dates cannot be changed either.
    let (status, _) = ws
        .set_dates(&member, &secret, &[("due_date", "2026-03-01")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(ws.dates(&secret), (date("2026-01-05"), date("2026-01-18")));
}

/// The `x` or `width` of a bar as the browser shows it now.
async fn shown_bar(chrome: &Chrome, item_id: &str, attr: &str) -> String {
    chrome
        .client
        .execute(
            "return document.querySelector(`.gantt-bar-group[data-id='${arguments[0]}'] .gantt-bar`).getAttribute(arguments[1]);",
            vec![serde_json::json!(item_id), serde_json::json!(attr)],
        )
        .await
        .expect("bar")
        .as_str()
        .expect("text")
        .to_owned()
}

/// In headless Chromium: dragging a bar's right end by a known offset moves the due date,
/// which a reload shows; a bar whose item stopped being editable after the page loaded
/// moves, returns, and says why.
#[tokio::test]
async fn dragging_a_bar_end_in_a_real_browser_changes_the_due_date() {
    let ws = Workspace::new("option_1").await;
    let bob = ws.member("bob@example.com", "Bob Member", None).await;
    let mine = ws.create(&bob, "objective", None, "Bob's").await;
    let taken = ws.create(&bob, "objective", None, "Taken away").await;
    ws.schedule(&mine, "2026-01-05", "2026-01-18").await;
    ws.schedule(&taken, "2026-02-02", "2026-02-15").await;
    ws.create(&bob, "key_result", Some(&mine), "Bob's result")
        .await;
    let Some(chrome) = Chrome::launch().await else {
        return;
    };
    chrome.log_in(&ws.app.base_url, "bob@example.com").await;
    let url = format!(
        "{}{}?scale=month&from=2026-01-01&to=2026-03-31",
        ws.app.base_url,
        ws.gantt()
    );
    chrome.client.goto(&url).await.expect("gantt");
    assert_eq!(shown_bar(&chrome, &mine, "width").await, "70");

    // 50 px to the right at 5 px a day: ten days later.
    let handle = chrome
        .find(&format!(".gantt-bar-group[data-id='{mine}'] .gantt-handle"))
        .await;
    chrome.drag_by(&handle, 50.0, 0.0).await;
    chrome
        .wait_until(&format!(
            "return document.querySelector(`.gantt-bar-group[data-id='{mine}']`).dataset.due === '2026-01-28'"
        ))
        .await;
    chrome.client.refresh().await.expect("reload");
    let bar = chrome
        .find(&format!(".gantt-bar-group[data-id='{mine}']"))
        .await;
    assert_eq!(
        bar.attr("data-due").await.expect("attr").as_deref(),
        Some("2026-01-28")
    );
    assert_eq!(shown_bar(&chrome, &mine, "width").await, "120");
    assert_eq!(ws.dates(&mine), (date("2026-01-05"), date("2026-01-28")));

    // The item is handed to someone else after the page loaded: the drag is refused.
    diesel::update(okr_items::table.find(&taken))
        .set(okr_items::owner_user_id.eq(ws.app.user_id("admin@example.com")))
        .execute(&mut ws.app.db())
        .expect("reassign");
    let x = shown_bar(&chrome, &taken, "x").await;
    let bar = chrome
        .find(&format!(".gantt-bar-group[data-id='{taken}'] .gantt-bar"))
        .await;
    chrome.drag_by(&bar, 40.0, 0.0).await;
    let message = chrome
        .wait_until("return document.querySelector('.gantt-toast')?.textContent ?? null")
        .await;
    assert!(
        message
            .as_str()
            .expect("text")
            .contains("only items you own or are assigned to"),
        "{message}"
    );
    assert_eq!(shown_bar(&chrome, &taken, "x").await, x);
    assert_eq!(ws.dates(&taken), (date("2026-02-02"), date("2026-02-15")));
    // The failure stays until dismissed.
    chrome
        .find(".gantt-toast.toast-error .toast-close")
        .await
        .click()
        .await
        .expect("dismiss");
    chrome
        .wait_until("return document.querySelector('.gantt-toast') === null")
        .await;

    // Keyboard: three quick presses of → move the bar three days; every press counts
    // although the saves overlap, and the last one is what is stored.
    let bar = chrome
        .find(&format!(".gantt-bar-group[data-id='{mine}']"))
        .await;
    assert_eq!(
        bar.attr("tabindex").await.expect("attr").as_deref(),
        Some("0")
    );
    chrome
        .client
        .execute(
            "document.querySelector(`.gantt-bar-group[data-id='${arguments[0]}']`).focus()",
            vec![serde_json::json!(mine)],
        )
        .await
        .expect("focus");
    bar.send_keys("\u{E014}\u{E014}\u{E014}")
        .await
        .expect("arrow keys");
    chrome
        .wait_until(&format!(
            "const g = document.querySelector(`.gantt-bar-group[data-id='{mine}']`); return g.dataset.start === '2026-01-08' && g.dataset.due === '2026-01-31'"
        ))
        .await;
    assert_eq!(ws.dates(&mine), (date("2026-01-08"), date("2026-01-31")));
    chrome
        .wait_until("return document.querySelector('.gantt-toast:not(.toast-error)')?.textContent === 'Dates saved.'")
        .await;

    // A cancelled drag saves nothing and leaves no listener behind: the next drag alone
    // (5 days at 5 px a day) is what is stored.
    let pointer = r#"
        const [id, steps] = arguments;
        const bar = document.querySelector(`.gantt-bar-group[data-id='${id}'] .gantt-bar`);
        const box = bar.getBoundingClientRect();
        const xs = [];
        for (const [type, dx] of steps) {
            bar.dispatchEvent(new PointerEvent(type, {
                bubbles: true, cancelable: true, pointerId: 1, pointerType: "mouse", isPrimary: true,
                button: 0, buttons: type === "pointerdown" || type === "pointermove" ? 1 : 0,
                clientX: box.x + box.width / 2 + dx, clientY: box.y + box.height / 2,
            }));
            xs.push(bar.getAttribute("x"));
        }
        return xs;
    "#;
    let x = shown_bar(&chrome, &mine, "x").await;
    let cancelled = chrome
        .client
        .execute(
            pointer,
            vec![
                serde_json::json!(mine),
                serde_json::json!([
                    ["pointerdown", 0],
                    ["pointermove", 50],
                    ["pointercancel", 50]
                ]),
            ],
        )
        .await
        .expect("cancelled drag");
    assert_ne!(
        cancelled[1].as_str(),
        Some(x.as_str()),
        "the bar followed the pointer"
    );
    assert_eq!(cancelled[2].as_str(), Some(x.as_str()), "and went back");
    chrome
        .client
        .execute(
            pointer,
            vec![
                serde_json::json!(mine),
                serde_json::json!([["pointerdown", 0], ["pointermove", 25], ["pointerup", 25]]),
            ],
        )
        .await
        .expect("drag");
    chrome
        .wait_until(&format!(
            "const g = document.querySelector(`.gantt-bar-group[data-id='{mine}']`); return g.dataset.start === '2026-01-13' && g.dataset.due === '2026-02-05' && document.querySelector('.gantt-toast')?.textContent === 'Dates saved.'"
        ))
        .await;
    assert_eq!(ws.dates(&mine), (date("2026-01-13"), date("2026-02-05")));
    let x = shown_bar(&chrome, &mine, "x").await;
    assert_eq!(x, "60", "12 days in at 5 px a day");

    // A refused save drops the change queued behind it: one request, the bar back on the
    // saved dates, and the reason on screen.
    chrome
        .client
        .execute(
            r#"
            window.ganttTestCalls = 0;
            const real = window.fetch;
            window.fetch = (url, init) => {
                window.ganttTestCalls += 1;
                if (window.ganttTestCalls > 1) return real(url, init);
                return new Promise((resolve) => {
                    window.ganttTestRefuse = () => resolve(new Response(
                        JSON.stringify({ error: { code: "validation_failed", message: "Refused for the test." } }),
                        { status: 422, headers: { "Content-Type": "application/json" } },
                    ));
                });
            };
            document.querySelector(`.gantt-bar-group[data-id='${arguments[0]}']`).focus();
            "#,
            vec![serde_json::json!(mine)],
        )
        .await
        .expect("hold the first save");
    let bar = chrome
        .find(&format!(".gantt-bar-group[data-id='{mine}']"))
        .await;
    bar.send_keys("\u{E014}\u{E014}").await.expect("arrow keys");
    chrome
        .wait_until("return typeof window.ganttTestRefuse === 'function'")
        .await;
    assert_ne!(
        shown_bar(&chrome, &mine, "x").await,
        x,
        "the bar moved at once"
    );
    chrome
        .client
        .execute("window.ganttTestRefuse();", vec![])
        .await
        .expect("refuse");
    let message = chrome
        .wait_until("return document.querySelector('.gantt-toast.toast-error')?.firstChild.textContent ?? null")
        .await;
    assert_eq!(message, "Refused for the test.");
    assert_eq!(
        chrome
            .client
            .execute("return window.ganttTestCalls;", vec![])
            .await
            .expect("calls"),
        1
    );
    assert_eq!(shown_bar(&chrome, &mine, "x").await, x);
    assert_eq!(ws.dates(&mine), (date("2026-01-13"), date("2026-02-05")));

    // Folding a branch keeps the keyboard on the row's button.
    chrome
        .client
        .execute(
            "document.querySelector(`#row-${arguments[0]} .gantt-toggle`).focus()",
            vec![serde_json::json!(mine)],
        )
        .await
        .expect("focus");
    chrome
        .find(&format!("#row-{mine} .gantt-toggle"))
        .await
        .send_keys("\u{E007}")
        .await
        .expect("enter");
    chrome
        .wait_until(&format!(
            "const b = document.activeElement; return b?.matches('#row-{mine} .gantt-toggle') && b.getAttribute('aria-expanded') === 'false'"
        ))
        .await;
    chrome.quit().await;
}
