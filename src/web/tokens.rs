//! The account's personal access tokens page: create (the token is shown once), list with
//! last use, revoke; and how to call the API with one.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::error::AppError;
use super::identity::{self, SignedIn};
use super::layout::{FieldErrors, Layout};
use super::nav::Nav;
use super::{render, see_other, unprocessable, AppState};
use crate::tokens::{self, Description, Lifetime, NewToken, Scope, Scopes, Token};

#[derive(Template)]
#[template(path = "auth/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<Token>,
    now: NaiveDateTime,
    /// The token just created: shown on this page only.
    created: Option<String>,
    form: TokenForm,
    errors: FieldErrors,
    scopes: &'static [Scope],
    base_url: String,
    max_days: u32,
}

impl TokensPage {
    fn scope_checked(&self, scope: &Scope) -> bool {
        self.form.scopes.iter().any(|s| s == scope.as_str())
    }
}

#[derive(Debug, Default)]
pub struct TokenForm {
    description: String,
    scopes: Vec<String>,
    days: String,
}

impl TokenForm {
    /// Scopes repeat, so the body is read by hand.
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (name, value) in url::form_urlencoded::parse(body) {
            match name.as_ref() {
                "description" => form.description = value.into_owned(),
                "scopes" => form.scopes.push(value.into_owned()),
                "days" => form.days = value.into_owned(),
                _ => {}
            }
        }
        form
    }

    fn validate(&self) -> Result<NewToken, FieldErrors> {
        let mut errors = FieldErrors::default();
        let description = Description::parse(&self.description)
            .map_err(|e| errors.add("description", e))
            .ok();
        let scopes = Scopes::parse(&self.scopes)
            .map_err(|e| errors.add("scopes", e))
            .ok();
        let lifetime = self
            .days
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("Choose from 1 to {} days.", tokens::MAX_DAYS))
            .and_then(Lifetime::days)
            .map_err(|e| errors.add("days", e))
            .ok();
        match (description, scopes, lifetime) {
            (Some(description), Some(scopes), Some(lifetime)) => Ok(NewToken {
                description,
                scopes,
                lifetime,
            }),
            _ => Err(errors),
        }
    }
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    nav: Nav,
    form: TokenForm,
    errors: FieldErrors,
    created: Option<String>,
) -> Result<TokensPage, AppError> {
    let user_id = signed_in.user.id.clone();
    let tokens = state
        .db
        .run(move |conn| tokens::list(conn, &user_id))
        .await?;
    Ok(TokensPage {
        layout: signed_in.layout("Access tokens", nav),
        tokens,
        now: crate::db::now(),
        created,
        form,
        errors,
        scopes: Scope::ALL,
        base_url: state
            .config
            .base_url
            .as_str()
            .trim_end_matches('/')
            .to_owned(),
        max_days: tokens::MAX_DAYS,
    })
}

pub async fn index(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = TokenForm {
        scopes: vec![Scope::Read.as_str().to_owned()],
        days: "30".into(),
        ..TokenForm::default()
    };
    render(page(&state, &signed_in, nav, form, FieldErrors::default(), None).await?)
}

/// Creates a token and shows it once, on this answer only (never in a redirect or session).
pub async fn create(
    signed_in: SignedIn,
    nav: Nav,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = TokenForm::parse(&body);
    let new = match form.validate() {
        Ok(new) => new,
        Err(errors) => {
            return unprocessable(page(&state, &signed_in, nav, form, errors, None).await?)
        }
    };
    let user_id = signed_in.user.id.clone();
    let (secret, token) = state
        .db
        .run(move |conn| tokens::create(conn, &user_id, &new))
        .await?;
    tracing::info!(user_id = %signed_in.user.id, token_id = %token.id, "access token created");
    let fresh = TokenForm {
        scopes: vec![Scope::Read.as_str().to_owned()],
        days: "30".into(),
        ..TokenForm::default()
    };
    let shown = secret.expose().to_owned();
    let page = page(
        &state,
        &signed_in,
        nav,
        fresh,
        FieldErrors::default(),
        Some(shown),
    )
    .await?;
    let mut response = render(page)?;
    // The secret must not linger in a cache or be shown again from one.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct TokenPath {
    token_id: String,
}

pub async fn revoke(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<TokenPath>,
) -> Result<HttpResponse, AppError> {
    let user_id = signed_in.user.id.clone();
    let token_id = path.into_inner().token_id;
    state
        .db
        .run(move |conn| tokens::revoke(conn, &user_id, &token_id))
        .await?;
    identity::flash(
        &signed_in.session,
        "The token is revoked; it no longer works.",
    )?;
    Ok(see_other("/account/tokens"))
}
