//! One type per resource named in an API path, parsed once. Ids are UUIDs, so anything else
//! names nothing and answers 404 without reaching the database.

use serde::{Deserialize, Deserializer};

fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let id: uuid::Uuid = Deserialize::deserialize(deserializer)?;
    Ok(id.to_string())
}

#[derive(Deserialize)]
pub struct OrgPath {
    #[serde(deserialize_with = "id")]
    pub org_id: String,
}

#[derive(Deserialize)]
pub struct WorkspacePath {
    #[serde(deserialize_with = "id")]
    pub ws_id: String,
}

#[derive(Deserialize)]
pub struct MemberPath {
    #[serde(deserialize_with = "id")]
    pub ws_id: String,
    #[serde(deserialize_with = "id")]
    pub user_id: String,
}

#[derive(Deserialize)]
pub struct ItemPath {
    #[serde(deserialize_with = "id")]
    pub item_id: String,
}

#[derive(Deserialize)]
pub struct LinkPath {
    #[serde(deserialize_with = "id")]
    pub link_id: String,
}

#[derive(Deserialize)]
pub struct CheckInPath {
    #[serde(deserialize_with = "id")]
    pub check_in_id: String,
}

#[derive(Deserialize)]
pub struct CommentPath {
    #[serde(deserialize_with = "id")]
    pub comment_id: String,
}

#[derive(Deserialize)]
pub struct CyclePath {
    #[serde(deserialize_with = "id")]
    pub cycle_id: String,
}

#[derive(Deserialize)]
pub struct OrgMemberPath {
    #[serde(deserialize_with = "id")]
    pub org_id: String,
    #[serde(deserialize_with = "id")]
    pub user_id: String,
}

#[derive(Deserialize)]
pub struct InvitePath {
    #[serde(deserialize_with = "id")]
    pub invite_id: String,
}

#[derive(Deserialize)]
pub struct WebhookPath {
    #[serde(deserialize_with = "id")]
    pub webhook_id: String,
}

#[derive(Deserialize)]
pub struct ScrapeJobPath {
    #[serde(deserialize_with = "id")]
    pub scrape_job_id: String,
}

#[derive(Deserialize)]
pub struct ReportPath {
    #[serde(deserialize_with = "id")]
    pub report_id: String,
}
