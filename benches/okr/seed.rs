//! The benchmark's workspace: people, `n` items in tree shape, and weeks of check-ins on
//! every key result, the way people leave them.

use chrono::Duration;
use diesel::prelude::*;

use cairn::activity::Actor;
use cairn::db::{self, AnyConnection};
use cairn::okr::check_ins::{self, CheckInDraft, Confidence};
use cairn::schema::{
    okr_item_assignees, okr_items, org_members, organizations, users, workspace_memberships,
    workspaces,
};
use cairn::scope::Viewer;

use super::{PASSWORD, WORKSPACE_ID};

/// One user, org, two members (admin, need-to-know user) and `n` items in tree shape.
pub fn seed(conn: &mut AnyConnection, n: usize) -> (String, String) {
    let now = db::now();
    let hash = cairn::accounts::hash_password(
        &cairn::accounts::Password::parse(PASSWORD.into()).expect("password"),
    )
    .expect("hash");
    for (id, email) in [
        ("admin", "admin@bench.test"),
        ("member", "member@bench.test"),
    ] {
        diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::email.eq(email),
                users::name.eq(id),
                users::password_hash.eq(&hash),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("user");
    }
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq("org"),
            organizations::name.eq("Bench"),
            organizations::slug.eq("bench"),
            organizations::created_by_user_id.eq("admin"),
            organizations::default_privacy_mode.eq("option_2"),
            organizations::ai_enrichment_opt_in.eq(false),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("org");
    diesel::insert_into(workspaces::table)
        .values((
            workspaces::id.eq(WORKSPACE_ID),
            workspaces::organization_id.eq("org"),
            workspaces::name.eq("Big plan"),
            workspaces::slug.eq("big"),
            workspaces::privacy_mode.eq("option_2"),
            workspaces::created_by_user_id.eq("admin"),
            workspaces::created_at.eq(now),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("workspace");
    for (user, org_role, ws_role) in [
        ("admin", "owner", "workspace_admin"),
        ("member", "member", "workspace_user"),
    ] {
        diesel::insert_into(org_members::table)
            .values((
                org_members::id.eq(format!("om-{user}")),
                org_members::organization_id.eq("org"),
                org_members::user_id.eq(user),
                org_members::role.eq(org_role),
                org_members::created_at.eq(now),
                org_members::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("org member");
        diesel::insert_into(workspace_memberships::table)
            .values((
                workspace_memberships::id.eq(format!("wm-{user}")),
                workspace_memberships::organization_id.eq("org"),
                workspace_memberships::workspace_id.eq(WORKSPACE_ID),
                workspace_memberships::user_id.eq(user),
                workspace_memberships::role.eq(ws_role),
                workspace_memberships::active.eq(true),
                workspace_memberships::created_at.eq(now),
                workspace_memberships::updated_at.eq(now),
            ))
            .execute(conn)
            .expect("membership");
    }
    // Per objective: 3 key results with 4 actions each (16 items); every tenth action is the
    // member's, so the need-to-know set is a real closure, not everything or nothing.
    db::write_transaction(conn, |conn| {
        let mut made = 0;
        let mut objective = 0;
        while made < n {
            let o = format!("o{objective}");
            insert_item(conn, &o, None, "objective", "admin", objective);
            made += 1;
            for k in 0..3 {
                let kr = format!("{o}k{k}");
                insert_item(conn, &kr, Some(&o), "key_result", "admin", k);
                made += 1;
                for a in 0..4 {
                    let action = format!("{kr}a{a}");
                    let owner = if (made + a as usize).is_multiple_of(10) {
                        "member"
                    } else {
                        "admin"
                    };
                    insert_item(conn, &action, Some(&kr), "action", owner, a);
                    if a == 0 {
                        diesel::insert_into(okr_item_assignees::table)
                            .values((
                                okr_item_assignees::item_id.eq(&action),
                                okr_item_assignees::user_id.eq("admin"),
                                okr_item_assignees::organization_id.eq("org"),
                                okr_item_assignees::workspace_id.eq(WORKSPACE_ID),
                                okr_item_assignees::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    made += 1;
                }
            }
            objective += 1;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("items");
    ("o0k0a1".to_owned(), "member".to_owned())
}

fn insert_item(
    conn: &mut AnyConnection,
    id: &str,
    parent: Option<&str>,
    item_type: &str,
    owner: &str,
    sort: i32,
) {
    let now = db::now();
    diesel::insert_into(okr_items::table)
        .values((
            okr_items::id.eq(id),
            okr_items::organization_id.eq("org"),
            okr_items::workspace_id.eq(WORKSPACE_ID),
            okr_items::item_type.eq(item_type),
            okr_items::title.eq(format!("Item {id}")),
            okr_items::owner_user_id.eq(owner),
            okr_items::parent_id.eq(parent),
            okr_items::due_date.eq(chrono::NaiveDate::from_ymd_opt(2027, 3, 31)),
            okr_items::action_status.eq((item_type == "action").then_some("pending")),
            okr_items::progress_computed.eq(0.0),
            okr_items::sort_order.eq(sort),
            okr_items::created_at.eq(now),
            okr_items::updated_at.eq(now),
        ))
        .execute(conn)
        .expect("item");
}

/// Check-ins per key result: 10, or `CAIRN_BENCH_CHECK_INS` (0 measures the pages' own
/// cost apart from the data's).
pub fn check_ins_per_key_result() -> usize {
    std::env::var("CAIRN_BENCH_CHECK_INS")
        .ok()
        .map(|n| n.trim().parse().expect("CAIRN_BENCH_CHECK_INS is a number"))
        .unwrap_or(10)
}

/// Weekly check-ins (ten) on every key result, the last a week ago, through the domain (as
/// the check-in form writes them): every third key result is a metric ("12 / 20 deals"),
/// and the confidences run through every band.
pub fn check_in_everywhere(conn: &mut AnyConnection) {
    let key_results: Vec<String> = okr_items::table
        .filter(okr_items::workspace_id.eq(WORKSPACE_ID))
        .filter(okr_items::item_type.eq("key_result"))
        .order(okr_items::id.asc())
        .select(okr_items::id)
        .load(conn)
        .expect("key results");
    let metrics: Vec<&String> = key_results.iter().step_by(3).collect();
    diesel::update(okr_items::table.filter(okr_items::id.eq_any(&metrics)))
        .set((
            okr_items::measure.eq("metric"),
            okr_items::metric_kind.eq("increase_to"),
            okr_items::baseline.eq("0"),
            okr_items::target.eq("20"),
            okr_items::unit.eq("deals"),
        ))
        .execute(conn)
        .expect("metrics");
    let access = cairn::workspaces::access(conn, "admin", "bench", "big").expect("access");
    let viewer = Viewer::new(conn, &access).expect("viewer");
    let actor = Actor {
        user_id: "admin".into(),
        request_id: "bench".into(),
    };
    let now = db::now();
    let per_key_result = check_ins_per_key_result();
    for (k, key_result) in key_results.iter().enumerate() {
        for week in 0..per_key_result {
            let draft = CheckInDraft {
                value: (k % 3 == 0).then(|| (2 * week).to_string()),
                done: None,
                confidence: Confidence::new(((k + week) % 11) as i64).expect("confidence"),
                note: Some(format!("Week {week}: on it.")),
                effective_on: None,
            };
            let written = now - Duration::weeks((per_key_result - week) as i64);
            check_ins::add(conn, &actor, &viewer, key_result, draft, written).expect("check-in");
        }
    }
}
