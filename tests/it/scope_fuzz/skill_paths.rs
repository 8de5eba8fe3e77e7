//! Assignee suggestions, asked for every action as each person: a hidden or trashed action
//! answers 404; a visible one lists every active member of the workspace not yet assigned to
//! it, each with the story points of the open actions they hold that the asker can see, so
//! no hidden action counts in anyone's load.

use super::paths::{answer, Answer, Ctx};

/// The story points the stored world gives the action at `index`.
pub(super) fn points(index: usize) -> u32 {
    [1, 2, 3, 5, 8][index % 5]
}

/// What `person` holds among the actions the asker sees: assigned, or owned with nobody
/// assigned.
fn load(ctx: &Ctx<'_>, person: usize) -> u32 {
    let sees = |i: &usize| ctx.visible.as_ref().is_some_and(|v| v.contains(i));
    ctx.world
        .items
        .iter()
        .enumerate()
        .filter(|(i, item)| item.item_type == "action" && item.live() && sees(i))
        .filter(|(_, item)| {
            item.assignees.contains(&person) || (item.assignees.is_empty() && item.owner == person)
        })
        .map(|(i, _)| points(i))
        .sum()
}

pub(super) async fn assignee_suggestions(ctx: &Ctx<'_>) -> Answer {
    let (mut expected, mut actual) = (Vec::new(), Vec::new());
    let (mut shown, mut hidden) = (0, 0);
    let actions = ctx
        .world
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.item_type == "action");
    for (i, item) in actions {
        let (status, body) = ctx
            .api_get(&format!("/items/{}/assignee-suggestions", item.id))
            .await;
        let visible = item.live() && ctx.visible.as_ref().is_some_and(|v| v.contains(&i));
        if !visible {
            hidden += 1;
            expected.push(format!("{i}: 404"));
            actual.push(format!("{i}: {}", status.as_u16()));
            continue;
        }
        shown += 1;
        for (person, standing) in ctx.world.standings.iter().enumerate() {
            let active = standing.workspace.is_some_and(|m| m.active);
            if active && !item.assignees.contains(&person) {
                let user = ctx.world_user(person);
                expected.push(format!("{i}: {user}: {}", load(ctx, person)));
            }
        }
        for suggestion in body["suggestions"].as_array().into_iter().flatten() {
            let open = suggestion["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str())
                .find(|r| r.contains(" open"))
                .and_then(|r| r.split(' ').next())
                .unwrap_or("no load reason");
            actual.push(format!(
                "{i}: {}: {open}",
                suggestion["user_id"].as_str().unwrap_or("no user id")
            ));
        }
    }
    answer(Some(expected), Some(actual), shown, hidden)
}
