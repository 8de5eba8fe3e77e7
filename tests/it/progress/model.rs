//! The workspace as the progress test expects it, and DESIGN §3's progress rule written out
//! here from scratch (never the app's roll-up): actions by status, key results by their
//! measure (actions weighted by story points, a metric's share of the way from baseline to
//! target or whether it holds its line, a milestone done or not), objectives by the weights
//! of their children.

use std::collections::BTreeMap;

use cairn::okr::measure::MetricKind;
use cairn::okr::{ActionStatus, ItemType, StoryPoints};
use chrono::NaiveDate;

pub const PARENT_IN_TRASH: &str = "Its parent is in the trash too; restore the parent first.";

/// An exact decimal, as the test typed it: `units / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimal {
    pub units: i64,
    pub scale: u32,
}

impl Decimal {
    pub fn text(self) -> String {
        rust_decimal::Decimal::new(self.units, self.scale).to_string()
    }

    /// Exact rationals divide to the nearest double, so equal decimals compare equal.
    fn value(self) -> f64 {
        self.units as f64 / 10f64.powi(self.scale as i32)
    }
}

/// What a key result's progress comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    Actions,
    Metric {
        kind: MetricKind,
        baseline: Decimal,
        target: Decimal,
        decimals: u32,
    },
    Milestone,
}

/// A check-in as the test wrote it.
#[derive(Debug, Clone)]
pub struct Reading {
    pub id: String,
    pub value: Option<Decimal>,
    pub done: Option<bool>,
    pub effective_on: NaiveDate,
    /// The order check-ins were written in (their `created_at`).
    pub written: u64,
    pub deleted: bool,
}

/// One item as the test expects it to be.
pub struct Modelled {
    pub item_type: ItemType,
    pub parent: Option<String>,
    pub status: ActionStatus,
    pub points: Option<StoryPoints>,
    /// Objectives and key results: how much they count in their parent.
    pub weight: f64,
    pub measure: Measured,
    pub check_ins: Vec<Reading>,
    /// Which deletion took it to the trash.
    pub deleted: Option<u32>,
}

impl Modelled {
    pub fn new(item_type: ItemType, parent: Option<String>) -> Self {
        Self {
            item_type,
            parent,
            status: ActionStatus::Pending,
            points: None,
            weight: 1.0,
            measure: Measured::Actions,
            check_ins: Vec::new(),
            deleted: None,
        }
    }

    /// The live check-in that speaks last: the latest day, then the latest written.
    pub fn latest(&self) -> Option<&Reading> {
        self.check_ins
            .iter()
            .filter(|c| !c.deleted)
            .max_by_key(|c| (c.effective_on, c.written))
    }
}

/// The workspace as the test expects it: every item ever created, live or in the trash.
#[derive(Default)]
pub struct Model {
    pub items: BTreeMap<String, Modelled>,
    pub deletions: u32,
}

/// DESIGN §3: numeric points weigh their value; `?`, `∞` and none weigh 1.
fn points_weight(points: Option<StoryPoints>) -> f64 {
    match points {
        Some(StoryPoints::Zero) => 0.0,
        Some(StoryPoints::One) => 1.0,
        Some(StoryPoints::Two) => 2.0,
        Some(StoryPoints::Three) => 3.0,
        Some(StoryPoints::Five) => 5.0,
        Some(StoryPoints::Eight) => 8.0,
        Some(StoryPoints::Thirteen) => 13.0,
        Some(StoryPoints::TwentyOne) => 21.0,
        Some(StoryPoints::Forty) => 40.0,
        Some(StoryPoints::Unknown | StoryPoints::Infinite) | None => 1.0,
    }
}

/// (value, weight) pairs averaged by weight; all weights 0: each counts the same; none: 0.
fn weighted(values: &[(f64, f64)]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    if total == 0.0 {
        values.iter().map(|(v, _)| v).sum::<f64>() / values.len() as f64
    } else {
        values.iter().map(|(v, w)| v * w).sum::<f64>() / total
    }
}

impl Model {
    pub fn live(&self, wanted: ItemType) -> Vec<&String> {
        self.items
            .iter()
            .filter(|(_, item)| item.deleted.is_none() && item.item_type == wanted)
            .map(|(id, _)| id)
            .collect()
    }

    pub fn item(&mut self, id: &str) -> &mut Modelled {
        self.items.get_mut(id).expect("modelled")
    }

    fn children(&self, id: &str) -> Vec<&String> {
        self.items
            .iter()
            .filter(|(_, item)| item.parent.as_deref() == Some(id))
            .map(|(id, _)| id)
            .collect()
    }

    fn live_children(&self, id: &str) -> Vec<&String> {
        self.children(id)
            .into_iter()
            .filter(|child| self.items[*child].deleted.is_none())
            .collect()
    }

    /// DESIGN §3's rule, from the model.
    pub fn expected_progress(&self, id: &str) -> f64 {
        let item = &self.items[id];
        let children = self.live_children(id);
        match item.item_type {
            ItemType::Action => match item.status {
                ActionStatus::Done => 100.0,
                ActionStatus::WorkInProgress => 50.0,
                ActionStatus::Pending => 0.0,
            },
            ItemType::KeyResult => match &item.measure {
                Measured::Actions => weighted(
                    &children
                        .iter()
                        .map(|a| {
                            let action = &self.items[*a];
                            (self.expected_progress(a), points_weight(action.points))
                        })
                        .collect::<Vec<_>>(),
                ),
                Measured::Metric {
                    kind,
                    baseline,
                    target,
                    ..
                } => {
                    // The latest check-in's value, else the baseline (also when the latest
                    // was written before the key result became a metric).
                    let current = item.latest().and_then(|c| c.value).unwrap_or(*baseline);
                    let (current, baseline, target) =
                        (current.value(), baseline.value(), target.value());
                    let holds = |line: bool| if line { 100.0 } else { 0.0 };
                    match kind {
                        MetricKind::IncreaseTo | MetricKind::DecreaseTo => {
                            ((current - baseline) / (target - baseline) * 100.0).clamp(0.0, 100.0)
                        }
                        MetricKind::StayAtOrAbove => holds(current >= target),
                        MetricKind::StayAtOrBelow => holds(current <= target),
                    }
                }
                Measured::Milestone => match item.latest().and_then(|c| c.done) {
                    Some(true) => 100.0,
                    _ => 0.0,
                },
            },
            ItemType::Objective => weighted(
                &children
                    .iter()
                    .map(|c| (self.expected_progress(c), self.items[*c].weight))
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// The item and its live descendants go to the trash in one deletion.
    pub fn delete(&mut self, id: &str) {
        self.deletions += 1;
        let deletion = self.deletions;
        let mut frontier = vec![id.to_owned()];
        while let Some(next) = frontier.pop() {
            frontier.extend(self.live_children(&next).into_iter().cloned());
            self.item(&next).deleted = Some(deletion);
        }
    }

    /// What restoring `id` should answer, applied to the model when it succeeds.
    pub fn restore(&mut self, id: &str) -> Result<(), &'static str> {
        let deletion = self.items[id].deleted.expect("restoring a deleted item");
        if let Some(parent) = &self.items[id].parent {
            if self.items[parent].deleted.is_some() {
                return Err(PARENT_IN_TRASH);
            }
        }
        // Exactly what went in the same deletion comes back.
        let mut frontier = vec![id.to_owned()];
        while let Some(next) = frontier.pop() {
            frontier.extend(
                self.children(&next)
                    .into_iter()
                    .filter(|child| self.items[*child].deleted == Some(deletion))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            self.item(&next).deleted = None;
        }
        Ok(())
    }
}
