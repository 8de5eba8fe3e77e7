//! The board page, and the requests its script sends: a card's new place, tidying up, and
//! an item created where the user clicked.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use tracing_actix_web::RequestId;

use super::error::AppError;
use super::identity::{flash, SignedIn};
use super::layout::Layout;
use super::nav::Nav;
use super::orgs::actor;
use super::workspaces::{base_path, workspace_access, ItemForm, TreeQuery, WorkspacePath};
use super::{render, see_other, unprocessable, AppState};
use crate::okr::board::{self, Board, BoardPosition, Card, EdgeKind, Tidy};
use crate::okr::{self, ActionStatus, ItemType, NewItem, OkrError};
use crate::scope::Viewer;
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
    filtering: bool,
    members: Vec<WorkspaceMember>,
    item_types: &'static [ItemType],
    /// A refused new item: why, and what was typed, so the dialog opens again with both.
    refused: Option<(String, BoardItemForm)>,
}

impl BoardPage {
    fn card_width(&self) -> f64 {
        board::CARD_WIDTH
    }

    fn card_height(&self) -> f64 {
        board::CARD_HEIGHT
    }

    /// Objectives and key results: the cards a new item can go under.
    fn possible_parents(&self) -> impl Iterator<Item = &Card> {
        self.board
            .cards
            .iter()
            .filter(|c| c.row.item.item_type != ItemType::Action)
    }

    fn typed(&self) -> Option<&BoardItemForm> {
        self.refused.as_ref().map(|(_, form)| form)
    }

    fn is_link(kind: &EdgeKind) -> bool {
        *kind == EdgeKind::Link
    }

    fn status_label(status: &ActionStatus) -> &'static str {
        status.label()
    }
}

async fn board_page(
    state: &AppState,
    signed_in: &SignedIn,
    nav: Nav,
    access: WorkspaceAccess,
    query: TreeQuery,
    refused: Option<(String, BoardItemForm)>,
) -> Result<BoardPage, AppError> {
    let reading = access.clone();
    let today = chrono::Utc::now().date_naive();
    let filter = query.filter(today);
    let filtering = !filter.is_empty();
    let (board, members) = state
        .db
        .run(move |conn| {
            let viewer = Viewer::new(conn, &reading)?;
            let board = board::board(conn, &viewer, &filter)?;
            let members = workspaces::members(conn, &reading.workspace.id)?;
            Ok::<_, AppError>((board, members))
        })
        .await?;
    Ok(BoardPage {
        layout: signed_in.layout(&format!("{} · Board", access.workspace.name), nav),
        access,
        user_id: signed_in.user.id.clone(),
        board,
        today,
        filter: query,
        filtering,
        members,
        item_types: ItemType::ALL,
        refused,
    })
}

pub async fn page(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    query: web::Query<TreeQuery>,
) -> Result<HttpResponse, AppError> {
    let access = workspace_access(&state, &signed_in, path.into_inner()).await?;
    render(board_page(&state, &signed_in, nav, access, query.into_inner(), None).await?)
}

#[derive(Deserialize)]
pub struct CardPath {
    org: String,
    ws: String,
    item_id: String,
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
    signed_in: SignedIn,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<CardPath>,
    form: web::Form<PositionForm>,
) -> Result<HttpResponse, AppError> {
    let position = BoardPosition::try_from(&form.into_inner())?;
    let path = path.into_inner();
    let access = workspace_access(
        &state,
        &signed_in,
        WorkspacePath {
            org: path.org,
            ws: path.ws,
        },
    )
    .await?;
    let actor = actor(&signed_in, request_id);
    state
        .db
        .run(move |conn| {
            let viewer = Viewer::new(conn, &access)?;
            board::set_position(conn, &actor, &viewer, &path.item_id, position)
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
}

pub async fn tidy_up(
    signed_in: SignedIn,
    session: Session,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    form: web::Form<TidyForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
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
    let access = workspace_access(&state, &signed_in, path.into_inner()).await?;
    let location = format!("{}/board", base_path(&access));
    let actor = actor(&signed_in, request_id);
    let moved = state
        .db
        .run(move |conn| {
            let viewer = Viewer::new(conn, &access)?;
            board::tidy_up(conn, &actor, &viewer, &which)
        })
        .await?;
    let message = match moved {
        0 => "Nothing to tidy: those cards are in the automatic layout, or not yours to move."
            .to_owned(),
        1 => "1 card is back in the automatic layout.".to_owned(),
        n => format!("{n} cards are back in the automatic layout."),
    };
    flash(&session, &message)?;
    Ok(see_other(&location))
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
    signed_in: SignedIn,
    nav: Nav,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<WorkspacePath>,
    form: web::Form<BoardItemForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let position = BoardPosition::try_from(&form.at)?;
    let access = workspace_access(&state, &signed_in, path.into_inner()).await?;
    let outcome = match NewItem::try_from(&form.item) {
        Err(message) => Err(OkrError::Refused(message)),
        Ok(new) => {
            let actor = actor(&signed_in, request_id);
            let creating = access.clone();
            state
                .db
                .run(move |conn| {
                    let viewer = Viewer::new(conn, &creating)?;
                    okr::create(
                        conn,
                        &actor,
                        &viewer,
                        NewItem {
                            position: Some(position),
                            ..new
                        },
                    )
                })
                .await
        }
    };
    match outcome {
        Ok(item) => Ok(see_other(&format!(
            "{}/board#card-{}",
            base_path(&access),
            item.id
        ))),
        Err(OkrError::Refused(message)) => unprocessable(
            board_page(
                &state,
                &signed_in,
                nav,
                access,
                TreeQuery::default(),
                Some((message, form)),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}
