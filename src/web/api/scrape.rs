//! The onboarding scrape over the API: an organization's owners and admins ask Cairn to read
//! the company website, poll the scrape, and apply chosen suggestions (admin scope to
//! change, read scope to poll; 403 for members, 404 for outsiders).

use actix_web::{web, HttpResponse};

use super::body::Body;
use super::caller::{Admin, Caller, Read};
use super::error::ApiError;
use super::org_profile::OrgProfileOut;
use super::paths::{OrgPath, ScrapeJobPath};
use super::scrape_models::{ApplyScrape, NewScrapeJob, ScrapeJobCreated, ScrapeJobOut};
use super::{AdminErrors, ReadErrors};
use crate::orgs;
use crate::outbound::UrlRules;
use crate::scrape::{self, ProfileField, ScrapeError, SourceUrl};

/// Queues a read of the website; poll `GET /scrape-jobs/{id}` for its suggestions. Needs the
/// organization's AI enrichment opt-in (403 without it) and one scrape at a time (409).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/scrape-jobs", tag = "organizations",
    params(("org_id" = String, Path, format = Uuid)), request_body = NewScrapeJob,
    security(("bearer" = ["admin"])),
    responses((status = 202, body = ScrapeJobCreated), AdminErrors))]
pub async fn create_scrape_job(
    caller: Caller<Admin>,
    path: web::Path<OrgPath>,
    body: Body<NewScrapeJob>,
) -> Result<HttpResponse, ApiError> {
    let config = &caller.state().config;
    let rules = UrlRules::web_pages(config.scrape_ports.clone());
    let url = SourceUrl::parse(&body.into_inner().url, &config.outbound, &rules);
    let now = caller.now();
    let job = caller
        .in_org(path.into_inner().org_id, move |conn, actor, access| {
            let admin = access.admin()?;
            Ok::<_, ApiError>(scrape::request(conn, &actor.user_id, &admin, &url?, now)?)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(ScrapeJobCreated {
        id: job.id,
        status: job.status.into(),
    }))
}

/// One scrape: its status and, once done, its suggestions (read scope; owners and admins).
#[utoipa::path(get, path = "/api/v1/scrape-jobs/{scrape_job_id}", tag = "organizations",
    params(("scrape_job_id" = String, Path, format = Uuid)),
    security(("bearer" = ["read"])),
    responses((status = 200, body = ScrapeJobOut), ReadErrors))]
pub async fn show_scrape_job(
    caller: Caller<Read>,
    path: web::Path<ScrapeJobPath>,
) -> Result<web::Json<ScrapeJobOut>, ApiError> {
    let id = path.into_inner().scrape_job_id;
    let job = caller
        .run(move |conn, actor| {
            let org_id = scrape::organization_of(conn, &id)?;
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            Ok::<_, ApiError>(scrape::get(conn, &access.admin()?, &id)?)
        })
        .await?;
    Ok(web::Json(ScrapeJobOut::from(&job)))
}

/// Takes the chosen suggestions into the profile through the profile's rules (a value they
/// refuse answers 422 naming its field, and nothing changes); the profile's source becomes
/// `ai` (admin scope).
#[utoipa::path(post, path = "/api/v1/scrape-jobs/{scrape_job_id}/apply", tag = "organizations",
    params(("scrape_job_id" = String, Path, format = Uuid)), request_body = ApplyScrape,
    security(("bearer" = ["admin"])),
    responses((status = 200, body = OrgProfileOut), AdminErrors))]
pub async fn apply_scrape_job(
    caller: Caller<Admin>,
    path: web::Path<ScrapeJobPath>,
    body: Body<ApplyScrape>,
) -> Result<web::Json<OrgProfileOut>, ApiError> {
    let id = path.into_inner().scrape_job_id;
    let fields: Vec<ProfileField> = body
        .into_inner()
        .fields
        .into_iter()
        .map(Into::into)
        .collect();
    let profile = caller
        .run(move |conn, actor| {
            let org_id = scrape::organization_of(conn, &id)?;
            let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
            match scrape::apply(conn, actor, &access.admin()?, &id, &fields) {
                Err(ScrapeError::Profile(problems)) => Err(ApiError::of_problems(problems)),
                Err(e) => Err(e.into()),
                Ok(_) => {
                    let access = orgs::access_by_id(conn, &actor.user_id, &org_id)?;
                    Ok(OrgProfileOut::from(&access))
                }
            }
        })
        .await?;
    Ok(web::Json(profile))
}
