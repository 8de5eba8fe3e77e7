//! The sidebar: the user's organizations (switcher) and the current one's workspaces.

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::error::AppError;
use super::AppState;
use crate::accounts::sessions::USER_ID_KEY;
use crate::notifications;
use crate::orgs::{self, OrgSummary};

/// Loaded for full pages only; the route's `{org}` and `{ws}` say what is current.
pub struct Nav {
    pub orgs: Vec<OrgSummary>,
    pub current_org: Option<String>,
    pub current_workspace: Option<String>,
    /// Which page is open: the workspace's "overview", "board", "gantt", "members", "settings",
    /// "trash", "reports", or the organization's "cycles".
    pub section: &'static str,
    pub bell: Bell,
}

/// The top bar's bell: how many notifications the person has not read (that they may see).
pub struct Bell {
    pub unread: i64,
    /// Sent out of band beside a fragment that changed the count.
    pub oob: bool,
}

impl Bell {
    /// What the badge shows.
    pub fn badge(&self) -> String {
        if self.unread > 99 {
            "99+".into()
        } else {
            self.unread.to_string()
        }
    }

    pub fn label(&self) -> String {
        match self.unread {
            0 => "Notifications".into(),
            n => format!("Notifications, {n} unread"),
        }
    }
}

impl Nav {
    pub fn current(&self) -> Option<&OrgSummary> {
        let slug = self.current_org.as_deref()?;
        self.orgs.iter().find(|org| org.slug == slug)
    }

    pub fn is_current_workspace(&self, slug: &str) -> bool {
        self.current_workspace.as_deref() == Some(slug)
    }

    /// Other organizations, for the switcher.
    pub fn others(&self) -> impl Iterator<Item = &OrgSummary> {
        self.orgs
            .iter()
            .filter(move |org| Some(org.slug.as_str()) != self.current_org.as_deref())
    }
}

fn section_of(path: &str) -> &'static str {
    // `/orgs/{org}/cycles…`: the organization's cycles page and its forms.
    if path.split('/').nth(3) == Some("cycles") {
        "cycles"
    } else if path.ends_with("/members") || path.contains("/members/") || path.contains("/skills") {
        "members"
    } else if path.ends_with("/settings") {
        "settings"
    } else if path.ends_with("/trash") {
        "trash"
    } else if path.ends_with("/activity") {
        "activity"
    } else if path.ends_with("/board") || path.ends_with("/board/items") {
        "board"
    } else if path.ends_with("/gantt") {
        "gantt"
    } else if path.contains("/reports") {
        "reports"
    } else {
        "overview"
    }
}

/// Where a page sits, read from its route: what the sidebar marks as current.
#[derive(Clone)]
pub struct Place {
    current_org: Option<String>,
    current_workspace: Option<String>,
    section: &'static str,
}

impl Place {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            current_org: req.match_info().get("org").map(str::to_owned),
            current_workspace: req.match_info().get("ws").map(str::to_owned),
            section: section_of(req.path()),
        }
    }
}

impl Nav {
    /// The sidebar and the bell for a full page, in one trip to the database.
    pub async fn load(
        state: &AppState,
        user_id: Option<String>,
        place: Place,
    ) -> Result<Nav, AppError> {
        let (orgs, unread) = match user_id {
            Some(user_id) => {
                state
                    .db
                    .run(move |conn| -> Result<_, AppError> {
                        Ok((
                            orgs::summaries_for(conn, &user_id, true)?,
                            notifications::unread_count(conn, &user_id)?,
                        ))
                    })
                    .await?
            }
            None => (Vec::new(), 0),
        };
        Ok(Nav {
            orgs,
            current_org: place.current_org,
            current_workspace: place.current_workspace,
            section: place.section,
            bell: Bell { unread, oob: false },
        })
    }
}

impl FromRequest for Nav {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let user_id = req.get_session().get::<String>(USER_ID_KEY).ok().flatten();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let place = Place::of(req);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| AppError::Internal("application state is not configured".into()))?;
            Nav::load(&state, user_id, place).await
        })
    }
}
