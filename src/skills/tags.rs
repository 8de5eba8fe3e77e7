//! Skill tags on actions: the skills an action needs, matched against members' skills when
//! suggesting who should take it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{workspace_names, SkillName};
use crate::db::AnyConnection;
use crate::schema::action_skill_tags;

/// Where a tag belongs.
#[derive(Debug, Clone, Copy)]
pub struct TaggedItem<'a> {
    pub organization_id: &'a str,
    pub workspace_id: &'a str,
    pub item_id: &'a str,
}

/// An action's tags, sorted as people read them.
pub fn of_item(conn: &mut AnyConnection, item_id: &str) -> QueryResult<Vec<SkillName>> {
    let stored: Vec<String> = action_skill_tags::table
        .filter(action_skill_tags::item_id.eq(item_id))
        .order(action_skill_tags::name_key.asc())
        .select(action_skill_tags::name)
        .load(conn)?;
    Ok(stored
        .iter()
        .filter_map(|t| SkillName::parse(t).ok())
        .collect())
}

/// The tags of several actions in one read, by item id.
pub fn of_items(
    conn: &mut AnyConnection,
    item_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<SkillName>>> {
    let stored: Vec<(String, String)> = action_skill_tags::table
        .filter(action_skill_tags::item_id.eq_any(item_ids))
        .order(action_skill_tags::name_key.asc())
        .select((action_skill_tags::item_id, action_skill_tags::name))
        .load(conn)?;
    let mut tags: HashMap<String, Vec<SkillName>> = HashMap::new();
    for (item_id, name) in stored {
        if let Ok(name) = SkillName::parse(&name) {
            tags.entry(item_id).or_default().push(name);
        }
    }
    Ok(tags)
}

/// Replaces an action's tags, each spelled the way the workspace already spells it.
pub fn set(
    conn: &mut AnyConnection,
    item: TaggedItem<'_>,
    tags: &[SkillName],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let spelled = workspace_names(conn, item.workspace_id)?;
    diesel::delete(action_skill_tags::table.filter(action_skill_tags::item_id.eq(item.item_id)))
        .execute(conn)?;
    for tag in tags {
        let name = spelled.iter().find(|s| s.key() == tag.key()).unwrap_or(tag);
        diesel::insert_into(action_skill_tags::table)
            .values((
                action_skill_tags::item_id.eq(item.item_id),
                action_skill_tags::name_key.eq(tag.key()),
                action_skill_tags::name.eq(name.as_str()),
                action_skill_tags::organization_id.eq(item.organization_id),
                action_skill_tags::workspace_id.eq(item.workspace_id),
                action_skill_tags::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
