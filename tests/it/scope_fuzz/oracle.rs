//! The privacy rules as DESIGN §3 states them, computed here the slow, plain way from the
//! generated world alone (never from the app's code or its database), so the app can be
//! checked against them.

use std::collections::BTreeSet;

use super::world::{OrgRole, World};

/// What a person may see of the workspace.
#[derive(Debug, PartialEq, Eq)]
pub enum Sight {
    /// Not a member, removed, deactivated, or in the org without joining this workspace.
    Nothing,
    Everything,
    /// Need-to-know: the person and everyone below them in the manager chain.
    Team(BTreeSet<usize>),
}

/// Org owners and admins act as workspace admin everywhere; workspace admins in their own.
pub fn administers(world: &World, person: usize) -> bool {
    let standing = &world.standings[person];
    match standing.org {
        OrgRole::Owner | OrgRole::Admin => true,
        OrgRole::Member => standing.workspace.is_some_and(|m| m.active && m.admin),
        OrgRole::Outsider | OrgRole::Removed => false,
    }
}

pub fn sight(world: &World, person: usize) -> Sight {
    let standing = &world.standings[person];
    let member = match standing.org {
        OrgRole::Outsider | OrgRole::Removed => return Sight::Nothing,
        OrgRole::Owner | OrgRole::Admin => return Sight::Everything,
        OrgRole::Member => standing.workspace.is_some_and(|m| m.active),
    };
    if !member {
        Sight::Nothing
    } else if world.open || administers(world, person) {
        Sight::Everything
    } else {
        Sight::Team(team(world, person))
    }
}

/// Everyone whose chain of managers reaches `boss`. DESIGN names no exception for
/// deactivated memberships, so the chain runs through them (README: "over all memberships
/// of the workspace").
fn team(world: &World, boss: usize) -> BTreeSet<usize> {
    (0..world.standings.len())
        .filter(|&person| {
            let mut current = Some(person);
            let mut steps = 0;
            while let Some(p) = current {
                if p == boss {
                    return true;
                }
                steps += 1;
                assert!(steps <= world.standings.len(), "manager loop");
                current = world.standings[p].workspace.and_then(|m| m.manager);
            }
            false
        })
        .collect()
}

/// Item indexes from the item up to its root.
pub fn chain_up(world: &World, index: usize) -> Vec<usize> {
    let mut chain = vec![index];
    let mut current = world.items[index].parent;
    while let Some(p) = current {
        chain.push(p);
        current = world.items[p].parent;
    }
    chain
}

/// The live items the person may see; `None` when the workspace itself is not theirs.
pub fn visible(world: &World, person: usize) -> Option<BTreeSet<usize>> {
    let live = (0..world.items.len()).filter(|&i| world.items[i].live());
    match sight(world, person) {
        Sight::Nothing => None,
        Sight::Everything => Some(live.collect()),
        Sight::Team(team) => {
            let touched = |i: usize| {
                let item = &world.items[i];
                item.live()
                    && std::iter::once(&item.owner)
                        .chain(&item.assignees)
                        .any(|p| team.contains(p))
            };
            Some(
                live.filter(|&index| {
                    (0..world.items.len()).any(|other| {
                        touched(other)
                            && (chain_up(world, other).contains(&index)
                                || chain_up(world, index).contains(&other))
                    })
                })
                .collect(),
            )
        }
    }
}

/// Live links whose both ends are visible.
pub fn links(world: &World, visible: &BTreeSet<usize>) -> Vec<usize> {
    (0..world.links.len())
        .filter(|&l| {
            let link = &world.links[l];
            !link.deleted && visible.contains(&link.from) && visible.contains(&link.to)
        })
        .collect()
}

/// Live check-ins whose item is visible: a check-in is visible exactly when its item is.
pub fn check_ins(world: &World, visible: &BTreeSet<usize>) -> Vec<usize> {
    (0..world.check_ins.len())
        .filter(|&c| !world.check_ins[c].deleted && visible.contains(&world.check_ins[c].item))
        .collect()
}

/// Live comments whose item is visible: a comment is visible exactly when its item is.
pub fn comments(world: &World, visible: &BTreeSet<usize>) -> Vec<usize> {
    (0..world.comments.len())
        .filter(|&c| !world.comments[c].deleted && visible.contains(&world.comments[c].item))
        .collect()
}

/// Who a mention on a visible item may name: the people who can see it too.
pub fn seeing(world: &World, item: usize, people: usize) -> Vec<usize> {
    (0..people)
        .filter(|&p| visible(world, p).is_some_and(|v| v.contains(&item)))
        .collect()
}

/// Activity rows whose item, and every item they name, is visible (README: history leaves
/// out rows that mention an item the viewer may not see).
pub fn activity(world: &World, visible: &BTreeSet<usize>) -> Vec<usize> {
    (0..world.activity.len())
        .filter(|&a| {
            let row = &world.activity[a];
            visible.contains(&row.item) && row.referenced.iter().all(|r| visible.contains(r))
        })
        .collect()
}

/// The trash: tops of deletions the person could edit (admins all; others what they own
/// or are assigned to).
pub fn trash(world: &World, person: usize) -> Option<Vec<usize>> {
    if sight(world, person) == Sight::Nothing {
        return None;
    }
    let admin = administers(world, person);
    Some(
        (0..world.items.len())
            .filter(|&i| {
                let item = &world.items[i];
                item.deletion_target
                    && (admin || item.owner == person || item.assignees.contains(&person))
            })
            .collect(),
    )
}

/// A tree-page or API filter.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub words: Vec<String>,
    pub owner: Option<usize>,
    pub item_type: Option<&'static str>,
}

impl Filter {
    pub fn matches(&self, world: &World, index: usize) -> bool {
        let item = &world.items[index];
        let text = format!(
            "{} {}",
            item.title,
            item.description.as_deref().unwrap_or("")
        )
        .to_lowercase();
        self.words.iter().all(|w| text.contains(&w.to_lowercase()))
            && self.owner.is_none_or(|o| o == item.owner)
            && self.item_type.is_none_or(|t| t == item.item_type)
    }
}

/// What the tree page shows for a filter: matches with their ancestors.
pub fn search(world: &World, visible: &BTreeSet<usize>, filter: &Filter) -> BTreeSet<usize> {
    visible
        .iter()
        .filter(|&&i| filter.matches(world, i))
        .flat_map(|&i| chain_up(world, i))
        .collect()
}

/// What a view shows of the cycles: one (by index), the backlog or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleView {
    All,
    Backlog,
    Cycle(usize),
}

impl CycleView {
    pub fn admits(self, world: &World, index: usize) -> bool {
        match self {
            Self::All => true,
            Self::Backlog => world.items[index].cycle.is_none(),
            Self::Cycle(c) => world.items[index].cycle == Some(c),
        }
    }

    /// The view as `?cycle=` names it.
    pub fn param(self, world: &World) -> String {
        match self {
            Self::All => "all".into(),
            Self::Backlog => "backlog".into(),
            Self::Cycle(c) => world.cycles[c].id.clone(),
        }
    }
}

/// The view a page opens on without `?cycle=` (DESIGN §3 "Cycles"): the active cycle
/// containing today, else the latest active one, else everything.
pub fn default_cycle(world: &World) -> CycleView {
    let active = || (0..world.cycles.len()).filter(|&c| world.cycles[c].state == "active");
    active()
        .find(|&c| world.cycles[c].start <= 0 && 0 <= world.cycles[c].end)
        .or_else(|| active().max_by_key(|&c| world.cycles[c].start))
        .map_or(CycleView::All, CycleView::Cycle)
}

/// The visible items a view of `cycle` shows.
pub fn in_cycle(world: &World, visible: &BTreeSet<usize>, cycle: CycleView) -> BTreeSet<usize> {
    visible
        .iter()
        .copied()
        .filter(|&i| cycle.admits(world, i))
        .collect()
}
