//! The skills forms as typed: a member's skills section and the tag fields it (and the item
//! page) share. Lists repeat their field name, so a body or query is read by hand. Each tag
//! field has an "add" box beside its chips; what is left in one counts as typed, so a plain
//! post without htmx loses nothing.

use crate::skills::{self, SkillName, SkillsInput, UnavailableInput};

/// A list of names edited as chips: those chips, and the add box.
#[derive(Debug, Clone, Default)]
pub struct TagList {
    pub chips: Vec<String>,
    pub adding: String,
}

impl TagList {
    /// The list `field` posts (its chips repeat `field`, the add box is `{field}_add`).
    pub fn parse(raw: &[u8], field: &str) -> Self {
        let add = format!("{field}_add");
        let mut list = Self::default();
        for (name, value) in url::form_urlencoded::parse(raw) {
            if name == field {
                list.chips.push(value.into_owned());
            } else if name == add {
                list.adding = value.into_owned();
            }
        }
        list
    }

    /// After a chip button: `remove` takes a chip out, else the add box joins the chips when
    /// `rule` accepts the list (else it stays typed, with the refusal).
    pub fn after_button(
        mut self,
        remove: Option<&str>,
        rule: impl Fn(&[String]) -> Result<Vec<String>, String>,
    ) -> (Self, Option<String>) {
        if let Some(name) = remove {
            self.chips.retain(|chip| chip != name);
            return (self, None);
        }
        match rule(&self.typed()) {
            Ok(chips) => (
                Self {
                    chips,
                    adding: String::new(),
                },
                None,
            ),
            Err(message) => (self, Some(message)),
        }
    }

    pub fn of(names: &[SkillName]) -> Self {
        Self {
            chips: names.iter().map(ToString::to_string).collect(),
            adding: String::new(),
        }
    }

    /// The chips and the add box, as names to parse.
    pub fn typed(&self) -> Vec<String> {
        let mut typed = self.chips.clone();
        typed.push(self.adding.clone());
        typed
    }
}

/// A skill someone can, as typed: its name and level.
#[derive(Debug, Clone, Default)]
pub struct CanRow {
    pub name: String,
    pub level: String,
}

#[derive(Debug, Clone, Default)]
pub struct SkillsForm {
    pub can: Vec<CanRow>,
    pub can_adding: CanRow,
    pub should: TagList,
    pub want: TagList,
    pub hours_per_week: String,
    pub unavailable: Vec<(String, String)>,
    /// A chip's remove button: (field, name).
    pub remove: Option<(String, String)>,
}

impl SkillsForm {
    pub fn of(skills: &skills::Skills) -> Self {
        Self {
            can: skills
                .can
                .iter()
                .map(|c| CanRow {
                    name: c.name.to_string(),
                    level: c.level.to_string(),
                })
                .collect(),
            can_adding: CanRow::default(),
            should: TagList::of(&skills.should),
            want: TagList::of(&skills.want),
            hours_per_week: skills
                .constraints
                .hours_per_week
                .map(|h| h.to_string())
                .unwrap_or_default(),
            unavailable: skills
                .constraints
                .unavailable
                .iter()
                .map(|r| (r.from.to_string(), r.to.to_string()))
                .collect(),
            remove: None,
        }
    }

    /// Reads a posted body or a query string. Unknown names are ignored.
    pub fn parse(raw: &[u8]) -> Self {
        let mut form = Self::default();
        let (mut can_names, mut can_levels) = (Vec::new(), Vec::new());
        let (mut from, mut to) = (Vec::new(), Vec::new());
        for (name, value) in url::form_urlencoded::parse(raw) {
            let value = value.into_owned();
            match name.as_ref() {
                "can_name" => can_names.push(value),
                "can_level" => can_levels.push(value),
                "can_add" => form.can_adding.name = value,
                "can_add_level" => form.can_adding.level = value,
                "should" => form.should.chips.push(value),
                "should_add" => form.should.adding = value,
                "want" => form.want.chips.push(value),
                "want_add" => form.want.adding = value,
                "hours_per_week" => form.hours_per_week = value,
                "unavailable_from" => from.push(value),
                "unavailable_to" => to.push(value),
                "remove" => {
                    form.remove = value
                        .split_once(':')
                        .map(|(field, name)| (field.to_owned(), name.to_owned()))
                }
                _ => {}
            }
        }
        form.can = can_names
            .into_iter()
            .enumerate()
            .map(|(i, name)| CanRow {
                name,
                level: can_levels.get(i).cloned().unwrap_or_default(),
            })
            .collect();
        form.unavailable = from
            .into_iter()
            .enumerate()
            .map(|(i, from)| (from, to.get(i).cloned().unwrap_or_default()))
            .collect();
        form
    }

    /// Everything typed, the add boxes included, as the domain reads it.
    pub fn input(&self) -> SkillsInput {
        let can = self
            .can
            .iter()
            .chain([&self.can_adding])
            .map(|row| skills::CanInput {
                name: row.name.clone(),
                level: serde_json::Value::String(row.level.clone()),
            })
            .collect();
        SkillsInput {
            can,
            should: self.should.typed(),
            want: self.want.typed(),
            constraints: skills::ConstraintsInput {
                hours_per_week: serde_json::Value::String(self.hours_per_week.clone()),
                unavailable: self
                    .unavailable
                    .iter()
                    .map(|(from, to)| UnavailableInput {
                        from: from.clone(),
                        to: to.clone(),
                    })
                    .collect(),
            },
        }
    }

    /// One empty row to type new unavailable days into, after the stored ones.
    pub fn unavailable_rows(&self) -> Vec<(String, String)> {
        let mut rows = self.unavailable.clone();
        rows.retain(|(from, to)| !(from.is_empty() && to.is_empty()));
        rows.push((String::new(), String::new()));
        rows
    }
}
