//! A workspace's pages: the tree, settings, archive, members (role, manager, active).
//! Creating one is an organization route (`orgs`).

use std::collections::HashSet;

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::context::{WorkspaceAdmin, WorkspaceCtx};
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::measure_form::{MeasureForm, Refusal};
use super::{render, see_other, unprocessable};
use crate::activity::{self, ActivityEntry, History};
use crate::okr::measure::KeyResultMeasure;
use crate::okr::status::{self, Pace, Status, Statuses};
use crate::okr::{self, ActionStatus, Item, ItemType, NewItem, TreeFilter, TreeRow};
use crate::orgs::{self, OrgError, Organization};
use crate::workspaces::{
    self, Cadence, CheckInCadence, PrivacyMode, Workspace, WorkspaceAccess, WorkspaceMember,
    WorkspaceSettings, WEEKDAYS,
};

/// Name, slug and privacy mode as typed.
#[derive(Deserialize, Default, Clone)]
pub struct WorkspaceForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub privacy_mode: String,
}

impl WorkspaceForm {
    /// A new workspace starts with the organization's default privacy mode.
    pub fn defaults_for(org: &Organization) -> Self {
        Self {
            privacy_mode: org.default_privacy_mode.as_str().to_owned(),
            ..Self::default()
        }
    }

    fn from_workspace(workspace: &Workspace) -> Self {
        Self {
            name: workspace.name.clone(),
            slug: workspace.slug.clone(),
            privacy_mode: workspace.privacy_mode.as_str().to_owned(),
        }
    }
}

impl TryFrom<&WorkspaceForm> for WorkspaceSettings {
    type Error = FieldErrors;

    fn try_from(form: &WorkspaceForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = orgs::name(&form.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let slug = orgs::workspace_slug(&form.slug, &form.name)
            .map_err(|e| errors.add("slug", e))
            .ok();
        let privacy_mode = PrivacyMode::parse(&form.privacy_mode);
        if privacy_mode.is_none() {
            errors.add("privacy_mode", "Choose Open or Need-to-know.");
        }
        match (name, slug, privacy_mode) {
            (Some(name), Some(slug), Some(privacy_mode)) => Ok(WorkspaceSettings {
                name,
                slug,
                privacy_mode,
            }),
            _ => Err(errors),
        }
    }
}

pub(super) fn slug_taken_errors() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(
        "slug",
        "A workspace of this organization already uses this address; choose another.",
    );
    errors
}

/// Where a workspace's pages live.
pub(super) fn base_path(access: &WorkspaceAccess) -> String {
    format!(
        "/orgs/{}/w/{}",
        access.org().org().slug,
        access.workspace().slug
    )
}

#[derive(Template)]
#[template(path = "workspaces/overview.html")]
struct OverviewPage {
    layout: Layout,
    access: WorkspaceAccess,
    rows: Vec<TreeRow>,
    today: NaiveDate,
    /// A refused new item: the parent it was for ("" at the top), what was typed, and why.
    refused: Option<RefusedItem>,
    /// What an untouched add form holds.
    blank: ItemForm,
    blank_errors: FieldErrors,
    filter: TreeQuery,
    filtering: bool,
    members: Vec<WorkspaceMember>,
    /// The rows this viewer may change: the others show read-only.
    editable: HashSet<String>,
    item_types: &'static [ItemType],
    statuses: &'static [ActionStatus],
    /// Every objective's and key result's status today, read once for the page.
    item_statuses: Statuses,
    tracks: &'static [Status],
}

impl OverviewPage {
    fn may_edit(&self, item_id: &str) -> bool {
        self.editable.contains(item_id)
    }

    fn status(&self, item: &Item) -> Option<Status> {
        self.item_statuses.of(item)
    }

    fn behind(&self, item: &Item) -> Option<Pace> {
        self.item_statuses.behind(item)
    }

    fn refused_for(&self, parent: &str) -> Option<&RefusedItem> {
        self.refused.as_ref().filter(|r| r.form.parent_id == parent)
    }

    /// The reason the form under `parent` was refused, as a whole.
    fn error_for(&self, parent: &str) -> Option<&str> {
        self.refused_for(parent)?.refusal.message.as_deref()
    }

    /// What the user typed into the form that was refused, so it comes back.
    fn typed_for(&self, parent: &str) -> &ItemForm {
        self.refused_for(parent).map_or(&self.blank, |r| &r.form)
    }

    /// Messages next to the fields of the form under `parent`.
    fn errors_for(&self, parent: &str) -> &FieldErrors {
        self.refused_for(parent)
            .map_or(&self.blank_errors, |r| &r.refusal.fields)
    }
}

/// A new item the tree or the board refused, with what was typed.
pub(super) struct RefusedItem {
    pub(super) form: ItemForm,
    pub(super) refusal: Refusal,
}

/// The tree page's filters as they stand in the URL, so a filtered view can be shared.
#[derive(Deserialize, Default, Clone)]
pub struct TreeQuery {
    #[serde(default)]
    pub(super) owner: String,
    #[serde(default)]
    pub(super) assignee: String,
    #[serde(default, rename = "type")]
    pub(super) item_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    q: String,
    /// The status (on track, at risk…); `status` is an action's status, kept for old links.
    #[serde(default)]
    pub(super) track: String,
}

impl TreeQuery {
    /// Unknown values are ignored rather than refused: a stale shared link still opens.
    pub(super) fn filter(&self, today: NaiveDate) -> TreeFilter {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        TreeFilter {
            owner: text(&self.owner),
            assignee: text(&self.assignee),
            item_type: ItemType::parse(&self.item_type),
            status: ActionStatus::parse(&self.status),
            overdue_on: (!self.overdue.is_empty()).then_some(today),
            text: text(&self.q).map(|q| q.chars().take(200).collect()),
            track: Status::parse(self.track.trim()),
            cycle: Default::default(),
        }
    }
}

async fn overview_page(
    ctx: &WorkspaceCtx,
    query: TreeQuery,
    refused: Option<RefusedItem>,
) -> Result<OverviewPage, AppError> {
    let today = ctx.state().config.clock.today();
    let filter = query.filter(today);
    let filtering = !filter.is_empty();
    let workspace_id = ctx.access.workspace().id.clone();
    let (rows, members, editable, item_statuses) = ctx
        .run(move |conn, _, viewer| {
            let item_statuses = status::statuses(conn, viewer, today)?;
            let rows = okr::filtered_tree(conn, viewer, &filter, &item_statuses)?;
            let members = workspaces::members(conn, &workspace_id)?;
            let editable = okr::editable_ids(conn, viewer, &rows)?;
            Ok::<_, AppError>((rows, members, editable, item_statuses))
        })
        .await?;
    Ok(OverviewPage {
        layout: ctx.layout(&ctx.access.workspace().name).await?,
        access: ctx.access.clone(),
        rows,
        today,
        refused,
        blank: ItemForm::default(),
        blank_errors: FieldErrors::default(),
        filter: query,
        filtering,
        members,
        editable,
        item_types: ItemType::ALL,
        statuses: ActionStatus::ALL,
        item_statuses,
        tracks: Status::ALL,
    })
}

pub async fn overview(
    ctx: WorkspaceCtx,
    query: web::Query<TreeQuery>,
) -> Result<HttpResponse, AppError> {
    render(overview_page(&ctx, query.into_inner(), None).await?)
}

/// A new item as typed in the tree (and, with a place, on the board).
#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    pub(super) item_type: String,
    #[serde(default)]
    pub(super) parent_id: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) due_date: String,
    /// Key results: how they are measured (by their actions when left out).
    #[serde(flatten)]
    pub(super) measure: MeasureForm,
}

impl TryFrom<&ItemForm> for NewItem {
    type Error = Refusal;

    fn try_from(form: &ItemForm) -> Result<Self, Refusal> {
        let item_type = ItemType::parse(&form.item_type);
        let measure = match item_type {
            Some(ItemType::KeyResult) => form.measure.parse(),
            _ => Ok(KeyResultMeasure::Actions),
        };
        let whole = || -> Result<NewItem, String> {
            let item_type = item_type.ok_or("Choose objective, key result or action.")?;
            let title = okr::title(&form.title)?;
            let due_date = match form.due_date.trim() {
                "" => None,
                raw => Some(okr::plan_date(raw, "due date")?),
            };
            Ok(NewItem {
                due_date,
                ..NewItem::new(
                    item_type,
                    title,
                    Some(form.parent_id.clone()).filter(|p| !p.is_empty()),
                )
            })
        };
        match (whole(), measure) {
            (Ok(new), Ok(measure)) => Ok(NewItem { measure, ..new }),
            (whole, measure) => Err(Refusal {
                message: whole.err(),
                fields: measure.err().unwrap_or_default(),
            }),
        }
    }
}

/// Creates an item the tree or the board asked for; the rules' refusal comes back with the
/// form, anything else (not found, not allowed) as its page.
pub(super) async fn create_from(
    ctx: &WorkspaceCtx,
    form: ItemForm,
    place: impl FnOnce(NewItem) -> NewItem,
) -> Result<Result<okr::Item, RefusedItem>, AppError> {
    let outcome = match NewItem::try_from(&form) {
        Err(refusal) => Err(refusal),
        Ok(new) => {
            let new = place(new);
            match ctx
                .run(move |conn, actor, viewer| okr::create(conn, actor, viewer, new))
                .await
            {
                Ok(item) => Ok(item),
                Err(e) => Err(Refusal::of(e)?),
            }
        }
    };
    Ok(outcome.map_err(|refusal| RefusedItem { form, refusal }))
}

pub async fn create_item(
    ctx: WorkspaceCtx,
    form: web::Form<ItemForm>,
) -> Result<HttpResponse, AppError> {
    // Bad input and refused rules come back the same way: the tree with the messages next
    // to the form that was used, and what was typed still in it.
    match create_from(&ctx, form.into_inner(), |new| new).await? {
        Ok(item) => Ok(see_other(&format!("{}#item-{}", ctx.base(), item.id))),
        Err(refused) => {
            unprocessable(overview_page(&ctx, TreeQuery::default(), Some(refused)).await?)
        }
    }
}

/// The check-in cadence as chosen on the settings page.
#[derive(Deserialize, Clone)]
pub struct CadenceForm {
    #[serde(default)]
    check_in_cadence: String,
    #[serde(default)]
    check_in_weekday: String,
}

impl CadenceForm {
    fn from_workspace(workspace: &Workspace) -> Self {
        let cadence = workspace.check_in_cadence();
        Self {
            check_in_cadence: cadence.cadence.as_str().to_owned(),
            check_in_weekday: workspaces::weekday_key(cadence.weekday).to_owned(),
        }
    }
}

impl TryFrom<&CadenceForm> for CheckInCadence {
    type Error = FieldErrors;

    fn try_from(form: &CadenceForm) -> Result<Self, FieldErrors> {
        CheckInCadence::parse(&form.check_in_cadence, &form.check_in_weekday).map_err(|e| {
            let mut errors = FieldErrors::default();
            errors.add(e.field, e.message);
            errors
        })
    }
}

/// A weekday as the cadence form offers it: (value, name).
fn weekday_choices() -> Vec<(&'static str, &'static str)> {
    WEEKDAYS
        .into_iter()
        .map(|day| (workspaces::weekday_key(day), workspaces::weekday_name(day)))
        .collect()
}

#[derive(Template)]
#[template(path = "workspaces/settings.html")]
struct SettingsPage {
    layout: Layout,
    access: WorkspaceAccess,
    form: WorkspaceForm,
    errors: FieldErrors,
    cadence: CadenceForm,
    cadence_errors: FieldErrors,
    cadences: &'static [Cadence],
    weekdays: Vec<(&'static str, &'static str)>,
    activity: Vec<ActivityEntry>,
    privacy_modes: &'static [PrivacyMode],
}

impl SettingsPage {
    /// Whether the chosen weekday is one the form offers (a refused one shows as unchosen).
    fn weekday_listed(&self) -> bool {
        self.weekdays
            .iter()
            .any(|(value, _)| self.cadence.check_in_weekday == *value)
    }
}

/// The settings page with both its forms: each comes back as typed, with its own errors,
/// and the other as stored.
async fn settings_page(
    ctx: &WorkspaceCtx,
    form: WorkspaceForm,
    errors: FieldErrors,
    cadence: CadenceForm,
    cadence_errors: FieldErrors,
) -> Result<SettingsPage, AppError> {
    let workspace_id = ctx.access.workspace().id.clone();
    let activity = ctx
        .run(move |conn, _, _| {
            activity::recent(conn, History::Workspace(&workspace_id), 20).map_err(AppError::from)
        })
        .await?;
    Ok(SettingsPage {
        layout: ctx
            .layout(&format!("{} settings", ctx.access.workspace().name))
            .await?,
        access: ctx.access.clone(),
        form,
        errors,
        cadence,
        cadence_errors,
        cadences: Cadence::ALL,
        weekdays: weekday_choices(),
        activity,
        privacy_modes: PrivacyMode::ALL,
    })
}

pub async fn settings(admin: WorkspaceAdmin) -> Result<HttpResponse, AppError> {
    let workspace = admin.access.workspace();
    let form = WorkspaceForm::from_workspace(workspace);
    let cadence = CadenceForm::from_workspace(workspace);
    let page = settings_page(
        &admin,
        form,
        FieldErrors::default(),
        cadence,
        FieldErrors::default(),
    );
    render(page.await?)
}

/// Saves how often the workspace checks in; a choice not understood comes back next to its
/// field, with what was chosen kept.
pub async fn save_check_in_cadence(
    admin: WorkspaceAdmin,
    form: web::Form<CadenceForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = form.into_inner();
    let cadence = match CheckInCadence::try_from(&form) {
        Ok(cadence) => cadence,
        Err(errors) => {
            let settings = WorkspaceForm::from_workspace(admin.access.workspace());
            let page = settings_page(&admin, settings, FieldErrors::default(), form, errors);
            return unprocessable(page.await?);
        }
    };
    admin
        .run(move |conn, actor, admin| {
            workspaces::set_check_in_cadence(conn, actor, admin, cadence)
        })
        .await?;
    admin.flash(&format!("Check-in cadence saved: {}.", cadence.describe()))?;
    Ok(see_other(&format!("{}/settings", admin.base())))
}

pub async fn save_settings(
    admin: WorkspaceAdmin,
    form: web::Form<WorkspaceForm>,
) -> Result<HttpResponse, AppError> {
    admin.access.require_writable()?;
    let form = form.into_inner();
    let cadence = CadenceForm::from_workspace(admin.access.workspace());
    let settings = match WorkspaceSettings::try_from(&form) {
        Ok(settings) => settings,
        Err(errors) => {
            let page = settings_page(&admin, form, errors, cadence, FieldErrors::default());
            return unprocessable(page.await?);
        }
    };
    match admin
        .run(move |conn, actor, admin| workspaces::update_settings(conn, actor, admin, settings))
        .await
    {
        Ok(workspace) => {
            admin.flash("Workspace settings saved.")?;
            Ok(see_other(&format!(
                "/orgs/{}/w/{}/settings",
                admin.access.org().org().slug,
                workspace.slug
            )))
        }
        Err(OrgError::SlugTaken) => {
            let errors = slug_taken_errors();
            let page = settings_page(&admin, form, errors, cadence, FieldErrors::default());
            unprocessable(page.await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_archived(ctx: WorkspaceAdmin, archived: bool) -> Result<HttpResponse, AppError> {
    ctx.run(move |conn, actor, admin| workspaces::set_archived(conn, actor, admin, archived))
        .await?;
    let name = &ctx.access.workspace().name;
    ctx.flash(&if archived {
        format!("{name} is archived and read-only.")
    } else {
        format!("{name} is active again.")
    })?;
    Ok(see_other(&format!("{}/settings", ctx.base())))
}

pub async fn archive(ctx: WorkspaceAdmin) -> Result<HttpResponse, AppError> {
    set_archived(ctx, true).await
}

pub async fn unarchive(ctx: WorkspaceAdmin) -> Result<HttpResponse, AppError> {
    set_archived(ctx, false).await
}
