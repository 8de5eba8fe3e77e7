//! The item page's form: what it shows (the stored item, or what was typed when a save was
//! refused, so nothing typed is lost) and how a posted form becomes `ItemChanges`.

use chrono::NaiveDate;

use super::layout::FieldErrors;
use super::measure_form::{self, MeasureForm, Refusal};
use crate::okr::edit::{self, ItemChanges};
use crate::okr::{self, ActionStatus, Item, ItemType, StoryPoints};

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
}

impl EditForm {
    pub fn of(item: &Item, assignee_ids: &[String]) -> Self {
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
        }
    }

    pub fn parse(body: &[u8]) -> Self {
        let mut form = EditForm::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match name.as_ref() {
                "title" => form.title = value,
                "description" => form.description = value,
                "owner_user_id" => form.owner_user_id = value,
                "assignee_user_ids" => form.assignee_user_ids.push(value),
                "start_date" => form.start_date = value,
                "due_date" => form.due_date = value,
                "action_status" => form.action_status = Some(value),
                "story_points" => form.story_points = Some(value),
                "weight" => form.weight = Some(value),
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
                title: Some(okr::title(&form.title)?),
                description: Some(edit::description(&form.description)?),
                owner_user_id: Some(form.owner_user_id.clone()),
                assignee_user_ids: Some(form.assignee_user_ids.clone()),
                start_date: Some(date(&form.start_date, "start date")?),
                due_date: Some(date(&form.due_date, "due date")?),
                action_status,
                story_points,
                ..ItemChanges::default()
            })
        };
        match rest() {
            Ok(changes) if fields.is_empty() => Ok(ItemChanges {
                measure: measure.map(Into::into),
                weight,
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
