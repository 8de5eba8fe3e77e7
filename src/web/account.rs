//! The account page: profile, sessions, which notifications come by email, and the way to
//! the API (its own changes, name to deletion, are in `account_changes`).

use actix_web::{web, HttpResponse};
use askama::Template;

use super::error::AppError;
use super::identity::{self, SignedIn};
use super::layout::{FieldErrors, Layout};
use super::nav::Nav;
use super::{render, see_other, unprocessable, AppState};
use crate::accounts;
use crate::notifications::{
    self, DigestHour, EmailDelivery, NotificationError, NotificationPreferences,
};

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    layout: Layout,
    name: String,
    email: String,
    member_since: String,
    active_sessions: i64,
    preferences: PreferencesForm,
    errors: FieldErrors,
    hours: std::ops::Range<i32>,
    typed: Typed,
}

/// What was typed into the profile forms when a change was refused.
#[derive(Debug, Clone, Default)]
pub(super) struct Typed {
    pub name: Option<String>,
    pub new_email: String,
}

/// The email preferences as the form sends them: a checkbox left out is off.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    mentioned: bool,
    #[serde(default)]
    assigned: bool,
    #[serde(default)]
    comment: bool,
    #[serde(default)]
    check_in: bool,
    #[serde(default)]
    invite_accepted: bool,
    #[serde(default)]
    email_delivery: String,
    #[serde(default)]
    digest_hour: String,
}

impl From<&NotificationPreferences> for PreferencesForm {
    fn from(p: &NotificationPreferences) -> Self {
        Self {
            mentioned: p.mentioned,
            assigned: p.assigned,
            comment: p.comment,
            check_in: p.check_in,
            invite_accepted: p.invite_accepted,
            email_delivery: p.delivery.as_str().to_owned(),
            digest_hour: p.digest_hour.value().to_string(),
        }
    }
}

impl PreferencesForm {
    fn validate(&self) -> Result<NotificationPreferences, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut refused = |e: NotificationError| {
            if let NotificationError::Invalid { field, message } = e {
                errors.add(field, message);
            }
        };
        let delivery = EmailDelivery::choose(&self.email_delivery)
            .map_err(&mut refused)
            .ok();
        let digest_hour = DigestHour::parse(&self.digest_hour)
            .map_err(&mut refused)
            .ok();
        match (delivery, digest_hour) {
            (Some(delivery), Some(digest_hour)) => Ok(NotificationPreferences {
                mentioned: self.mentioned,
                assigned: self.assigned,
                comment: self.comment,
                check_in: self.check_in,
                invite_accepted: self.invite_accepted,
                delivery,
                digest_hour,
            }),
            _ => Err(errors),
        }
    }

    fn is_digest(&self) -> bool {
        self.email_delivery == EmailDelivery::DailyDigest.as_str()
    }

    fn is_hour(&self, hour: &i32) -> bool {
        self.digest_hour.trim() == hour.to_string()
    }
}

pub(super) async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    nav: Nav,
    (preferences, typed): (Option<PreferencesForm>, Typed),
    errors: FieldErrors,
) -> Result<impl Template, AppError> {
    let user_id = signed_in.user.id.clone();
    let (active_sessions, stored) = state
        .db
        .run(move |conn| -> Result<_, AppError> {
            Ok((
                accounts::active_session_count(conn, &user_id)?,
                notifications::get_preferences(conn, &user_id)?,
            ))
        })
        .await?;
    Ok(AccountPage {
        layout: signed_in.layout("Account", nav),
        name: signed_in.user.name.clone(),
        email: signed_in.user.email.clone(),
        member_since: signed_in.user.created_at.format("%e %B %Y").to_string(),
        active_sessions,
        preferences: preferences.unwrap_or_else(|| PreferencesForm::from(&stored)),
        errors,
        hours: 0..24,
        typed,
    })
}

pub async fn show(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let typed = (None, Typed::default());
    render(page(&state, &signed_in, nav, typed, FieldErrors::default()).await?)
}

pub async fn save_notification_preferences(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    form: web::Form<PreferencesForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let choice = match form.validate() {
        Ok(choice) => choice,
        Err(errors) => {
            let typed = (Some(form), Typed::default());
            return unprocessable(page(&state, &signed_in, nav, typed, errors).await?);
        }
    };
    let user_id = signed_in.user.id.clone();
    let now = state.config.clock.now();
    state
        .db
        .run(move |conn| notifications::set_preferences(conn, &user_id, &choice, now))
        .await?;
    identity::flash(&signed_in.session, "Your notification settings are saved.")?;
    Ok(see_other("/account#notifications"))
}

pub async fn logout_everywhere(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = signed_in.user.id.clone();
    let ended = state
        .db
        .run(move |conn| accounts::log_out_everywhere(conn, &user_id))
        .await?;
    signed_in.session.purge();
    tracing::info!(user_id = %signed_in.user.id, sessions = ended, "logged out everywhere");
    Ok(see_other("/login?logged_out=everywhere"))
}
