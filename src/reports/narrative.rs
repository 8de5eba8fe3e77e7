//! The report's narrative paragraph: written from templates, or by the configured language
//! model from the summary (only what the requester could see), falling back to the template
//! when the model fails.

use serde_json::json;

use super::summary::Summary;
use crate::llm::Message;
use crate::okr::status::Status;

/// Names the prompt below in what is recorded, so narratives can be told apart when it
/// changes.
pub const PROMPT_VERSION: &str = "okr-summary-1";

fn percent(value: f64) -> String {
    format!("{}%", value.round())
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A few sentences that say where things stand, from the figures alone.
pub fn from_template(summary: &Summary) -> String {
    let mut sentences = Vec::new();
    let scope = summary.cycle.as_ref().map_or_else(
        || summary.workspace.clone(),
        |c| format!("{} in {}", summary.workspace, c.name),
    );
    match (summary.progress, summary.expected) {
        (Some(progress), Some(expected)) => sentences.push(format!(
            "{scope} stands at {} against {} expected by now.",
            percent(progress),
            percent(expected)
        )),
        (Some(progress), None) => {
            sentences.push(format!("{scope} stands at {}.", percent(progress)))
        }
        _ if summary.totals_withheld => sentences.push(format!(
            "This reading of {scope} leaves out what you cannot see, totals included."
        )),
        _ => sentences.push(format!("{scope} has no objectives yet.")),
    }
    let of = |status: Status| {
        summary
            .status_counts
            .get(status.as_str())
            .copied()
            .unwrap_or(0)
    };
    let (off, risk) = (of(Status::OffTrack), of(Status::AtRisk));
    if off + risk == 0 {
        if !summary.objectives.is_empty() {
            sentences.push("Nothing is off track or at risk.".into());
        }
    } else {
        let mut named: Vec<String> = summary
            .attention
            .iter()
            .take(3)
            .map(|r| format!("{} ({})", r.title, r.status.label().to_lowercase()))
            .collect();
        if summary.attention.len() > named.len() {
            named.push(format!("{} more", summary.attention.len() - named.len()));
        }
        let listed = if named.is_empty() {
            String::new()
        } else {
            format!(": {}", named.join(", "))
        };
        sentences.push(format!(
            "{} off track and {} at risk{listed}.",
            count(off, "item is", "items are"),
            risk
        ));
    }
    if let Some(share) = summary.coverage.share() {
        sentences.push(format!(
            "{} of {} open key results were updated within the check-in cadence ({}).",
            summary.coverage.updated,
            summary.coverage.key_results,
            percent(share)
        ));
    }
    if !summary.behind_pace.is_empty() || !summary.overdue.is_empty() {
        sentences.push(format!(
            "{} behind pace and {} overdue.",
            count(summary.behind_pace.len(), "item is", "items are"),
            summary.overdue.len()
        ));
    }
    sentences.push(format!(
        "{} completed in the last {} days.",
        count(summary.completed.len(), "item was", "items were"),
        super::summary::COMPLETED_DAYS
    ));
    sentences.join(" ")
}

/// What the model is asked: the summary as JSON, without ids, and how to answer.
pub fn prompt(summary: &Summary) -> [Message; 2] {
    let mut facts = json!(summary);
    if let Some(object) = facts.as_object_mut() {
        object.remove("narrative");
        object.remove("withheld");
        object.remove("totals_withheld");
    }
    strip_ids(&mut facts);
    [
        Message::system(
            "You write the summary paragraph of a weekly OKR report for a team's leaders. \
             Use only the JSON you are given. In at most five sentences say where the team \
             stands against its expected pace, what is off track or at risk and why (from \
             the check-in notes), and who carries the most open work. Plain text, no lists.",
        ),
        Message::user(facts.to_string()),
    ]
}

/// Ids mean nothing to the model; titles carry the sense.
fn strip_ids(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("id");
            map.values_mut().for_each(strip_ids);
        }
        serde_json::Value::Array(values) => values.iter_mut().for_each(strip_ids),
        _ => {}
    }
}
