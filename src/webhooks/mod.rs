//! Webhooks: a workspace's admins register HTTPS endpoints for the events they choose, and
//! Cairn posts each event to them, signed with the endpoint's secret.
//!
//! - `publish` turns an activity row into deliveries, in the transaction of the change, so
//!   an event is queued exactly when its change commits.
//! - `deliver` sends due deliveries through the SSRF guard (`outbound`), retries with
//!   backoff, keeps the delivery log, and disables an endpoint that keeps failing (its
//!   admins are told by email).
//!
//! Privacy: an endpoint hears only of its own workspace (and of its organization's cycles),
//! and a payload carries the snapshot the activity log keeps, whose other ends (parent,
//! links, people) are all of that workspace: what the workspace's admins may see.

mod deliver;
mod publish;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use url::Url;

use crate::db::{self, AnyConnection, DbError};
use crate::orgs::OrgError;
use crate::outbound::{OutboundPolicy, UrlRules};
use crate::schema::{webhook_deliveries, webhooks};
use crate::text_enum;
use crate::workspaces::WorkspaceAdminAccess;

pub use deliver::{deliver_due, sign, DISABLE_AFTER, MAX_ATTEMPTS};
pub use publish::publish;

text_enum! {
    /// What an endpoint can subscribe to.
    pub enum WebhookEvent {
        ItemCreated => "item.created",
        ItemUpdated => "item.updated",
        ItemDeleted => "item.deleted",
        CheckInCreated => "check_in.created",
        CommentCreated => "comment.created",
        CycleClosed => "cycle.closed",
    }
}

text_enum! {
    pub enum DeliveryState {
        Pending => "pending",
        Sending => "sending",
        Delivered => "delivered",
        Failed => "failed",
    }
}

/// Endpoints one workspace may have.
pub const MAX_PER_WORKSPACE: i64 = 100;
/// The longest endpoint address accepted.
pub const MAX_URL_LENGTH: usize = 2000;
/// Deliveries listed per endpoint, newest first.
pub const LOG_LENGTH: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("not found")]
    NotFound,
    /// The rules refuse one field's input; `field` is its name in the API.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("This workspace already has {MAX_PER_WORKSPACE} webhooks; delete one first.")]
    TooMany,
    #[error(transparent)]
    Org(#[from] OrgError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for WebhookError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Db(DbError::Query(other)),
        }
    }
}

fn field(field: &'static str, message: impl Into<String>) -> WebhookError {
    WebhookError::Field {
        field,
        message: message.into(),
    }
}

/// A registered endpoint, without its secret (shown once, at registration).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    events_json: String,
    pub created_by_user_id: String,
    pub consecutive_failures: i32,
    pub disabled_at: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Webhook {
    pub fn events(&self) -> Vec<WebhookEvent> {
        serde_json::from_str(&self.events_json).unwrap_or_default()
    }
}

/// An endpoint as asked for: an address the guard allows, and at least one event.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    url: Url,
    events: Vec<WebhookEvent>,
}

impl WebhookInput {
    pub fn parse(
        url: &str,
        events: &[WebhookEvent],
        policy: &OutboundPolicy,
    ) -> Result<Self, WebhookError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(field("url", "Enter the endpoint's https:// address."));
        }
        if url.chars().count() > MAX_URL_LENGTH {
            return Err(field(
                "url",
                format!("An address has at most {MAX_URL_LENGTH} characters."),
            ));
        }
        let parsed = Url::parse(url).map_err(|_| {
            field(
                "url",
                "Enter a full address, like https://example.com/hooks.",
            )
        })?;
        policy
            .check_url(&parsed, &UrlRules::WEBHOOKS)
            .map_err(|refusal| field("url", format!("This address cannot be used: {refusal}.")))?;
        if events.is_empty() {
            return Err(field("events", "Choose at least one event."));
        }
        let mut chosen: Vec<WebhookEvent> = Vec::new();
        for event in events {
            if !chosen.contains(event) {
                chosen.push(*event);
            }
        }
        Ok(Self {
            url: parsed,
            events: chosen,
        })
    }
}

/// A new secret: 32 random bytes, hex, with a prefix that says what it is.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// Registers an endpoint; answers it with its secret, which is never shown again.
pub fn create(
    conn: &mut AnyConnection,
    admin: &WorkspaceAdminAccess,
    input: WebhookInput,
    now: NaiveDateTime,
) -> Result<(Webhook, String), WebhookError> {
    admin.require_writable()?;
    let workspace = admin.workspace();
    db::write_transaction(conn, |conn| {
        let existing: i64 = live(workspace.id.as_str()).count().get_result(conn)?;
        if existing >= MAX_PER_WORKSPACE {
            return Err(WebhookError::TooMany);
        }
        let id = db::new_id();
        let secret = new_secret();
        let events = serde_json::to_string(&input.events)
            .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
        diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(&id),
                webhooks::organization_id.eq(&workspace.organization_id),
                webhooks::workspace_id.eq(&workspace.id),
                webhooks::url.eq(input.url.as_str()),
                webhooks::events_json.eq(events),
                webhooks::secret.eq(&secret),
                webhooks::created_by_user_id.eq(admin.org().user_id()),
                webhooks::consecutive_failures.eq(0),
                webhooks::created_at.eq(now),
                webhooks::updated_at.eq(now),
            ))
            .execute(conn)?;
        tracing::info!(webhook_id = %id, workspace_id = %workspace.id, "webhook registered");
        Ok((load(conn, &id)?, secret))
    })
}

/// The workspace's endpoints that are not deleted.
fn live(workspace_id: &str) -> webhooks::BoxedQuery<'_, db::MultiBackend> {
    webhooks::table
        .filter(webhooks::workspace_id.eq(workspace_id))
        .filter(webhooks::deleted_at.is_null())
        .into_boxed()
}

fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<Webhook> {
    webhooks::table
        .find(id)
        .filter(webhooks::deleted_at.is_null())
        .select(Webhook::as_select())
        .first(conn)
}

/// The workspace's endpoints, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    admin: &WorkspaceAdminAccess,
) -> Result<Vec<Webhook>, WebhookError> {
    Ok(live(&admin.workspace().id)
        .order((webhooks::created_at.asc(), webhooks::id.asc()))
        .select(Webhook::as_select())
        .load(conn)?)
}

/// The workspace an endpoint belongs to, so a request naming only the endpoint can find it.
pub fn workspace_of(conn: &mut AnyConnection, webhook_id: &str) -> Result<String, WebhookError> {
    Ok(load(conn, webhook_id)?.workspace_id)
}

/// One of the workspace's endpoints (404 for another workspace's).
pub fn get(
    conn: &mut AnyConnection,
    admin: &WorkspaceAdminAccess,
    webhook_id: &str,
) -> Result<Webhook, WebhookError> {
    let webhook = load(conn, webhook_id)?;
    if webhook.workspace_id != admin.workspace().id {
        return Err(WebhookError::NotFound);
    }
    Ok(webhook)
}

/// Deletes an endpoint; what was waiting to go to it is dropped.
pub fn delete(
    conn: &mut AnyConnection,
    admin: &WorkspaceAdminAccess,
    webhook_id: &str,
    now: NaiveDateTime,
) -> Result<(), WebhookError> {
    admin.require_writable()?;
    db::write_transaction(conn, |conn| {
        let webhook = get(conn, admin, webhook_id)?;
        diesel::update(webhooks::table.find(&webhook.id))
            .set((
                webhooks::deleted_at.eq(Some(now)),
                webhooks::updated_at.eq(now),
            ))
            .execute(conn)?;
        deliver::drop_pending(conn, &webhook.id, "The webhook was deleted.", now)?;
        tracing::info!(webhook_id = %webhook.id, "webhook deleted");
        Ok(())
    })
}

/// One delivery, as the log shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: String,
    pub event: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub duration_ms: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// An endpoint's latest deliveries, newest first. The endpoint comes from `get` or `list`,
/// which checked the admin may see it.
pub fn deliveries(
    conn: &mut AnyConnection,
    webhook: &Webhook,
) -> Result<Vec<Delivery>, WebhookError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(&webhook.id))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(LOG_LENGTH)
        .select(Delivery::as_select())
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str, events: &[&str]) -> Result<WebhookInput, WebhookError> {
        let events: Vec<WebhookEvent> = events
            .iter()
            .map(|e| WebhookEvent::parse(e).expect("a known event"))
            .collect();
        WebhookInput::parse(url, &events, &OutboundPolicy::default())
    }

    fn field_of(result: Result<WebhookInput, WebhookError>) -> (&'static str, String) {
        match result {
            Err(WebhookError::Field { field, message }) => (field, message),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn an_endpoint_needs_an_allowed_https_address_and_known_events() {
        let input = parse(
            " https://hooks.example.com/cairn ",
            &["item.created", "cycle.closed", "item.created"],
        )
        .expect("valid");
        assert_eq!(input.url.as_str(), "https://hooks.example.com/cairn");
        assert_eq!(
            input.events,
            vec![WebhookEvent::ItemCreated, WebhookEvent::CycleClosed]
        );
        assert_eq!(field_of(parse("", &["item.created"])).0, "url");
        assert_eq!(
            field_of(parse("hooks.example.com", &["item.created"])).0,
            "url"
        );
        let (name, message) = field_of(parse("http://hooks.example.com/", &["item.created"]));
        assert_eq!(name, "url");
        assert!(message.contains("https"), "{message}");
        let (_, message) = field_of(parse("https://169.254.169.254/", &["item.created"]));
        assert!(message.contains("link-local"), "{message}");
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LENGTH));
        assert_eq!(field_of(parse(&long, &["item.created"])).0, "url");
        assert_eq!(field_of(parse("https://example.com/", &[])).0, "events");
    }

    #[test]
    fn secrets_are_random_and_say_what_they_are() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with("whsec_") && a.len() == 6 + 64, "{a}");
        assert_ne!(a, b);
    }
}
