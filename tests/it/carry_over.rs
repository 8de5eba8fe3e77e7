//! Carrying objectives over to another cycle and a cycle's scorecard (DESIGN §3 "Cycles"),
//! through the scorecard page and its CSV: what a copy holds, all or nothing, refusals, and
//! privacy (a need-to-know member's scorecard holds only what they may see).

use cairn::cycles::Outcome;
use cairn::okr::edit::ItemChanges;
use cairn::okr::measure::KeyResultMeasure;
use cairn::schema::{check_ins, item_activity_log, okr_items};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::cycle_world::{add_cycle, put_in_cycle};
use crate::harness::Workspace;
use crate::snapshot::Snapshot;
use crate::status::{change, check_in, measure_deals};

/// Q3 (closed) holds "Grow" (a metric at 12 of 20 deals, a done milestone, a done and an
/// open action) and "Keep" (done); Q4 is being planned.
struct Plan {
    w: Workspace,
    q3: String,
    q4: String,
    grow: String,
    deals: String,
    launch: String,
    open_action: String,
    keep: String,
}

async fn plan(privacy_mode: &str) -> Plan {
    let w = Workspace::new(privacy_mode).await;
    let admin = &w.admin;
    let grow = w.create(admin, "objective", None, "Grow").await;
    let deals = w
        .create(admin, "key_result", Some(&grow), "Twenty deals")
        .await;
    let launch = w.create(admin, "key_result", Some(&grow), "Launch").await;
    let done_action = w.create(admin, "action", Some(&deals), "Hire").await;
    let open_action = w.create(admin, "action", Some(&deals), "Call Globex").await;
    let keep = w.create(admin, "objective", None, "Keep").await;
    let keep_kr = w.create(admin, "key_result", Some(&keep), "Stay up").await;
    measure_deals(&w, &deals, "0", "20");
    check_in(&w, &deals, 6, Some("12"), None);
    change(
        &w,
        &launch,
        ItemChanges {
            measure: Some(KeyResultMeasure::Milestone.into()),
            ..ItemChanges::default()
        },
    );
    check_in(&w, &launch, 9, None, Some(true));
    let done = admin
        .submit(
            &w.base(),
            &format!("{}/items/{done_action}/status", w.base()),
            &[("action_status", "done")],
        )
        .await;
    assert!(done.status.is_redirection(), "{}", done.body);
    change(
        &w,
        &keep_kr,
        ItemChanges {
            measure: Some(KeyResultMeasure::Milestone.into()),
            ..ItemChanges::default()
        },
    );
    check_in(&w, &keep_kr, 10, None, Some(true));
    let mut conn = w.app.db();
    let q3 = add_cycle(
        &mut conn,
        &w.org,
        "2026 Q3",
        "2026-07-01",
        "2026-09-30",
        "active",
    );
    let q4 = add_cycle(
        &mut conn,
        &w.org,
        "2026 Q4",
        "2026-10-01",
        "2026-12-31",
        "planning",
    );
    let everything: Vec<String> = okr_items::table
        .select(okr_items::id)
        .load(&mut conn)
        .expect("ids");
    put_in_cycle(&mut conn, &everything.iter().collect::<Vec<_>>(), &q3);
    change(
        &w,
        &grow,
        ItemChanges {
            outcome: Some(Some(Outcome::NotSuccessful)),
            closing_note: Some(Some("Two deals slipped.".into())),
            ..ItemChanges::default()
        },
    );
    diesel::update(cairn::schema::cycles::table.find(&q3))
        .set((
            cairn::schema::cycles::state.eq("closed"),
            cairn::schema::cycles::closed_at.eq(w.app.clock.now()),
        ))
        .execute(&mut conn)
        .expect("close");
    Plan {
        w,
        q3,
        q4,
        grow,
        deals,
        launch,
        open_action,
        keep,
    }
}

fn copies_of(conn: &mut cairn::db::AnyConnection, original: &str) -> Vec<cairn::okr::Item> {
    okr_items::table
        .filter(okr_items::carried_over_from_id.eq(original))
        .select(cairn::okr::Item::as_select())
        .load(conn)
        .expect("copies")
}

impl Plan {
    fn carry_over_path(&self) -> String {
        format!("{}/cycles/{}/carry-over", self.w.base(), self.q3)
    }

    fn scorecard_path(&self) -> String {
        format!("{}/cycles/{}/scorecard", self.w.base(), self.q3)
    }
}

#[tokio::test]
async fn a_carried_over_objective_keeps_its_unfinished_work_from_its_last_value() {
    let p = plan("option_1").await;
    let page =
        p.w.admin
            .submit(
                &p.scorecard_path(),
                &p.carry_over_path(),
                &[
                    ("to_cycle_id", &p.q4),
                    ("item_ids", &p.grow),
                    ("which", "chosen"),
                ],
            )
            .await;
    page.assert_redirect(&format!("{}?cycle={}", p.w.base(), p.q4));
    let mut conn = p.w.app.db();
    let [grow] = copies_of(&mut conn, &p.grow)
        .try_into()
        .expect("one copy of Grow");
    assert_eq!(grow.cycle_id.as_deref(), Some(p.q4.as_str()));
    assert_eq!((grow.outcome, grow.closing_note.as_deref()), (None, None));
    let [deals] = copies_of(&mut conn, &p.deals)
        .try_into()
        .expect("one copy of the metric");
    assert_eq!(deals.parent_id.as_deref(), Some(grow.id.as_str()));
    assert_eq!(
        deals.baseline.map(|b| b.to_stored()).as_deref(),
        Some("12"),
        "baseline = last value"
    );
    assert_eq!(deals.target.map(|t| t.to_stored()).as_deref(), Some("20"));
    assert_eq!((deals.current_value, deals.progress_computed), (None, 0.0));
    assert!(
        copies_of(&mut conn, &p.launch).is_empty(),
        "a done key result stays behind"
    );
    let [open] = copies_of(&mut conn, &p.open_action)
        .try_into()
        .expect("the open action");
    assert_eq!(open.parent_id.as_deref(), Some(deals.id.as_str()));
    let actions_copied: i64 = okr_items::table
        .filter(okr_items::parent_id.eq(&deals.id))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(actions_copied, 1, "the done action stays behind");
    let copied_check_ins: i64 = check_ins::table
        .filter(check_ins::item_id.eq_any([&grow.id, &deals.id]))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(copied_check_ins, 0);
    let logged: i64 = item_activity_log::table
        .filter(item_activity_log::item_id.eq(&grow.id))
        .filter(item_activity_log::action_type.eq("item.carried_over"))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(logged, 1);
    // Shown on both: the scorecard of Q3 says where it went.
    let card = p.w.admin.get(&p.scorecard_path()).await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(
        card.text_of(&format!("#score-{} .carried-to", p.grow))
            .as_deref(),
        Some("Carried over to 2026 Q4")
    );
    // The tree of Q4 holds the copy.
    let tree =
        p.w.admin
            .get(&format!("{}?cycle={}", p.w.base(), p.q4))
            .await;
    assert!(
        tree.body.contains(&format!("item-{}", grow.id)),
        "{}",
        tree.body
    );
}

#[tokio::test]
async fn carrying_over_is_all_or_nothing_and_refuses_with_reasons() {
    let p = plan("option_1").await;
    let carry = |fields: Vec<(&'static str, String)>| {
        let path = p.carry_over_path();
        let page = p.scorecard_path();
        let admin = &p.w.admin;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.submit(&page, &path, &fields).await
        }
    };
    let everything = || {
        vec![
            ("to_cycle_id", p.q4.clone()),
            ("which", "unfinished".to_owned()),
        ]
    };
    // Everything not done: Grow is, Keep is done.
    carry(everything())
        .await
        .assert_redirect(&format!("{}?cycle={}", p.w.base(), p.q4));
    let mut conn = p.w.app.db();
    assert_eq!(copies_of(&mut conn, &p.grow).len(), 1);
    assert!(
        copies_of(&mut conn, &p.keep).is_empty(),
        "a done objective stays"
    );
    // Again: nothing left to carry, nothing copied twice.
    carry(everything())
        .await
        .assert_redirect(&format!("{}?cycle={}", p.w.base(), p.q4));
    assert_eq!(copies_of(&mut conn, &p.grow).len(), 1);

    let before = Snapshot::take(&p.w.app);
    // Keep could go, but Grow is already there: neither moves.
    let refused = carry(vec![
        ("to_cycle_id", p.q4.clone()),
        ("item_ids", p.keep.clone()),
        ("item_ids", p.grow.clone()),
        ("which", "chosen".into()),
    ])
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text_of("#carry-over-error")
            .is_some_and(|t| t.contains("already carried over to 2026 Q4")),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!(
            "value=\"{}\" id=\"carry-{}\" aria-label=\"Carry over Keep\" checked",
            p.keep, p.keep
        )),
        "the choice is kept"
    );
    // A key result is not a top-level objective; the cycle itself is no target.
    let not_top = carry(vec![
        ("to_cycle_id", p.q4.clone()),
        ("item_ids", p.deals.clone()),
        ("which", "chosen".into()),
    ])
    .await;
    assert_eq!(not_top.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_top.text_of("#item_ids-error").is_some(),
        "{}",
        not_top.body
    );
    let same = carry(vec![
        ("to_cycle_id", p.q3.clone()),
        ("which", "unfinished".into()),
    ])
    .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        same.text_of("#to_cycle_id-error").is_some(),
        "{}",
        same.body
    );
    before.assert_unchanged(&p.w.app, "refused carry-overs");

    // Into a closed cycle: 409 with the reason.
    diesel::update(cairn::schema::cycles::table.find(&p.q4))
        .set(cairn::schema::cycles::state.eq("closed"))
        .execute(&mut conn)
        .expect("close Q4");
    let closed = carry(vec![
        ("to_cycle_id", p.q4.clone()),
        ("item_ids", p.keep.clone()),
        ("which", "chosen".into()),
    ])
    .await;
    assert_eq!(closed.status, StatusCode::CONFLICT, "{}", closed.body);
    assert!(
        closed.body.contains("This cycle is closed"),
        "{}",
        closed.body
    );
}

#[tokio::test]
async fn the_scorecard_lists_final_progress_status_and_outcome_and_downloads_as_csv() {
    let p = plan("option_2").await;
    let card = p.w.admin.get(&p.scorecard_path()).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    assert_eq!(card.text_of("#score-objectives").as_deref(), Some("2"));
    assert_eq!(card.text_of("#score-not-successful").as_deref(), Some("1"));
    assert_eq!(card.text_of("#score-without-outcome").as_deref(), Some("1"));
    let grow_row = card
        .text_of(&format!("#score-{}", p.grow))
        .expect("Grow's row");
    assert!(
        grow_row.contains("Not successful") && grow_row.contains("Two deals slipped."),
        "{grow_row}"
    );
    assert!(
        card.text_of(&format!("#score-{}", p.deals)).is_some(),
        "key results are listed"
    );
    assert!(
        card.text_of(&format!("#score-{}", p.open_action)).is_none(),
        "actions are not"
    );

    let csv = p.w.admin.get(&format!("{}.csv", p.scorecard_path())).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/csv")));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "type,title,owner,progress,status,outcome,closing_note,carried_over_to"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Objective,Grow,Adele Admin,")
                && l.contains("Not successful,Two deals slipped.")),
        "{}",
        csv.body
    );
    assert_eq!(lines.len(), 1 + 5, "two objectives and three key results");

    // A need-to-know member who touches nothing sees an empty scorecard, and its CSV has
    // the header only.
    let member = p.w.member("member@example.com", "Mia Member", None).await;
    let theirs = member.get(&p.scorecard_path()).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(
        theirs.text_of("#scorecard-empty").is_some(),
        "{}",
        theirs.body
    );
    assert!(!theirs.body.contains("Grow"));
    let their_csv = member.get(&format!("{}.csv", p.scorecard_path())).await;
    assert_eq!(their_csv.body.lines().count(), 1);
    // Another organization's cycle is not found.
    let other =
        p.w.admin
            .get(&format!(
                "{}/cycles/{}/scorecard",
                p.w.base(),
                "0190f0a0-0000-7000-8000-000000000000"
            ))
            .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
