//! Mentions in a comment: `@[Name](user:<uuid>)`, the form the API takes and returns and the
//! pages' autocomplete inserts. Read with the same markdown parser that renders the body, so
//! a mention inside code is not one; only members of the organization count, each once.

use diesel::prelude::*;
use pulldown_cmark::{Event, Parser, Tag};

use super::CommentError;
use crate::db::AnyConnection;
use crate::markdown::MENTION_SCHEME;
use crate::notifications;
use crate::schema::{org_members, users};
use crate::scope::Viewer;

/// How many suggestions the autocomplete gets at most.
pub const SUGGESTIONS_MAX: usize = 8;

/// The well-formed user ids the body mentions, in order, each once (any case of a uuid reads
/// as the stored lower-case form).
pub fn mentioned_ids(body: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for event in Parser::new(body) {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let Some(raw) = dest_url.strip_prefix(MENTION_SCHEME) else {
            continue;
        };
        if let Ok(id) = uuid::Uuid::try_parse(raw) {
            let id = id.hyphenated().to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// The mentioned ids that belong to members of the organization.
pub fn members_mentioned(
    conn: &mut AnyConnection,
    organization_id: &str,
    body: &str,
) -> QueryResult<Vec<String>> {
    let ids = mentioned_ids(body);
    if ids.is_empty() {
        return Ok(ids);
    }
    let members: Vec<String> = org_members::table
        .filter(org_members::organization_id.eq(organization_id))
        .filter(org_members::user_id.eq_any(&ids))
        .select(org_members::user_id)
        .load(conn)?;
    Ok(ids.into_iter().filter(|id| members.contains(id)).collect())
}

/// Someone the autocomplete offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub user_id: String,
    pub name: String,
}

/// Members of the organization whose name contains `typed` (any case) and who can see the
/// item now (each checked through `scope`, as a mention's notification is), by name. The
/// caller has checked the viewer sees the item.
pub fn suggestions(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    item_id: &str,
    typed: &str,
) -> Result<Vec<Suggestion>, CommentError> {
    let typed = typed.trim().to_lowercase();
    let members: Vec<(String, String)> = org_members::table
        .inner_join(users::table.on(users::id.eq(org_members::user_id)))
        .filter(org_members::organization_id.eq(&viewer.organization_id))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name))
        .load(conn)?;
    let matching: Vec<(String, String)> = members
        .into_iter()
        .filter(|(_, name)| name.to_lowercase().contains(&typed))
        .collect();
    let ids: Vec<String> = matching.iter().map(|(id, _)| id.clone()).collect();
    let seeing = notifications::who_sees_item(
        conn,
        &ids,
        &viewer.organization_id,
        &viewer.workspace_id,
        item_id,
    )?;
    Ok(matching
        .into_iter()
        .filter(|(id, _)| seeing.contains(id))
        .take(SUGGESTIONS_MAX)
        .map(|(user_id, name)| Suggestion { user_id, name })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::mentioned_ids;

    const ADA: &str = "0190f0a1-7a2b-7c3d-8e4f-0123456789ab";

    #[test]
    fn mentions_are_well_formed_uuids_once_and_never_in_code() {
        let body = format!(
            "Hi @[Ada](user:{ADA}) and @[Ada again](user:{}) and @[Bob](user:not-a-uuid)\n\n\
             `@[Cy](user:0190f0a1-7a2b-7c3d-8e4f-0123456789ac)` [site](https://example.com)",
            ADA.to_uppercase()
        );
        assert_eq!(mentioned_ids(&body), vec![ADA.to_owned()]);
        assert!(mentioned_ids("no one at all @ada").is_empty());
    }
}
