//! CSV the exports share: one line of cells, each safe to open in a spreadsheet.

/// A line of cells ending in CRLF.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// A cell quoted when needed; a leading = + - @ (or tab, carriage return) gets a `'` so a
/// spreadsheet shows it as text instead of running it as a formula.
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@sum"), "'@sum");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
