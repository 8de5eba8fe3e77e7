//! Comments from the pages (DESIGN §3 "People"): the item page's "Comments" section, adding,
//! changing and deleting one's own, and the members a mention may name.
//!
//! htmx swaps the whole section after each change (the list newest last and a fresh form);
//! a refused change answers 422 with the section again, the reason next to the box and the
//! words typed kept. Without script a change redirects to the item page, and a refusal is a
//! page of its own with the same section.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::htmx::Htmx;
use super::items::ItemRef;
use super::layout::Layout;
use super::{see_other, with_status};
use crate::comments::{self, Comment, CommentBody, CommentEntry, CommentError};
use crate::markdown;

#[derive(Deserialize)]
pub struct CommentRef {
    comment_id: String,
}

#[derive(Deserialize, Default)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

#[derive(Deserialize)]
pub struct MentionQuery {
    #[serde(default)]
    q: String,
}

/// The longest name fragment the autocomplete asks about; more is cut, not refused.
const TYPED_MAX: usize = 100;

/// A comment being changed in place, as typed, with why saving it was refused.
pub struct Editing {
    pub comment_id: String,
    pub body: String,
    pub error: Option<String>,
}

/// The item page's comments: the list newest last, what the reader may do, and the form.
pub struct CommentSection {
    pub base: String,
    pub item_id: String,
    pub entries: Vec<CommentEntry>,
    /// The organization and workspace take writes: the form shows.
    pub can_comment: bool,
    pub csrf_token: String,
    /// The new comment's box: what was typed when saving it was refused.
    pub draft: String,
    pub draft_error: Option<String>,
    pub editing: Option<Editing>,
}

impl CommentSection {
    pub fn new(ctx: &WorkspaceCtx, item_id: &str, entries: Vec<CommentEntry>) -> Self {
        Self {
            base: ctx.base(),
            item_id: item_id.to_owned(),
            entries,
            can_comment: ctx.viewer.require_writable().is_ok(),
            csrf_token: ctx.signed_in.csrf_token.clone(),
            draft: String::new(),
            draft_error: None,
            editing: None,
        }
    }

    /// The body as sanitized HTML (`markdown::to_html`), safe to put in the page as it is.
    pub(super) fn body_html(&self, comment: &Comment) -> String {
        markdown::to_html(&comment.body)
    }

    pub(super) fn editing_of(&self, comment: &Comment) -> Option<&Editing> {
        self.editing.as_ref().filter(|e| e.comment_id == comment.id)
    }

    pub(super) fn item_url(&self) -> String {
        format!("{}/items/{}", self.base, self.item_id)
    }
}

#[derive(Template)]
#[template(path = "comments/fragment.html")]
struct Fragment {
    thread: CommentSection,
}

#[derive(Template)]
#[template(path = "comments/page.html")]
struct Page {
    layout: Layout,
    thread: CommentSection,
}

/// What the section shows besides the list.
enum Shown {
    Fresh,
    Draft { body: String, error: String },
    Editing(Editing),
}

/// The section as htmx swaps it in, or (without script) its own page.
async fn section(
    ctx: &WorkspaceCtx,
    htmx: bool,
    status: StatusCode,
    item_id: String,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let id = item_id.clone();
    let entries = ctx
        .run(move |conn, _, viewer| comments::list(conn, viewer, &id))
        .await?;
    let mut thread = CommentSection::new(ctx, &item_id, entries);
    match shown {
        Shown::Fresh => {}
        Shown::Draft { body, error } => {
            thread.draft = body;
            thread.draft_error = Some(error);
        }
        Shown::Editing(editing) => thread.editing = Some(editing),
    }
    if htmx {
        return with_status(status, Fragment { thread });
    }
    let layout = ctx.layout("Comments").await?;
    with_status(status, Page { layout, thread })
}

/// After a saved change: htmx gets the section, a form post the item page.
async fn saved(ctx: &WorkspaceCtx, htmx: bool, item_id: String) -> Result<HttpResponse, AppError> {
    if htmx {
        return section(ctx, true, StatusCode::OK, item_id, Shown::Fresh).await;
    }
    Ok(see_other(&format!(
        "{}/items/{item_id}#comments",
        ctx.base()
    )))
}

/// A refused body's reason, or the error page for anything else.
fn reason(e: CommentError) -> Result<String, AppError> {
    match e {
        CommentError::Field { message, .. } => Ok(message),
        other => Err(other.into()),
    }
}

/// The section on its own (htmx's "cancel"), or the item page.
pub async fn index(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
) -> Result<HttpResponse, AppError> {
    section(
        &ctx,
        htmx.0,
        StatusCode::OK,
        path.into_inner().item_id,
        Shown::Fresh,
    )
    .await
}

pub async fn create(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let typed = form.into_inner().body;
    let now = ctx.state().config.clock.now();
    let id = item_id.clone();
    let outcome = match CommentBody::parse(&typed) {
        Ok(body) => {
            ctx.run(move |conn, actor, viewer| comments::add(conn, actor, viewer, &id, &body, now))
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => saved(&ctx, htmx.0, item_id).await,
        Err(e) => {
            let shown = Shown::Draft {
                body: typed,
                error: reason(e)?,
            };
            section(
                &ctx,
                htmx.0,
                StatusCode::UNPROCESSABLE_ENTITY,
                item_id,
                shown,
            )
            .await
        }
    }
}

/// The section with one's own comment open for changing, in place.
pub async fn edit_form(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CommentRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().comment_id;
    let comment = ctx
        .run(move |conn, _, viewer| comments::changeable(conn, viewer, &id))
        .await?;
    let editing = Editing {
        comment_id: comment.id,
        body: comment.body,
        error: None,
    };
    section(
        &ctx,
        htmx.0,
        StatusCode::OK,
        comment.item_id,
        Shown::Editing(editing),
    )
    .await
}

pub async fn update(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CommentRef>,
    form: web::Form<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let comment_id = path.into_inner().comment_id;
    let typed = form.into_inner().body;
    let now = ctx.state().config.clock.now();
    let id = comment_id.clone();
    let outcome = match CommentBody::parse(&typed) {
        Ok(body) => {
            ctx.run(move |conn, actor, viewer| comments::edit(conn, actor, viewer, &id, &body, now))
                .await
        }
        Err(e) => Err(e),
    };
    let error = match outcome {
        Ok(comment) => return saved(&ctx, htmx.0, comment.item_id).await,
        Err(e) => reason(e)?,
    };
    // The box comes back only to its author.
    let id = comment_id.clone();
    let comment = ctx
        .run(move |conn, _, viewer| comments::changeable(conn, viewer, &id))
        .await?;
    let editing = Editing {
        comment_id,
        body: typed,
        error: Some(error),
    };
    section(
        &ctx,
        htmx.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        comment.item_id,
        Shown::Editing(editing),
    )
    .await
}

pub async fn delete(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CommentRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().comment_id;
    let now = ctx.state().config.clock.now();
    let deleted = ctx
        .run(move |conn, actor, viewer| comments::delete(conn, actor, viewer, &id, now))
        .await?;
    saved(&ctx, htmx.0, deleted.item_id).await
}

/// A member the autocomplete offers, as its script reads it.
#[derive(Serialize)]
struct Suggested {
    user_id: String,
    name: String,
}

/// Members who can see the item and whose name contains `q`: the mention autocomplete's
/// answer, as JSON.
pub async fn mentions(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    query: web::Query<MentionQuery>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let typed: String = query.into_inner().q.chars().take(TYPED_MAX).collect();
    let found = ctx
        .run(move |conn, _, viewer| comments::suggestions(conn, viewer, &item_id, &typed))
        .await?;
    let members: Vec<Suggested> = found
        .into_iter()
        .map(|s| Suggested {
            user_id: s.user_id,
            name: s.name,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "members": members })))
}
