//! Static files embedded at build time, served under content-hashed names so browsers may
//! cache them forever.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::error::AppError;

pub struct Asset {
    pub name: &'static str,
    pub hashed_name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The URL of an asset by its plain name, e.g. `app.css` → `/static/app.3f…e1.css`.
pub fn url(name: &str) -> String {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => format!("/static/{}", asset.hashed_name),
        None => {
            tracing::error!(asset = name, "template refers to an unknown asset");
            format!("/static/{name}")
        }
    }
}

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let requested = path.into_inner();
    let asset = ASSETS
        .iter()
        .find(|asset| asset.hashed_name == requested)
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(asset.bytes))
}

/// `/favicon.ico`, which browsers ask for on their own: the icon, for a day (its name
/// carries no hash to change when it does).
pub async fn favicon() -> Result<HttpResponse, AppError> {
    let icon = ASSETS
        .iter()
        .find(|asset| asset.name == "favicon.svg")
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, icon.content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(icon.bytes))
}
