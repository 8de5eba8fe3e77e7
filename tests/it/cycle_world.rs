//! Cycles put straight into a test's database, for tests about something else that need
//! items in a cycle (the cycle pages have tests of their own).

use cairn::db::AnyConnection;
use cairn::schema::{cycles, okr_items, organizations, users};
use diesel::prelude::*;

/// Adds a cycle (`state`: planning, active or closed) to the organization with this slug
/// and answers its id.
pub fn add_cycle(
    conn: &mut AnyConnection,
    org_slug: &str,
    name: &str,
    start: &str,
    end: &str,
    state: &str,
) -> String {
    let org: String = organizations::table
        .filter(organizations::slug.eq(org_slug))
        .select(organizations::id)
        .first(conn)
        .expect("organization");
    let creator: String = users::table.select(users::id).first(conn).expect("a user");
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let at = day(start).and_hms_opt(0, 0, 0).expect("time");
    let id = cairn::db::new_id();
    diesel::insert_into(cycles::table)
        .values((
            cycles::id.eq(&id),
            cycles::organization_id.eq(&org),
            cycles::name.eq(name),
            cycles::start_date.eq(day(start)),
            cycles::end_date.eq(day(end)),
            cycles::state.eq(state),
            cycles::created_by_user_id.eq(&creator),
            cycles::closed_at.eq((state == "closed").then_some(at)),
            cycles::created_at.eq(at),
            cycles::updated_at.eq(at),
        ))
        .execute(conn)
        .expect("cycle");
    id
}

/// Puts these items into the cycle (a whole subtree should be named, as the app keeps it).
pub fn put_in_cycle(conn: &mut AnyConnection, items: &[&String], cycle_id: &str) {
    diesel::update(okr_items::table.filter(okr_items::id.eq_any(items)))
        .set(okr_items::cycle_id.eq(cycle_id))
        .execute(conn)
        .expect("items into the cycle");
}
