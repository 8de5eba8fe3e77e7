//! The cycle a workspace view shows (`?cycle=`), chosen once for the tree, the board and
//! the gantt: the organization's cycles for the switcher, and the filter they narrow by.

use super::context::WorkspaceCtx;
use super::error::AppError;
use crate::cycles::{self, Cycle, CycleFilter, CycleState};

/// The switcher's choices and the one made.
#[derive(Debug, Clone)]
pub struct CycleChoice {
    /// The organization's cycles, latest first.
    pub cycles: Vec<Cycle>,
    pub filter: CycleFilter,
    /// The view the switcher sends to (`/board`, `/gantt` or the tree's "").
    pub view: &'static str,
    /// Other parts of the view kept when the cycle changes (name, value).
    pub keep: Vec<(&'static str, String)>,
    /// The organization's cycles page.
    pub cycles_href: String,
}

impl CycleChoice {
    /// The `?cycle=` of a request: a cycle of another organization (or none) is not found;
    /// no choice is the default (`cycles::choose`).
    pub async fn of(ctx: &WorkspaceCtx, param: Option<String>) -> Result<Self, AppError> {
        let today = ctx.state().config.clock.today();
        let org = ctx.access.org().org();
        let (org_id, cycles_href) = (org.id.clone(), format!("/orgs/{}/cycles", org.slug));
        let cycles = ctx
            .run(move |conn, _, _| cycles::list(conn, &org_id).map_err(AppError::from))
            .await?;
        let filter = cycles::choose(&cycles, param.as_deref(), today)?;
        Ok(Self {
            cycles,
            filter,
            view: "",
            keep: Vec::new(),
            cycles_href,
        })
    }

    /// The same choice for one view, keeping some of its other settings.
    pub fn for_view(self, view: &'static str, keep: Vec<(&'static str, String)>) -> Self {
        Self { view, keep, ..self }
    }

    pub fn param(&self) -> &str {
        self.filter.as_param()
    }

    /// `cycle=…`, for links between the views.
    pub fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("cycle", self.param())
            .finish()
    }

    pub fn chosen(&self) -> Option<&Cycle> {
        match &self.filter {
            CycleFilter::Cycle(id) => self.cycles.iter().find(|c| &c.id == id),
            CycleFilter::All | CycleFilter::Backlog => None,
        }
    }

    /// Whether the view shows a closed cycle: everything in it is read-only.
    pub fn is_closed(&self) -> bool {
        self.chosen().is_some_and(Cycle::is_closed)
    }

    /// The switcher's groups: active cycles, then planned, then closed, each latest first.
    pub fn by_state(&self) -> Vec<(&'static str, Vec<&Cycle>)> {
        [
            (CycleState::Active, "Active"),
            (CycleState::Planning, "Planned"),
            (CycleState::Closed, "Closed"),
        ]
        .into_iter()
        .map(|(state, label)| {
            let cycles: Vec<&Cycle> = self.cycles.iter().filter(|c| c.state == state).collect();
            (label, cycles)
        })
        .filter(|(_, cycles)| !cycles.is_empty())
        .collect()
    }

    pub fn is_all(&self) -> bool {
        self.filter == CycleFilter::All
    }

    pub fn is_backlog(&self) -> bool {
        self.filter == CycleFilter::Backlog
    }

    pub fn is_chosen(&self, cycle: &Cycle) -> bool {
        self.filter == CycleFilter::Cycle(cycle.id.clone())
    }

    /// What the switcher says beside the choice: the cycle's dates, or what the choice is.
    pub fn subtitle(&self) -> String {
        match (&self.filter, self.chosen()) {
            (_, Some(cycle)) => cycle.dates_label(),
            (CycleFilter::Backlog, _) => "Objectives in no cycle".to_owned(),
            _ => "Every objective".to_owned(),
        }
    }
}
