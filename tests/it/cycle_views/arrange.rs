//! Arranging cycle tests: cycles made through the domain as the organization's owner, and
//! objectives made on the tree of a cycle.

use cairn::activity::Actor;
use cairn::cycles::{self, CycleDates, StateChange};
use cairn::schema::okr_items;
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::harness::Workspace;

/// Cycles of the workspace's organization around the app's today: last quarter (closed),
/// this quarter (active, containing today), next quarter (planning).
pub struct Cycles {
    pub last: String,
    pub this: String,
    pub next: String,
}

impl Workspace {
    pub fn today(&self) -> NaiveDate {
        self.app.clock.today()
    }

    pub fn day(&self, offset: i64) -> NaiveDate {
        let today = self.today();
        if offset >= 0 {
            today + Days::new(offset as u64)
        } else {
            today - Days::new(offset.unsigned_abs())
        }
    }

    pub fn cycle_admin(&self) -> (Actor, cairn::orgs::OrgAdminAccess) {
        let user_id = self.app.user_id("admin@example.com");
        let access = cairn::orgs::access(&mut self.app.db(), &user_id, &self.org)
            .expect("access")
            .admin()
            .expect("admin");
        let actor = Actor {
            user_id,
            request_id: "cycle-views-test".into(),
        };
        (actor, access)
    }

    /// A cycle from `start` to `end` days from today, in `state`.
    pub fn add_cycle(&self, name: &str, start: i64, end: i64, state: &str) -> String {
        let (actor, admin) = self.cycle_admin();
        let conn = &mut self.app.db();
        let now = self.app.clock.now();
        let dates = CycleDates::new(self.day(start), self.day(end)).expect("dates");
        let cycle =
            cycles::create(conn, &actor, &admin, name.into(), dates, now).expect("create cycle");
        if state != "planning" {
            cycles::change_state(conn, &actor, &admin, &cycle.id, StateChange::Activate, now)
                .expect("activate");
        }
        if state == "closed" {
            cycles::change_state(conn, &actor, &admin, &cycle.id, StateChange::Close, now)
                .expect("close");
        }
        cycle.id
    }

    pub fn close_cycle(&self, cycle_id: &str) {
        let (actor, admin) = self.cycle_admin();
        cycles::change_state(
            &mut self.app.db(),
            &actor,
            &admin,
            cycle_id,
            StateChange::Close,
            self.app.clock.now(),
        )
        .expect("close");
    }

    pub fn reopen_cycle(&self, cycle_id: &str) {
        let (actor, admin) = self.cycle_admin();
        cycles::change_state(
            &mut self.app.db(),
            &actor,
            &admin,
            cycle_id,
            StateChange::Reopen,
            self.app.clock.now(),
        )
        .expect("reopen");
    }

    /// Last, this and next quarter, none closed yet (so items can be made in each).
    pub fn quarters(&self) -> Cycles {
        Cycles {
            last: self.add_cycle("Last quarter", -120, -31, "active"),
            this: self.add_cycle("This quarter", -30, 60, "active"),
            next: self.add_cycle("Next quarter", 61, 150, "planning"),
        }
    }

    /// A top-level objective made on the tree showing `cycle` (`all`, `backlog` or an id).
    pub async fn objective_in(&self, cycle: &str, title: &str) -> String {
        let page = self
            .admin
            .submit(
                &self.base(),
                &format!("{}/items", self.base()),
                &[
                    ("item_type", "objective"),
                    ("parent_id", ""),
                    ("title", title),
                    ("due_date", ""),
                    ("cycle", cycle),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let location = page.location().expect("redirect");
        assert!(
            location.contains(&format!("cycle={cycle}")),
            "the answer keeps the view's cycle: {location}"
        );
        location.rsplit("#item-").next().expect("anchor").to_owned()
    }

    pub fn cycle_of(&self, item_id: &str) -> Option<String> {
        okr_items::table
            .find(item_id)
            .select(okr_items::cycle_id)
            .first(&mut self.app.db())
            .expect("item")
    }
}
