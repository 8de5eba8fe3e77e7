//! A workspace's webhooks page, for its admins: the endpoints with their state, registering
//! one (its secret shown on that answer only), deleting one, and each one's delivery log.
//! The API does the same through the same domain calls.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::WorkspaceAdmin;
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::{render, see_other, unprocessable};
use crate::webhooks::{
    self, Delivery, DeliveryState, Webhook, WebhookError, WebhookEvent, WebhookInput,
};
use crate::workspaces::WorkspaceAccess;

/// What the register form sent, kept as typed for a refusal.
#[derive(Debug, Default)]
pub struct WebhookForm {
    url: String,
    events: Vec<String>,
}

impl WebhookForm {
    /// Events repeat, so the body is read by hand.
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            match name.as_ref() {
                "url" => form.url = value.into_owned(),
                "events" => form.events.push(value.into_owned()),
                _ => {}
            }
        }
        form
    }

    fn input(&self, admin: &WorkspaceAdmin) -> Result<WebhookInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let events: Vec<WebhookEvent> = self
            .events
            .iter()
            .filter_map(|raw| WebhookEvent::parse(raw))
            .collect();
        if events.len() != self.events.len() {
            errors.add("events", "Choose events from the list.");
            return Err(errors);
        }
        WebhookInput::parse(&self.url, &events, &admin.state().config.outbound).map_err(|e| {
            match e {
                WebhookError::Field { field, message } => errors.add(field, message),
                other => errors.add("url", other),
            }
            errors
        })
    }
}

/// What each event means, for the form.
fn event_choices() -> Vec<(WebhookEvent, &'static str)> {
    WebhookEvent::ALL
        .iter()
        .map(|event| {
            let label = match event {
                WebhookEvent::ItemCreated => "An objective, key result or action is created",
                WebhookEvent::ItemUpdated => "One is changed, moved, linked or restored",
                WebhookEvent::ItemDeleted => "One is moved to the trash",
                WebhookEvent::CheckInCreated => "A check-in is made",
                WebhookEvent::CommentCreated => "A comment is written",
                WebhookEvent::CycleClosed => "A cycle of the organization is closed",
            };
            (*event, label)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "workspaces/webhooks.html")]
struct WebhooksPage {
    layout: Layout,
    access: WorkspaceAccess,
    base: String,
    webhooks: Vec<Webhook>,
    /// The endpoint just registered and its secret: shown on this answer only.
    created: Option<(Webhook, String)>,
    form: WebhookForm,
    errors: FieldErrors,
    choices: Vec<(WebhookEvent, &'static str)>,
}

impl WebhooksPage {
    fn chosen(&self, event: &WebhookEvent) -> bool {
        self.form.events.iter().any(|e| e == event.as_str())
    }
}

async fn page(
    admin: &WorkspaceAdmin,
    created: Option<(Webhook, String)>,
    form: WebhookForm,
    errors: FieldErrors,
) -> Result<WebhooksPage, AppError> {
    let webhooks = admin
        .run(|conn, _, admin| webhooks::list(conn, admin))
        .await?;
    Ok(WebhooksPage {
        layout: admin
            .layout(&format!("{} webhooks", admin.access.workspace().name))
            .await?,
        access: admin.access.clone(),
        base: admin.base(),
        webhooks,
        created,
        form,
        errors,
        choices: event_choices(),
    })
}

pub async fn index(admin: WorkspaceAdmin) -> Result<HttpResponse, AppError> {
    let form = WebhookForm {
        events: vec![WebhookEvent::ItemCreated.as_str().to_owned()],
        ..WebhookForm::default()
    };
    render(page(&admin, None, form, FieldErrors::default()).await?)
}

/// Registers an endpoint and answers the page with its secret; a refusal comes back next to
/// its field with what was typed.
pub async fn create(admin: WorkspaceAdmin, body: web::Bytes) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = WebhookForm::parse(&body);
    let input = match form.input(&admin) {
        Ok(input) => input,
        Err(errors) => return unprocessable(page(&admin, None, form, errors).await?),
    };
    let now = admin.state().config.clock.now();
    let created = admin
        .run(move |conn, _, admin| webhooks::create(conn, admin, input, now))
        .await;
    match created {
        Ok(created) => render(
            page(
                &admin,
                Some(created),
                WebhookForm::default(),
                FieldErrors::default(),
            )
            .await?,
        ),
        Err(e @ WebhookError::TooMany) => {
            let mut errors = FieldErrors::default();
            errors.add("url", e);
            unprocessable(page(&admin, None, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct WebhookRef {
    webhook_id: String,
}

pub async fn delete(
    admin: WorkspaceAdmin,
    path: web::Path<WebhookRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().webhook_id;
    let now = admin.state().config.clock.now();
    admin
        .run(move |conn, _, admin| webhooks::delete(conn, admin, &id, now))
        .await?;
    admin.flash("Webhook deleted; nothing more is sent to it.")?;
    Ok(see_other(&format!("{}/settings/webhooks", admin.base())))
}

#[derive(Template)]
#[template(path = "workspaces/webhook_log.html")]
struct DeliveryLogPage {
    layout: Layout,
    base: String,
    webhook: Webhook,
    deliveries: Vec<Delivery>,
}

pub async fn log(
    admin: WorkspaceAdmin,
    path: web::Path<WebhookRef>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner().webhook_id;
    let (webhook, deliveries) = admin
        .run(move |conn, _, admin| {
            let webhook = webhooks::get(conn, admin, &id)?;
            let deliveries = webhooks::deliveries(conn, &webhook)?;
            Ok::<_, WebhookError>((webhook, deliveries))
        })
        .await?;
    render(DeliveryLogPage {
        layout: admin.layout("Webhook deliveries").await?,
        base: admin.base(),
        webhook,
        deliveries,
    })
}
