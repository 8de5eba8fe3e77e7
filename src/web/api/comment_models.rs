//! What the API sends and accepts about comments. A mention is written
//! `@[Name](user:<uuid>)` in `body`, taken and returned in that form.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::item_models::utc;
use crate::comments::Comment;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub item_id: String,
    #[schema(format = Uuid)]
    pub author_user_id: String,
    /// Markdown; mentions as `@[Name](user:<uuid>)`.
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When its author last changed it; null if never.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<String>,
    /// The members of the organization the body mentions, each once.
    #[schema(value_type = Vec<String>)]
    pub mentioned_user_ids: Vec<String>,
}

impl From<&Comment> for CommentOut {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id.clone(),
            item_id: c.item_id.clone(),
            author_user_id: c.author_user_id.clone(),
            body: c.body.clone(),
            created_at: utc(c.created_at),
            edited_at: c.edited_at.map(utc),
            mentioned_user_ids: c.mentioned_user_ids(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    /// Oldest first: the newest is last.
    pub comments: Vec<CommentOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// A comment, new or changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentIn {
    /// Markdown, 1 to 4,000 characters once trimmed; mention someone with
    /// `@[Name](user:<uuid>)`.
    #[schema(min_length = 1, max_length = 4000, pattern = "\\S")]
    pub body: String,
}
