//! What a company's home page says about it, read with an HTML parser: schema.org JSON-LD
//! and microdata (`Organization`, `Corporation`, `LocalBusiness`), Open Graph, the meta
//! description, the title and a visible `<address>`. Pure: a page in, suggestions out.

use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ProfileField;

/// Where a suggested value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    JsonLd,
    Microdata,
    OpenGraph,
    MetaDescription,
    Title,
    /// The address the page was read from.
    PageAddress,
    /// Text shown on the page, such as an `<address>`.
    VisibleText,
    /// The language model, from the page's text.
    Llm,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Self::JsonLd => "schema.org JSON-LD",
            Self::Microdata => "schema.org microdata",
            Self::OpenGraph => "Open Graph",
            Self::MetaDescription => "meta description",
            Self::Title => "page title",
            Self::PageAddress => "the address read",
            Self::VisibleText => "the page's text",
            Self::Llm => "language model",
        }
    }
}

/// One profile field's suggested value, as the settings form would take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub field: ProfileField,
    pub value: String,
    pub source: Source,
}

/// Something the page says that no profile field holds (a description, a founding date),
/// shown for reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
    pub source: Source,
}

/// What was read from a page: one suggestion per field at most, the best source first
/// (JSON-LD, then microdata, then Open Graph, then the title).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub suggestions: Vec<Suggestion>,
    pub facts: Vec<Fact>,
}

impl Extracted {
    /// Keeps the first value offered for each field.
    pub fn suggest(&mut self, field: ProfileField, value: &str, source: Source) {
        // Lines stay lines: customers are one per line, as the form takes them.
        let value = value
            .lines()
            .map(clean)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if value.is_empty() || self.suggestions.iter().any(|s| s.field == field) {
            return;
        }
        self.suggestions.push(Suggestion {
            field,
            value,
            source,
        });
    }

    fn note(&mut self, label: &str, value: &str, source: Source) {
        let value = clean(value);
        if value.is_empty() || self.facts.iter().any(|f| f.label == label) {
            return;
        }
        self.facts.push(Fact {
            label: label.to_owned(),
            value,
            source,
        });
    }
}

/// Whitespace collapsed, as a form field would hold it.
fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

const ORGANIZATION_TYPES: &[&str] = &["Organization", "Corporation", "LocalBusiness"];

fn selector(css: &str) -> Selector {
    match Selector::parse(css) {
        Ok(selector) => selector,
        Err(_) => unreachable!("the selectors here are fixed and valid: {css}"),
    }
}

/// Reads `html`, fetched from `page_url`.
pub fn extract(html: &str, page_url: &url::Url) -> Extracted {
    let document = Html::parse_document(html);
    let mut found = Extracted::default();
    for organization in json_ld_organizations(&document) {
        from_json_ld(&organization, &mut found);
    }
    from_microdata(&document, &mut found);
    let meta = |attribute: &str, name: &str| {
        document
            .select(&selector(&format!("meta[{attribute}=\"{name}\"]")))
            .find_map(|e| e.value().attr("content").map(str::to_owned))
    };
    if let Some(site_name) = meta("property", "og:site_name") {
        found.suggest(ProfileField::Name, &site_name, Source::OpenGraph);
    }
    if let Some(description) = meta("property", "og:description") {
        found.note("Description", &description, Source::OpenGraph);
    }
    if let Some(description) = meta("name", "description") {
        found.note("Description", &description, Source::MetaDescription);
    }
    if let Some(title) = document.select(&selector("title")).next() {
        found.suggest(ProfileField::Name, &title_name(&text(title)), Source::Title);
    }
    if let Some(address) = document.select(&selector("address")).next() {
        found.note(
            "Contact address on the page",
            &text(address),
            Source::VisibleText,
        );
    }
    let mut origin = page_url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    found.suggest(ProfileField::Website, origin.as_str(), Source::PageAddress);
    found
}

fn text(element: ElementRef<'_>) -> String {
    clean(&element.text().collect::<String>())
}

/// "Acme Robotics | Home" names Acme Robotics.
fn title_name(title: &str) -> String {
    title
        .split(['|', '–', '—', '·'])
        .next()
        .unwrap_or_default()
        .split(" - ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn is_organization(node: &Value) -> bool {
    let named = |t: &Value| {
        t.as_str().is_some_and(|t| {
            let t = t.rsplit(['/', ':']).next().unwrap_or(t);
            ORGANIZATION_TYPES.contains(&t)
        })
    };
    match node.get("@type") {
        Some(Value::Array(types)) => types.iter().any(named),
        Some(t) => named(t),
        None => false,
    }
}

/// Every organization node in the page's JSON-LD blocks, `@graph`s and arrays included.
fn json_ld_organizations(document: &Html) -> Vec<Value> {
    fn walk(node: Value, out: &mut Vec<Value>) {
        match node {
            Value::Array(nodes) => nodes.into_iter().for_each(|n| walk(n, out)),
            Value::Object(mut map) => {
                if let Some(graph) = map.remove("@graph") {
                    walk(graph, out);
                }
                let node = Value::Object(map);
                if is_organization(&node) {
                    out.push(node);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for script in document.select(&selector("script[type=\"application/ld+json\"]")) {
        let raw: String = script.text().collect();
        if let Ok(node) = serde_json::from_str::<Value>(&raw) {
            walk(node, &mut out);
        }
    }
    out
}

/// A JSON-LD value as text: a string, a number, a `{ "name": … }` node, or a list of them.
fn json_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => map.get("name").and_then(json_text),
        Value::Array(values) => {
            let parts: Vec<String> = values.iter().filter_map(json_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

fn from_json_ld(organization: &Value, found: &mut Extracted) {
    let field = |key: &str| organization.get(key).and_then(json_text);
    if let Some(name) = field("name") {
        found.suggest(ProfileField::Name, &name, Source::JsonLd);
    }
    if let Some(industry) = field("industry").or_else(|| field("knowsAbout")) {
        found.suggest(ProfileField::Industry, &industry, Source::JsonLd);
    }
    match organization.get("address") {
        Some(Value::String(line)) => found.note("Address", line, Source::JsonLd),
        Some(address) => {
            let part = |key: &str| address.get(key).and_then(json_text);
            let parts = [
                (ProfileField::AddressStreet, "streetAddress"),
                (ProfileField::AddressPostalCode, "postalCode"),
                (ProfileField::AddressCity, "addressLocality"),
                (ProfileField::AddressCountry, "addressCountry"),
            ];
            for (target, key) in parts {
                if let Some(value) = part(key) {
                    found.suggest(target, &value, Source::JsonLd);
                }
            }
        }
        None => {}
    }
    if let Some(employees) = organization.get("numberOfEmployees") {
        employee_range(employees, Source::JsonLd, found);
    }
    if let Some(founded) = field("foundingDate") {
        found.note("Founded", &founded, Source::JsonLd);
    }
    if let Some(description) = field("description") {
        found.note("Description", &description, Source::JsonLd);
    }
}

/// `numberOfEmployees`: a number, or a `QuantitativeValue` with `value` or a range.
fn employee_range(value: &Value, source: Source, found: &mut Extracted) {
    let number = |v: Option<&Value>| v.and_then(json_text).filter(|t| !t.is_empty());
    let (min, max) = match value {
        Value::Object(map) => match number(map.get("value")) {
            Some(exact) => (Some(exact.clone()), Some(exact)),
            None => (number(map.get("minValue")), number(map.get("maxValue"))),
        },
        other => {
            let exact = number(Some(other));
            (exact.clone(), exact)
        }
    };
    if let Some(min) = min {
        found.suggest(ProfileField::EmployeeCountMin, &min, source);
    }
    if let Some(max) = max {
        found.suggest(ProfileField::EmployeeCountMax, &max, source);
    }
}

/// The properties of an `itemscope` element that belong to it and not to a scope nested
/// inside it.
fn own_properties<'a>(scope: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    let property = selector("[itemprop]");
    scope
        .select(&property)
        .filter(|element| {
            element
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().attr("itemscope").is_some())
                .is_some_and(|nearest| nearest.id() == scope.id())
        })
        .collect()
}

fn microdata_value(element: ElementRef<'_>) -> String {
    let value = element.value();
    value
        .attr("content")
        .or_else(|| value.attr("datetime"))
        .map(str::to_owned)
        .unwrap_or_else(|| text(element))
}

fn from_microdata(document: &Html, found: &mut Extracted) {
    let scopes = selector("[itemscope][itemtype]");
    let Some(organization) = document.select(&scopes).find(|e| {
        let kind = e.value().attr("itemtype").unwrap_or_default();
        let kind = kind
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(kind);
        ORGANIZATION_TYPES.contains(&kind)
    }) else {
        return;
    };
    for property in own_properties(organization) {
        let name = property.value().attr("itemprop").unwrap_or_default();
        match name {
            "name" | "legalName" => found.suggest(
                ProfileField::Name,
                &microdata_value(property),
                Source::Microdata,
            ),
            "industry" | "knowsAbout" => found.suggest(
                ProfileField::Industry,
                &microdata_value(property),
                Source::Microdata,
            ),
            "numberOfEmployees" => {
                let value = Value::String(microdata_value(property));
                employee_range(&value, Source::Microdata, found);
            }
            "foundingDate" => found.note("Founded", &microdata_value(property), Source::Microdata),
            "address" if property.value().attr("itemscope").is_some() => {
                for part in own_properties(property) {
                    let target = match part.value().attr("itemprop").unwrap_or_default() {
                        "streetAddress" => ProfileField::AddressStreet,
                        "postalCode" => ProfileField::AddressPostalCode,
                        "addressLocality" => ProfileField::AddressCity,
                        "addressCountry" => ProfileField::AddressCountry,
                        _ => continue,
                    };
                    found.suggest(target, &microdata_value(part), Source::Microdata);
                }
            }
            _ => {}
        }
    }
}

/// The page's readable text for a language model: scripts, styles and markup left out,
/// at most `max_chars`.
pub fn page_text(html: &str, max_chars: usize) -> String {
    let document = Html::parse_document(html);
    let skipped = ["script", "style", "noscript", "template", "svg"];
    let body = document.select(&selector("body")).next();
    let mut text = String::new();
    let Some(body) = body else {
        return text;
    };
    for node in body.descendants() {
        let Some(piece) = node.value().as_text() else {
            continue;
        };
        let inside_skipped = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| skipped.contains(&e.name()))
        });
        if inside_skipped {
            continue;
        }
        let piece = clean(piece);
        if piece.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&piece);
        if text.chars().count() >= max_chars {
            return text.chars().take(max_chars).collect();
        }
    }
    text
}

#[cfg(test)]
mod tests;
