//! Changes to one's own account from the account page: name, password, email (confirmed by
//! a link to the new address) and deleting the account. A refusal shows the page again with
//! the message next to the field and what was typed (never a password) kept.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::account::{page, Typed};
use super::error::AppError;
use super::identity::{self, SignedIn};
use super::layout::FieldErrors;
use super::nav::Nav;
use super::{see_other, unprocessable, AppState};
use crate::accounts::{self, AccountError, DisplayName, Email, Password};

/// The account page again, refused: each message beside its field.
async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    nav: Nav,
    typed: Typed,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    unprocessable(page(state, signed_in, nav, (None, typed), errors).await?)
}

fn one(field: &'static str, message: impl ToString) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn change_name(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().name;
    let name = match DisplayName::parse(&typed) {
        Ok(name) => name,
        Err(e) => {
            let typed = Typed {
                name: Some(typed),
                ..Typed::default()
            };
            return refused(&state, &signed_in, nav, typed, one("name", e)).await;
        }
    };
    let (user_id, now) = (signed_in.user.id.clone(), state.config.clock.now());
    state
        .db
        .run(move |conn| accounts::change_name(conn, &user_id, &name, now))
        .await?;
    identity::flash(&signed_in.session, "Your name is saved.")?;
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// A new password, the current one given; every other session ends, this one goes on.
pub async fn change_password(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm {
        current_password,
        new_password,
    } = form.into_inner();
    let new = match Password::parse(new_password) {
        Ok(new) => new,
        Err(e) => {
            let errors = one("new_password", e);
            return refused(&state, &signed_in, nav, Typed::default(), errors).await;
        }
    };
    let now = state.config.clock.now();
    match accounts::change_password(&state.db, &signed_in.user.id, current_password, new, now).await
    {
        Ok(()) => {
            identity::begin_session(&signed_in.session, &signed_in.user)?;
            identity::flash(
                &signed_in.session,
                "Your password is changed. Every other session has ended.",
            )?;
            tracing::info!(user_id = %signed_in.user.id, "password changed");
            Ok(see_other("/account"))
        }
        Err(e @ AccountError::WrongPassword) => {
            let errors = one("current_password", e);
            refused(&state, &signed_in, nav, Typed::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sends a confirmation link to the new address (and a notice to the current one).
pub async fn change_email(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().email;
    let kept = || Typed {
        new_email: typed.trim().to_owned(),
        ..Typed::default()
    };
    let new_email = match Email::parse(&typed) {
        Ok(email) if email.as_str() == signed_in.user.email => {
            let errors = one("email", "That is already your email.");
            return refused(&state, &signed_in, nav, kept(), errors).await;
        }
        Ok(email) => email,
        Err(e) => return refused(&state, &signed_in, nav, kept(), one("email", e)).await,
    };
    let (user, now) = (signed_in.user.clone(), state.config.clock.now());
    let address = new_email.as_str().to_owned();
    let outcome = state
        .db
        .run(move |conn| accounts::request_email_change(conn, &user, &new_email, now))
        .await;
    match outcome {
        Ok(()) => {
            let message = format!(
                "We sent a link to {address}. Your email changes when you follow it (within an hour)."
            );
            identity::flash(&signed_in.session, &message)?;
            Ok(see_other("/account"))
        }
        Err(e @ AccountError::EmailTaken) => {
            refused(&state, &signed_in, nav, kept(), one("email", e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    current_password: String,
}

/// Deletes the account (the password given); refused, naming them, while it is the last
/// owner of an organization.
pub async fn delete_account(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let current = form.into_inner().current_password;
    let now = state.config.clock.now();
    match accounts::delete_account(&state.db, &signed_in.user, current, now).await {
        Ok(()) => {
            signed_in.session.purge();
            tracing::info!(user_id = %signed_in.user.id, "account deleted");
            Ok(see_other("/login?logged_out=deleted"))
        }
        Err(e @ (AccountError::WrongPassword | AccountError::LastOwner(_))) => {
            let errors = one("delete_password", e);
            refused(&state, &signed_in, nav, Typed::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
