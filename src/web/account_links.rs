//! The emailed account links: "forgot password" (ask, then choose a new password from the
//! link) and confirming a new email address. Opening a link only shows its form; the
//! button uses it, so a mail scanner that follows links uses nothing up.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::AppError;
use super::identity::{self, Visitor};
use super::layout::{FieldErrors, Layout, NoticePage};
use super::{see_other, unprocessable, AppState};
use crate::accounts::{self, AccountError, Email, LinkPurpose, Password};
use crate::mail::LinkToken;

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

pub async fn forgot_page(visitor: Visitor) -> Result<HttpResponse, AppError> {
    super::render(ForgotPage {
        layout: visitor.layout("Forgot password"),
        email: String::new(),
        errors: FieldErrors::default(),
        sent: false,
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address has an account (or asked too often).
pub async fn forgot(
    visitor: Visitor,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().email;
    let email = match Email::parse(&typed) {
        Ok(email) => email,
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("email", e);
            return unprocessable(ForgotPage {
                layout: visitor.layout("Forgot password"),
                email: typed.trim().to_owned(),
                errors,
                sent: false,
            });
        }
    };
    let now = state.config.clock.now();
    let address = email.as_str().to_owned();
    state
        .db
        .run(move |conn| accounts::request_password_reset(conn, &email, now))
        .await?;
    super::render(ForgotPage {
        layout: visitor.layout("Forgot password"),
        email: address,
        errors: FieldErrors::default(),
        sent: true,
    })
}

#[derive(Deserialize)]
pub struct TokenRef {
    token: String,
}

/// What a link that does not work shows.
fn unusable(visitor: &Visitor, title: &'static str) -> Result<HttpResponse, AppError> {
    NoticePage::answer(
        visitor,
        StatusCode::NOT_FOUND,
        title,
        "This link has expired or was already used. Links work once, for an hour.".into(),
    )
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    email: String,
    errors: FieldErrors,
}

/// The open link of `purpose` the path's token names.
async fn open(
    state: &AppState,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Option<accounts::OpenLink>, AppError> {
    let Some(token) = LinkToken::from_link(token) else {
        return Ok(None);
    };
    let now = state.config.clock.now();
    Ok(state
        .db
        .run(move |conn| accounts::open_link(conn, &token, purpose, now))
        .await?)
}

pub async fn reset_page(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<TokenRef>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner().token;
    match open(&state, &token, LinkPurpose::PasswordReset).await? {
        Some(link) => super::render(ResetPage {
            layout: visitor.layout("Choose a new password"),
            token,
            email: link.user.email,
            errors: FieldErrors::default(),
        }),
        None => unusable(&visitor, "Reset link"),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// Sets the new password, ends every session of the account, and sends to the log-in page.
pub async fn reset(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<TokenRef>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner().token;
    let Some(link) = open(&state, &raw, LinkPurpose::PasswordReset).await? else {
        return unusable(&visitor, "Reset link");
    };
    let password = match Password::parse(form.into_inner().password) {
        Ok(password) => password,
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("password", e);
            return unprocessable(ResetPage {
                layout: visitor.layout("Choose a new password"),
                token: raw,
                email: link.user.email,
                errors,
            });
        }
    };
    let hash = web::block(move || accounts::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
        .map_err(AccountError::from)?;
    let (now, token) = (
        state.config.clock.now(),
        LinkToken::from_link(&raw).ok_or(AccountError::LinkUnusable)?,
    );
    let outcome = state
        .db
        .run(move |conn| accounts::reset_password(conn, &token, &hash, now))
        .await;
    match outcome {
        Ok(user) => {
            visitor.session.purge();
            tracing::info!(user_id = %user.id, "password reset from an emailed link");
            Ok(see_other("/login?logged_out=reset"))
        }
        Err(AccountError::LinkUnusable) => unusable(&visitor, "Reset link"),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "auth/email_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    token: String,
    new_email: String,
}

pub async fn email_page(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<TokenRef>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner().token;
    match open(&state, &token, LinkPurpose::EmailChange).await? {
        Some(link) => super::render(ConfirmPage {
            layout: visitor.layout("Confirm your new email"),
            token,
            new_email: link.new_email.unwrap_or_default(),
        }),
        None => unusable(&visitor, "Email link"),
    }
}

/// The account's address becomes the confirmed one.
pub async fn confirm_email(
    visitor: Visitor,
    state: web::Data<AppState>,
    path: web::Path<TokenRef>,
) -> Result<HttpResponse, AppError> {
    let Some(token) = LinkToken::from_link(&path.into_inner().token) else {
        return unusable(&visitor, "Email link");
    };
    let now = state.config.clock.now();
    let outcome = state
        .db
        .run(move |conn| accounts::confirm_email_change(conn, &token, now))
        .await;
    match outcome {
        Ok(user) => {
            if visitor.user.as_ref().is_some_and(|u| u.id == user.id) {
                identity::flash(
                    &visitor.session,
                    &format!("Your email is now {}.", user.email),
                )?;
                return Ok(see_other("/account"));
            }
            NoticePage::answer(
                &visitor,
                StatusCode::OK,
                "Email confirmed",
                format!(
                    "Your Cairn account now uses {}. Log in with it.",
                    user.email
                ),
            )
        }
        Err(AccountError::LinkUnusable) => unusable(&visitor, "Email link"),
        Err(e @ AccountError::EmailTaken) => {
            NoticePage::answer(&visitor, StatusCode::CONFLICT, "Email link", e.to_string())
        }
        Err(e) => Err(e.into()),
    }
}
