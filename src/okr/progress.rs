//! Progress roll-up, as DESIGN §3 states it:
//! an action is 100 when done, 50 in progress, 0 pending; a key result is the average of its
//! actions weighted by story points (numeric points weigh their value; `?`, `∞` and none
//! weigh 1; 0 weighs 0 unless every action has 0, then all weigh the same), 0 without
//! actions; an objective is the plain average of its children, 0 without any. Deleted items
//! do not count.

use std::collections::HashMap;

use super::{ActionStatus, ItemType, StoryPoints};

/// What progress depends on, for one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressInput {
    pub item_type: ItemType,
    pub status: Option<ActionStatus>,
    pub points: Option<StoryPoints>,
}

/// An action's own progress.
pub fn of_action(status: Option<ActionStatus>) -> f64 {
    match status {
        Some(ActionStatus::Done) => 100.0,
        Some(ActionStatus::WorkInProgress) => 50.0,
        Some(ActionStatus::Pending) | None => 0.0,
    }
}

/// A key result's progress from its (live) actions: (status, points) each.
pub fn of_key_result(actions: &[(Option<ActionStatus>, Option<StoryPoints>)]) -> f64 {
    if actions.is_empty() {
        return 0.0;
    }
    let weights: Vec<f64> = actions.iter().map(|(_, points)| weight(*points)).collect();
    let total: f64 = weights.iter().sum();
    if total == 0.0 {
        // Every action has 0 points: they count equally.
        return average(actions.iter().map(|(status, _)| of_action(*status)));
    }
    actions
        .iter()
        .zip(&weights)
        .map(|((status, _), w)| of_action(*status) * w)
        .sum::<f64>()
        / total
}

/// An objective's progress: the plain average of its (live) children's progress.
pub fn of_objective(children: &[f64]) -> f64 {
    average(children.iter().copied())
}

fn weight(points: Option<StoryPoints>) -> f64 {
    points.and_then(StoryPoints::numeric).unwrap_or(1.0)
}

fn average(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / f64::from(n)
    }
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
        let value = match node.input.item_type {
            ItemType::Action => of_action(node.input.status),
            ItemType::KeyResult => of_key_result(
                &kids
                    .iter()
                    .filter(|k| k.input.item_type == ItemType::Action)
                    .map(|k| (k.input.status, k.input.points))
                    .collect::<Vec<_>>(),
            ),
            ItemType::Objective => {
                let values: Vec<f64> = kids
                    .iter()
                    .map(|k| progress_of(k, children, memo))
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
    use ActionStatus::*;
    use StoryPoints as P;

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
        assert_eq!(of_key_result(&[]), 0.0, "no actions: 0");
        // 3 points done, 1 point pending: 75.
        assert!(close(
            of_key_result(&[(Some(Done), Some(P::Three)), (Some(Pending), Some(P::One))]),
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
            of_key_result(&mixed),
            (100.0 + 0.0 + 50.0 + 100.0) / 4.0
        ));
        // 0 weighs 0 ...
        assert!(close(
            of_key_result(&[(Some(Done), Some(P::Zero)), (Some(Pending), Some(P::Two))]),
            0.0
        ));
        // ... unless every action has 0: then equal weights.
        assert!(close(
            of_key_result(&[(Some(Done), Some(P::Zero)), (Some(Pending), Some(P::Zero))]),
            50.0
        ));
        assert!(close(
            of_key_result(&[
                (Some(WorkInProgress), Some(P::Forty)),
                (Some(Done), Some(P::Eight))
            ]),
            (50.0 * 40.0 + 100.0 * 8.0) / 48.0
        ));
    }

    #[test]
    fn objectives_average_their_children() {
        assert_eq!(of_objective(&[]), 0.0);
        assert!(close(of_objective(&[100.0, 0.0, 50.0]), 50.0));
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
