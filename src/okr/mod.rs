//! The OKR tree of a workspace: objectives, key results under objectives, actions under key
//! results. Every read goes through `scope`; every change recomputes progress up the
//! ancestor chain in its own transaction and writes the activity log.

pub mod assigning;
pub mod board;
pub mod carry_over;
pub mod chart;
pub mod check_ins;
pub mod edit;
pub mod gantt;
pub mod links;
pub mod measure;
pub mod measure_change;
pub mod progress;
pub mod scorecard;
pub mod status;

mod create;
mod cycle_items;
mod detail;
mod feed;
mod placement;
mod rules;
mod tree;
mod types;
mod write;

pub use carry_over::{carry_over, CarryOver};
pub use create::{create, create_with_details, NewItem};
pub use cycle_items::{closing_note, CLOSING_NOTE_MAX};
pub use detail::{detail, item_page, ItemDetail, ItemPage};
pub use feed::{activity_page, ActivityPage, Feed, FeedEntry};
pub use rules::{editable_ids, may_move_under, parents, plan_date, title, PLAN_YEARS};
pub use tree::{filtered_tree, list, tree, workspace_of, Assigned, ItemList, TreeFilter, TreeRow};
pub use types::{history_words, ActionStatus, Item, ItemType, OkrError, StoryPoints};

use rules::{check_may_edit, check_permission, check_plan_dates, placement_refusal};
use tree::{narrow, tree_in};
use write::{
    assignees_of, load, lock_workspace, next_sort_order, notify_assignment, recompute_up, record,
};
