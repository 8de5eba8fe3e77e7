//! What a notification says, in the product's words: who did what on which item ("Ada
//! mentioned you on 'Grow revenue'"), with the link to open it. Read in batches, for the
//! rows a caller has already checked the reader may see.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::schema::{comments, okr_items, organizations, users, workspaces};

use super::NotificationKind;

/// How much of a comment a notification quotes.
const EXCERPT_CHARS: usize = 200;

/// One notification, told.
#[derive(Debug, Clone)]
pub struct Story {
    pub kind: NotificationKind,
    pub actor_name: String,
    pub item_title: Option<String>,
    pub organization_name: String,
    /// The page it leads to, from the site's root.
    pub path: String,
    /// The start of the comment, for mentions and comments.
    pub excerpt: Option<String>,
}

impl Story {
    pub fn sentence(&self) -> String {
        let actor = &self.actor_name;
        let item = self.item_title.as_deref().unwrap_or_default();
        match self.kind {
            NotificationKind::Mentioned => format!("{actor} mentioned you on '{item}'"),
            NotificationKind::Assigned => format!("{actor} assigned you to '{item}'"),
            NotificationKind::MadeOwner => format!("{actor} made you the owner of '{item}'"),
            NotificationKind::Comment => format!("{actor} commented on '{item}'"),
            NotificationKind::CheckIn => format!("{actor} checked in on '{item}'"),
            NotificationKind::InviteAccepted => format!(
                "{actor} accepted your invitation to {}",
                self.organization_name
            ),
        }
    }
}

/// What a story is told from.
#[derive(Clone)]
pub(super) struct Facts<'a> {
    pub kind: NotificationKind,
    pub organization_id: &'a str,
    pub item_id: Option<&'a str>,
    pub comment_id: Option<&'a str>,
    pub actor_user_id: Option<&'a str>,
}

/// The stories of `facts`, in order. A comment that was deleted since is not quoted.
pub(super) fn tell(conn: &mut AnyConnection, facts: &[Facts<'_>]) -> QueryResult<Vec<Story>> {
    let item_ids: Vec<&str> = facts.iter().filter_map(|f| f.item_id).collect();
    let items: HashMap<String, (String, String, String)> = okr_items::table
        .inner_join(workspaces::table.on(workspaces::id.eq(okr_items::workspace_id)))
        .inner_join(organizations::table.on(organizations::id.eq(okr_items::organization_id)))
        .filter(okr_items::id.eq_any(&item_ids))
        .select((
            okr_items::id,
            okr_items::title,
            organizations::slug,
            workspaces::slug,
        ))
        .load::<(String, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, title, org, ws)| (id, (title, org, ws)))
        .collect();
    let org_ids: Vec<&str> = facts.iter().map(|f| f.organization_id).collect();
    let orgs: HashMap<String, (String, String)> = organizations::table
        .filter(organizations::id.eq_any(&org_ids))
        .select((organizations::id, organizations::name, organizations::slug))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, slug)| (id, (name, slug)))
        .collect();
    let actor_ids: Vec<&str> = facts.iter().filter_map(|f| f.actor_user_id).collect();
    let actors: HashMap<String, String> = users::table
        .filter(users::id.eq_any(&actor_ids))
        .select((users::id, users::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let comment_ids: Vec<&str> = facts.iter().filter_map(|f| f.comment_id).collect();
    let quotes: HashMap<String, String> = comments::table
        .filter(comments::id.eq_any(&comment_ids))
        .filter(comments::deleted_at.is_null())
        .select((comments::id, comments::body))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(id, body)| (id, excerpt(&body)))
        .collect();
    Ok(facts
        .iter()
        .map(|f| {
            let (organization_name, org_slug) =
                orgs.get(f.organization_id).cloned().unwrap_or_default();
            let item = f.item_id.and_then(|id| items.get(id).map(|i| (id, i)));
            let path = match item {
                Some((id, (_, org, ws))) => format!("/orgs/{org}/w/{ws}/items/{id}"),
                None => format!("/orgs/{org_slug}/members"),
            };
            Story {
                kind: f.kind,
                actor_name: f
                    .actor_user_id
                    .and_then(|id| actors.get(id).cloned())
                    .unwrap_or_else(|| "Someone".into()),
                item_title: item.map(|(_, (title, ..))| title.clone()),
                organization_name,
                path,
                excerpt: f.comment_id.and_then(|id| quotes.get(id).cloned()),
            }
        })
        .collect())
}

/// The comment's words without markdown, a mention `@[Ada](user:…)` read as "@Ada",
/// shortened to `EXCERPT_CHARS`.
fn excerpt(body: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut words = String::new();
    for event in Parser::new(body) {
        match event {
            Event::Text(text) | Event::Code(text) => words.push_str(&text),
            Event::SoftBreak | Event::HardBreak => words.push(' '),
            // The end of a block (not of a link or emphasis) separates words.
            Event::End(tag)
                if !matches!(
                    tag,
                    TagEnd::Link
                        | TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Image
                ) =>
            {
                words.push(' ')
            }
            _ => {}
        }
    }
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() <= EXCERPT_CHARS {
        return words;
    }
    let mut short: String = words.chars().take(EXCERPT_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_is_plain_text_with_mentions_as_names_and_at_most_200_characters() {
        assert_eq!(
            excerpt("**Nice** work @[Ada Lovelace](user:0190-ab), see `x`"),
            "Nice work @Ada Lovelace, see x"
        );
        let long = "word ".repeat(100);
        let short = excerpt(&long);
        assert_eq!(short.chars().count(), 200);
        assert!(short.ends_with('…'));
    }
}
