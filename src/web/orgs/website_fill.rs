//! "Fill from our website" on the organization settings page: asking for a scrape, the card
//! htmx polls while it runs, and the review where chosen suggestions are applied. The API
//! does the same through the same domain calls.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::context::OrgAdmin;
use super::super::error::AppError;
use super::super::{render, see_other};
use super::fill_card::{FillState, WebsiteFill};
use super::settings::refused_with_fill;
use crate::outbound::UrlRules;
use crate::scrape::{self, ProfileField, ScrapeError, SourceUrl};

#[derive(Template)]
#[template(path = "orgs/website_fill.html")]
struct FillCard {
    fill: WebsiteFill,
}

#[derive(Deserialize)]
pub struct FillForm {
    #[serde(default)]
    url: String,
}

/// Asks for a scrape of the typed address; a refusal comes back next to the field.
pub async fn request(admin: OrgAdmin, form: web::Form<FillForm>) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().url;
    let config = &admin.state().config;
    let rules = UrlRules::web_pages(config.scrape_ports.clone());
    let now = config.clock.now();
    let requested = match SourceUrl::parse(&typed, &config.outbound, &rules) {
        Ok(url) => {
            admin
                .run(move |conn, actor, access| {
                    scrape::request(conn, &actor.user_id, access, &url, now)
                })
                .await
        }
        Err(e) => Err(e),
    };
    match requested {
        Ok(_) => {
            admin.flash("Reading your website: its suggestions appear under “Fill from our website” in a moment.")?;
            Ok(see_other(&format!(
                "/orgs/{}/settings#website-fill",
                admin.access.org().slug
            )))
        }
        Err(e) => {
            let state = FillState::refused("url", typed, e, None)?;
            refused_with_fill(&admin, state).await
        }
    }
}

/// The card alone, for htmx polling while a scrape runs.
pub async fn card(
    admin: OrgAdmin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (_, id) = path.into_inner();
    let job = admin
        .run(move |conn, _, access| scrape::get(conn, access, &id))
        .await?;
    let fill = WebsiteFill::new(
        admin.access.org(),
        &admin.signed_in.csrf_token,
        Some(job),
        FillState::default(),
    );
    render(FillCard { fill })
}

/// The chosen fields, which repeat, read by hand.
fn chosen_fields(body: &[u8]) -> Result<Vec<ProfileField>, ScrapeError> {
    url::form_urlencoded::parse(body)
        .filter(|(name, _)| name == "fields")
        .map(|(_, value)| {
            ProfileField::parse(&value).ok_or(ScrapeError::Field {
                field: "fields",
                message: "Choose suggestions from the list.".into(),
            })
        })
        .collect()
}

/// Applies the chosen suggestions; what the profile's rules refuse is shown next to its row.
pub async fn apply(
    admin: OrgAdmin,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (_, id) = path.into_inner();
    let fields = match chosen_fields(&body) {
        Ok(fields) => fields,
        Err(e) => {
            return refused_with_fill(
                &admin,
                FillState::refused("fields", None, e, Some(Vec::new()))?,
            )
            .await
        }
    };
    let chosen = fields.clone();
    let applied = admin
        .run(move |conn, actor, access| scrape::apply(conn, actor, access, &id, &fields))
        .await;
    match applied {
        Ok(org) => {
            admin.flash(&format!(
                "Applied {} suggestion{} to the profile.",
                chosen.len(),
                if chosen.len() == 1 { "" } else { "s" }
            ))?;
            Ok(see_other(&format!("/orgs/{}/settings", org.slug)))
        }
        Err(e) => {
            refused_with_fill(&admin, FillState::refused("fields", None, e, Some(chosen))?).await
        }
    }
}
