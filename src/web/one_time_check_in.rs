//! The one-time check-in page a reminder links to (`/check-in/{token}`): one form for the
//! key results the reminder listed, without logging in and without script. The token in
//! the path is the credential, so the form carries no session token (see `csrf`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use tracing_actix_web::RequestId;

use super::error::AppError;
use super::identity::Visitor;
use super::layout::{FieldErrors, Layout, NoticePage};
use super::{with_status, AppState};
use crate::okr::check_ins::{self, CheckInDraft, Confidence};
use crate::okr::measure::{FieldError, KeyResultMeasure};
use crate::okr::status::Status;
use crate::okr::Item;
use crate::reminders::{self, LinkToken, OneTimeCheckIn, OneTimeItem, ReminderError};

/// One key result's row as typed: fields are named `value.<item id>` and so on.
#[derive(Debug, Default, Clone)]
struct RowForm {
    value: String,
    done: bool,
    confidence: String,
    note: String,
}

impl RowForm {
    /// A row counts when anything in it was filled in; the others are left alone.
    fn filled(&self) -> bool {
        self.done
            || [&self.value, &self.confidence, &self.note]
                .iter()
                .any(|v| !v.trim().is_empty())
    }

    fn draft(&self) -> Result<CheckInDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut keep = |e: FieldError| errors.add(e.field, e.message);
        let confidence = Confidence::parse(&self.confidence).map_err(&mut keep).ok();
        let note = check_ins::note(&self.note).map_err(&mut keep).ok();
        match (confidence, note) {
            (Some(confidence), Some(note)) => Ok(CheckInDraft {
                value: Some(self.value.clone()).filter(|v| !v.trim().is_empty()),
                done: self.done.then_some(true),
                confidence,
                note,
                effective_on: None,
            }),
            _ => Err(errors),
        }
    }
}

/// The rows of a submitted form by item id. Fields with any other name are ignored.
fn rows_of(fields: Vec<(String, String)>) -> HashMap<String, RowForm> {
    let mut rows: HashMap<String, RowForm> = HashMap::new();
    for (name, value) in fields {
        let Some((field, item_id)) = name.split_once('.') else {
            continue;
        };
        let row = rows.entry(item_id.to_owned()).or_default();
        match field {
            "value" => row.value = value,
            "done" => row.done = true,
            "confidence" => row.confidence = value,
            "note" => row.note = value,
            _ => {}
        }
    }
    rows
}

/// A key result on the page, with what was typed for it and what was wrong.
struct RowView {
    item: Item,
    status: Option<Status>,
    form: RowForm,
    errors: FieldErrors,
}

impl RowView {
    fn now(&self) -> String {
        self.item
            .measured_summary()
            .unwrap_or_else(|| format!("{:.0}% from its actions", self.item.progress_computed))
    }

    fn measure(&self) -> &'static str {
        match self.item.key_result_measure() {
            KeyResultMeasure::Metric(_) => "metric",
            KeyResultMeasure::Milestone => "milestone",
            KeyResultMeasure::Actions => "actions",
        }
    }

    /// Messages about fields this row's measure does not show (a refusal of the whole row),
    /// shown at the top of the row.
    fn unplaced(&self) -> Vec<&str> {
        let hidden: &[&str] = match self.measure() {
            "metric" => &["done"],
            "milestone" => &["value"],
            _ => &["value", "done"],
        };
        hidden.iter().filter_map(|f| self.errors.get(f)).collect()
    }

    fn unit(&self) -> Option<&str> {
        self.item.unit.as_deref()
    }

    fn confidences(&self) -> Vec<(String, &'static str)> {
        (0..=i32::from(Confidence::MAX))
            .map(|c| (c.to_string(), Status::of_confidence(c).label()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "check_ins/one_time.html")]
struct OneTimePage {
    layout: Layout,
    action: String,
    user_name: String,
    workspace_name: String,
    expires_on: String,
    rows: Vec<RowView>,
    message: Option<String>,
}

fn page(
    visitor: &Visitor,
    token: &str,
    open: OneTimeCheckIn,
    mut typed: HashMap<String, RowForm>,
    mut errors: HashMap<String, FieldErrors>,
    message: Option<String>,
) -> OneTimePage {
    OneTimePage {
        layout: visitor.layout("Check in"),
        action: format!("/check-in/{token}"),
        user_name: open.user_name,
        workspace_name: open.workspace_name,
        expires_on: open.expires_at.format("%-d %B %Y").to_string(),
        rows: open
            .items
            .into_iter()
            .map(|OneTimeItem { item, status }| RowView {
                form: typed.remove(&item.id).unwrap_or_default(),
                errors: errors.remove(&item.id).unwrap_or_default(),
                item,
                status,
            })
            .collect(),
        message,
    }
}

/// Forged, used and expired links get a page that says so (404, 410) and change nothing.
fn closed(visitor: &Visitor, error: ReminderError) -> Result<HttpResponse, AppError> {
    let (status, title) = match &error {
        ReminderError::NotFound => (StatusCode::NOT_FOUND, "Check-in link not found"),
        ReminderError::Used => (StatusCode::GONE, "Check-in link already used"),
        ReminderError::Expired => (StatusCode::GONE, "Check-in link expired"),
        _ => return Err(error.into()),
    };
    NoticePage::answer(visitor, status, title, error.to_string())
}

pub async fn show(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = LinkToken::from_link(path.as_str()) else {
        return closed(&visitor, ReminderError::NotFound);
    };
    let now = state.config.clock.now();
    match state
        .db
        .run(move |conn| reminders::open(conn, &token, now))
        .await
    {
        Ok(open) => with_status(
            StatusCode::OK,
            page(
                &visitor,
                path.as_str(),
                open,
                HashMap::new(),
                HashMap::new(),
                None,
            ),
        ),
        Err(e) => closed(&visitor, e),
    }
}

/// The form again, 422, with everything typed kept and each message next to its field.
async fn refused(
    visitor: &Visitor,
    state: &web::Data<AppState>,
    token: &str,
    typed: HashMap<String, RowForm>,
    errors: HashMap<String, FieldErrors>,
    message: Option<String>,
) -> Result<HttpResponse, AppError> {
    let Some(link) = LinkToken::from_link(token) else {
        return closed(visitor, ReminderError::NotFound);
    };
    let now = state.config.clock.now();
    match state
        .db
        .run(move |conn| reminders::open(conn, &link, now))
        .await
    {
        Ok(open) => with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(visitor, token, open, typed, errors, message),
        ),
        Err(e) => closed(visitor, e),
    }
}

pub async fn submit(
    visitor: Visitor,
    request_id: RequestId,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = LinkToken::from_link(path.as_str()) else {
        return closed(&visitor, ReminderError::NotFound);
    };
    let typed = rows_of(form.into_inner());
    let mut drafts = Vec::new();
    let mut errors: HashMap<String, FieldErrors> = HashMap::new();
    for (item_id, row) in typed.iter().filter(|(_, row)| row.filled()) {
        match row.draft() {
            Ok(draft) => drafts.push((item_id.clone(), draft)),
            Err(refusal) => {
                errors.insert(item_id.clone(), refusal);
            }
        }
    }
    if !errors.is_empty() {
        return refused(&visitor, &state, path.as_str(), typed, errors, None).await;
    }
    let now = state.config.clock.now();
    let request_id = request_id.to_string();
    let outcome = state
        .db
        .run(move |conn| reminders::check_in(conn, &token, drafts, &request_id, now))
        .await;
    match outcome {
        Ok(written) => NoticePage::answer(
            &visitor,
            StatusCode::OK,
            "Checked in",
            match written {
                1 => "Thanks: your check-in on 1 key result is saved.".to_owned(),
                n => format!("Thanks: your check-ins on {n} key results are saved."),
            },
        ),
        Err(ReminderError::Field {
            item_id,
            field,
            message,
        }) => {
            let mut row = FieldErrors::default();
            row.add(field, message);
            errors.insert(item_id, row);
            refused(&visitor, &state, path.as_str(), typed, errors, None).await
        }
        Err(e @ ReminderError::NothingFilled) => {
            refused(
                &visitor,
                &state,
                path.as_str(),
                typed,
                errors,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => closed(&visitor, e),
    }
}
