//! From a change to the deliveries it causes, in the change's own transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::{DeliveryState, Webhook, WebhookEvent};
use crate::activity::{Actor, Subject};
use crate::db::{self, AnyConnection};
use crate::schema::{webhook_deliveries, webhooks};

/// The event an activity row is, if endpoints can subscribe to it. Moves, reorders, links
/// and restores change an item as much as an edit does; board positions are layout, not
/// content, and are left out.
fn event_of(action: &str) -> Option<WebhookEvent> {
    Some(match action {
        "item.created" | "item.carried_over" => WebhookEvent::ItemCreated,
        "item.updated" | "item.moved" | "item.reordered" | "item.linked" | "item.unlinked"
        | "item.restored" => WebhookEvent::ItemUpdated,
        "item.deleted" => WebhookEvent::ItemDeleted,
        "check_in.created" => WebhookEvent::CheckInCreated,
        "comment.created" => WebhookEvent::CommentCreated,
        "cycle.closed" => WebhookEvent::CycleClosed,
        _ => return None,
    })
}

/// Queues a delivery to each live endpoint subscribed to what `action` is: the endpoints of
/// the subject's workspace, or of every workspace of the organization for an organization's
/// event (a cycle). Call it beside `activity::record`, with the same snapshots.
pub fn publish(
    conn: &mut AnyConnection,
    actor: &Actor,
    subject: Subject<'_>,
    action: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> QueryResult<()> {
    let Some(event) = event_of(action) else {
        return Ok(());
    };
    let endpoints = webhooks::table
        .filter(webhooks::organization_id.eq(subject.organization_id))
        .filter(webhooks::deleted_at.is_null())
        .filter(webhooks::disabled_at.is_null())
        .into_boxed();
    let endpoints = match subject.workspace_id {
        Some(workspace_id) => endpoints.filter(webhooks::workspace_id.eq(workspace_id)),
        None => endpoints,
    };
    let endpoints: Vec<Webhook> = endpoints.select(Webhook::as_select()).load(conn)?;
    let now = db::now();
    for webhook in endpoints {
        if !webhook.events().contains(&event) {
            continue;
        }
        let delivery_id = db::new_id();
        let payload = json!({
            "id": delivery_id,
            "event": event.as_str(),
            "action": action,
            "occurred_at": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "organization_id": subject.organization_id,
            "workspace_id": webhook.workspace_id,
            "actor_user_id": actor.user_id,
            "subject": { "type": subject.kind, "id": subject.id },
            "data": { "before": before, "after": after },
        });
        queue(
            conn,
            &delivery_id,
            &webhook.id,
            event,
            &payload.to_string(),
            now,
        )?;
    }
    Ok(())
}

fn queue(
    conn: &mut AnyConnection,
    delivery_id: &str,
    webhook_id: &str,
    event: WebhookEvent,
    payload: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(delivery_id),
            webhook_deliveries::webhook_id.eq(webhook_id),
            webhook_deliveries::event.eq(event.as_str()),
            webhook_deliveries::payload_json.eq(payload),
            webhook_deliveries::state.eq(DeliveryState::Pending),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
            webhook_deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_to_content_are_events_and_layout_is_not() {
        assert_eq!(event_of("item.moved"), Some(WebhookEvent::ItemUpdated));
        assert_eq!(
            event_of("item.carried_over"),
            Some(WebhookEvent::ItemCreated)
        );
        assert_eq!(event_of("cycle.closed"), Some(WebhookEvent::CycleClosed));
        assert_eq!(event_of("item.positioned"), None);
        assert_eq!(event_of("comment.deleted"), None);
        assert_eq!(event_of("organization.settings_updated"), None);
    }
}
