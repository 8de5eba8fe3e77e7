//! Assignee suggestions on an action's page, and the one-click assign they offer.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::items::{change_item, ItemRef};
use super::render;
use crate::okr::assigning;
use crate::skills::{scoring::Suggestion, SkillName};

/// How many suggestions the page lists.
const SHOWN: usize = 5;

#[derive(Template)]
#[template(path = "skills/suggestions.html")]
struct SuggestionList {
    base: String,
    item_id: String,
    csrf_token: String,
    tags: Vec<SkillName>,
    suggestions: Vec<Suggestion>,
    can_assign: bool,
}

pub async fn suggestions(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let id = item_id.clone();
    let found = ctx
        .run(move |conn, _, viewer| assigning::assignee_suggestions(conn, viewer, &id))
        .await?;
    let mut suggestions = found.suggestions;
    suggestions.truncate(SHOWN);
    render(SuggestionList {
        base: ctx.base(),
        item_id,
        csrf_token: ctx.signed_in.csrf_token.clone(),
        tags: found.skill_tags,
        suggestions,
        can_assign: found.may_assign,
    })
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    user_id: String,
}

/// Adds the chosen person to the action's assignees and shows the page again.
pub async fn assign(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let user_id = form.into_inner().user_id;
    let now = ctx.state().config.clock.now();
    change_item(&ctx, item_id, None, move |conn, actor, viewer, id| {
        assigning::assign(conn, actor, viewer, id, &user_id, now).map(drop)
    })
    .await
}
