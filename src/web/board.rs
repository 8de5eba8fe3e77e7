//! The board page, and the requests its script sends: a card's new place, tidying up, and
//! an item created where the user clicked.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::cycle_choice::CycleChoice;
use super::error::AppError;
use super::items::ItemRef;
use super::layout::FieldErrors;
use super::layout::Layout;
use super::measure_form::MeasureForm;
use super::tree::{create_from, cycle_query, ItemForm, RefusedItem, TreeQuery};
use super::{render, see_other, unprocessable};
use crate::okr::board::{self, Board, BoardPosition, Card, EdgeKind, Tidy};
use crate::okr::status::{self, Pace, Status, Statuses};
use crate::okr::{ActionStatus, Item, ItemType, NewItem};
use crate::workspaces::{self, WorkspaceAccess, WorkspaceMember};

#[derive(Template)]
#[template(path = "workspaces/board.html")]
struct BoardPage {
    layout: Layout,
    access: WorkspaceAccess,
    user_id: String,
    board: Board,
    today: NaiveDate,
    filter: TreeQuery,
    /// Filters other than the cycle narrow the board (the cycle is the switcher's).
    filtering: bool,
    cycle: CycleChoice,
    members: Vec<WorkspaceMember>,
    item_types: &'static [ItemType],
    /// Every objective's and key result's status today, read once for the page.
    statuses: Statuses,
    tracks: &'static [Status],
    /// A refused new item: why, and what was typed, so the dialog opens again with both.
    refused: Option<(RefusedItem, PositionForm)>,
    blank_measure: MeasureForm,
    blank_errors: FieldErrors,
}

impl BoardPage {
    fn card_width(&self) -> f64 {
        board::CARD_WIDTH
    }

    fn card_height(&self) -> f64 {
        board::CARD_HEIGHT
    }

    /// Whether any card may be moved by this person (else "Tidy up" has nothing to do).
    fn moves_any(&self) -> bool {
        self.board.cards.iter().any(|c| c.may_edit)
    }

    /// Objectives and key results this person may add under: where a new item can go.
    fn possible_parents(&self) -> impl Iterator<Item = &Card> {
        self.board
            .cards
            .iter()
            .filter(|c| c.row.item.item_type != ItemType::Action && c.may_edit)
    }

    fn typed(&self) -> Option<&ItemForm> {
        self.refused.as_ref().map(|(refused, _)| &refused.form)
    }

    fn typed_at(&self) -> Option<&PositionForm> {
        self.refused.as_ref().map(|(_, at)| at)
    }

    fn message(&self) -> Option<&str> {
        self.refused.as_ref()?.0.refusal.message.as_deref()
    }

    fn measure(&self) -> &MeasureForm {
        self.typed()
            .map_or(&self.blank_measure, |form| &form.measure)
    }

    fn errors(&self) -> &FieldErrors {
        self.refused
            .as_ref()
            .map_or(&self.blank_errors, |(refused, _)| &refused.refusal.fields)
    }

    fn is_link(kind: &EdgeKind) -> bool {
        *kind == EdgeKind::Link
    }

    fn status_label(status: &ActionStatus) -> &'static str {
        status.label()
    }

    fn status(&self, item: &Item) -> Option<Status> {
        self.statuses.of(item)
    }

    fn behind(&self, item: &Item) -> Option<Pace> {
        self.statuses.behind(item)
    }
}

async fn board_page(
    ctx: &WorkspaceCtx,
    query: TreeQuery,
    refused: Option<(RefusedItem, PositionForm)>,
) -> Result<BoardPage, AppError> {
    let today = ctx.state().config.clock.today();
    let cycle = CycleChoice::of(ctx, query.cycle.clone()).await?;
    let mut filter = query.filter(today);
    let filtering = !filter.is_empty();
    filter.cycle = cycle.filter.clone();
    let cycle = cycle.for_view("/board", query.keep());
    let workspace_id = ctx.access.workspace().id.clone();
    let (board, members, statuses) = ctx
        .run(move |conn, _, viewer| {
            let statuses = status::statuses(conn, viewer, today)?;
            let board = board::board(conn, viewer, &filter, &statuses)?;
            let members = workspaces::members(conn, &workspace_id)?;
            Ok::<_, AppError>((board, members, statuses))
        })
        .await?;
    Ok(BoardPage {
        layout: ctx
            .layout(&format!("{} · Board", ctx.access.workspace().name))
            .await?,
        access: ctx.access.clone(),
        user_id: ctx.signed_in.user.id.clone(),
        board,
        today,
        filter: query,
        filtering,
        cycle,
        members,
        item_types: ItemType::ALL,
        statuses,
        tracks: Status::ALL,
        refused,
        blank_measure: MeasureForm::default(),
        blank_errors: FieldErrors::default(),
    })
}

pub async fn page(
    ctx: WorkspaceCtx,
    query: web::Query<TreeQuery>,
) -> Result<HttpResponse, AppError> {
    render(board_page(&ctx, query.into_inner(), None).await?)
}

/// Coordinates as sent; parsed here so that anything but two numbers is a 400 that says so.
#[derive(Deserialize)]
pub struct PositionForm {
    #[serde(default)]
    x: String,
    #[serde(default)]
    y: String,
}

impl TryFrom<&PositionForm> for BoardPosition {
    type Error = AppError;

    fn try_from(form: &PositionForm) -> Result<Self, AppError> {
        let number = |raw: &str| {
            raw.trim()
                .parse::<f64>()
                .map_err(|_| AppError::BadRequest("Send x and y as numbers.".into()))
        };
        BoardPosition::new(number(&form.x)?, number(&form.y)?)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

/// Saves a card's place. Answers 204: the card is already where the user put it.
pub async fn set_position(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<PositionForm>,
) -> Result<HttpResponse, AppError> {
    let position = BoardPosition::try_from(&form.into_inner())?;
    let item_id = path.into_inner().item_id;
    ctx.run(move |conn, actor, viewer| {
        board::set_position(conn, actor, viewer, &item_id, position)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
pub struct TidyForm {
    #[serde(default)]
    which: String,
    /// Comma-separated item ids, for `which=selected`.
    #[serde(default)]
    ids: String,
    /// The board's cycle, to come back to.
    #[serde(default)]
    cycle: String,
}

pub async fn tidy_up(
    ctx: WorkspaceCtx,
    form: web::Form<TidyForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let back = format!(
        "{}/board{}",
        ctx.base(),
        cycle_query(&TreeQuery::in_cycle(&form.cycle))
    );
    let which = match form.which.as_str() {
        "all" => Tidy::All,
        "selected" => Tidy::Only(
            form.ids
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => {
            return Err(AppError::BadRequest(
                "Tidy up all or selected cards.".into(),
            ))
        }
    };
    let moved = ctx
        .run(move |conn, actor, viewer| board::tidy_up(conn, actor, viewer, &which))
        .await?;
    let message = match moved {
        0 => "Nothing to tidy: those cards are in the automatic layout, or not yours to move."
            .to_owned(),
        1 => "1 card is back in the automatic layout.".to_owned(),
        n => format!("{n} cards are back in the automatic layout."),
    };
    ctx.flash(&message)?;
    Ok(see_other(&back))
}

/// An item created from the board: the tree's form plus where the user clicked.
#[derive(Deserialize)]
pub struct BoardItemForm {
    #[serde(flatten)]
    item: ItemForm,
    #[serde(flatten)]
    at: PositionForm,
}

pub async fn create_item(
    ctx: WorkspaceCtx,
    form: web::Form<BoardItemForm>,
) -> Result<HttpResponse, AppError> {
    let BoardItemForm { item, at } = form.into_inner();
    let position = BoardPosition::try_from(&at)?;
    let placed = |new| NewItem {
        position: Some(position),
        ..new
    };
    let view = TreeQuery::in_cycle(&item.cycle);
    match create_from(&ctx, item, placed).await? {
        Ok(item) => Ok(see_other(&format!(
            "{}/board{}#card-{}",
            ctx.base(),
            cycle_query(&view),
            item.id
        ))),
        Err(refused) => {
            let address = format!("{}/board{}", ctx.base(), cycle_query(&view));
            let mut page = board_page(&ctx, view, Some((refused, at))).await?;
            page.layout.address = Some(address);
            unprocessable(page)
        }
    }
}
