//! The first page after log-in.

use actix_web::Responder;
use askama::Template;
use askama_web::WebTemplate;

use super::identity::SignedIn;
use super::layout::Layout;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
}

pub async fn home(signed_in: SignedIn) -> impl Responder {
    let first_name = signed_in
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    HomePage {
        layout: signed_in.layout("Home"),
        first_name,
    }
}
