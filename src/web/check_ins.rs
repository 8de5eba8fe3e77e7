//! Check-ins from the pages (DESIGN §3 "Check-ins"): the check-in dialog (a fragment htmx
//! opens from a tree row, a board card or the item page; a page of its own without script),
//! saving, changing and deleting one, and the note's preview. The item page's history and
//! chart are `check_in_history`.
//!
//! A saved change answers htmx with `HX-Trigger: cairn:checked-in` (the item's id and page)
//! and no swap: the page that asked refreshes what it shows (`static/check_in.js`), so this
//! module never needs to know a tree row's or a card's markup. Without script, a save
//! redirects to the item page. A refusal is the form again, 422, with the reasons next to the
//! fields and everything typed kept.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::htmx::Htmx;
use super::items::ItemRef;
use super::layout::{FieldErrors, Layout};
use super::measure_form::Refusal;
use super::{see_other, with_status};
use crate::activity::Actor;
use crate::db::AnyConnection;
use crate::markdown;
use crate::okr::check_ins::{self, CheckIn, CheckInDraft, Confidence};
use crate::okr::measure::FieldError;
use crate::okr::status::Status;
use crate::okr::{Item, OkrError};
use crate::scope::Viewer;

#[derive(Deserialize)]
pub struct CheckInRef {
    check_in_id: String,
}

/// A check-in as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct CheckInForm {
    #[serde(default)]
    value: String,
    /// A milestone's checkbox: present when ticked.
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    confidence: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    effective_on: String,
    /// The preview button without script: show the note rendered, save nothing.
    #[serde(default)]
    preview: Option<String>,
}

/// Where a new check-in's confidence starts when nobody has checked in yet: the middle.
const FIRST_CONFIDENCE: i32 = 5;

impl CheckInForm {
    /// A new check-in: the current value, the latest confidence, today.
    fn fresh(item: &Item, today: NaiveDate) -> Self {
        let decimals = item.decimals.clamp(0, 4) as u32;
        Self {
            value: item
                .current_value
                .map(|v| v.input_value(decimals))
                .unwrap_or_default(),
            done: (item.current_done == Some(true)).then(|| "true".to_owned()),
            confidence: item.last_confidence.unwrap_or(FIRST_CONFIDENCE).to_string(),
            note: String::new(),
            effective_on: today.to_string(),
            preview: None,
        }
    }

    /// A check-in being changed, as it was written.
    fn of(check_in: &CheckIn, item: &Item) -> Self {
        let decimals = item.decimals.clamp(0, 4) as u32;
        Self {
            value: check_in
                .value
                .map(|v| v.input_value(decimals))
                .unwrap_or_default(),
            done: (check_in.done == Some(true)).then(|| "true".to_owned()),
            confidence: check_in.confidence.to_string(),
            note: check_in.note.clone().unwrap_or_default(),
            effective_on: check_in.effective_on.to_string(),
            preview: None,
        }
    }

    /// Each field checked on its own (the domain checks the reading against the measure),
    /// every message at once.
    fn draft(&self) -> Result<CheckInDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut keep = |e: FieldError| errors.add(e.field, e.message);
        let confidence = Confidence::parse(&self.confidence).map_err(&mut keep).ok();
        let text = check_ins::note(&self.note).map_err(&mut keep).ok();
        let day = check_ins::effective_on(&self.effective_on)
            .map_err(&mut keep)
            .ok();
        match (confidence, text, day) {
            (Some(confidence), Some(note), Some(effective_on)) => Ok(CheckInDraft {
                value: Some(self.value.clone()).filter(|v| !v.trim().is_empty()),
                done: self.done.as_ref().map(|_| true),
                confidence,
                note,
                effective_on,
            }),
            _ => Err(errors),
        }
    }
}

/// The confidence bands, 0 to 10, as `band:Word` pairs the page's script shows while the
/// control moves, so the bands are written once, in `Status::of_confidence`.
fn bands() -> String {
    (0..=i32::from(Confidence::MAX))
        .map(|c| {
            let band = Status::of_confidence(c);
            format!("{}:{}", band.as_str(), band.label())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The check-in form, in a dialog or on a page of its own.
pub struct CheckInView {
    base: String,
    item: Item,
    /// Where the form posts: the item's check-ins, or the check-in being changed.
    action: String,
    editing: bool,
    in_dialog: bool,
    form: CheckInForm,
    errors: FieldErrors,
    message: Option<String>,
    today: NaiveDate,
    csrf_token: String,
    /// The note, rendered, when the preview was asked for without script.
    preview: Option<String>,
}

impl CheckInView {
    fn item_url(&self) -> String {
        format!("{}/items/{}", self.base, self.item.id)
    }

    fn preview_url(&self) -> String {
        format!("{}/check-ins/preview", self.item_url())
    }

    /// "metric", "milestone" or "actions": which reading the form asks for.
    fn measure(&self) -> &'static str {
        self.item.key_result_measure().measure().as_str()
    }

    fn unit(&self) -> Option<&str> {
        self.item.unit.as_deref()
    }

    /// What the item stands at now, in words.
    fn now(&self) -> String {
        self.item
            .measured_summary()
            .unwrap_or_else(|| format!("{} %", self.item.progress_computed.round()))
    }

    /// "From 0 to 20 deals (increase to)" for a metric.
    fn metric_hint(&self) -> Option<String> {
        let metric = self.item.key_result_measure().metric()?.clone();
        Some(format!(
            "{} {}, from a baseline of {}.",
            metric.kind.label(),
            metric.with_unit(metric.target),
            metric.with_unit(metric.baseline)
        ))
    }

    /// The confidence the control shows: what was typed, kept within 0..10.
    fn confidence(&self) -> i32 {
        self.form
            .confidence
            .trim()
            .parse::<i32>()
            .unwrap_or(FIRST_CONFIDENCE)
            .clamp(0, i32::from(Confidence::MAX))
    }

    fn band(&self) -> Status {
        Status::of_confidence(self.confidence())
    }

    fn bands(&self) -> String {
        bands()
    }

    /// Messages about a reading this measure has no field for (a value sent for a
    /// milestone): shown at the top of the form.
    fn unplaced(&self) -> Vec<&str> {
        let shown: &[&str] = match self.measure() {
            "metric" => &["value"],
            "milestone" => &["done"],
            _ => &[],
        };
        ["value", "done"]
            .into_iter()
            .filter(|field| !shown.contains(field))
            .filter_map(|field| self.errors.get(field))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "check_ins/form.html")]
struct FormFragment {
    view: CheckInView,
}

#[derive(Template)]
#[template(path = "check_ins/dialog.html")]
struct Dialog {
    view: CheckInView,
}

#[derive(Template)]
#[template(path = "check_ins/page.html")]
struct Page {
    layout: Layout,
    view: CheckInView,
}

#[derive(Template)]
#[template(path = "check_ins/preview.html")]
struct Preview {
    html: Option<String>,
    problem: Option<String>,
}

fn today(ctx: &WorkspaceCtx) -> NaiveDate {
    ctx.state().config.clock.today()
}

/// The form for `item`: new, or changing `editing`.
fn view(
    ctx: &WorkspaceCtx,
    item: Item,
    editing: Option<&CheckIn>,
    form: CheckInForm,
    htmx: bool,
) -> CheckInView {
    let base = ctx.base();
    let action = match editing {
        Some(check_in) => format!("{base}/check-ins/{}", check_in.id),
        None => format!("{base}/items/{}/check-ins", item.id),
    };
    CheckInView {
        action,
        editing: editing.is_some(),
        in_dialog: htmx,
        preview: form
            .preview
            .is_some()
            .then(|| markdown::to_html(&form.note))
            .filter(|html| !html.is_empty()),
        form,
        errors: FieldErrors::default(),
        message: None,
        today: today(ctx),
        csrf_token: ctx.signed_in.csrf_token.clone(),
        base,
        item,
    }
}

/// The form as htmx asked for it (a dialog to open, or the form again inside the open one)
/// or as a page.
async fn answer(
    ctx: &WorkspaceCtx,
    status: StatusCode,
    view: CheckInView,
    opening: bool,
) -> Result<HttpResponse, AppError> {
    match (view.in_dialog, opening) {
        (true, true) => with_status(status, Dialog { view }),
        (true, false) => with_status(status, FormFragment { view }),
        (false, _) => {
            let title = if view.editing {
                "Change a check-in"
            } else {
                "Check in"
            };
            let layout = ctx.layout(&format!("{title}: {}", view.item.title)).await?;
            with_status(status, Page { layout, view })
        }
    }
}

/// A refused save: the form again with the reasons and what was typed.
async fn refused(
    ctx: &WorkspaceCtx,
    mut view: CheckInView,
    refusal: Refusal,
) -> Result<HttpResponse, AppError> {
    view.errors = refusal.fields;
    view.message = refusal.message;
    answer(ctx, StatusCode::UNPROCESSABLE_ENTITY, view, false).await
}

/// A saved change: htmx hears the event and refreshes its page; a form goes to the item.
fn saved(
    ctx: &WorkspaceCtx,
    htmx: bool,
    item_id: &str,
    done: &str,
) -> Result<HttpResponse, AppError> {
    let item_url = format!("{}/items/{item_id}", ctx.base());
    if htmx {
        let event = serde_json::json!({
            "cairn:checked-in": { "itemId": item_id, "url": item_url, "message": done }
        });
        return Ok(HttpResponse::Ok()
            .insert_header(("HX-Trigger", event.to_string()))
            .insert_header(("HX-Reswap", "none"))
            .finish());
    }
    ctx.flash(done)?;
    Ok(see_other(&format!("{item_url}#check-ins")))
}

/// The check-in dialog (or page) for an objective or key result the viewer may edit.
pub async fn new_form(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let item = ctx
        .run(move |conn, _, viewer| check_ins::checkable(conn, viewer, &item_id))
        .await?;
    let form = CheckInForm::fresh(&item, today(&ctx));
    answer(
        &ctx,
        StatusCode::OK,
        view(&ctx, item, None, form, htmx.0),
        true,
    )
    .await
}

/// Parses the form and runs one check-in write with it, or says why not: the form's or the
/// domain's refusal (a preview stores nothing and is refused with no reason).
async fn write<T, F>(
    ctx: &WorkspaceCtx,
    form: &CheckInForm,
    write: F,
) -> Result<Result<T, Refusal>, AppError>
where
    F: FnOnce(&mut AnyConnection, &Actor, &Viewer, CheckInDraft) -> Result<T, OkrError>
        + Send
        + 'static,
    T: Send + 'static,
{
    if form.preview.is_some() {
        return Ok(Err(Refusal::default()));
    }
    let draft = match form.draft() {
        Ok(draft) => draft,
        Err(errors) => return Ok(Err(Refusal::fields(errors))),
    };
    match ctx
        .run(move |conn, actor, viewer| write(conn, actor, viewer, draft))
        .await
    {
        Ok(written) => Ok(Ok(written)),
        Err(e) => Ok(Err(Refusal::of(e)?)),
    }
}

pub async fn create(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    let form = form.into_inner();
    let now = ctx.state().config.clock.now();
    let id = item_id.clone();
    let outcome = write(&ctx, &form, move |conn, actor, viewer, draft| {
        check_ins::add(conn, actor, viewer, &id, draft, now)
    })
    .await?;
    let refusal = match outcome {
        Ok(_) => return saved(&ctx, htmx.0, &item_id, "Checked in."),
        Err(refusal) => refusal,
    };
    // The form comes back only to someone who may check in here.
    let item = ctx
        .run(move |conn, _, viewer| check_ins::checkable(conn, viewer, &item_id))
        .await?;
    let view = view(&ctx, item, None, form, htmx.0);
    if view.form.preview.is_some() {
        return answer(&ctx, StatusCode::OK, view, false).await;
    }
    refused(&ctx, view, refusal).await
}

/// The dialog (or page) changing the viewer's latest check-in, within its 24 hours.
pub async fn edit_form(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CheckInRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().check_in_id;
    let now = ctx.state().config.clock.now();
    let (check_in, item) = ctx
        .run(move |conn, _, viewer| check_ins::changeable(conn, viewer, &id, now))
        .await?;
    let form = CheckInForm::of(&check_in, &item);
    let view = view(&ctx, item, Some(&check_in), form, htmx.0);
    answer(&ctx, StatusCode::OK, view, true).await
}

pub async fn update(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CheckInRef>,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().check_in_id;
    let form = form.into_inner();
    let now = ctx.state().config.clock.now();
    let changed = id.clone();
    let outcome = write(&ctx, &form, move |conn, actor, viewer, draft| {
        check_ins::update(conn, actor, viewer, &changed, draft, now)
    })
    .await?;
    let refusal = match outcome {
        Ok(check_in) => return saved(&ctx, htmx.0, &check_in.item_id, "Check-in changed."),
        Err(refusal) => refusal,
    };
    let (check_in, item) = ctx
        .run(move |conn, _, viewer| check_ins::changeable(conn, viewer, &id, now))
        .await?;
    let view = view(&ctx, item, Some(&check_in), form, htmx.0);
    if view.form.preview.is_some() {
        return answer(&ctx, StatusCode::OK, view, false).await;
    }
    refused(&ctx, view, refusal).await
}

pub async fn delete(
    htmx: Htmx,
    ctx: WorkspaceCtx,
    path: web::Path<CheckInRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().check_in_id;
    let now = ctx.state().config.clock.now();
    let item_id = ctx
        .run(move |conn, actor, viewer| {
            let check_in = check_ins::get(conn, viewer, &id)?;
            check_ins::delete(conn, actor, viewer, &id, now)?;
            Ok::<_, AppError>(check_in.item_id)
        })
        .await?;
    saved(&ctx, htmx.0, &item_id, "Check-in deleted.")
}

/// The note as it will read, for the dialog's preview button. It stores nothing.
pub async fn preview(
    ctx: WorkspaceCtx,
    path: web::Path<ItemRef>,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, AppError> {
    let item_id = path.into_inner().item_id;
    ctx.run(move |conn, _, viewer| check_ins::checkable(conn, viewer, &item_id))
        .await?;
    let (html, problem) = match check_ins::note(&form.note) {
        Ok(note) => (note.as_deref().map(markdown::to_html), None),
        Err(e) => (None, Some(e.message)),
    };
    with_status(StatusCode::OK, Preview { html, problem })
}
