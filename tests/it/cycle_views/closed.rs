//! A closed cycle is read-only on every page write path (409 with the reason, nothing
//! changed, every row compared), shows so on its pages, becomes writable again when
//! reopened, and still takes each objective's outcome and closing note.

use cairn::schema::okr_items;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::Workspace;
use crate::snapshot::Snapshot;

/// An objective with a key result and an action in "This quarter", another objective to
/// link to, and a trashed action to restore.
struct Frozen {
    w: Workspace,
    cycle: String,
    objective: String,
    kr: String,
    action: String,
    other: String,
}

async fn frozen() -> Frozen {
    let w = Workspace::new("option_1").await;
    let q = w.quarters();
    let objective = w.objective_in(&q.this, "Grow revenue").await;
    let kr = w
        .create(&w.admin, "key_result", Some(&objective), "Ten deals")
        .await;
    let action = w.create(&w.admin, "action", Some(&kr), "Call Globex").await;
    let other = w.objective_in(&q.this, "Hire").await;
    w.create(&w.admin, "action", Some(&kr), "Second call").await;
    w.close_cycle(&q.this);
    Frozen {
        w,
        cycle: q.this,
        objective,
        kr,
        action,
        other,
    }
}

impl Frozen {
    /// Every page write into the cycle, as (what, path, fields, how it is sent).
    fn writes(&self) -> Vec<Write> {
        let base = self.w.base();
        let item = |id: &str| format!("{base}/items/{id}");
        let owner = self.w.app.user_id("admin@example.com");
        vec![
            (
                "item edit",
                item(&self.action),
                vec![
                    ("title", "Call Initech".into()),
                    ("description", String::new()),
                    ("owner_user_id", owner),
                    ("start_date", String::new()),
                    ("due_date", String::new()),
                    ("action_status", "done".into()),
                    ("story_points", "3".into()),
                ],
                Send::Form,
            ),
            (
                "check-in",
                format!("{}/check-ins", item(&self.kr)),
                vec![
                    ("confidence", "7".into()),
                    ("note", "Frozen".into()),
                    ("effective_on", String::new()),
                ],
                Send::Form,
            ),
            (
                "board position",
                format!("{}/position", item(&self.kr)),
                vec![("x", "300".into()), ("y", "200".into())],
                Send::Script,
            ),
            (
                "gantt dates",
                format!("{base}/gantt/items/{}/dates", self.action),
                vec![("due_date", self.w.day(5).to_string())],
                Send::Script,
            ),
            (
                "link",
                format!("{}/links", item(&self.objective)),
                vec![("to_item_id", self.other.clone())],
                Send::Form,
            ),
            (
                "create under a parent",
                format!("{base}/items"),
                vec![
                    ("item_type", "action".into()),
                    ("parent_id", self.kr.clone()),
                    ("title", "One more".into()),
                    ("cycle", self.cycle.clone()),
                ],
                Send::Form,
            ),
            (
                "reorder",
                format!("{}/reorder", item(&self.action)),
                vec![("direction", "down".into())],
                Send::Form,
            ),
            (
                "reorder by dragging",
                format!("{}/reorder", item(&self.other)),
                vec![("position", "0".into())],
                Send::Htmx,
            ),
            (
                "status",
                format!("{}/status", item(&self.action)),
                vec![
                    ("action_status", "done".into()),
                    ("cycle", self.cycle.clone()),
                ],
                Send::Htmx,
            ),
            (
                "move",
                format!("{}/move", item(&self.other)),
                vec![("parent_id", self.objective.clone())],
                Send::Form,
            ),
            // Last, so that reopened, the writes before it still find the action.
            (
                "delete",
                format!("{}/delete", item(&self.action)),
                vec![],
                Send::Form,
            ),
        ]
    }
}

/// One write: what it is, where it goes, its fields and how it is sent.
type Write = (&'static str, String, Fields, Send);
type Fields = Vec<(&'static str, String)>;

#[derive(Clone, Copy, Debug)]
enum Send {
    Form,
    Script,
    Htmx,
}

#[tokio::test]
async fn every_page_write_into_a_closed_cycle_answers_409_and_changes_nothing() {
    let f = frozen().await;
    let w = &f.w;
    w.admin.get(&w.base()).await;
    let before = Snapshot::take(&w.app);
    for (what, path, fields, send) in f.writes() {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = match send {
            Send::Form => w.admin.post_form(&path, &fields).await,
            Send::Script => w.admin.script_post(&path, &fields).await,
            Send::Htmx => w.admin.htmx_post(&path, &fields).await,
        };
        assert_eq!(page.status, StatusCode::CONFLICT, "{what}: {}", page.body);
        assert!(
            page.body
                .contains("This cycle is closed: This quarter is read-only."),
            "{what} ({send:?}) says why: {}",
            page.body
        );
        if let Send::Script = send {
            let json: serde_json::Value = serde_json::from_str(&page.body).expect("json");
            assert_eq!(json["error"]["code"], "conflict", "{what}");
        }
    }
    before.assert_unchanged(&w.app, "writes into a closed cycle");
}

#[tokio::test]
async fn closed_cycle_pages_are_read_only_and_say_so() {
    let f = frozen().await;
    let w = &f.w;
    let query = format!("?cycle={}", f.cycle);
    for view in ["", "/board", "/gantt"] {
        let page = w.admin.get(&format!("{}{view}{query}", w.base())).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text_of("#cycle-closed")
                .expect("notice")
                .starts_with("This cycle is closed."),
            "{view}"
        );
        assert!(page
            .text_of("#cycle-summary")
            .expect("summary")
            .contains("Closed"));
    }
    let tree = w.admin.get(&format!("{}{query}", w.base())).await;
    assert!(
        tree.attr_of("form.new-objective", "action").is_none(),
        "no new objective"
    );
    assert!(
        tree.attr_of(".add-child", "class").is_none(),
        "no add forms"
    );
    assert!(
        tree.attr_of(".drag-handle", "class").is_none(),
        "no dragging"
    );
    assert!(
        tree.attr_of(".status-form", "class").is_none(),
        "statuses shown, not chosen"
    );
    let board = w.admin.get(&format!("{}/board{query}", w.base())).await;
    assert!(board.attr_of(".board[data-editable]", "class").is_none());
    assert!(board.attr_of("dialog.board-create", "class").is_none());
    let gantt = w.admin.get(&format!("{}/gantt{query}", w.base())).await;
    assert!(gantt
        .attr_of(".gantt-bar-group.is-editable", "class")
        .is_none());
    // The item page: the notice, a disabled form without Save, the outcome still open.
    let page = w
        .admin
        .get(&format!("{}/items/{}", w.base(), f.objective))
        .await;
    assert!(page
        .text_of("#cycle-closed")
        .expect("notice")
        .contains("This quarter"));
    assert!(page
        .attr_of("form.settings-form fieldset[disabled]", "disabled")
        .is_some());
    assert!(page
        .text_of("#item-cycle")
        .expect("cycle")
        .contains("Closed"));
    assert!(page
        .attr_of("#closing fieldset[disabled]", "disabled")
        .is_none());
    assert_eq!(
        page.text_of("#closing button[type=submit]").as_deref(),
        Some("Save outcome")
    );
    let action = w
        .admin
        .get(&format!("{}/items/{}", w.base(), f.action))
        .await;
    assert!(
        action.attr_of("#closing", "id").is_none(),
        "actions have no outcome"
    );
}

#[tokio::test]
async fn reopening_a_cycle_makes_its_items_writable_again() {
    let f = frozen().await;
    let w = &f.w;
    w.reopen_cycle(&f.cycle);
    w.admin.get(&w.base()).await;
    for (what, path, fields, send) in f.writes() {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = match send {
            Send::Form => w.admin.post_form(&path, &fields).await,
            Send::Script => w.admin.script_post(&path, &fields).await,
            Send::Htmx => w.admin.htmx_post(&path, &fields).await,
        };
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "{what}: {} {}",
            page.status,
            page.body
        );
    }
    let (title, deleted): (String, Option<chrono::NaiveDateTime>) = okr_items::table
        .find(&f.action)
        .select((okr_items::title, okr_items::deleted_at))
        .first(&mut w.app.db())
        .expect("action");
    assert_eq!(title, "Call Initech");
    assert!(deleted.is_some(), "the delete went through too");
    let page = w
        .admin
        .get(&format!("{}?cycle={}", w.base(), f.cycle))
        .await;
    assert!(page.text_of("#cycle-closed").is_none());
}

#[tokio::test]
async fn outcome_and_closing_note_are_saved_even_in_a_closed_cycle() {
    let f = frozen().await;
    let w = &f.w;
    let item = format!("{}/items/{}", w.base(), f.objective);
    let page = w
        .admin
        .submit(
            &item,
            &item,
            &[
                ("outcome", "not_successful"),
                ("closing_note", " Two deals slipped. "),
            ],
        )
        .await;
    page.assert_redirect(&item);
    let (outcome, note): (Option<String>, Option<String>) = okr_items::table
        .find(&f.objective)
        .select((okr_items::outcome, okr_items::closing_note))
        .first(&mut w.app.db())
        .expect("objective");
    assert_eq!(outcome.as_deref(), Some("not_successful"));
    assert_eq!(note.as_deref(), Some("Two deals slipped."));
    let page = w.admin.get(&item).await;
    assert!(page
        .text_of("#item-cycle")
        .expect("cycle")
        .contains("Not successful"));
    assert_eq!(
        page.attr_of("#closing input[name=outcome][checked]", "value")
            .as_deref(),
        Some("not_successful")
    );

    // Refusals come back next to their field with what was typed.
    let long = "x".repeat(2_001);
    let someday = w.objective_in("backlog", "Someday").await;
    let before = Snapshot::take(&w.app);
    let page = w
        .admin
        .submit(
            &item,
            &item,
            &[("outcome", "maybe"), ("closing_note", &long)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text_of("#outcome-error").is_some());
    assert!(page
        .text_of("#closing-note-error")
        .expect("error")
        .contains("2,000"));
    assert_eq!(
        page.text_of("#closing_note").as_deref(),
        Some(long.as_str())
    );
    assert_eq!(
        page.attr_of("#title", "value").as_deref(),
        Some("Grow revenue")
    );
    // A key result takes no outcome; a backlog objective neither.
    let kr = format!("{}/items/{}", w.base(), f.kr);
    let page = w.admin.submit(&kr, &kr, &[("outcome", "successful")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#item-error")
        .expect("reason")
        .contains("Only objectives"));
    let someday = format!("{}/items/{someday}", w.base());
    let page = w
        .admin
        .submit(&someday, &someday, &[("outcome", "successful")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .text_of("#item-error")
        .expect("reason")
        .contains("Put the objective in a cycle first"));
    before.assert_unchanged(&w.app, "refused outcomes");
    assert!(w
        .admin
        .get(&someday)
        .await
        .attr_of("#closing", "id")
        .is_none());
}
