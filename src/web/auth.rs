//! Sign-up, log-in and log-out.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::error::AppError;
use super::identity::{self, ClientIp, Visitor};
use super::layout::{FieldErrors, Layout};
use super::{see_other, unprocessable, with_status, AppState};
use crate::accounts::{
    self, AccountError, DisplayName, Email, EmailError, LogInAttempt, NewAccount, Password,
};

#[derive(Template, WebTemplate)]
#[template(path = "auth/signup.html")]
struct SignupPage {
    layout: Layout,
    email: String,
    name: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

impl TryFrom<&SignupForm> for NewAccount {
    type Error = FieldErrors;

    fn try_from(form: &SignupForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let email = Email::parse(&form.email)
            .map_err(|e| errors.add("email", e))
            .ok();
        let name = DisplayName::parse(&form.name)
            .map_err(|e| errors.add("name", e))
            .ok();
        let password = Password::parse(form.password.clone())
            .map_err(|e| errors.add("password", e))
            .ok();
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok(NewAccount {
                email,
                name,
                password,
            }),
            _ => Err(errors),
        }
    }
}

pub async fn signup_page(visitor: Visitor) -> Result<HttpResponse, AppError> {
    if visitor.user.is_some() {
        return Ok(see_other("/"));
    }
    let page = SignupPage {
        layout: visitor.layout("Create your account"),
        email: String::new(),
        name: String::new(),
        errors: FieldErrors::default(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

pub async fn signup(
    visitor: Visitor,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let rerender = |errors: FieldErrors| SignupPage {
        layout: visitor.layout("Create your account"),
        email: form.email.trim().to_owned(),
        name: form.name.trim().to_owned(),
        errors,
    };
    let account = match NewAccount::try_from(&form) {
        Ok(account) => account,
        Err(errors) => return unprocessable(rerender(errors)),
    };
    match accounts::sign_up(&state.db, account).await {
        Ok(user) => {
            identity::begin_session(&visitor.session, &user)?;
            identity::flash(&visitor.session, "Welcome to Cairn! Your account is ready.")?;
            tracing::info!(user_id = %user.id, "account created");
            Ok(see_other("/"))
        }
        Err(AccountError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                "An account with this email already exists. Log in instead?",
            );
            unprocessable(rerender(errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    #[serde(default)]
    logged_out: Option<String>,
}

pub async fn login_page(
    visitor: Visitor,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = identity::safe_next(query.next.as_deref());
    if visitor.user.is_some() {
        return Ok(see_other(&next));
    }
    let notice = match query.logged_out.as_deref() {
        Some("everywhere") => Some("You are logged out on every device."),
        Some("reset") => Some("Your password is changed. Log in with the new one."),
        Some("deleted") => Some("Your account is deleted."),
        Some(_) => Some("You are logged out."),
        None => None,
    };
    let page = LoginPage {
        layout: visitor.layout("Log in"),
        email: String::new(),
        next,
        notice,
        error: None,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

impl LoginForm {
    /// A log-in with a malformed email is refused at once: no password check, no attempt
    /// counted against anyone.
    fn attempt(&self, client_ip: ClientIp) -> Result<LogInAttempt, EmailError> {
        Ok(LogInAttempt {
            email: Email::parse(&self.email)?,
            password: self.password.clone(),
            client_ip: client_ip.0,
        })
    }
}

pub async fn login(
    client_ip: ClientIp,
    visitor: Visitor,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = identity::safe_next(form.next.as_deref());
    let refused = |status: StatusCode, message: String| {
        with_status(
            status,
            LoginPage {
                layout: visitor.layout("Log in"),
                email: form.email.trim().to_owned(),
                next: next.clone(),
                notice: None,
                error: Some(message),
            },
        )
    };
    let attempt = match form.attempt(client_ip) {
        Ok(attempt) => attempt,
        Err(e) => return refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    match accounts::log_in(&state.db, attempt, &state.config.login_throttle).await {
        Ok(user) => {
            identity::begin_session(&visitor.session, &user)?;
            tracing::info!(user_id = %user.id, "logged in");
            Ok(see_other(&next))
        }
        Err(e @ AccountError::InvalidCredentials) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
        Err(e @ AccountError::Throttled { .. }) => {
            refused(StatusCode::TOO_MANY_REQUESTS, e.to_string())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(visitor: Visitor) -> HttpResponse {
    visitor.session.purge();
    see_other("/login?logged_out=1")
}
