//! Status and pace (DESIGN §3 "Status and pace"), derived and never typed.
//!
//! A key result is `done` at 100 %, `no_update` when nobody checked in within the workspace's
//! cadence plus the grace (silence is never green), else its latest confidence's band. An
//! objective is `done` at 100 %, else the worst of its children (`off_track` < `at_risk` <
//! `no_update` < `on_track` < `done`); one without children speaks for itself like a key
//! result. Pace compares progress with the elapsed share of the item's period.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{Item, ItemType};
use crate::cycles::Cycle;
use crate::db::AnyConnection;
use crate::schema::okr_items;
use crate::scope::Viewer;
use crate::text_enum;
use crate::workspaces::CheckInCadence;

text_enum! {
    pub enum Status {
        OnTrack => "on_track",
        AtRisk => "at_risk",
        OffTrack => "off_track",
        NoUpdate => "no_update",
        Done => "done",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::OnTrack => "On track",
            Self::AtRisk => "At risk",
            Self::OffTrack => "Off track",
            Self::NoUpdate => "No update",
            Self::Done => "Done",
        }
    }

    /// Worst first: the order an objective takes the worst of its children by.
    fn rank(self) -> u8 {
        match self {
            Self::OffTrack => 0,
            Self::AtRisk => 1,
            Self::NoUpdate => 2,
            Self::OnTrack => 3,
            Self::Done => 4,
        }
    }

    /// The band a confidence (0–10) falls in: 7–10 on track, 4–6 at risk, 0–3 off track.
    pub fn of_confidence(confidence: i32) -> Self {
        match confidence {
            7.. => Self::OnTrack,
            4..=6 => Self::AtRisk,
            _ => Self::OffTrack,
        }
    }
}

/// What the status of one item rests on.
#[derive(Debug, Clone, Copy)]
struct Standing {
    item_type: ItemType,
    progress: f64,
    last_check_in_on: Option<NaiveDate>,
    last_confidence: Option<i32>,
    /// The day a closed cycle stopped the clock at: its statuses stay as they were then.
    frozen_on: Option<NaiveDate>,
}

impl Standing {
    /// Its status from its own check-ins.
    fn own(self, cadence: CheckInCadence, today: NaiveDate) -> Status {
        if self.progress >= 100.0 {
            return Status::Done;
        }
        let today = self.frozen_on.map_or(today, |frozen| frozen.min(today));
        match self.last_confidence {
            Some(confidence) if cadence.is_fresh(self.last_check_in_on, today) => {
                Status::of_confidence(confidence)
            }
            _ => Status::NoUpdate,
        }
    }
}

/// The statuses of a workspace's live objectives and key results on a day: computed from all
/// of them, so an objective's status is the same for everyone who may see it.
#[derive(Debug, Clone, Default)]
pub struct Statuses {
    of: HashMap<String, Status>,
    today: NaiveDate,
    /// The organization's cycles by id: pace runs over an item's cycle.
    cycles: HashMap<String, Cycle>,
}

impl Statuses {
    /// An item's status; actions have one only when done.
    pub fn of(&self, item: &Item) -> Option<Status> {
        match item.item_type {
            ItemType::Action => (item.progress_computed >= 100.0).then_some(Status::Done),
            _ => self.of.get(&item.id).copied(),
        }
    }

    /// The expected progress today and whether the item is behind it.
    pub fn pace(&self, item: &Item) -> Option<Pace> {
        let cycle = item.cycle_id.as_ref().and_then(|id| self.cycles.get(id));
        pace(item, cycle, self.today)
    }

    /// The pace of an item that is behind it, for the "62 % · expected 75 %" next to its
    /// progress; `None` when on pace or without a period.
    pub fn behind(&self, item: &Item) -> Option<Pace> {
        self.pace(item).filter(|pace| pace.behind)
    }

    /// The day the statuses were computed for.
    pub fn today(&self) -> NaiveDate {
        self.today
    }
}

/// Reads what status needs for every live objective and key result of the viewer's workspace
/// in one query and derives each status.
pub fn statuses(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    today: NaiveDate,
) -> QueryResult<Statuses> {
    type Row = (
        String,
        Option<String>,
        ItemType,
        f64,
        Option<NaiveDate>,
        Option<i32>,
        Option<String>,
    );
    let cycles: HashMap<String, Cycle> = crate::cycles::list(conn, &viewer.organization_id)?
        .into_iter()
        .map(|cycle| (cycle.id.clone(), cycle))
        .collect();
    let rows: Vec<Row> = okr_items::table
        .filter(okr_items::workspace_id.eq(&viewer.workspace_id))
        .filter(okr_items::deleted_at.is_null())
        .filter(okr_items::item_type.ne(ItemType::Action))
        .select((
            okr_items::id,
            okr_items::parent_id,
            okr_items::item_type,
            okr_items::progress_computed,
            okr_items::last_check_in_on,
            okr_items::last_confidence,
            okr_items::cycle_id,
        ))
        .load(conn)?;
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut standings = HashMap::new();
    for (id, parent, item_type, progress, last_check_in_on, last_confidence, cycle_id) in rows {
        if let Some(parent) = parent {
            children.entry(parent).or_default().push(id.clone());
        }
        let standing = Standing {
            item_type,
            progress,
            last_check_in_on,
            last_confidence,
            frozen_on: cycle_id
                .and_then(|id| cycles.get(&id))
                .and_then(Cycle::frozen_on),
        };
        standings.insert(id, standing);
    }
    Ok(Statuses {
        cycles,
        ..derive(&standings, &children, viewer.cadence, today)
    })
}

fn derive(
    standings: &HashMap<String, Standing>,
    children: &HashMap<String, Vec<String>>,
    cadence: CheckInCadence,
    today: NaiveDate,
) -> Statuses {
    fn status_of(
        id: &str,
        standings: &HashMap<String, Standing>,
        children: &HashMap<String, Vec<String>>,
        cadence: CheckInCadence,
        today: NaiveDate,
        memo: &mut HashMap<String, Status>,
        depth: usize,
    ) -> Option<Status> {
        if let Some(status) = memo.get(id) {
            return Some(*status);
        }
        let standing = *standings.get(id)?;
        let own = standing.own(cadence, today);
        // The depth bound only guards against a corrupt loop in the tree.
        let status = if standing.item_type == ItemType::KeyResult || own == Status::Done {
            own
        } else {
            children
                .get(id)
                .into_iter()
                .flatten()
                .filter(|_| depth < 10_000)
                .filter_map(|child| {
                    status_of(child, standings, children, cadence, today, memo, depth + 1)
                })
                .min_by_key(|status| status.rank())
                .unwrap_or(own)
        };
        memo.insert(id.to_owned(), status);
        Some(status)
    }
    let mut memo = HashMap::new();
    for id in standings.keys() {
        status_of(id, standings, children, cadence, today, &mut memo, 0);
    }
    Statuses {
        of: memo,
        today,
        cycles: HashMap::new(),
    }
}

/// Where an item stands against time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// The elapsed share of its period, 0..100.
    pub expected: f64,
    /// More than `BEHIND_BY` points under the expected progress (and not done).
    pub behind: bool,
}

/// How far under its expected progress an item may be before it is behind.
pub const BEHIND_BY: f64 = 10.0;

/// Pace from the item's period. In a cycle, the period is the cycle's unless the item has
/// its own start or due date, and a closed cycle's pace stands at the day it closed.
/// Outside a cycle it runs from the start date (else the day it was created) to the due
/// date. Without an end, or a period of no length, there is no pace.
pub fn pace(item: &Item, cycle: Option<&Cycle>, today: NaiveDate) -> Option<Pace> {
    let (start, end, today) = match cycle {
        Some(cycle) => (
            item.start_date.unwrap_or(cycle.start_date),
            item.due_date.unwrap_or(cycle.end_date),
            cycle.frozen_on().map_or(today, |frozen| frozen.min(today)),
        ),
        None => (
            item.start_date.unwrap_or(item.created_at.date()),
            item.due_date?,
            today,
        ),
    };
    pace_between(start, end, item.progress_computed, today)
}

fn pace_between(start: NaiveDate, end: NaiveDate, progress: f64, today: NaiveDate) -> Option<Pace> {
    let length = (end - start).num_days();
    if length <= 0 {
        return None;
    }
    let elapsed = (today - start).num_days().clamp(0, length);
    let expected = elapsed as f64 * 100.0 / length as f64;
    Some(Pace {
        expected,
        behind: progress < 100.0 && progress < expected - BEHIND_BY,
    })
}

/// When a check-in was written, for the edit window.
pub fn within_edit_window(created_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - created_at < chrono::Duration::hours(24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspaces::Cadence;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn standing(item_type: ItemType, progress: f64, last: Option<(NaiveDate, i32)>) -> Standing {
        Standing {
            item_type,
            progress,
            last_check_in_on: last.map(|l| l.0),
            last_confidence: last.map(|l| l.1),
            frozen_on: None,
        }
    }

    fn quarter(closed_on: Option<NaiveDate>) -> Cycle {
        let at = day(2027, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default();
        Cycle {
            id: "q1".into(),
            organization_id: "o".into(),
            name: "2027 Q1".into(),
            start_date: day(2027, 1, 1),
            end_date: day(2027, 3, 31),
            state: match closed_on {
                Some(_) => crate::cycles::CycleState::Closed,
                None => crate::cycles::CycleState::Active,
            },
            created_by_user_id: "u".into(),
            closed_at: closed_on.and_then(|d| d.and_hms_opt(9, 0, 0)),
            closed_by_user_id: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn pace_in_a_cycle_runs_over_the_cycle_unless_the_item_has_its_own_dates() {
        let mut item = Item::sample("kr", ItemType::KeyResult, None);
        item.progress_computed = 10.0;
        let open = quarter(None);
        // 1 Jan → 31 Mar is 89 days; on 15 Feb 45 of them have passed.
        let mid = pace(&item, Some(&open), day(2027, 2, 15)).unwrap();
        assert!((mid.expected - 45.0 * 100.0 / 89.0).abs() < 1e-9);
        assert!(mid.behind);
        assert_eq!(
            pace(&item, None, day(2027, 2, 15)),
            None,
            "no due date, no cycle"
        );
        item.due_date = Some(day(2027, 1, 31));
        assert_eq!(
            pace(&item, Some(&open), day(2027, 2, 15)).unwrap().expected,
            100.0
        );
        // A closed cycle's pace stands still at the day it closed.
        item.due_date = None;
        let closed = quarter(Some(day(2027, 2, 15)));
        assert_eq!(
            pace(&item, Some(&closed), day(2027, 9, 1)),
            pace(&item, Some(&open), day(2027, 2, 15))
        );
    }

    #[test]
    fn a_closed_cycle_keeps_the_status_it_had_when_it_closed() {
        let weekly = CheckInCadence::from_stored(Cadence::Weekly, 1);
        let mut kr = standing(ItemType::KeyResult, 40.0, Some((day(2027, 3, 29), 8)));
        let months_later = day(2027, 7, 1);
        assert_eq!(kr.own(weekly, months_later), Status::NoUpdate);
        kr.frozen_on = Some(day(2027, 3, 31));
        assert_eq!(kr.own(weekly, months_later), Status::OnTrack);
    }

    #[test]
    fn confidence_bands() {
        assert_eq!(Status::of_confidence(10), Status::OnTrack);
        assert_eq!(Status::of_confidence(7), Status::OnTrack);
        assert_eq!(Status::of_confidence(6), Status::AtRisk);
        assert_eq!(Status::of_confidence(4), Status::AtRisk);
        assert_eq!(Status::of_confidence(3), Status::OffTrack);
        assert_eq!(Status::of_confidence(0), Status::OffTrack);
    }

    #[test]
    fn key_results_go_silent_after_the_cadence_and_objectives_take_the_worst() {
        let cadence = CheckInCadence::default();
        let monday = day(2027, 1, 4);
        let mut standings = HashMap::new();
        standings.insert("o".to_owned(), standing(ItemType::Objective, 40.0, None));
        standings.insert(
            "fresh".to_owned(),
            standing(ItemType::KeyResult, 50.0, Some((monday, 8))),
        );
        standings.insert(
            "risky".to_owned(),
            standing(ItemType::KeyResult, 20.0, Some((monday, 5))),
        );
        standings.insert(
            "finished".to_owned(),
            standing(ItemType::KeyResult, 100.0, None),
        );
        let children = HashMap::from([(
            "o".to_owned(),
            vec![
                "fresh".to_owned(),
                "risky".to_owned(),
                "finished".to_owned(),
            ],
        )]);
        let on = |today| derive(&standings, &children, cadence, today).of;
        let tuesday = on(day(2027, 1, 5));
        assert_eq!(tuesday["fresh"], Status::OnTrack);
        assert_eq!(tuesday["risky"], Status::AtRisk);
        assert_eq!(tuesday["finished"], Status::Done);
        assert_eq!(tuesday["o"], Status::AtRisk, "the worst of its key results");
        let later = on(day(2027, 1, 14));
        assert_eq!(later["fresh"], Status::NoUpdate, "silence is never green");
        assert_eq!(later["o"], Status::NoUpdate);
        let off = CheckInCadence {
            cadence: Cadence::Off,
            ..cadence
        };
        assert_eq!(
            derive(&standings, &children, off, day(2028, 1, 1)).of["fresh"],
            Status::OnTrack
        );
    }

    #[test]
    fn an_objective_without_children_speaks_for_itself() {
        let cadence = CheckInCadence::default();
        let monday = day(2027, 1, 4);
        let standings = HashMap::from([
            (
                "alone".to_owned(),
                standing(ItemType::Objective, 0.0, Some((monday, 2))),
            ),
            (
                "silent".to_owned(),
                standing(ItemType::Objective, 0.0, None),
            ),
            (
                "done".to_owned(),
                standing(ItemType::Objective, 100.0, None),
            ),
        ]);
        let statuses = derive(&standings, &HashMap::new(), cadence, monday).of;
        assert_eq!(statuses["alone"], Status::OffTrack);
        assert_eq!(statuses["silent"], Status::NoUpdate);
        assert_eq!(statuses["done"], Status::Done);
    }

    #[test]
    fn pace_is_the_elapsed_share_and_behind_means_more_than_ten_points_under() {
        let (start, end) = (day(2027, 1, 1), day(2027, 1, 11));
        let at = |progress, today| pace_between(start, end, progress, today);
        let halfway = day(2027, 1, 6);
        assert_eq!(at(50.0, halfway).map(|p| p.expected), Some(50.0));
        assert_eq!(at(40.0, halfway).map(|p| p.behind), Some(false), "10 under");
        assert_eq!(at(39.0, halfway).map(|p| p.behind), Some(true));
        assert_eq!(at(0.0, day(2026, 12, 1)).map(|p| p.expected), Some(0.0));
        assert_eq!(at(0.0, day(2027, 3, 1)).map(|p| p.expected), Some(100.0));
        assert_eq!(at(100.0, day(2027, 3, 1)).map(|p| p.behind), Some(false));
        assert_eq!(pace_between(end, start, 0.0, halfway), None);
    }

    #[test]
    fn check_ins_stay_editable_for_a_day() {
        let at = day(2027, 1, 4).and_hms_opt(9, 0, 0).unwrap_or_default();
        assert!(within_edit_window(at, at + chrono::Duration::hours(23)));
        assert!(!within_edit_window(at, at + chrono::Duration::hours(24)));
    }
}
