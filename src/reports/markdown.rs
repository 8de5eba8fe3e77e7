//! A summary as markdown: what is stored, downloaded as `.md` and shown (through
//! `crate::markdown`, which sanitizes) on the report page. Titles and notes are escaped, so
//! they read as typed and never as markup.

use std::fmt::Write;

use super::summary::{ItemRow, Summary};
use crate::okr::status::Status;

/// Text with markdown's special characters escaped and line breaks folded.
fn plain(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if "\\`*_{}[]()<>#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn percent(value: f64) -> String {
    format!("{}%", value.round())
}

fn status_label(status: Option<Status>) -> &'static str {
    status.map_or("—", Status::label)
}

fn item_list(out: &mut String, title: &str, rows: &[ItemRow], detail: impl Fn(&ItemRow) -> String) {
    let _ = writeln!(out, "\n## {title}\n");
    if rows.is_empty() {
        out.push_str("None.\n");
        return;
    }
    for row in rows {
        let _ = writeln!(
            out,
            "- **{}** ({}, {}): {}",
            plain(&row.title),
            row.item_type.label(),
            plain(&row.owner),
            detail(row)
        );
    }
}

pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let heading = match &summary.cycle {
        Some(cycle) => format!("{} · {}", plain(&summary.workspace), plain(&cycle.name)),
        None => plain(&summary.workspace),
    };
    let _ = writeln!(out, "# OKR summary: {heading}\n");
    let _ = writeln!(out, "As of {}.\n", summary.as_of.format("%-d %B %Y"));
    let _ = writeln!(out, "{}", plain(&summary.narrative.text));
    if summary.withheld > 0 {
        let _ = writeln!(
            out,
            "\n_{} rows are withheld: they are about items you cannot see._",
            summary.withheld
        );
    }
    if summary.totals_withheld {
        out.push_str("\n_Totals are withheld: they include items you cannot see._\n");
    }

    out.push_str("\n## Progress\n\n");
    match summary.progress {
        Some(progress) => {
            let _ = write!(out, "Overall: **{}**", percent(progress));
            if let Some(expected) = summary.expected {
                let _ = write!(out, " (expected {})", percent(expected));
            }
            out.push_str(".\n\n");
        }
        None if summary.totals_withheld => out.push_str("Overall: withheld.\n\n"),
        None => out.push_str("No objectives.\n\n"),
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|s| {
            let n = summary.status_counts.get(s.as_str()).copied().unwrap_or(0);
            format!("{} {n}", s.label())
        })
        .collect();
    if !summary.totals_withheld {
        let _ = writeln!(out, "Status: {}.", counts.join(" · "));
    }

    out.push_str("\n## Objectives\n\n");
    if summary.objectives.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(
            "| Objective | Owner | Progress | Expected | Status |\n|---|---|---|---|---|\n",
        );
        for o in &summary.objectives {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                plain(&o.title),
                plain(&o.owner),
                percent(o.progress),
                o.expected.map_or("—".to_owned(), percent),
                status_label(o.status)
            );
        }
    }

    out.push_str("\n## Off track and at risk\n\n");
    if summary.attention.is_empty() {
        out.push_str("None.\n");
    }
    for r in &summary.attention {
        let _ = write!(
            out,
            "- **{}** ({}): {}, {}.",
            plain(&r.title),
            plain(&r.owner),
            r.status.label(),
            percent(r.progress)
        );
        match (&r.note, r.noted_on) {
            (Some(note), Some(on)) => {
                let _ = writeln!(
                    out,
                    " Latest note ({}): “{}”",
                    on.format("%-d %b"),
                    plain(note)
                );
            }
            _ => out.push_str(" No note.\n"),
        }
    }

    item_list(&mut out, "Behind pace", &summary.behind_pace, |r| {
        format!(
            "{} of {} expected",
            percent(r.progress),
            r.expected.map_or("—".to_owned(), percent)
        )
    });
    item_list(&mut out, "Overdue", &summary.overdue, |r| {
        format!(
            "due {}, {}",
            r.due_date
                .map_or("—".to_owned(), |d| d.format("%-d %b").to_string()),
            percent(r.progress)
        )
    });
    item_list(
        &mut out,
        &format!(
            "Completed in the last {} days",
            super::summary::COMPLETED_DAYS
        ),
        &summary.completed,
        |r| {
            r.on.map_or("done".to_owned(), |d| {
                format!("done {}", d.format("%-d %b"))
            })
        },
    );

    out.push_str("\n## Check-in coverage\n\n");
    match summary.coverage.share() {
        Some(share) => {
            let _ = writeln!(
                out,
                "{} of {} open key results updated within the cadence ({}).",
                summary.coverage.updated,
                summary.coverage.key_results,
                percent(share)
            );
            for r in &summary.coverage.not_updated {
                let _ = writeln!(
                    out,
                    "- Not updated: **{}** ({})",
                    plain(&r.title),
                    plain(&r.owner)
                );
            }
        }
        None if summary.totals_withheld => out.push_str("Withheld.\n"),
        None => out.push_str("No open key results.\n"),
    }

    out.push_str("\n## Load by owner\n\n");
    if summary.totals_withheld {
        out.push_str("Withheld.\n");
    } else if summary.load.is_empty() {
        out.push_str("No open actions.\n");
    } else {
        out.push_str("| Owner | Open actions | Story points |\n|---|---|---|\n");
        for l in &summary.load {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                plain(&l.owner),
                l.open_actions,
                l.story_points
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_typed() {
        assert_eq!(
            plain("**Win** | <b>x</b>\nnext"),
            "\\*\\*Win\\*\\* \\| \\<b\\>x\\</b\\> next"
        );
        let html =
            crate::markdown::to_html(&format!("- {}", plain("<script>alert(1)</script> *x*")));
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<em>"), "{html}");
    }
}
