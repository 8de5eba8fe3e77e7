//! The API's request context: the bearer token's user, the scope the handler needs (the `S`
//! of `Caller<S>`, so each signature states it), and this request's id. Database work runs
//! through it with the caller's `Actor` and, in a workspace, its `Viewer`, so no handler
//! loads access or builds either by hand.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{NaiveDate, NaiveDateTime};

use super::error::ApiError;
use crate::activity::Actor;
use crate::comments;
use crate::cycles;
use crate::db::AnyConnection;
use crate::okr::{self, check_ins, links};
use crate::orgs::{self, OrgAccess};
use crate::scope::Viewer;
use crate::tokens::{Bearer, Scope};
use crate::web::AppState;
use crate::workspaces;

/// What `auth::authenticate` found, kept in the request's extensions for `Caller`.
#[derive(Clone)]
pub struct Authenticated {
    pub bearer: Bearer,
    pub request_id: String,
}

mod sealed {
    pub trait Sealed {}
}

/// A scope a handler can require. Sealed: the markers below are the only ones.
pub trait RequiredScope: sealed::Sealed {
    const SCOPE: Scope;
}

macro_rules! required_scope {
    ($($(#[$doc:meta])* $marker:ident => $scope:ident,)+) => {$(
        $(#[$doc])*
        pub struct $marker;
        impl sealed::Sealed for $marker {}
        impl RequiredScope for $marker {
            const SCOPE: Scope = Scope::$scope;
        }
    )+};
}

required_scope! {
    /// Every GET.
    Read => Read,
    /// Changes to OKR data.
    Write => Write,
    /// Managing organizations, workspaces, members and invites.
    Admin => Admin,
}

/// An authenticated call whose token holds the scope `S`. Only the extractor makes one, so
/// holding it is the proof the scope was checked.
pub struct Caller<S> {
    bearer: Bearer,
    actor: Actor,
    state: web::Data<AppState>,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> Caller<S> {
    fn from_request_parts(req: &HttpRequest) -> Result<Self, ApiError> {
        // Outside the authenticated scope there is nobody: 401, as `authenticate` answers.
        let Authenticated { bearer, request_id } = req
            .extensions()
            .get::<Authenticated>()
            .cloned()
            .ok_or(ApiError::Unauthorized)?;
        // A token without the scope gets 403 whatever the user's role.
        if !bearer.scopes.allows(S::SCOPE) {
            return Err(ApiError::Forbidden(format!(
                "This token lacks the {} scope.",
                S::SCOPE
            )));
        }
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| ApiError::internal("application state is missing"))?;
        Ok(Self {
            actor: Actor {
                user_id: bearer.user.id.clone(),
                request_id,
            },
            bearer,
            state,
            scope: PhantomData,
        })
    }
}

/// Put first in a handler's parameters, so the scope is checked before the path, query or
/// body is read: a token without the scope hears 403 whatever else is wrong.
impl<S: RequiredScope> FromRequest for Caller<S> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Self::from_request_parts(req))
    }
}

impl<S> Caller<S> {
    pub fn bearer(&self) -> &Bearer {
        &self.bearer
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The time the app runs on (fixed in tests), read once per request.
    pub fn now(&self) -> NaiveDateTime {
        self.state.config.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.state.config.clock.today()
    }

    /// Runs `work` on a pooled connection as this caller.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        let actor = self.actor.clone();
        self.state
            .db
            .run(move |conn| work(conn, &actor).map_err(Into::into))
            .await
    }

    /// Runs `work` in an organization the caller belongs to (404 otherwise).
    pub async fn in_org<T, E, F>(&self, org_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &OrgAccess) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run(move |conn, actor| {
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            work(conn, actor, &access).map_err(Into::into)
        })
        .await
    }

    /// Runs `work` on one cycle, in its organization (404 to anyone outside it); `work` gets
    /// the cycle's id back.
    pub async fn on_cycle<T, E, F>(&self, cycle_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &OrgAccess, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run(move |conn, actor| {
            let org_id = cycles::organization_of(conn, &cycle_id)?;
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            work(conn, actor, &access, &cycle_id).map_err(Into::into)
        })
        .await
    }

    /// Runs `work` in a workspace the caller may open (404 otherwise).
    pub async fn in_workspace<T, E, F>(&self, workspace_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(
            workspace_id,
            |_, id| Ok::<_, ApiError>(id.to_owned()),
            |conn, actor, viewer, _| work(conn, actor, viewer),
        )
        .await
    }

    /// Runs `work` in the workspace of an item named in a body (not the path). An item that is
    /// missing, or in a workspace the caller may not open, answers `unseen` rather than 404,
    /// as the domain answers for an item of the workspace hidden from the caller.
    pub async fn in_workspace_of_item<T, E, F>(
        &self,
        item_id: String,
        unseen: ApiError,
        work: F,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run(move |conn, actor| {
            let access = okr::workspace_of(conn, &item_id)
                .map_err(ApiError::from)
                .and_then(|ws| {
                    workspaces::access_by_id(conn, &actor.user_id, &ws).map_err(ApiError::from)
                });
            let access = match access {
                Err(ApiError::NotFound) => return Err(unseen),
                other => other?,
            };
            let viewer = Viewer::new(conn, &access)?;
            work(conn, actor, &viewer).map_err(Into::into)
        })
        .await
    }

    /// Runs `work` on one item, in its workspace; `work` gets the item's id back.
    pub async fn on_item<T, E, F>(&self, item_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(item_id, okr::workspace_of, work).await
    }

    /// Runs `work` on one link, in its workspace; `work` gets the link's id back.
    pub async fn on_link<T, E, F>(&self, link_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(link_id, links::workspace_of, work).await
    }

    /// Runs `work` on one check-in, in its workspace; `work` gets the check-in's id back.
    pub async fn on_check_in<T, E, F>(&self, check_in_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(check_in_id, check_ins::workspace_of, work)
            .await
    }

    /// Runs `work` on one comment, in its workspace; `work` gets the comment's id back.
    pub async fn on_comment<T, E, F>(&self, comment_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(comment_id, comments::workspace_of, work).await
    }

    /// Runs `work` on one report, in its workspace; `work` gets the report's id back.
    pub async fn on_report<T, E, F>(&self, report_id: String, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run_in(report_id, crate::reports::workspace_of, work)
            .await
    }

    /// Finds the workspace `id` belongs to with `locate`, opens it as the caller, then works.
    async fn run_in<T, E, L, LE, F>(&self, id: String, locate: L, work: F) -> Result<T, ApiError>
    where
        L: FnOnce(&mut AnyConnection, &str) -> Result<String, LE> + Send + 'static,
        LE: Into<ApiError>,
        F: FnOnce(&mut AnyConnection, &Actor, &Viewer, &str) -> Result<T, E> + Send + 'static,
        E: Into<ApiError>,
        T: Send + 'static,
    {
        self.run(move |conn, actor| {
            let workspace_id = locate(conn, &id).map_err(Into::into)?;
            let access = workspaces::access_by_id(conn, &actor.user_id, &workspace_id)?;
            let viewer = Viewer::new(conn, &access)?;
            work(conn, actor, &viewer, &id).map_err(Into::into)
        })
        .await
    }
}
