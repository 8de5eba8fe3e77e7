//! Running requested scrapes, the outbox's way: claim in a short transaction, fetch and
//! read with no transaction open, record the outcome only while the claim holds. A scrape
//! whose worker died is taken over when its claim lapses.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;
use url::Url;

use super::{
    extract, page_text, Extracted, Prefill, ProfileField, ScrapeJob, ScrapeStatus, Source,
};
use crate::db::{self, AnyConnection, Db, DbError};
use crate::llm::{json_in, Exchange, Llm, Message};
use crate::outbound::{Outbound, PageLimits, UrlRules};
use crate::schema::scrape_jobs;

/// Names the prompt below in what is recorded, so answers can be told apart when it changes.
pub const PROMPT_VERSION: &str = "scrape-profile-1";

/// Characters of page text sent to the language model.
const LLM_TEXT_CHARS: usize = 6_000;

/// Longer than a run can take: 10 s for the page and the model's limit.
const CLAIM_SECS: i64 = 120;

/// Scrapes run per round.
const BATCH: usize = 4;

/// What reading a website takes.
#[derive(Clone)]
pub struct Scraper {
    pub outbound: Outbound,
    pub rules: UrlRules,
    pub limits: PageLimits,
    pub llm: Option<Llm>,
}

/// A free scrape: requested, or running under a claim that lapsed.
macro_rules! free_scrape {
    ($now:expr) => {
        scrape_jobs::status
            .eq(ScrapeStatus::Pending)
            .or(scrape_jobs::status
                .eq(ScrapeStatus::Running)
                .and(scrape_jobs::started_at.lt($now - chrono::Duration::seconds(CLAIM_SECS))))
    };
}

/// Claims the next free scrape; `started_at` is the claim.
fn claim(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Option<ScrapeJob>> {
    db::write_transaction(conn, |conn| {
        let next = scrape_jobs::table
            .filter(free_scrape!(now))
            .order(scrape_jobs::created_at.asc())
            .limit(1)
            .select(scrape_jobs::id);
        let candidates: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => next.for_update().skip_locked().load(pg)?,
            AnyConnection::Sqlite(_) => next.load(conn)?,
        };
        for id in candidates {
            let won = diesel::update(scrape_jobs::table.find(&id).filter(free_scrape!(now)))
                .set((
                    scrape_jobs::status.eq(ScrapeStatus::Running),
                    scrape_jobs::started_at.eq(Some(now)),
                    scrape_jobs::updated_at.eq(now),
                ))
                .execute(conn)?;
            if won == 1 {
                return super::load(conn, &id).map(Some);
            }
        }
        Ok(None)
    })
}

/// What a finished read suggests, and the language model's exchange when one was asked; or
/// why the site could not be read.
type Outcome = Result<(Prefill, Option<Exchange>), String>;

/// Records the outcome if the claim taken at `claimed_at` still holds.
fn finish(
    conn: &mut AnyConnection,
    job: &ScrapeJob,
    claimed_at: NaiveDateTime,
    outcome: Outcome,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let (status, prefill, error, asked) = match outcome {
        Ok((prefill, asked)) => (
            ScrapeStatus::Done,
            serde_json::to_string(&prefill).ok(),
            None,
            asked,
        ),
        Err(error) => (ScrapeStatus::Failed, None, Some(error), None),
    };
    let changed = diesel::update(
        scrape_jobs::table
            .find(&job.id)
            .filter(scrape_jobs::status.eq(ScrapeStatus::Running))
            .filter(scrape_jobs::started_at.eq(Some(claimed_at))),
    )
    .set((
        scrape_jobs::status.eq(status),
        scrape_jobs::prefill_json.eq(prefill),
        scrape_jobs::error_message.eq(error),
        scrape_jobs::input_json.eq(asked.as_ref().map(|a| a.sent.to_string())),
        scrape_jobs::prompt_version.eq(asked.as_ref().map(|_| PROMPT_VERSION)),
        scrape_jobs::model_used.eq(asked.as_ref().map(|a| a.model.clone())),
        scrape_jobs::provider.eq(asked.map(|a| a.provider)),
        scrape_jobs::finished_at.eq(Some(now)),
        scrape_jobs::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Runs free scrapes as of `now`; returns how many finished (done or failed).
pub async fn run_due(db: &Db, scraper: &Scraper, now: NaiveDateTime) -> Result<usize, DbError> {
    let mut finished = 0;
    for _ in 0..BATCH {
        let Some(job) = db
            .run(move |conn| Ok::<_, DbError>(claim(conn, now)?))
            .await?
        else {
            break;
        };
        let outcome = scraper.read(&job.source_url).await;
        let recorded = db
            .run(move |conn| Ok::<_, DbError>(finish(conn, &job, now, outcome, now)?))
            .await?;
        if recorded {
            finished += 1;
        }
    }
    Ok(finished)
}

impl Scraper {
    async fn read(&self, source_url: &str) -> Outcome {
        let url =
            Url::parse(source_url).map_err(|e| format!("The address cannot be read: {e}."))?;
        let page = self
            .outbound
            .get_page(&url, &self.rules, &self.limits)
            .await
            .map_err(|e| format!("The website could not be read: {e}."))?;
        let mut extracted = extract(&page.html, &page.url);
        let mut llm_note = None;
        let asked = match &self.llm {
            None => None,
            Some(llm) => {
                let exchange = llm
                    .ask(&prompt(&page_text(&page.html, LLM_TEXT_CHARS)))
                    .await;
                match &exchange.reply {
                    Ok(reply) => from_reply(reply, &mut extracted),
                    Err(e) => {
                        llm_note = Some(format!(
                        "No suggestions from the language model: {e}. The rest come from the page."
                    ))
                    }
                }
                Some(exchange)
            }
        };
        let prefill = Prefill {
            version: 1,
            page_url: page.url.to_string(),
            suggestions: extracted.suggestions,
            facts: extracted.facts,
            llm_note,
        };
        Ok((prefill, asked))
    }
}

fn prompt(text: &str) -> [Message; 2] {
    [
        Message::system(
            "You read a company's website text and answer only with JSON: \
             {\"industry\": string or null, \"customers\": [names of customer companies \
             named on the page]}. Use only what the text says.",
        ),
        Message::user(text.to_owned()),
    ]
}

/// The model's industry and customers, where the page itself named none.
fn from_reply(reply: &str, found: &mut Extracted) {
    let Some(answer) = json_in(reply) else {
        return;
    };
    if let Some(industry) = answer.get("industry").and_then(Value::as_str) {
        found.suggest(ProfileField::Industry, industry, Source::Llm);
    }
    let customers: Vec<&str> = answer
        .get("customers")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !customers.is_empty() {
        found.suggest(
            ProfileField::CustomerNames,
            &customers.join("\n"),
            Source::Llm,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_fills_industry_and_customers_but_not_over_the_page() {
        let mut found = Extracted::default();
        found.suggest(ProfileField::Industry, "Robotics", Source::JsonLd);
        from_reply(
            "```json\n{\"industry\": \"Software\", \"customers\": [\"Initech\", \"Globex\", 3]}\n```",
            &mut found,
        );
        assert_eq!(found.suggestions[0].value, "Robotics");
        let customers = found
            .suggestions
            .iter()
            .find(|s| s.field == ProfileField::CustomerNames)
            .expect("customers");
        assert_eq!(customers.source, Source::Llm);
        assert_eq!(customers.value, "Initech\nGlobex");
    }
}
