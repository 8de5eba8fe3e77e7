//! One item: its detail page (all fields, children, links, history) and the changes made
//! from it (the trash and the activity feed are `item_lists`).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::check_in_history::CheckInSection;
use super::comments::CommentSection;
use super::context::WorkspaceCtx;
use super::error::AppError;
use super::htmx::Htmx;
use super::item_form::EditForm;
use super::layout::{FieldErrors, Layout};
use super::measure_form::Refusal;
use super::skills::TagField;
use super::{render, see_other, unprocessable};
use crate::activity::{ActivityEntry, Actor};
use crate::comments;
use crate::cycles::{self, Cycle, Outcome};
use crate::db::AnyConnection;
use crate::okr::edit::{self, Direction, ItemChanges};
use crate::okr::links::{self, Linked};
use crate::okr::status::{self, Pace, Status};
use crate::okr::{self, check_ins, ActionStatus, Item, ItemType, OkrError, StoryPoints, TreeRow};
use crate::scope::Viewer;
use crate::skills;
use crate::workspaces::{self, WorkspaceMember};

#[derive(Deserialize)]
pub struct ItemRef {
    pub(super) item_id: String,
}

#[derive(Template)]
#[template(path = "items/detail.html")]
struct DetailPage {
    layout: Layout,
    base: String,
    item: Item,
    owner_name: String,
    parent: Option<Item>,
    children: Vec<TreeRow>,
    links: Vec<Linked>,
    link_candidates: Vec<TreeRow>,
    move_targets: Vec<TreeRow>,
    members: Vec<WorkspaceMember>,
    history: Vec<ActivityEntry>,
    /// Objectives and key results: their check-ins and chart.
    check_ins: Option<CheckInSection>,
    thread: CommentSection,
    /// Its status and, when behind, its pace today.
    status: Option<Status>,
    behind: Option<Pace>,
    can_edit: bool,
    /// Its outcome and closing note may be set (objectives in a cycle, closed or not).
    can_close_out: bool,
    /// The cycle it is in (none: the backlog).
    cycle: Option<Cycle>,
    /// The cycles a top-level objective may move to: the organization's open ones.
    open_cycles: Vec<Cycle>,
    outcomes: &'static [Outcome],
    /// What the form shows: the item, or what was typed when saving it was refused.
    form: EditForm,
    /// Why the last change was refused, as a whole.
    error: Option<String>,
    /// Messages next to single fields (the measure, the weight).
    errors: FieldErrors,
    statuses: &'static [ActionStatus],
    points: &'static [StoryPoints],
    /// Actions: the skills it needs, as a tag field.
    skill_tags: Option<TagField>,
    /// Every skill name of the workspace, offered as people type tags.
    skill_names: Vec<String>,
}

impl DetailPage {
    /// Whether the owner is in the member list (an organization admin who never joined the
    /// workspace is not, and gets an option of their own).
    fn owner_listed(&self) -> bool {
        self.members
            .iter()
            .any(|m| m.user_id == self.form.owner_user_id)
    }

    /// Whether the page has the outcome form (objectives in a cycle).
    fn has_closing_form(&self) -> bool {
        self.item.item_type == ItemType::Objective && self.cycle.is_some()
    }

    /// The reason a change was refused: as a whole, or an outcome's where the page has no
    /// outcome form to show it by.
    fn reason(&self) -> Option<&str> {
        self.error.as_deref().or_else(|| {
            (!self.has_closing_form())
                .then(|| {
                    self.errors
                        .get("outcome")
                        .or(self.errors.get("closing_note"))
                })
                .flatten()
        })
    }

    /// Whether the item chooses its cycle (top-level objectives; the rest follow them).
    fn chooses_cycle(&self) -> bool {
        self.form.cycle_id.is_some()
    }

    fn is_closed(&self) -> bool {
        self.cycle.as_ref().is_some_and(Cycle::is_closed)
    }

    /// The tree in the item's cycle.
    fn cycle_href(&self) -> String {
        let cycle = self.cycle.as_ref().map_or("backlog", |c| c.id.as_str());
        format!(
            "{}?{}",
            self.base,
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("cycle", cycle)
                .finish()
        )
    }

    /// What the move picker offers, in words.
    fn move_label(&self) -> &'static str {
        match self.item.item_type {
            ItemType::Objective => "Move under another objective, or to the top",
            ItemType::KeyResult => "Move under another objective",
            ItemType::Action => "Move under another key result",
        }
    }
}

/// The page after a refused change: the reason, and what was typed when it was the form.
#[derive(Default)]
struct Refused {
    refusal: Refusal,
    typed: Option<EditForm>,
}

async fn detail_page(
    ctx: &WorkspaceCtx,
    item_id: String,
    refused: Refused,
) -> Result<DetailPage, AppError> {
    let workspace_id = ctx.access.workspace().id.clone();
    let now = ctx.state().config.clock.now();
    let (page, members, check_in_entries, comment_entries, statuses, org_cycles, skill_names) = ctx
        .run(move |conn, _, viewer| {
            let page = okr::item_page(conn, viewer, &item_id, 50)?;
            let members = workspaces::members(conn, &workspace_id)?;
            let entries = page
                .detail
                .item
                .takes_check_ins()
                .then(|| check_ins::history(conn, viewer, &item_id, now))
                .transpose()?;
            let comment_entries = comments::list(conn, viewer, &item_id)?;
            let statuses = status::statuses(conn, viewer, now.date())?;
            let org_cycles = cycles::list(conn, &viewer.organization_id)?;
            let skill_names = match page.detail.item.item_type {
                ItemType::Action => skills::workspace_names(conn, &viewer.workspace_id)?,
                _ => Vec::new(),
            };
            Ok::<_, AppError>((
                page,
                members,
                entries,
                comment_entries,
                statuses,
                org_cycles,
                skill_names,
            ))
        })
        .await?;
    let okr::ItemPage {
        detail,
        links,
        tree,
        history,
    } = page;
    let detail_assignees = detail.assignee_ids.clone();
    let stored = EditForm::of(&detail.item, &detail_assignees, &detail.skill_tags);
    let item = detail.item;
    // Active members, plus a current owner or assignee who has left, so that saving the form
    // never changes them by accident.
    let members: Vec<WorkspaceMember> = members
        .into_iter()
        .filter(|m| {
            m.active || m.user_id == item.owner_user_id || detail_assignees.contains(&m.user_id)
        })
        .collect();
    let children: Vec<TreeRow> = tree
        .iter()
        .filter(|row| row.item.parent_id.as_deref() == Some(item.id.as_str()))
        .cloned()
        .collect();
    let linked: Vec<&str> = links.iter().map(|l| l.other.id.as_str()).collect();
    let link_candidates = tree
        .iter()
        .filter(|row| row.item.id != item.id && !linked.contains(&row.item.id.as_str()))
        .cloned()
        .collect();
    let parents = okr::parents(&tree);
    let move_targets = tree
        .iter()
        .filter(|row| okr::may_move_under(&item, &row.item, &parents))
        .cloned()
        .collect();
    let writable = ctx.viewer.require_writable().is_ok();
    let can_edit = detail.can_edit && writable;
    let cycle = org_cycles
        .iter()
        .find(|c| item.cycle_id.as_ref() == Some(&c.id))
        .cloned();
    let open_cycles = org_cycles.into_iter().filter(|c| !c.is_closed()).collect();
    let Refused { refusal, typed } = refused;
    let (status, behind) = (statuses.of(&item), statuses.behind(&item));
    let form = match typed {
        Some(typed) => typed.over(stored),
        None => stored,
    };
    let skill_tags = form.skill_tags.clone().and_then(|list| {
        let error = refusal.fields.get("skill_tags").map(str::to_owned);
        TagField::new(&ctx.base(), "skill_tags", list, error)
    });
    Ok(DetailPage {
        layout: ctx.layout(&item.title).await?,
        base: ctx.base(),
        check_ins: check_in_entries
            .map(|entries| CheckInSection::new(&item, entries, now.date(), can_edit)),
        thread: CommentSection::new(ctx, &item.id, comment_entries),
        form,
        skill_tags,
        skill_names: skill_names.iter().map(ToString::to_string).collect(),
        can_edit,
        can_close_out: detail.can_close_out && writable,
        cycle,
        open_cycles,
        outcomes: Outcome::ALL,
        owner_name: detail.owner_name,
        parent: detail.parent,
        item,
        children,
        links,
        link_candidates,
        move_targets,
        members,
        history,
        error: refusal.message,
        errors: refusal.fields,
        status,
        behind,
        statuses: ActionStatus::ALL,
        points: StoryPoints::ALL,
    })
}

pub async fn show(ctx: WorkspaceCtx, path: web::Path<ItemRef>) -> Result<HttpResponse, AppError> {
    render(detail_page(&ctx, path.into_inner().item_id, Refused::default()).await?)
}

/// Runs a change to one item and answers with its page: the page again with the reason
/// when the rules refuse it, otherwise a redirect to `location` (or the item).
pub(super) async fn change_item<F>(
    ctx: &WorkspaceCtx,
    item_id: String,
    location: Option<String>,
    change: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<(), OkrError> + Send + 'static,
{
    let id = item_id.clone();
    match ctx
        .run(move |conn, actor, viewer| change(conn, actor, viewer, &id))
        .await
    {
        Ok(()) => {
            Ok(see_other(&location.unwrap_or_else(|| {
                format!("{}/items/{item_id}", ctx.base())
            })))
        }
        Err(e) => refused(ctx, item_id, e).await,
    }
}

/// The item's page again with why the rules refused a change; anything else as its page.
pub(super) async fn refused(
    ctx: &WorkspaceCtx,
    item_id: String,
    e: OkrError,
) -> Result<HttpResponse, AppError> {
    match e {
        e @ (OkrError::Refused(_) | OkrError::AlreadyLinked) => {
            let refused = Refused {
                refusal: Refusal::message(e.to_string()),
                typed: None,
            };
            unprocessable(detail_page(ctx, item_id, refused).await?)
        }
        e => Err(e.into()),
    }
}

/// The tree, scrolled to an item.
fn in_tree(ctx: &WorkspaceCtx, item_id: &str) -> String {
    format!("{}#item-{item_id}", ctx.base())
}

/// Saves the item form. A refusal shows the page again with what was typed and the reasons,
/// the measure's and the weight's next to their fields.
pub async fn update(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let form = EditForm::parse(&body);
    let outcome = match ItemChanges::try_from(&form) {
        Err(refusal) => Err(refusal),
        Ok(changes) => {
            let (id, now) = (item_id.clone(), ctx.state().config.clock.now());
            match ctx
                .run(move |conn, actor, viewer| {
                    edit::update(conn, actor, viewer, &id, changes, now)
                })
                .await
            {
                Ok(_) => Ok(()),
                Err(e) => Err(Refusal::of(e)?),
            }
        }
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("{}/items/{item_id}", ctx.base()))),
        Err(refusal) => {
            let refused = Refused {
                refusal,
                typed: Some(form),
            };
            unprocessable(detail_page(&ctx, item_id, refused).await?)
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    action_status: String,
    /// The tree's cycle, to come back to.
    #[serde(default)]
    cycle: String,
}

/// The tree's inline status change; htmx swaps in the refreshed tree (every ancestor's
/// progress moves with it), a plain form post lands back on the tree.
pub async fn set_status(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let status = ActionStatus::parse(&form.action_status)
        .ok_or_else(|| AppError::BadRequest("Choose pending, in progress or done.".into()))?;
    let item_id = path.into_inner().item_id;
    let view = super::tree::TreeQuery::in_cycle(&form.cycle);
    let location = format!(
        "{}{}#item-{item_id}",
        ctx.base(),
        super::tree::cycle_query(&view)
    );
    let now = ctx.state().config.clock.now();
    change_item(
        &ctx,
        item_id,
        Some(location),
        move |conn, actor, viewer, id| {
            let changes = ItemChanges {
                action_status: Some(status),
                ..ItemChanges::default()
            };
            edit::update(conn, actor, viewer, id, changes, now).map(drop)
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    parent_id: String,
}

pub async fn move_item(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let parent = Some(form.into_inner().parent_id).filter(|p| !p.is_empty());
    change_item(
        &ctx,
        path.into_inner().item_id,
        None,
        move |conn, actor, viewer, id| {
            edit::move_to(conn, actor, viewer, id, parent.as_deref()).map(drop)
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ReorderForm {
    #[serde(default)]
    direction: String,
    /// A drag in the tree: the new place among the siblings, from 0.
    position: Option<usize>,
}

pub async fn reorder(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<ReorderForm>,
) -> Result<HttpResponse, AppError> {
    let direction = match (form.direction.as_str(), form.position) {
        ("up", _) => Direction::Up,
        ("down", _) => Direction::Down,
        (_, Some(position)) => Direction::To(position),
        _ => {
            return Err(AppError::BadRequest(
                "Move up or down, or to a position.".into(),
            ))
        }
    };
    let item_id = path.into_inner().item_id;
    let location = in_tree(&ctx, &item_id);
    let response = change_item(
        &ctx,
        item_id,
        Some(location),
        move |conn, actor, viewer, id| edit::reorder(conn, actor, viewer, id, direction),
    )
    .await?;
    // The tree's script asks with HX-Request and wants a plain "saved", not a page.
    if htmx.0 && response.status().is_redirection() {
        return Ok(HttpResponse::NoContent().finish());
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    to_item_id: String,
}

pub async fn add_link(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let to = form.into_inner().to_item_id;
    change_item(
        &ctx,
        path.into_inner().item_id,
        None,
        move |conn, actor, viewer, id| links::add(conn, actor, viewer, id, &to).map(drop),
    )
    .await
}

#[derive(Deserialize)]
pub struct LinkRef {
    item_id: String,
    link_id: String,
}

pub async fn remove_link(
    ctx: WorkspaceCtx,
    path: web::Path<LinkRef>,
) -> Result<HttpResponse, AppError> {
    let LinkRef { item_id, link_id } = path.into_inner();
    change_item(&ctx, item_id, None, move |conn, actor, viewer, id| {
        links::remove(conn, actor, viewer, id, &link_id)
    })
    .await
}
