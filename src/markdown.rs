//! Markdown people write (check-in notes, comments) as safe HTML: rendered by pulldown-cmark,
//! then cleaned by ammonia, so no script, style or event handler survives. A mention,
//! `@[Name](user:<uuid>)`, reads as a highlighted "@Name", not as a link.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The link scheme of a mention: `@[Name](user:<uuid>)`.
pub const MENTION_SCHEME: &str = "user:";

/// The class a mention is shown with; the one class ammonia keeps.
const MENTION_CLASS: &str = "mention";

/// The markdown as sanitized HTML; links open as `rel="noopener noreferrer nofollow"`.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut events: Vec<Event<'_>> = Vec::new();
    // Whether each open link is a mention, so its end closes the right element.
    let mut open_links: Vec<bool> = Vec::new();
    for event in parser {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with(MENTION_SCHEME) => {
                // The "@" written before the brackets belongs to the mention.
                if let Some(Event::Text(text)) = events.last_mut() {
                    if let Some(before) = text.strip_suffix('@') {
                        *text = CowStr::from(before.to_owned());
                    }
                }
                open_links.push(true);
                events.push(Event::Html(
                    format!("<span class=\"{MENTION_CLASS}\">@").into(),
                ));
            }
            Event::Start(tag @ Tag::Link { .. }) => {
                open_links.push(false);
                events.push(Event::Start(tag));
            }
            Event::End(TagEnd::Link) => {
                if open_links.pop() == Some(true) {
                    events.push(Event::Html("</span>".into()));
                } else {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into())
        .allowed_classes(HashMap::from([("span", HashSet::from([MENTION_CLASS]))]))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_scripts_do_not() {
        let html =
            to_html("**12 deals** closed\n\n<script>alert(1)</script><img src=x onerror=alert(1)>");
        assert!(html.contains("<strong>12 deals</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        let link = to_html("[x](javascript:alert(1)) [y](https://example.com)");
        assert!(!link.contains("javascript:"), "{link}");
        assert!(
            link.contains("rel=\"noopener noreferrer nofollow\""),
            "{link}"
        );
    }

    #[test]
    fn a_mention_reads_as_a_highlighted_name_and_no_other_class_survives() {
        let html = to_html(
            "Hi @[Ada <b>L</b>](user:0190f0a1-7a2b-7c3d-8e4f-0123456789ab), see [x](https://e.com) \
             <span class=\"evil mention\" style=\"color:red\">y</span>",
        );
        assert!(
            html.contains("Hi <span class=\"mention\">@Ada <b>L</b></span>, see"),
            "{html}"
        );
        assert!(!html.contains("user:"), "{html}");
        assert!(!html.contains("evil") && !html.contains("style"), "{html}");
        assert!(html.contains("<a href=\"https://e.com\""), "{html}");
    }
}
