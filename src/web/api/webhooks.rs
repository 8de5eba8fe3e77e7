//! Webhooks over the API: a workspace's admins register, list and delete endpoints and read
//! each one's delivery log (admin scope).

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Admin, Caller};
use super::error::ApiError;
use super::paths::{WebhookPath, WorkspacePath};
use super::webhook_models::{
    NewWebhook, WebhookCreated, WebhookDeliveryList, WebhookDeliveryOut, WebhookList, WebhookOut,
};
use super::{AdminErrors, ChangeErrors, ReadErrors};
use crate::db::AnyConnection;
use crate::webhooks::{self, WebhookEvent, WebhookInput};
use crate::workspaces::{self, WorkspaceAdminAccess};

/// Runs `work` as an admin of the workspace (403 for its other members, 404 for others).
async fn as_admin<T, F>(caller: &Caller<Admin>, ws_id: String, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection, &WorkspaceAdminAccess) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    caller
        .run(move |conn, actor| {
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            work(conn, &access.admin()?)
        })
        .await
}

/// Runs `work` on one endpoint as an admin of its workspace.
async fn on_webhook<T, F>(
    caller: &Caller<Admin>,
    webhook_id: String,
    work: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut AnyConnection, &WorkspaceAdminAccess, &str) -> Result<T, ApiError>
        + Send
        + 'static,
    T: Send + 'static,
{
    caller
        .run(move |conn, actor| {
            let ws_id = webhooks::workspace_of(conn, &webhook_id)?;
            let access = workspaces::access_by_id(conn, &actor.user_id, &ws_id)?;
            work(conn, &access.admin()?, &webhook_id)
        })
        .await
}

/// The workspace's webhooks (admin scope; workspace admins).
#[utoipa::path(get, path = "/api/v1/workspaces/{ws_id}/webhooks", tag = "webhooks",
    params(("ws_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = WebhookList), ReadErrors))]
pub async fn list_webhooks(
    caller: Caller<Admin>,
    path: web::Path<WorkspacePath>,
) -> Result<web::Json<WebhookList>, ApiError> {
    let listed = as_admin(&caller, path.into_inner().ws_id, |conn, admin| {
        Ok(webhooks::list(conn, admin)?)
    })
    .await?;
    Ok(web::Json(WebhookList {
        webhooks: listed.iter().map(WebhookOut::from).collect(),
        next_cursor: None,
    }))
}

/// Registers an endpoint for the events chosen; the answer carries its `secret` this once
/// (admin scope; workspace admins; at most 100 per workspace).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws_id}/webhooks", tag = "webhooks",
    params(("ws_id" = String, Path, format = Uuid)), request_body = NewWebhook,
    security(("bearer" = ["admin"])),
    responses((status = 201, body = WebhookCreated), AdminErrors))]
pub async fn create_webhook(
    caller: Caller<Admin>,
    path: web::Path<WorkspacePath>,
    body: Body<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let NewWebhook { url, events } = body.into_inner();
    let events: Vec<WebhookEvent> = events.into_iter().map(Into::into).collect();
    let input = WebhookInput::parse(&url, &events, &caller.state().config.outbound)?;
    let now = caller.now();
    let (webhook, secret) = as_admin(&caller, path.into_inner().ws_id, move |conn, admin| {
        Ok(webhooks::create(conn, admin, input, now)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(WebhookCreated {
        webhook: WebhookOut::from(&webhook),
        secret,
    }))
}

/// Deletes an endpoint; deliveries still waiting are dropped (admin scope).
#[utoipa::path(delete, path = "/api/v1/webhooks/{webhook_id}", tag = "webhooks",
    params(("webhook_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Deleted"), ChangeErrors))]
pub async fn delete_webhook(
    caller: Caller<Admin>,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let now = caller.now();
    on_webhook(
        &caller,
        path.into_inner().webhook_id,
        move |conn, admin, id| Ok(webhooks::delete(conn, admin, id, now)?),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's delivery log: state, attempts, response code and duration (admin scope).
#[utoipa::path(get, path = "/api/v1/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    params(("webhook_id" = String, Path, format = Uuid)),
    security(("bearer" = ["admin"])),
    responses((status = 200, body = WebhookDeliveryList), ReadErrors))]
pub async fn list_deliveries(
    caller: Caller<Admin>,
    path: web::Path<WebhookPath>,
) -> Result<web::Json<WebhookDeliveryList>, ApiError> {
    let listed = on_webhook(&caller, path.into_inner().webhook_id, |conn, admin, id| {
        let webhook = webhooks::get(conn, admin, id)?;
        Ok(webhooks::deliveries(conn, &webhook)?)
    })
    .await?;
    Ok(web::Json(WebhookDeliveryList {
        deliveries: listed.iter().map(WebhookDeliveryOut::from).collect(),
        next_cursor: None,
    }))
}
