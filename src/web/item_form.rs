//! The item page's forms: what they show (the stored item, or what was typed when a save was
//! refused, so nothing typed is lost) and how a posted form becomes `ItemChanges`. The
//! details form (title and the rest, with a top-level objective's cycle) and the closing
//! form (an objective's outcome and note, which a closed cycle still takes) post to the same
//! address; a post without a title is the closing form.

use chrono::NaiveDate;

use super::layout::FieldErrors;
use super::measure_form::{self, MeasureForm, Refusal};
use super::skills_form::TagList;
use crate::cycles::Outcome;
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{self, ActionStatus, Item, ItemType, StoryPoints};
use crate::skills::{self, SkillName};

/// The edit form as posted or as the item fills it; assignees repeat, so a posted body is
/// read by hand.
#[derive(Debug, Default, Clone)]
pub struct EditForm {
    pub title: String,
    pub description: String,
    pub owner_user_id: String,
    pub assignee_user_ids: Vec<String>,
    pub start_date: String,
    pub due_date: String,
    /// Actions only.
    pub action_status: Option<String>,
    pub story_points: Option<String>,
    /// Objectives and key results only.
    pub weight: Option<String>,
    /// Key results only.
    pub measure: Option<MeasureForm>,
    /// Whether the details were posted (not only the closing form).
    pub details: bool,
    /// Top-level objectives only: the cycle's id, "" for the backlog.
    pub cycle_id: Option<String>,
    /// Objectives in a cycle: how it ended, and a note.
    pub outcome: Option<String>,
    pub closing_note: Option<String>,
    /// Actions only: the skills it needs, as chips and what is left in the add box.
    pub skill_tags: Option<TagList>,
}

impl EditForm {
    pub fn of(item: &Item, assignee_ids: &[String], skill_tags: &[SkillName]) -> Self {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let is_action = item.item_type == ItemType::Action;
        Self {
            title: item.title.clone(),
            description: item.description.clone().unwrap_or_default(),
            owner_user_id: item.owner_user_id.clone(),
            assignee_user_ids: assignee_ids.to_vec(),
            start_date: date(item.start_date),
            due_date: date(item.due_date),
            action_status: item.action_status.map(|s| s.as_str().to_owned()),
            story_points: is_action.then(|| {
                item.story_points
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default()
            }),
            weight: (!is_action).then(|| measure_form::weight_value(item.weight)),
            measure: (item.item_type == ItemType::KeyResult).then(|| MeasureForm::of(item)),
            details: true,
            cycle_id: (item.item_type == ItemType::Objective && item.parent_id.is_none())
                .then(|| item.cycle_id.clone().unwrap_or_default()),
            outcome: Some(
                item.outcome
                    .map(|o| o.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            closing_note: Some(item.closing_note.clone().unwrap_or_default()),
            skill_tags: is_action.then(|| TagList::of(skill_tags)),
        }
    }

    /// What the page shows after this form was refused: a refused closing form keeps the
    /// stored details, and the details form the stored outcome.
    pub fn over(self, stored: EditForm) -> Self {
        if self.details {
            Self {
                outcome: stored.outcome,
                closing_note: stored.closing_note,
                ..self
            }
        } else {
            Self {
                outcome: self.outcome,
                closing_note: self.closing_note,
                ..stored
            }
        }
    }

    pub fn parse(body: &[u8]) -> Self {
        let mut form = EditForm::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match name.as_ref() {
                "title" => {
                    form.title = value;
                    form.details = true;
                }
                "cycle_id" => form.cycle_id = Some(value),
                "outcome" => form.outcome = Some(value),
                "closing_note" => form.closing_note = Some(value),
                "description" => form.description = value,
                "owner_user_id" => form.owner_user_id = value,
                "assignee_user_ids" => form.assignee_user_ids.push(value),
                "start_date" => form.start_date = value,
                "due_date" => form.due_date = value,
                "action_status" => form.action_status = Some(value),
                "story_points" => form.story_points = Some(value),
                "weight" => form.weight = Some(value),
                // The field's marker: without chips or typing, the tags are cleared.
                "skill_tags_field" => {
                    form.skill_tags.get_or_insert_with(TagList::default);
                }
                "skill_tags" => form
                    .skill_tags
                    .get_or_insert_with(TagList::default)
                    .chips
                    .push(value),
                "skill_tags_add" => {
                    form.skill_tags.get_or_insert_with(TagList::default).adding = value
                }
                // A form without them leaves the measure as it is.
                part
                @ ("measure" | "metric_kind" | "baseline" | "target" | "unit" | "decimals") => {
                    let measure = form.measure.get_or_insert_with(MeasureForm::default);
                    let slot = match part {
                        "measure" => &mut measure.measure,
                        "metric_kind" => &mut measure.metric_kind,
                        "baseline" => &mut measure.baseline,
                        "target" => &mut measure.target,
                        "unit" => &mut measure.unit,
                        _ => &mut measure.decimals,
                    };
                    *slot = value;
                }
                _ => {}
            }
        }
        form
    }

    pub fn is_assigned(&self, user_id: &str) -> bool {
        self.assignee_user_ids.iter().any(|id| id == user_id)
    }

    pub fn has_status(&self, status: &ActionStatus) -> bool {
        self.action_status.as_deref() == Some(status.as_str())
    }

    pub fn has_points(&self, points: &StoryPoints) -> bool {
        self.story_points.as_deref() == Some(points.as_str())
    }

    pub fn in_cycle(&self, cycle_id: &str) -> bool {
        self.cycle_id.as_deref() == Some(cycle_id)
    }

    pub fn has_outcome(&self, outcome: &str) -> bool {
        self.outcome.as_deref() == Some(outcome)
    }

    /// The outcome and closing note as changes; a form without them changes neither.
    fn closing(&self, fields: &mut FieldErrors) -> ItemChanges {
        let outcome = self
            .outcome
            .as_deref()
            .map(|raw| match raw.trim() {
                "" => Ok(None),
                raw => Outcome::parse(raw)
                    .map(Some)
                    .ok_or("Choose successful, not successful, or not yet decided."),
            })
            .transpose()
            .map_err(|message| fields.add("outcome", message))
            .ok()
            .flatten();
        let closing_note = self
            .closing_note
            .as_deref()
            .map(okr::closing_note)
            .transpose()
            .map_err(|e| fields.add(e.field, e.message))
            .ok()
            .flatten();
        ItemChanges {
            outcome,
            closing_note,
            ..ItemChanges::default()
        }
    }
}

/// The value, or `None` with the refusal noted beside its field.
fn noted<T>(
    fields: &mut FieldErrors,
    field: &'static str,
    checked: Result<T, String>,
) -> Option<T> {
    checked.map_err(|message| fields.add(field, message)).ok()
}

fn date(raw: &str, label: &str) -> Result<Option<NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => okr::plan_date(raw, label).map(Some),
    }
}

impl TryFrom<&EditForm> for ItemChanges {
    type Error = Refusal;

    /// The fields the page has always refused as a whole come back as its reason; the
    /// measure and the weight, next to their fields, all at once.
    fn try_from(form: &EditForm) -> Result<Self, Refusal> {
        let mut fields = FieldErrors::default();
        if !form.details {
            let closing = form.closing(&mut fields);
            let changes_something = closing.outcome.is_some() || closing.closing_note.is_some();
            return match (changes_something, fields.is_empty()) {
                (_, false) => Err(Refusal::fields(fields)),
                (true, true) => Ok(closing),
                (false, true) => Err(Refusal::message(
                    "Send the item's details, or its outcome and closing note.",
                )),
            };
        }
        let measure = form
            .measure
            .as_ref()
            .map(MeasureForm::parse)
            .transpose()
            .map_err(|e| fields.extend(e))
            .ok()
            .flatten();
        let weight = form
            .weight
            .as_deref()
            .map(measure_form::weight)
            .transpose()
            .map_err(|e| fields.extend(e))
            .ok()
            .flatten()
            .flatten();
        let skill_tags = form
            .skill_tags
            .as_ref()
            .map(|tags| skills::names("skill_tags", &tags.typed()))
            .transpose()
            .map_err(|e| fields.add(e.field, e.message))
            .ok()
            .flatten();
        let title = noted(&mut fields, "title", okr::title(&form.title));
        let description = noted(
            &mut fields,
            "description",
            edit::description(&form.description),
        );
        let start_date = noted(
            &mut fields,
            "start_date",
            date(&form.start_date, "start date"),
        );
        let due_date = noted(&mut fields, "due_date", date(&form.due_date, "due date"));
        let rest = || -> Result<ItemChanges, String> {
            let action_status = form
                .action_status
                .as_deref()
                .map(|raw| ActionStatus::parse(raw).ok_or("Choose pending, in progress or done."))
                .transpose()?;
            let story_points = form
                .story_points
                .as_deref()
                .map(|raw| match raw {
                    "" => Ok(None),
                    raw => StoryPoints::parse(raw)
                        .map(Some)
                        .ok_or("Choose story points from the list."),
                })
                .transpose()?;
            Ok(ItemChanges {
                title,
                description,
                owner_user_id: Some(form.owner_user_id.clone()),
                assignee_user_ids: Some(form.assignee_user_ids.clone()),
                start_date,
                due_date,
                action_status,
                story_points,
                ..ItemChanges::default()
            })
        };
        match rest() {
            Ok(changes) if fields.is_empty() => Ok(ItemChanges {
                measure: measure.map(Into::into),
                weight,
                cycle_id: form
                    .cycle_id
                    .as_ref()
                    .map(|id| Some(id.trim().to_owned()).filter(|id| !id.is_empty())),
                skill_tags,
                ..changes
            }),
            Ok(_) => Err(Refusal::fields(fields)),
            Err(message) => Err(Refusal {
                message: Some(message),
                fields,
            }),
        }
    }
}
