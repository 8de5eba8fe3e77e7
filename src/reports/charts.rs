//! The report's charts, drawn on the server as SVG: progress by objective (bars with the
//! expected mark), the status breakdown (one stacked bar) and progress over time (a line).
//! Each says what it shows in words (`<title>` and `<desc>`), and colours come from classes
//! the stylesheet sets for both themes.

use std::fmt::Write;

use super::summary::Summary;
use crate::okr::status::Status;

const WIDTH: f64 = 640.0;
const LABEL: f64 = 220.0;

/// Text safe inside SVG markup.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn open(out: &mut String, id: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"report-chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        xml(title),
        xml(desc)
    );
}

/// One bar per objective: its progress, with a mark where it is expected to be.
pub fn progress_by_objective(summary: &Summary) -> Option<String> {
    if summary.objectives.is_empty() {
        return None;
    }
    let row = 28.0;
    let height = row * summary.objectives.len() as f64 + 8.0;
    let span = WIDTH - LABEL - 60.0;
    let desc: Vec<String> = summary
        .objectives
        .iter()
        .map(|o| {
            let expected = o
                .expected
                .map(|e| format!(", expected {}%", e.round()))
                .unwrap_or_default();
            format!("{}: {}%{expected}", o.title, o.progress.round())
        })
        .collect();
    let mut out = String::new();
    open(
        &mut out,
        "chart-objectives",
        height,
        "Progress by objective",
        &desc.join("; "),
    );
    for (i, o) in summary.objectives.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        let status = o.status.map_or("none", Status::as_str);
        let _ = write!(
            out,
            "<text class=\"chart-label\" x=\"0\" y=\"{:.1}\">{}</text>\
             <rect class=\"chart-track\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{span:.1}\" height=\"14\" rx=\"3\"/>\
             <rect class=\"chart-bar status-{status}\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" rx=\"3\"/>\
             <text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}%</text>",
            y + 15.0,
            xml(&short(&o.title, 30)),
            y + 4.0,
            y + 4.0,
            span * o.progress.clamp(0.0, 100.0) / 100.0,
            LABEL + span + 8.0,
            y + 15.0,
            o.progress.round()
        );
        if let Some(expected) = o.expected {
            let x = LABEL + span * expected.clamp(0.0, 100.0) / 100.0;
            let _ = write!(
                out,
                "<line class=\"chart-expected\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                y + 1.0,
                y + 21.0
            );
        }
    }
    out.push_str("</svg>");
    Some(out)
}

/// Objectives and key results by status, as one stacked bar with a legend.
pub fn status_breakdown(summary: &Summary) -> Option<String> {
    let total: usize = summary.status_counts.values().sum();
    if total == 0 {
        return None;
    }
    let counts: Vec<(Status, usize)> = Status::ALL
        .iter()
        .map(|s| {
            (
                *s,
                summary.status_counts.get(s.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let desc: Vec<String> = counts
        .iter()
        .map(|(s, n)| format!("{}: {n}", s.label()))
        .collect();
    let mut out = String::new();
    open(
        &mut out,
        "chart-status",
        64.0,
        "Status breakdown",
        &desc.join(", "),
    );
    let mut x = 0.0;
    for (status, n) in counts.iter().filter(|(_, n)| *n > 0) {
        let width = WIDTH * *n as f64 / total as f64;
        let _ = write!(
            out,
            "<rect class=\"chart-bar status-{}\" x=\"{x:.1}\" y=\"0\" width=\"{width:.1}\" height=\"22\"/>",
            status.as_str()
        );
        x += width;
    }
    let mut legend_x = 0.0;
    for (status, n) in &counts {
        let _ = write!(
            out,
            "<rect class=\"chart-bar status-{}\" x=\"{legend_x:.1}\" y=\"38\" width=\"12\" height=\"12\" rx=\"2\"/>\
             <text class=\"chart-label\" x=\"{:.1}\" y=\"49\">{} {n}</text>",
            status.as_str(),
            legend_x + 16.0,
            status.label()
        );
        legend_x += 128.0;
    }
    out.push_str("</svg>");
    Some(out)
}

/// Progress over time from check-ins, 0 to 100 %.
pub fn progress_over_time(summary: &Summary) -> Option<String> {
    let points = &summary.progress_over_time;
    if points.len() < 2 {
        return None;
    }
    let (height, left, bottom) = (200.0, 36.0, 24.0);
    let plot_w = WIDTH - left - 8.0;
    let plot_h = height - bottom - 8.0;
    let x = |i: usize| left + plot_w * i as f64 / (points.len() - 1) as f64;
    let y = |p: f64| 8.0 + plot_h * (1.0 - p.clamp(0.0, 100.0) / 100.0);
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let desc = format!(
        "From {}% on {} to {}% on {}, weekly: {}",
        first.progress.round(),
        first.on.format("%-d %b"),
        last.progress.round(),
        last.on.format("%-d %b"),
        points
            .iter()
            .map(|p| format!("{} {}%", p.on.format("%-d %b"), p.progress.round()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut out = String::new();
    open(&mut out, "chart-time", height, "Progress over time", &desc);
    for tick in [0.0, 50.0, 100.0] {
        let _ = write!(
            out,
            "<line class=\"chart-grid\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"chart-axis\" x=\"0\" y=\"{:.1}\">{tick}%</text>",
            WIDTH - 8.0,
            y(tick),
            y(tick),
            y(tick) + 4.0
        );
    }
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.progress)))
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"chart-line\" points=\"{}\"/>",
        line.join(" ")
    );
    for (i, p) in [(0, first), (points.len() - 1, last)] {
        let _ = write!(
            out,
            "<text class=\"chart-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
            x(i),
            height - 6.0,
            if i == 0 { "start" } else { "end" },
            p.on.format("%-d %b")
        );
    }
    out.push_str("</svg>");
    Some(out)
}
