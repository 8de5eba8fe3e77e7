//! Request contexts: what a route under `/orgs/{org}` or `/orgs/{org}/w/{ws}` needs, resolved
//! before the handler runs, in one database trip from the session and the path: the
//! signed-in person, their access, the `scope::Viewer` (workspace routes) and the `Actor`
//! that stamps the activity log with the request id.
//!
//! The requirement is the type in the handler's signature: `OrgCtx` (a member of the
//! organization), `OrgAdmin` (an owner or admin), `WorkspaceCtx` (someone who may open the
//! workspace), `WorkspaceAdmin`. Outsiders get 404, members without the role 403 with the
//! reason, the logged out the log-in page (scripts: 401). The sidebar is loaded only when a
//! full page is rendered (`layout`), never for a change that redirects.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use tracing_actix_web::RequestId;

use super::error::AppError;
use super::identity::{self, SignedIn};
use super::layout::Layout;
use super::nav::{Nav, Place};
use super::AppState;
use crate::activity::Actor;
use crate::db::{AnyConnection, DbError};
use crate::orgs::{self, OrgAccess, OrgAdminAccess};
use crate::scope::Viewer;
use crate::workspaces::{self, WorkspaceAccess, WorkspaceAdminAccess};

/// What every context carries besides its access.
pub struct Request {
    pub signed_in: SignedIn,
    pub actor: Actor,
    state: web::Data<AppState>,
    place: Place,
}

impl Request {
    /// The full page's layout: the sidebar is read now, for pages only.
    pub async fn layout(&self, title: &str) -> Result<Layout, AppError> {
        let user_id = Some(self.signed_in.user.id.clone());
        let nav = Nav::load(&self.state, user_id, self.place.clone()).await?;
        Ok(self.signed_in.layout(title, nav))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs database work as this person, with `with` (an access, a viewer, an admin proof)
    /// handed to it: the one way every context reaches the database.
    async fn run_with<X, T, E, F>(&self, with: &X, work: F) -> Result<T, E>
    where
        X: Clone + Send + 'static,
        F: FnOnce(&mut AnyConnection, &Actor, &X) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (actor, with) = (self.actor.clone(), with.clone());
        self.state
            .db
            .run(move |conn| work(conn, &actor, &with))
            .await
    }

    /// Shows `message` once on the next page.
    pub fn flash(&self, message: &str) -> Result<(), AppError> {
        identity::flash(&self.signed_in.session, message)
    }

    /// A flash whose "Undo" posts to `undo`.
    pub fn flash_undoable(&self, message: &str, undo: String) -> Result<(), AppError> {
        identity::flash_undoable(&self.signed_in.session, message, Some(undo))
    }
}

/// Resolves the signed-in person and `load`'s access in one trip; the logged out are sent
/// to log in.
async fn resolve<T, F>(req: HttpRequest, load: F) -> Result<(Request, T), AppError>
where
    F: FnOnce(&mut AnyConnection, &str) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state is not configured".into()))?;
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(ToString::to_string)
        .unwrap_or_default();
    let found = identity::signed_in_with(&req, move |conn, user| load(conn, &user.id)).await?;
    let Some((signed_in, loaded)) = found else {
        return Err(identity::sign_in_required(&req));
    };
    let actor = Actor {
        user_id: signed_in.user.id.clone(),
        request_id,
    };
    let request = Request {
        signed_in,
        actor,
        state,
        place: Place::of(&req),
    };
    Ok((request, loaded?))
}

fn segment(req: &HttpRequest, name: &str) -> String {
    req.match_info().get(name).unwrap_or_default().to_owned()
}

/// A member of the organization the path names.
pub struct OrgCtx {
    pub request: Request,
    pub access: OrgAccess,
}

impl Deref for OrgCtx {
    type Target = Request;

    fn deref(&self) -> &Request {
        &self.request
    }
}

impl OrgCtx {
    /// Runs database work as this person in this organization.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &OrgAccess) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.request.run_with(&self.access, work).await
    }
}

impl OrgCtx {
    /// The context and what `more` reads for it, in the same database trip.
    pub async fn with<T, F>(req: HttpRequest, more: F) -> Result<(Self, T), AppError>
    where
        F: FnOnce(&mut AnyConnection, &OrgAccess) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let org = segment(&req, "org");
        let (request, (access, extra)) = resolve(req, move |conn, user_id| {
            let access = orgs::access(conn, user_id, &org)?;
            let extra = more(conn, &access)?;
            Ok((access, extra))
        })
        .await?;
        Ok((OrgCtx { request, access }, extra))
    }
}

impl FromRequest for OrgCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(OrgCtx::with(req, |_, _| Ok(())).await?.0) })
    }
}

/// An owner or admin of the organization the path names, with the domain's proof of it.
pub struct OrgAdmin(OrgCtx, OrgAdminAccess);

impl OrgAdmin {
    /// Runs an owner's or admin's change: `work` gets the proof the domain asks for.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &OrgAdminAccess) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.0.request.run_with(&self.1, work).await
    }
}

impl Deref for OrgAdmin {
    type Target = OrgCtx;

    fn deref(&self) -> &OrgCtx {
        &self.0
    }
}

impl FromRequest for OrgAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = OrgCtx::from_request(req, payload);
        Box::pin(async move {
            let ctx = ctx.await?;
            let admin = ctx.access.admin()?;
            Ok(OrgAdmin(ctx, admin))
        })
    }
}

/// Someone who may open the workspace the path names, with what they may see.
pub struct WorkspaceCtx {
    pub request: Request,
    pub access: WorkspaceAccess,
    pub viewer: Viewer,
}

impl Deref for WorkspaceCtx {
    type Target = Request;

    fn deref(&self) -> &Request {
        &self.request
    }
}

impl WorkspaceCtx {
    /// Where this workspace's pages live.
    pub fn base(&self) -> String {
        super::workspaces::base_path(&self.access)
    }

    /// Runs database work as this person, seeing what they may see.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.request.run_with(&self.viewer, work).await
    }
}

impl FromRequest for WorkspaceCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let (req, org, ws) = (req.clone(), segment(req, "org"), segment(req, "ws"));
        Box::pin(async move {
            let (request, (access, viewer)) = resolve(req, move |conn, user_id| {
                let access = workspaces::access(conn, user_id, &org, &ws)?;
                let viewer = Viewer::new(conn, &access)?;
                Ok::<_, AppError>((access, viewer))
            })
            .await?;
            Ok(WorkspaceCtx {
                request,
                access,
                viewer,
            })
        })
    }
}

/// A workspace admin (or an owner or admin of its organization), with the domain's proof.
pub struct WorkspaceAdmin(WorkspaceCtx, WorkspaceAdminAccess);

impl WorkspaceAdmin {
    /// Runs a workspace admin's change: `work` gets the proof the domain asks for.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &WorkspaceAdminAccess) -> Result<T, E>
            + Send
            + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        self.0.request.run_with(&self.1, work).await
    }
}

impl Deref for WorkspaceAdmin {
    type Target = WorkspaceCtx;

    fn deref(&self) -> &WorkspaceCtx {
        &self.0
    }
}

impl FromRequest for WorkspaceAdmin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = WorkspaceCtx::from_request(req, payload);
        Box::pin(async move {
            let ctx = ctx.await?;
            let admin = ctx.access.admin()?;
            Ok(WorkspaceAdmin(ctx, admin))
        })
    }
}
