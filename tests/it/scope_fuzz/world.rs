//! Random worlds for the privacy fuzz test (stored by `store`): one organization and one
//! workspace per seed, so org roles (owner, admin, removed, outsider) vary per world too,
//! and cycles (none to four, in any state) with objectives in them or in the backlog.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// Words titles and descriptions are made of, so searches have something to find. None is
/// part of another, nor of an item's token.
pub const WORDS: &[&str] = &["apple", "river", "stone", "cloud", "ember", "maple"];

/// Someone who can sign in; person 0 created every organization (its owner).
pub struct Person {
    pub user_id: String,
    pub email: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OrgRole {
    /// Signed in, never in this organization.
    Outsider,
    /// Was a member: the org row is gone, the workspace membership inactive.
    Removed,
    Member,
    Admin,
    Owner,
}

#[derive(Clone, Copy, Debug)]
pub struct Membership {
    pub admin: bool,
    pub active: bool,
    /// A person with a membership of this workspace (active or not), earlier in the list.
    pub manager: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
pub struct Standing {
    pub org: OrgRole,
    pub workspace: Option<Membership>,
}

pub struct Item {
    pub id: String,
    pub parent: Option<usize>,
    pub item_type: &'static str,
    pub owner: usize,
    pub assignees: Vec<usize>,
    /// The deletion (1, 2, …, in order) that took this item to the trash.
    pub deleted_in: Option<u32>,
    /// Whether this item was the one deleted (a top of the trash) rather than taken along.
    pub deletion_target: bool,
    pub title: String,
    pub description: Option<String>,
    pub due: bool,
    /// The cycle of its top-level objective (`None`: the backlog).
    pub cycle: Option<usize>,
}

impl Item {
    pub fn live(&self) -> bool {
        self.deleted_in.is_none()
    }
}

pub struct Link {
    pub id: String,
    pub from: usize,
    pub to: usize,
    pub deleted: bool,
}

/// A check-in on an objective or key result, live or deleted.
pub struct CheckIn {
    pub id: String,
    pub item: usize,
    pub author: usize,
    pub deleted: bool,
    pub confidence: i32,
    /// Days before today that it speaks for.
    pub days_ago: i64,
    /// In its note only (never in the activity log), so a page that shows check-ins can be
    /// read by it, and a leak of a hidden one shows anywhere.
    pub token: String,
}

/// A comment on any item, live or deleted, mentioning someone (who may not see the item).
pub struct Comment {
    pub id: String,
    pub item: usize,
    pub author: usize,
    pub mentioned: usize,
    pub deleted: bool,
    /// In its body only, so a page that shows comments can be read by it, and a leak of a
    /// hidden one shows anywhere.
    pub token: String,
}

pub struct Activity {
    pub id: String,
    pub item: usize,
    /// Other items the row names (a former parent, a link's other end).
    pub referenced: Vec<usize>,
    /// The check-in this row records (`check_in.created`, naming it by id).
    pub check_in: Option<usize>,
}

/// A cycle of the world's organization, from `start` to `end` days from today.
pub struct Cycle {
    pub id: String,
    pub start: i64,
    pub end: i64,
    pub state: &'static str,
}

/// Windows cycles may take, in order and apart, so they never overlap; only the third
/// holds today.
const WINDOWS: &[(i64, i64)] = &[(-200, -121), (-120, -41), (-40, 40), (41, 120)];

pub struct World {
    pub seed: u64,
    pub open: bool,
    pub cycles: Vec<Cycle>,
    /// Indexed like the people.
    pub standings: Vec<Standing>,
    pub items: Vec<Item>,
    pub links: Vec<Link>,
    pub check_ins: Vec<CheckIn>,
    pub comments: Vec<Comment>,
    pub activity: Vec<Activity>,
    pub notifications: Vec<Notification>,
}

/// A notification about an item, for anyone (an outsider too): listed, counted and opened
/// only while its recipient can see the item.
pub struct Notification {
    pub id: String,
    pub recipient: usize,
    pub item: usize,
    pub read: bool,
}

fn uuid(rng: &mut StdRng) -> String {
    uuid::Uuid::from_u128(rng.gen()).to_string()
}

fn words(rng: &mut StdRng, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| (*WORDS.choose(rng).expect("words")).to_owned())
        .collect()
}

pub fn generate(rng: &mut StdRng, seed: u64, people: usize) -> World {
    let open = rng.gen_bool(0.4);
    let mut standings = vec![Standing {
        org: OrgRole::Owner,
        workspace: None,
    }];
    for index in 1..people {
        let org = match rng.gen_range(0..20) {
            0..=1 => OrgRole::Outsider,
            2..=3 => OrgRole::Removed,
            4..=5 => OrgRole::Admin,
            6 => OrgRole::Owner,
            _ => OrgRole::Member,
        };
        let with_manager = |rng: &mut StdRng, standings: &[Standing]| {
            let earlier: Vec<usize> = (0..index)
                .filter(|&p| standings[p].workspace.is_some())
                .collect();
            (!earlier.is_empty() && rng.gen_bool(0.6))
                .then(|| *earlier.choose(rng).expect("earlier"))
        };
        let workspace = match org {
            OrgRole::Outsider => None,
            OrgRole::Removed => Some(Membership {
                admin: rng.gen_bool(0.2),
                active: false,
                manager: with_manager(rng, &standings),
            }),
            _ if rng.gen_bool(0.8) => Some(Membership {
                admin: rng.gen_bool(0.15),
                active: rng.gen_bool(0.8),
                manager: with_manager(rng, &standings),
            }),
            _ => None,
        };
        standings.push(Standing { org, workspace });
    }
    // Owners and assignees: anyone who is or was in the workspace, and org admins.
    let workers: Vec<usize> = (0..people)
        .filter(|&p| {
            standings[p].workspace.is_some()
                || matches!(standings[p].org, OrgRole::Admin | OrgRole::Owner)
        })
        .collect();

    let mut items: Vec<Item> = Vec::new();
    for n in 0..rng.gen_range(1..=14) {
        let parent =
            (!items.is_empty() && rng.gen_bool(0.75)).then(|| rng.gen_range(0..items.len()));
        let item_type = match parent.map(|p| items[p].item_type) {
            None => "objective",
            Some("objective") if rng.gen_bool(0.3) => "objective",
            Some("objective") => "key_result",
            Some("key_result") => "action",
            Some(_) => continue,
        };
        let mut title = words(rng, 2);
        // Mixed case, so searches prove they ignore it.
        title[0] = title[0].to_uppercase();
        let description_words = rng.gen_range(0..=2);
        items.push(Item {
            id: uuid(rng),
            parent,
            item_type,
            owner: *workers.choose(rng).expect("workers"),
            assignees: workers
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.12))
                .collect(),
            deleted_in: None,
            deletion_target: false,
            title: format!("{} Zs{seed}n{n}Z", title.join(" ")),
            description: (description_words > 0).then(|| words(rng, description_words).join(" ")),
            due: rng.gen_bool(0.5),
            cycle: None,
        });
    }
    let mut cycles: Vec<Cycle> = Vec::new();
    for &(start, end) in WINDOWS {
        if rng.gen_bool(0.6) {
            cycles.push(Cycle {
                id: uuid(rng),
                start,
                end,
                state: ["planning", "active", "active", "closed"]
                    .choose(rng)
                    .expect("states"),
            });
        }
    }
    // Top-level objectives choose a cycle or the backlog; the items under them follow.
    for index in 0..items.len() {
        items[index].cycle = match items[index].parent {
            Some(parent) => items[parent].cycle,
            None if cycles.is_empty() || rng.gen_bool(0.3) => None,
            None => Some(rng.gen_range(0..cycles.len())),
        };
    }
    // Deletions one after another, each taking the live subtree with it. Item 0 stays, so
    // the workspace is never empty.
    for event in 1..=rng.gen_range(0..=3u32) {
        let target = rng.gen_range(0..items.len());
        if target == 0 || !items[target].live() {
            continue;
        }
        items[target].deletion_target = true;
        let mut stack = vec![target];
        while let Some(index) = stack.pop() {
            items[index].deleted_in = Some(event);
            stack.extend(
                (0..items.len()).filter(|&c| items[c].parent == Some(index) && items[c].live()),
            );
        }
    }

    let mut links: Vec<Link> = Vec::new();
    if items.len() > 1 {
        for _ in 0..rng.gen_range(0..=5) {
            let (from, to) = (rng.gen_range(0..items.len()), rng.gen_range(0..items.len()));
            let taken = links
                .iter()
                .any(|l| (l.from, l.to) == (from, to) || (l.from, l.to) == (to, from));
            if from != to && !taken {
                links.push(Link {
                    id: uuid(rng),
                    from,
                    to,
                    deleted: rng.gen_bool(0.2),
                });
            }
        }
    }

    // Check-ins on live and trashed objectives and key results, by anyone who worked here.
    let mut check_ins: Vec<CheckIn> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if item.item_type == "action" {
            continue;
        }
        for _ in 0..rng.gen_range(0..=3) {
            let n = check_ins.len();
            check_ins.push(CheckIn {
                id: uuid(rng),
                item: index,
                author: *workers.choose(rng).expect("workers"),
                deleted: rng.gen_bool(0.2),
                confidence: rng.gen_range(0..=10),
                days_ago: rng.gen_range(0..30),
                token: format!("Ck{seed}q{n}K"),
            });
        }
    }

    let mut activity: Vec<Activity> = Vec::new();
    for (n, check_in) in check_ins.iter().enumerate() {
        activity.push(Activity {
            id: uuid(rng),
            item: check_in.item,
            referenced: Vec::new(),
            check_in: Some(n),
        });
    }
    for index in 0..items.len() {
        activity.push(Activity {
            id: uuid(rng),
            item: index,
            referenced: Vec::new(),
            check_in: None,
        });
        // A move from some other item: the row names both parents.
        if let Some(parent) = items[index].parent {
            if rng.gen_bool(0.3) {
                let former = rng.gen_range(0..items.len());
                activity.push(Activity {
                    id: uuid(rng),
                    item: index,
                    referenced: vec![former, parent],
                    check_in: None,
                });
            }
        }
    }
    for link in &links {
        activity.push(Activity {
            id: uuid(rng),
            item: link.from,
            referenced: vec![link.to],
            check_in: None,
        });
    }
    let mut notifications = Vec::new();
    for item in 0..items.len() {
        for recipient in 0..people {
            if rng.gen_bool(0.25) {
                notifications.push(Notification {
                    id: uuid(rng),
                    recipient,
                    item,
                    read: rng.gen_bool(0.3),
                });
            }
        }
    }
    // Drawn last, so the rest of each seed's world stays as it was before comments.
    let mut comments: Vec<Comment> = Vec::new();
    for index in 0..items.len() {
        for _ in 0..rng.gen_range(0..=2) {
            let n = comments.len();
            comments.push(Comment {
                id: uuid(rng),
                item: index,
                author: *workers.choose(rng).expect("workers"),
                mentioned: rng.gen_range(0..people),
                deleted: rng.gen_bool(0.2),
                token: format!("Cm{seed}q{n}M"),
            });
        }
    }
    World {
        seed,
        open,
        cycles,
        standings,
        items,
        links,
        check_ins,
        comments,
        activity,
        notifications,
    }
}

pub fn privacy_mode(open: bool) -> &'static str {
    if open {
        "option_1"
    } else {
        "option_2"
    }
}
