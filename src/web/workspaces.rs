//! A workspace's pages: settings and archive (the tree is `tree`, members
//! `workspace_members`). Creating one is an organization route (`orgs`).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{WorkspaceAdmin, WorkspaceCtx};
use super::error::AppError;
use super::layout::{FieldErrors, Layout};
use super::{render, see_other, unprocessable};
use crate::activity::{self, ActivityEntry, History};
use crate::orgs::{OrgError, Organization};
use crate::workspaces::{
    self, Cadence, CheckInCadence, PrivacyMode, ReminderHour, ReminderSettings, Workspace,
    WorkspaceAccess, WorkspaceSettings, WEEKDAYS,
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
        let privacy_mode = PrivacyMode::parse(&form.privacy_mode);
        if privacy_mode.is_none() {
            errors.add("privacy_mode", "Choose Open or Need-to-know.");
        }
        let settings = WorkspaceSettings::parse(
            &form.name,
            &form.slug,
            privacy_mode.unwrap_or(PrivacyMode::Open),
        );
        match settings {
            Ok(settings) if privacy_mode.is_some() => Ok(settings),
            Ok(_) => Err(errors),
            Err(problems) => {
                errors.extend(problems.into());
                Err(errors)
            }
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

/// The check-in cadence and reminder time as chosen on the settings page.
#[derive(Deserialize, Clone)]
pub struct CadenceForm {
    #[serde(default)]
    check_in_cadence: String,
    #[serde(default)]
    check_in_weekday: String,
    #[serde(default)]
    reminder_hour: String,
    #[serde(default)]
    escalate_to_manager: Option<String>,
}

impl CadenceForm {
    fn from_workspace(workspace: &Workspace) -> Self {
        let cadence = workspace.check_in_cadence();
        let reminders = workspace.reminders();
        Self {
            check_in_cadence: cadence.cadence.as_str().to_owned(),
            check_in_weekday: workspaces::weekday_key(cadence.weekday).to_owned(),
            reminder_hour: reminders.hour.get().to_string(),
            escalate_to_manager: reminders.escalate_to_manager.then(|| "on".to_owned()),
        }
    }
}

impl TryFrom<&CadenceForm> for (CheckInCadence, ReminderSettings) {
    type Error = FieldErrors;

    fn try_from(form: &CadenceForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let cadence = CheckInCadence::parse(&form.check_in_cadence, &form.check_in_weekday)
            .map_err(|e| errors.add(e.field, e.message))
            .ok();
        let hour = ReminderHour::parse(&form.reminder_hour)
            .map_err(|e| errors.add(e.field, e.message))
            .ok();
        match (cadence, hour) {
            (Some(cadence), Some(hour)) => Ok((
                cadence,
                ReminderSettings {
                    hour,
                    escalate_to_manager: form.escalate_to_manager.is_some(),
                },
            )),
            _ => Err(errors),
        }
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
            activity::recent(
                conn,
                History::Workspace(&workspace_id),
                20,
                crate::okr::history_words,
            )
            .map_err(AppError::from)
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
    let (cadence, reminders) = match <(CheckInCadence, ReminderSettings)>::try_from(&form) {
        Ok(chosen) => chosen,
        Err(errors) => {
            let settings = WorkspaceForm::from_workspace(admin.access.workspace());
            let page = settings_page(&admin, settings, FieldErrors::default(), form, errors);
            return unprocessable(page.await?);
        }
    };
    admin
        .run(move |conn, actor, admin| {
            workspaces::set_check_in_cadence(conn, actor, admin, cadence, reminders)
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
