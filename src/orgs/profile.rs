//! Organization profile input that validates on construction.

use std::fmt;

use serde::Serialize;

/// A URL-safe identifier: lower-case letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("Use {}–{} characters.", Slug::MIN_LEN, Slug::MAX_LEN)]
    Length,
    #[error(
        "Use lower-case letters, digits and hyphens, starting and ending with a letter or digit."
    )]
    Characters,
    #[error("“{0}” is reserved; choose another.")]
    Reserved(String),
}

impl Slug {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 48;
    /// Words that would read as app paths.
    const RESERVED: &'static [&'static str] = &[
        "new", "settings", "members", "admin", "api", "static", "invites", "archive",
    ];

    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let slug = raw.trim();
        if slug.len() < Self::MIN_LEN || slug.len() > Self::MAX_LEN {
            return Err(SlugError::Length);
        }
        let allowed = slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !allowed || slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
            return Err(SlugError::Characters);
        }
        if Self::RESERVED.contains(&slug) {
            return Err(SlugError::Reserved(slug.to_owned()));
        }
        Ok(Self(slug.to_owned()))
    }

    /// A slug derived from a name ("Acme Robotics GmbH" → "acme-robotics-gmbh").
    pub fn suggest(name: &str) -> Option<Self> {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            let c = match c {
                'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' => 'a',
                'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' => 'o',
                'ü' | 'ù' | 'ú' | 'û' => 'u',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ç' => 'c',
                'ñ' => 'n',
                'ß' => 's',
                other => other,
            };
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let mut slug: String = slug
            .trim_end_matches('-')
            .chars()
            .take(Self::MAX_LEN)
            .collect();
        slug = slug.trim_end_matches('-').to_owned();
        match Self::parse(&slug) {
            Ok(slug) => Some(slug),
            // "New" may name a workspace; its address just cannot be the bare word.
            Err(SlugError::Reserved(word)) => Some(Self(word).with_suffix(1)),
            Err(_) => None,
        }
    }

    /// The same slug with a numeric suffix, to step around a taken one.
    pub fn with_suffix(&self, n: u32) -> Self {
        let suffix = format!("-{n}");
        let base: String = self.0.chars().take(Self::MAX_LEN - suffix.len()).collect();
        Self(format!("{}{suffix}", base.trim_end_matches('-')))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("This is required.")]
    Required,
    #[error("Use at most {0} characters.")]
    TooLong(usize),
    #[error("Remove control characters.")]
    ControlCharacters,
}

/// The longest name an organization or workspace may have, in characters.
pub const NAME_MAX: usize = 100;

/// An organization's or workspace's name: trimmed, required, at most `NAME_MAX` characters.
pub fn name(raw: &str) -> Result<String, TextError> {
    required_text(raw, NAME_MAX)
}

/// An address as typed: empty means "derive it from the name".
pub fn typed_slug(raw: &str) -> Result<Option<Slug>, SlugError> {
    match raw.trim() {
        "" => Ok(None),
        raw => Slug::parse(raw).map(Some),
    }
}

/// A workspace's address: as typed, or derived from its name when left empty.
pub fn workspace_slug(raw: &str, name: &str) -> Result<Slug, String> {
    match typed_slug(raw) {
        Ok(Some(slug)) => Ok(slug),
        Ok(None) => {
            Slug::suggest(name).ok_or_else(|| "Choose an address for the workspace.".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Trimmed text of bounded length; empty is `None`.
pub fn optional_text(raw: &str, max_chars: usize) -> Result<Option<String>, TextError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    if text.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(Some(text.to_owned()))
}

/// Trimmed, non-empty text of bounded length.
pub fn required_text(raw: &str, max_chars: usize) -> Result<String, TextError> {
    optional_text(raw, max_chars)?.ok_or(TextError::Required)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebsiteError {
    #[error("Enter a full address starting with http:// or https://.")]
    Malformed,
    #[error("Use at most 2048 characters.")]
    TooLong,
}

/// An organization's website: an absolute http(s) URL with a host.
pub fn website(raw: &str) -> Result<Option<String>, WebsiteError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 2048 {
        return Err(WebsiteError::TooLong);
    }
    let url = url::Url::parse(raw).map_err(|_| WebsiteError::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(WebsiteError::Malformed);
    }
    Ok(Some(url.to_string()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerNamesError {
    #[error("List at most {} customers.", MAX_CUSTOMERS)]
    TooMany,
    #[error("Keep each customer name under {} characters.", MAX_CUSTOMER_CHARS)]
    TooLong,
}

const MAX_CUSTOMERS: usize = 100;
const MAX_CUSTOMER_CHARS: usize = 120;

/// Customer names, one per line (names such as "Acme, Inc." keep their commas), without
/// blanks or duplicates.
pub fn customer_names(raw: &str) -> Result<Vec<String>, CustomerNamesError> {
    let mut names: Vec<String> = Vec::new();
    for name in raw.lines().map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > MAX_CUSTOMER_CHARS || name.chars().any(char::is_control) {
            return Err(CustomerNamesError::TooLong);
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_owned());
        }
    }
    if names.len() > MAX_CUSTOMERS {
        return Err(CustomerNamesError::TooMany);
    }
    Ok(names)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("Enter a whole number.")]
    NotANumber,
    #[error("Enter 0 or more.")]
    Negative,
    #[error("Enter at most {0}.")]
    TooLarge(i64),
}

/// A whole, non-negative number; thousands separators (`,` `_` `'` spaces) are ignored.
pub fn whole_number(raw: &str, max: i64) -> Result<Option<i64>, NumberError> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | '\'' | ' '))
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let n: i64 = cleaned.parse().map_err(|_| {
        if cleaned.starts_with('-') && cleaned[1..].chars().all(|c| c.is_ascii_digit()) {
            NumberError::Negative
        } else {
            NumberError::NotANumber
        }
    })?;
    if n < 0 {
        return Err(NumberError::Negative);
    }
    if n > max {
        return Err(NumberError::TooLarge(max));
    }
    Ok(Some(n))
}

/// Active ISO 4217 currency codes.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("Use a three-letter ISO 4217 code such as EUR or USD.")]
    Unknown,
}

/// An ISO 4217 currency code, upper-cased.
pub fn currency(raw: &str) -> Result<Option<String>, CurrencyError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    ISO_4217
        .binary_search(&code.as_str())
        .map(|_| Some(code))
        .map_err(|_| CurrencyError::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse("acme-2").unwrap().as_str(), "acme-2");
        assert_eq!(Slug::parse("a"), Err(SlugError::Length));
        assert_eq!(Slug::parse("Acme"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("-acme"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("ac--me"), Err(SlugError::Characters));
        assert_eq!(Slug::parse("acme inc"), Err(SlugError::Characters));
        assert_eq!(
            Slug::parse("settings"),
            Err(SlugError::Reserved("settings".into()))
        );
        assert_eq!(
            Slug::suggest("  Acme Robotics GmbH!").unwrap().as_str(),
            "acme-robotics-gmbh"
        );
        assert_eq!(
            Slug::suggest("Bäckerei Müller & Söhne").unwrap().as_str(),
            "backerei-muller-sohne"
        );
        assert_eq!(Slug::suggest("!!"), None);
        assert_eq!(Slug::suggest("New").unwrap().as_str(), "new-1");
        let long = Slug::suggest(&"x".repeat(80)).unwrap();
        assert_eq!(long.as_str().len(), Slug::MAX_LEN);
        assert_eq!(long.with_suffix(12).as_str().len(), Slug::MAX_LEN);
        assert!(long.with_suffix(12).as_str().ends_with("-12"));
    }

    #[test]
    fn currency_codes_are_iso_4217() {
        assert!(
            ISO_4217.windows(2).all(|w| w[0] < w[1]),
            "sorted for binary search"
        );
        assert_eq!(currency(" eur ").unwrap().as_deref(), Some("EUR"));
        assert_eq!(currency("XYZ"), Err(CurrencyError::Unknown));
        assert_eq!(currency("EURO"), Err(CurrencyError::Unknown));
        assert_eq!(currency(""), Ok(None));
    }

    #[test]
    fn numbers() {
        assert_eq!(whole_number("1,250,000", i64::MAX), Ok(Some(1_250_000)));
        assert_eq!(whole_number("", 10), Ok(None));
        assert_eq!(whole_number("-5", 10), Err(NumberError::Negative));
        assert_eq!(whole_number("1.5", 10), Err(NumberError::NotANumber));
        assert_eq!(whole_number("11", 10), Err(NumberError::TooLarge(10)));
    }

    #[test]
    fn websites_must_be_http() {
        assert_eq!(
            website("https://acme.example").unwrap().as_deref(),
            Some("https://acme.example/")
        );
        assert_eq!(website("ftp://acme.example"), Err(WebsiteError::Malformed));
        assert_eq!(website("acme.example"), Err(WebsiteError::Malformed));
        assert_eq!(website("javascript:alert(1)"), Err(WebsiteError::Malformed));
        assert_eq!(website(""), Ok(None));
    }

    #[test]
    fn customers_are_one_per_line() {
        assert_eq!(
            customer_names("Globex\nAcme, Inc.\n\nglobex\r\nUmbrella").unwrap(),
            vec!["Globex", "Acme, Inc.", "Umbrella"]
        );
        assert_eq!(
            customer_names(&"x\n".repeat(101)).unwrap().len(),
            1,
            "duplicates fold"
        );
        let many: String = (0..101).map(|n| format!("Customer {n}\n")).collect();
        assert_eq!(customer_names(&many), Err(CustomerNamesError::TooMany));
        assert_eq!(
            customer_names(&"y".repeat(121)),
            Err(CustomerNamesError::TooLong)
        );
    }
}
