//! A cycle's scorecard in a workspace (DESIGN §3 "Cycles"): the page (printable through the
//! print stylesheet), its CSV, and carrying objectives over to another cycle from it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceCtx;
use super::error::AppError;
use super::layout::Layout;
use super::measure_form::Refusal;
use super::{see_other, with_status};
use crate::cycles::{self, Cycle};
use crate::okr::scorecard::{self, Scorecard};
use crate::okr::{CarryOver, OkrError};

#[derive(Deserialize)]
pub struct CycleRef {
    cycle_id: String,
}

/// The carry-over form as posted: the chosen objectives repeat, so the body is read by hand.
#[derive(Debug, Default)]
struct CarryOverForm {
    to_cycle_id: String,
    item_ids: Vec<String>,
    /// `unfinished` (the "everything not done" button) or the chosen ones.
    which: String,
}

impl CarryOverForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            match name.as_ref() {
                "to_cycle_id" => form.to_cycle_id = value.into_owned(),
                "item_ids" => form.item_ids.push(value.into_owned()),
                "which" => form.which = value.into_owned(),
                _ => {}
            }
        }
        form
    }

    fn which(&self) -> CarryOver {
        match self.which.as_str() {
            "unfinished" => CarryOver::AllUnfinished,
            _ => CarryOver::Items(self.item_ids.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "scorecard/page.html")]
struct ScorecardPage {
    layout: Layout,
    base: String,
    card: Scorecard,
    /// Open cycles objectives may be carried over to; empty when nothing may be written.
    targets: Vec<Cycle>,
    form: CarryOverForm,
    refusal: Refusal,
}

impl ScorecardPage {
    fn chosen(&self, item_id: &str) -> bool {
        self.form.item_ids.iter().any(|id| id == item_id)
    }

    /// How far a row is indented; deeper nesting stops at the last step.
    fn indent(&self, depth: &usize) -> usize {
        (*depth).min(4)
    }
}

async fn page(
    ctx: &WorkspaceCtx,
    cycle_id: String,
    form: CarryOverForm,
    refusal: Refusal,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let today = ctx.state().config.clock.today();
    let writable = ctx.viewer.require_writable().is_ok();
    let (card, targets) = ctx
        .run(move |conn, _, viewer| {
            let card = scorecard::scorecard(conn, viewer, &cycle_id, today)?;
            let targets = cycles::list(conn, &viewer.organization_id)
                .map_err(OkrError::from)?
                .into_iter()
                .filter(|c| writable && !c.is_closed() && c.id != card.cycle.id)
                .collect();
            Ok::<_, AppError>((card, targets))
        })
        .await?;
    let title = format!("Scorecard: {}", card.cycle.name);
    with_status(
        status,
        ScorecardPage {
            layout: ctx.layout(&title).await?,
            base: ctx.base(),
            card,
            targets,
            form,
            refusal,
        },
    )
}

pub async fn show(ctx: WorkspaceCtx, path: web::Path<CycleRef>) -> Result<HttpResponse, AppError> {
    let cycle_id = path.into_inner().cycle_id;
    page(
        &ctx,
        cycle_id,
        CarryOverForm::default(),
        Refusal::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn csv(ctx: WorkspaceCtx, path: web::Path<CycleRef>) -> Result<HttpResponse, AppError> {
    let cycle_id = path.into_inner().cycle_id;
    let today = ctx.state().config.clock.today();
    let card = ctx
        .run(move |conn, _, viewer| scorecard::scorecard(conn, viewer, &cycle_id, today))
        .await?;
    let name: String = card
        .cycle
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"scorecard-{name}.csv\""),
        ))
        .body(scorecard::csv(&card)))
}

/// Copies the chosen objectives (or everything not done) into another cycle, then opens the
/// tree on that cycle. A refusal shows the scorecard again with the reason and the choices.
pub async fn carry_over(
    ctx: WorkspaceCtx,
    path: web::Path<CycleRef>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let cycle_id = path.into_inner().cycle_id;
    let form = CarryOverForm::parse(&body);
    let (from, to, which) = (cycle_id.clone(), form.to_cycle_id.clone(), form.which());
    let result = ctx
        .run(move |conn, actor, viewer| {
            crate::okr::carry_over(conn, actor, viewer, &from, &to, &which)
        })
        .await;
    match result {
        Ok(copies) => {
            let noun = if copies.len() == 1 {
                "objective"
            } else {
                "objectives"
            };
            ctx.flash(&format!("Carried {} {noun} over.", copies.len()))?;
            Ok(see_other(&format!(
                "{}?cycle={}",
                ctx.base(),
                form.to_cycle_id
            )))
        }
        Err(e) => {
            let refusal = Refusal::of(e)?;
            page(
                &ctx,
                cycle_id,
                form,
                refusal,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
