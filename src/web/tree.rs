//! The workspace's tree page (its overview) and the new items made on it (and, with a
//! place, on the board), in the cycle the view shows.

use std::collections::HashSet;

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::cycle_choice::CycleChoice;
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::measure_form::{MeasureForm, Refusal};
use super::{render, see_other, unprocessable};
use crate::cycles::CycleFilter;
use crate::okr::edit::ItemChanges;
use crate::okr::measure::KeyResultMeasure;
use crate::okr::status::{self, Pace, Status, Statuses};
use crate::okr::{self, ActionStatus, Item, ItemType, NewItem, TreeFilter, TreeRow};
use crate::skills;
use crate::workspaces::{self, PrivacyMode, WorkspaceAccess, WorkspaceMember};

#[derive(Template)]
#[template(path = "workspaces/overview.html")]
struct OverviewPage {
    layout: Layout,
    access: WorkspaceAccess,
    rows: Vec<TreeRow>,
    today: NaiveDate,
    /// A refused new item: the parent it was for ("" at the top), what was typed, and why.
    refused: Option<RefusedItem>,
    /// What an untouched add form holds.
    blank: ItemForm,
    blank_errors: FieldErrors,
    filter: TreeQuery,
    /// Filters other than the cycle narrow the tree (the cycle is the switcher's).
    filtering: bool,
    cycle: CycleChoice,
    members: Vec<WorkspaceMember>,
    /// The rows this viewer may change: the others show read-only.
    editable: HashSet<String>,
    item_types: &'static [ItemType],
    statuses: &'static [ActionStatus],
    /// Every objective's and key result's status today, read once for the page.
    item_statuses: Statuses,
    tracks: &'static [Status],
}

impl OverviewPage {
    /// A need-to-know workspace seen by someone who is not its admin: an empty tree means
    /// nothing is shared with them, not that the workspace is empty.
    fn sees_only_shared(&self) -> bool {
        self.access.workspace().privacy_mode == PrivacyMode::NeedToKnow && !self.access.is_admin()
    }

    fn may_edit(&self, item_id: &str) -> bool {
        self.editable.contains(item_id)
    }

    /// Rows drag among their siblings when nothing hides some of them: top-level objectives
    /// of other cycles are hidden under a cycle.
    fn may_drag(&self, row: &TreeRow) -> bool {
        !self.filtering
            && !self.cycle.is_closed()
            && (self.cycle.is_all() || row.item.parent_id.is_some())
    }

    /// Links to this view with the filters and another query part.
    fn clear_href(&self) -> String {
        format!(
            "{}?{}",
            super::workspaces::base_path(&self.access),
            self.cycle.query()
        )
    }

    fn status(&self, item: &Item) -> Option<Status> {
        self.item_statuses.of(item)
    }

    fn behind(&self, item: &Item) -> Option<Pace> {
        self.item_statuses.behind(item)
    }

    fn refused_for(&self, parent: &str) -> Option<&RefusedItem> {
        self.refused.as_ref().filter(|r| r.form.parent_id == parent)
    }

    /// The reason the form under `parent` was refused, as a whole.
    fn error_for(&self, parent: &str) -> Option<&str> {
        self.refused_for(parent)?.refusal.message.as_deref()
    }

    /// What the user typed into the form that was refused, so it comes back.
    fn typed_for(&self, parent: &str) -> &ItemForm {
        self.refused_for(parent).map_or(&self.blank, |r| &r.form)
    }

    /// Messages next to the fields of the form under `parent`.
    fn errors_for(&self, parent: &str) -> &FieldErrors {
        self.refused_for(parent)
            .map_or(&self.blank_errors, |r| &r.refusal.fields)
    }
}

/// A new item the tree or the board refused, with what was typed.
pub(super) struct RefusedItem {
    pub(super) form: ItemForm,
    pub(super) refusal: Refusal,
}

/// The tree page's filters as they stand in the URL, so a filtered view can be shared.
#[derive(Deserialize, Default, Clone)]
pub struct TreeQuery {
    #[serde(default)]
    pub(super) owner: String,
    #[serde(default)]
    pub(super) assignee: String,
    #[serde(default, rename = "type")]
    pub(super) item_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    q: String,
    /// The status (on track, at risk…); `status` is an action's status, kept for old links.
    #[serde(default)]
    pub(super) track: String,
    /// `all`, `backlog` or a cycle id; none is the default cycle.
    pub(super) cycle: Option<String>,
}

impl TreeQuery {
    /// Unknown values are ignored rather than refused: a stale shared link still opens.
    pub(super) fn filter(&self, today: NaiveDate) -> TreeFilter {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        TreeFilter {
            owner: text(&self.owner),
            assignee: text(&self.assignee),
            item_type: ItemType::parse(&self.item_type),
            status: ActionStatus::parse(&self.status),
            overdue_on: (!self.overdue.is_empty()).then_some(today),
            text: text(&self.q).map(|q| q.chars().take(200).collect()),
            track: Status::parse(self.track.trim()),
            cycle: CycleFilter::All,
        }
    }

    /// The filters as query pairs, kept when the cycle switcher changes the cycle.
    pub(super) fn keep(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("type", &self.item_type),
            ("owner", &self.owner),
            ("assignee", &self.assignee),
            ("track", &self.track),
            ("status", &self.status),
            ("overdue", &self.overdue),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name, value.clone()))
        .collect()
    }

    /// The view a refused new item came from: the cycle it was made in.
    pub(super) fn in_cycle(cycle: &str) -> Self {
        Self {
            cycle: Some(cycle.to_owned()).filter(|c| !c.is_empty()),
            ..Self::default()
        }
    }
}

async fn overview_page(
    ctx: &WorkspaceCtx,
    query: TreeQuery,
    refused: Option<RefusedItem>,
) -> Result<OverviewPage, AppError> {
    let today = ctx.state().config.clock.today();
    let cycle = CycleChoice::of(ctx, query.cycle.clone()).await?;
    let mut filter = query.filter(today);
    let filtering = !filter.is_empty();
    filter.cycle = cycle.filter.clone();
    let cycle = cycle.for_view("", query.keep());
    let workspace_id = ctx.access.workspace().id.clone();
    let (rows, members, editable, item_statuses) = ctx
        .run(move |conn, _, viewer| {
            let item_statuses = status::statuses(conn, viewer, today)?;
            let rows = okr::filtered_tree(conn, viewer, &filter, &item_statuses)?;
            let members = workspaces::members(conn, &workspace_id)?;
            let editable = okr::editable_ids(conn, viewer, &rows)?;
            Ok::<_, AppError>((rows, members, editable, item_statuses))
        })
        .await?;
    Ok(OverviewPage {
        layout: ctx.layout(&ctx.access.workspace().name).await?,
        access: ctx.access.clone(),
        rows,
        today,
        refused,
        blank: ItemForm::default(),
        blank_errors: FieldErrors::default(),
        filter: query,
        filtering,
        cycle,
        members,
        editable,
        item_types: ItemType::ALL,
        statuses: ActionStatus::ALL,
        item_statuses,
        tracks: Status::ALL,
    })
}

pub async fn overview(
    ctx: WorkspaceCtx,
    query: web::Query<TreeQuery>,
) -> Result<HttpResponse, AppError> {
    render(overview_page(&ctx, query.into_inner(), None).await?)
}

/// A new item as typed in the tree (and, with a place, on the board).
#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    pub(super) item_type: String,
    #[serde(default)]
    pub(super) parent_id: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) due_date: String,
    /// The view's cycle (`?cycle=`): a new top-level objective joins it.
    #[serde(default)]
    pub(super) cycle: String,
    /// Key results: how they are measured (by their actions when left out).
    #[serde(flatten)]
    pub(super) measure: MeasureForm,
    /// Actions: the skills they need, separated by commas.
    #[serde(default)]
    pub(super) skill_tags: String,
}

impl ItemForm {
    /// The skills typed for a new action; none typed sets none.
    fn details(&self) -> Result<ItemChanges, Refusal> {
        let typed: Vec<String> = self.skill_tags.split(',').map(str::to_owned).collect();
        let tags = skills::names("skill_tags", &typed).map_err(|e| {
            let mut fields = FieldErrors::default();
            fields.add(e.field, e.message);
            Refusal::fields(fields)
        })?;
        Ok(ItemChanges {
            skill_tags: Some(tags).filter(|t| !t.is_empty()),
            ..ItemChanges::default()
        })
    }
}

impl TryFrom<&ItemForm> for NewItem {
    type Error = Refusal;

    fn try_from(form: &ItemForm) -> Result<Self, Refusal> {
        let item_type = ItemType::parse(&form.item_type);
        let measure = match item_type {
            Some(ItemType::KeyResult) => form.measure.parse(),
            _ => Ok(KeyResultMeasure::Actions),
        };
        let whole = || -> Result<NewItem, String> {
            let item_type = item_type.ok_or("Choose objective, key result or action.")?;
            let title = okr::title(&form.title)?;
            let due_date = match form.due_date.trim() {
                "" => None,
                raw => Some(okr::plan_date(raw, "due date")?),
            };
            let parent = Some(form.parent_id.clone()).filter(|p| !p.is_empty());
            // Items under a parent follow its cycle.
            let cycle_id = match parent {
                None => CycleFilter::parse(&form.cycle)
                    .new_objective_cycle()
                    .map(str::to_owned),
                Some(_) => None,
            };
            Ok(NewItem {
                due_date,
                cycle_id,
                ..NewItem::new(item_type, title, parent)
            })
        };
        match (whole(), measure) {
            (Ok(new), Ok(measure)) => Ok(NewItem { measure, ..new }),
            (whole, measure) => Err(Refusal {
                message: whole.err(),
                fields: measure.err().unwrap_or_default(),
            }),
        }
    }
}

/// Creates an item the tree or the board asked for; the rules' refusal comes back with the
/// form, anything else (not found, not allowed) as its page.
pub(super) async fn create_from(
    ctx: &WorkspaceCtx,
    form: ItemForm,
    place: impl FnOnce(NewItem) -> NewItem,
) -> Result<Result<okr::Item, RefusedItem>, AppError> {
    let outcome = match NewItem::try_from(&form).and_then(|new| Ok((new, form.details()?))) {
        Err(refusal) => Err(refusal),
        Ok((new, details)) => {
            let (new, now) = (place(new), ctx.state().config.clock.now());
            match ctx
                .run(move |conn, actor, viewer| {
                    okr::create_with_details(conn, actor, viewer, new, details, now)
                })
                .await
            {
                Ok(item) => Ok(item),
                Err(e) => Err(Refusal::of(e)?),
            }
        }
    };
    Ok(outcome.map_err(|refusal| RefusedItem { form, refusal }))
}

pub async fn create_item(
    ctx: WorkspaceCtx,
    form: web::Form<ItemForm>,
) -> Result<HttpResponse, AppError> {
    // Bad input and refused rules come back the same way: the tree with the messages next
    // to the form that was used, and what was typed still in it.
    let form = form.into_inner();
    let view = TreeQuery::in_cycle(&form.cycle);
    match create_from(&ctx, form, |new| new).await? {
        Ok(item) => Ok(see_other(&format!(
            "{}{}#item-{}",
            ctx.base(),
            cycle_query(&view),
            item.id
        ))),
        Err(refused) => {
            let address = format!("{}{}", ctx.base(), cycle_query(&view));
            let mut page = overview_page(&ctx, view, Some(refused)).await?;
            page.layout.address = Some(address);
            unprocessable(page)
        }
    }
}

/// `?cycle=…` when the view named its cycle, so the answer shows the same view.
pub(super) fn cycle_query(view: &TreeQuery) -> String {
    view.cycle.as_ref().map_or_else(String::new, |cycle| {
        format!(
            "?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("cycle", cycle)
                .finish()
        )
    })
}
