//! Markdown people write (check-in notes, later comments) as safe HTML: rendered by
//! pulldown-cmark, then cleaned by ammonia, so no script, style or event handler survives.

use pulldown_cmark::{html, Options, Parser};

/// The note as sanitized HTML; links open as `rel="noopener noreferrer nofollow"`.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into())
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
}
