//! What the API sends and accepts about webhooks and their delivery log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::item_models::utc;
use super::names::DeliveryStateName;
use crate::webhooks::{Delivery, DeliveryState, Webhook, WebhookEvent};

/// An event an endpoint can subscribe to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum WebhookEventName {
    #[serde(rename = "item.created")]
    ItemCreated,
    #[serde(rename = "item.updated")]
    ItemUpdated,
    #[serde(rename = "item.deleted")]
    ItemDeleted,
    #[serde(rename = "check_in.created")]
    CheckInCreated,
    #[serde(rename = "comment.created")]
    CommentCreated,
    #[serde(rename = "cycle.closed")]
    CycleClosed,
}

impl From<WebhookEventName> for WebhookEvent {
    fn from(name: WebhookEventName) -> Self {
        match name {
            WebhookEventName::ItemCreated => Self::ItemCreated,
            WebhookEventName::ItemUpdated => Self::ItemUpdated,
            WebhookEventName::ItemDeleted => Self::ItemDeleted,
            WebhookEventName::CheckInCreated => Self::CheckInCreated,
            WebhookEventName::CommentCreated => Self::CommentCreated,
            WebhookEventName::CycleClosed => Self::CycleClosed,
        }
    }
}

impl From<WebhookEvent> for WebhookEventName {
    fn from(event: WebhookEvent) -> Self {
        match event {
            WebhookEvent::ItemCreated => Self::ItemCreated,
            WebhookEvent::ItemUpdated => Self::ItemUpdated,
            WebhookEvent::ItemDeleted => Self::ItemDeleted,
            WebhookEvent::CheckInCreated => Self::CheckInCreated,
            WebhookEvent::CommentCreated => Self::CommentCreated,
            WebhookEvent::CycleClosed => Self::CycleClosed,
        }
    }
}

/// An endpoint to register. Deliveries are `POST`s of JSON signed with the secret the
/// answer carries: `X-Cairn-Signature: sha256=<hex HMAC-SHA256 of "{X-Cairn-Timestamp}.{body}">`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// An https address on the public internet (private, loopback and link-local addresses
    /// are refused, at registration and at every delivery).
    #[schema(format = "uri", max_length = 2000, pattern = r"^https://[^\s@/]+")]
    pub url: String,
    #[schema(min_items = 1)]
    pub events: Vec<WebhookEventName>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub workspace_id: String,
    pub url: String,
    pub events: Vec<WebhookEventName>,
    /// False once disabled after repeated failures; register it again to resume.
    pub active: bool,
    #[schema(format = DateTime)]
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Webhook> for WebhookOut {
    fn from(w: &Webhook) -> Self {
        Self {
            id: w.id.clone(),
            workspace_id: w.workspace_id.clone(),
            url: w.url.clone(),
            events: w.events().into_iter().map(Into::into).collect(),
            active: w.disabled_at.is_none(),
            disabled_at: w.disabled_at.map(utc),
            disabled_reason: w.disabled_reason.clone(),
            consecutive_failures: w.consecutive_failures,
            created_at: utc(w.created_at),
        }
    }
}

/// A registered endpoint with its secret, which is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// Keep it: it signs every delivery and is never shown again.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Oldest first.
    pub webhooks: Vec<WebhookOut>,
    /// Always null: the list is whole.
    pub next_cursor: Option<String>,
}

/// One event sent (or to be sent) to an endpoint, with its latest attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub event: String,
    pub state: DeliveryStateName,
    pub attempts: i32,
    /// The endpoint's HTTP status at the latest attempt, if it answered.
    pub response_status: Option<i32>,
    pub duration_ms: Option<i32>,
    pub error: Option<String>,
    /// When a pending delivery is tried next.
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Delivery> for WebhookDeliveryOut {
    fn from(d: &Delivery) -> Self {
        Self {
            id: d.id.clone(),
            event: d.event.clone(),
            state: d.state.into(),
            attempts: d.attempts,
            response_status: d.response_status,
            duration_ms: d.duration_ms,
            error: d.last_error.clone(),
            next_attempt_at: (d.state == DeliveryState::Pending).then(|| utc(d.next_attempt_at)),
            delivered_at: d.delivered_at.map(utc),
            created_at: utc(d.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    /// The latest 100, newest first.
    pub deliveries: Vec<WebhookDeliveryOut>,
    /// Always null: older deliveries are not listed.
    pub next_cursor: Option<String>,
}
