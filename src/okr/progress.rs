//! Progress roll-up, as DESIGN §3 states it:
//! an action is 100 when done, 50 in progress, 0 pending. A key result measured by its
//! actions is their average weighted by story points (numeric points weigh their value; `?`,
//! `∞` and none weigh 1; 0 weighs 0 unless every action has 0, then all weigh the same), 0
//! without actions; a metric key result is the share of its way from baseline to target (or
//! whether it holds its line); a milestone is 0 or 100. An objective is the average of its
//! children weighted by their `weight` (every weight 0: all count the same), 0 without any.
//! Deleted items do not count.

use std::collections::HashMap;

use super::measure::{KeyResultMeasure, Number};
use super::{ActionStatus, ItemType, StoryPoints};

/// What progress depends on, for one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressInput {
    pub item_type: ItemType,
    pub status: Option<ActionStatus>,
    pub points: Option<StoryPoints>,
    /// How much it counts in its parent (objectives and key results).
    pub weight: f64,
    pub measure: KeyResultMeasure,
    /// The latest check-in: a metric's value, a milestone's done flag.
    pub current_value: Option<Number>,
    pub done: bool,
}

/// An action's own progress.
pub fn of_action(status: Option<ActionStatus>) -> f64 {
    match status {
        Some(ActionStatus::Done) => 100.0,
        Some(ActionStatus::WorkInProgress) => 50.0,
        Some(ActionStatus::Pending) | None => 0.0,
    }
}

/// A key result's progress by its measure; `actions` are its live actions' (status, points).
pub fn of_key_result(
    measure: &KeyResultMeasure,
    current_value: Option<Number>,
    done: bool,
    actions: &[(Option<ActionStatus>, Option<StoryPoints>)],
) -> f64 {
    match measure {
        KeyResultMeasure::Actions => of_actions(actions),
        KeyResultMeasure::Metric(metric) => metric.progress(current_value),
        KeyResultMeasure::Milestone if done => 100.0,
        KeyResultMeasure::Milestone => 0.0,
    }
}

/// The progress of a set of actions, weighted by story points.
fn of_actions(actions: &[(Option<ActionStatus>, Option<StoryPoints>)]) -> f64 {
    let weighted: Vec<(f64, f64)> = actions
        .iter()
        .map(|(status, points)| (of_action(*status), points_weight(*points)))
        .collect();
    weighted_average(&weighted)
}

/// An objective's progress: its (live) children's (progress, weight), weighted.
pub fn of_objective(children: &[(f64, f64)]) -> f64 {
    weighted_average(children)
}

fn points_weight(points: Option<StoryPoints>) -> f64 {
    points.and_then(StoryPoints::numeric).unwrap_or(1.0)
}

/// The average of (value, weight) pairs; when every weight is 0 they count the same, and
/// nothing at all is 0.
fn weighted_average(values: &[(f64, f64)]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    if total == 0.0 {
        return values.iter().map(|(v, _)| v).sum::<f64>() / values.len() as f64;
    }
    values.iter().map(|(v, w)| v * w).sum::<f64>() / total
}

/// A live item with its parent, for computing a whole workspace from scratch.
#[derive(Debug, Clone)]
pub struct TreeNode {
    pub id: String,
    pub parent_id: Option<String>,
    pub input: ProgressInput,
}

/// Every live item's progress, computed from scratch bottom-up (the reference the stored
/// values must always equal).
pub fn compute_all(nodes: &[TreeNode]) -> HashMap<String, f64> {
    let mut children: HashMap<&str, Vec<&TreeNode>> = HashMap::new();
    for node in nodes {
        if let Some(parent) = &node.parent_id {
            children.entry(parent.as_str()).or_default().push(node);
        }
    }
    fn progress_of<'a>(
        node: &'a TreeNode,
        children: &HashMap<&str, Vec<&'a TreeNode>>,
        memo: &mut HashMap<String, f64>,
    ) -> f64 {
        if let Some(done) = memo.get(&node.id) {
            return *done;
        }
        let kids = children
            .get(node.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let input = &node.input;
        let value = match input.item_type {
            ItemType::Action => of_action(input.status),
            ItemType::KeyResult => of_key_result(
                &input.measure,
                input.current_value,
                input.done,
                &kids
                    .iter()
                    .filter(|k| k.input.item_type == ItemType::Action)
                    .map(|k| (k.input.status, k.input.points))
                    .collect::<Vec<_>>(),
            ),
            ItemType::Objective => {
                let values: Vec<(f64, f64)> = kids
                    .iter()
                    .map(|k| (progress_of(k, children, memo), k.input.weight))
                    .collect();
                of_objective(&values)
            }
        };
        memo.insert(node.id.clone(), value);
        value
    }
    let mut memo = HashMap::new();
    for node in nodes {
        progress_of(node, &children, &mut memo);
    }
    memo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okr::measure::{Metric, MetricKind};
    use ActionStatus::*;
    use StoryPoints as P;

    fn by_actions(actions: &[(Option<ActionStatus>, Option<StoryPoints>)]) -> f64 {
        of_key_result(&KeyResultMeasure::Actions, None, false, actions)
    }

    fn number(raw: &str) -> Number {
        Number::parse(raw, 2, "value").unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn actions_by_status() {
        assert_eq!(of_action(Some(Done)), 100.0);
        assert_eq!(of_action(Some(WorkInProgress)), 50.0);
        assert_eq!(of_action(Some(Pending)), 0.0);
        assert_eq!(of_action(None), 0.0);
    }

    #[test]
    fn key_results_weigh_actions_by_points() {
        assert_eq!(by_actions(&[]), 0.0, "no actions: 0");
        // 3 points done, 1 point pending: 75.
        assert!(close(
            by_actions(&[(Some(Done), Some(P::Three)), (Some(Pending), Some(P::One))]),
            75.0
        ));
        // `?`, `∞` and empty each weigh 1.
        let mixed = [
            (Some(Done), Some(P::Unknown)),
            (Some(Pending), Some(P::Infinite)),
            (Some(WorkInProgress), None),
            (Some(Done), Some(P::One)),
        ];
        assert!(close(
            by_actions(&mixed),
            (100.0 + 0.0 + 50.0 + 100.0) / 4.0
        ));
        // 0 weighs 0 ...
        assert!(close(
            by_actions(&[(Some(Done), Some(P::Zero)), (Some(Pending), Some(P::Two))]),
            0.0
        ));
        // ... unless every action has 0: then equal weights.
        assert!(close(
            by_actions(&[(Some(Done), Some(P::Zero)), (Some(Pending), Some(P::Zero))]),
            50.0
        ));
        assert!(close(
            by_actions(&[
                (Some(WorkInProgress), Some(P::Forty)),
                (Some(Done), Some(P::Eight))
            ]),
            (50.0 * 40.0 + 100.0 * 8.0) / 48.0
        ));
    }

    #[test]
    fn measured_key_results_ignore_their_actions() {
        let actions = [(Some(Done), None)];
        assert_eq!(by_actions(&actions), 100.0);
        let metric = KeyResultMeasure::Metric(
            Metric::new(
                MetricKind::IncreaseTo,
                number("0"),
                number("20"),
                Some("deals".into()),
                0,
            )
            .unwrap_or_else(|e| panic!("{e:?}")),
        );
        assert_eq!(
            of_key_result(&metric, Some(number("12")), false, &actions),
            60.0
        );
        assert_eq!(of_key_result(&metric, None, false, &actions), 0.0);
        let milestone = KeyResultMeasure::Milestone;
        assert_eq!(of_key_result(&milestone, None, false, &actions), 0.0);
        assert_eq!(of_key_result(&milestone, None, true, &[]), 100.0);
    }

    #[test]
    fn objectives_weigh_their_children() {
        assert_eq!(of_objective(&[]), 0.0);
        assert!(close(
            of_objective(&[(100.0, 1.0), (0.0, 1.0), (50.0, 1.0)]),
            50.0
        ));
        // Weight 3 against 1.
        assert!(close(of_objective(&[(100.0, 3.0), (0.0, 1.0)]), 75.0));
        // A weight of 0 does not count...
        assert!(close(of_objective(&[(100.0, 0.0), (20.0, 2.0)]), 20.0));
        // ... unless every weight is 0: then all count the same.
        assert!(close(of_objective(&[(100.0, 0.0), (20.0, 0.0)]), 60.0));
    }

    #[test]
    fn a_tree_computes_bottom_up() {
        let node = |id: &str, parent: Option<&str>, item_type, status, points| TreeNode {
            id: id.into(),
            parent_id: parent.map(Into::into),
            input: ProgressInput {
                item_type,
                status,
                points,
                weight: 1.0,
                measure: KeyResultMeasure::Actions,
                current_value: None,
                done: false,
            },
        };
        let nodes = vec![
            node("o", None, ItemType::Objective, None, None),
            node("sub", Some("o"), ItemType::Objective, None, None),
            node("kr1", Some("o"), ItemType::KeyResult, None, None),
            node("kr2", Some("sub"), ItemType::KeyResult, None, None),
            node(
                "a1",
                Some("kr1"),
                ItemType::Action,
                Some(Done),
                Some(P::Five),
            ),
            node(
                "a2",
                Some("kr1"),
                ItemType::Action,
                Some(Pending),
                Some(P::Five),
            ),
            node(
                "a3",
                Some("kr2"),
                ItemType::Action,
                Some(WorkInProgress),
                None,
            ),
        ];
        let progress = compute_all(&nodes);
        assert!(close(progress["kr1"], 50.0));
        assert!(close(progress["kr2"], 50.0));
        assert!(close(progress["sub"], 50.0));
        assert!(close(progress["o"], 50.0));
    }
}
