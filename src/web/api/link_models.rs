//! What the API sends and accepts about links between items. Bodies refuse unknown fields,
//! so a misspelt field answers 422 instead of being ignored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::okr::links::Link;

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
    pub link_type: String,
}

impl From<&Link> for LinkOut {
    fn from(l: &Link) -> Self {
        Self {
            id: l.id.clone(),
            from_item_id: l.from_item_id.clone(),
            to_item_id: l.to_item_id.clone(),
            link_type: l.link_type.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkList {
    pub links: Vec<LinkOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    #[schema(format = Uuid)]
    pub from_item_id: String,
    #[schema(format = Uuid)]
    pub to_item_id: String,
}
