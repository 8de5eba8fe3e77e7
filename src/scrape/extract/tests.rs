use super::*;

fn read(html: &str) -> Extracted {
    extract(
        html,
        &url::Url::parse("https://acme.example/about?x=1").unwrap(),
    )
}

fn value(found: &Extracted, field: ProfileField) -> Option<(&str, Source)> {
    found
        .suggestions
        .iter()
        .find(|s| s.field == field)
        .map(|s| (s.value.as_str(), s.source))
}

#[test]
fn json_ld_organizations_fill_name_address_size_and_industry() {
    let found = read(
        r#"<html><head><title>Home | Acme</title>
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
          {"@type":"WebSite","name":"Acme site"},
          {"@type":["Corporation"],"name":"Acme Robotics GmbH",
           "address":{"@type":"PostalAddress","streetAddress":"Hauptstraße 5",
             "postalCode":"10115","addressLocality":"Berlin","addressCountry":{"@type":"Country","name":"Germany"}},
           "numberOfEmployees":{"@type":"QuantitativeValue","minValue":50,"maxValue":200},
           "knowsAbout":["Robotics","Automation"],"foundingDate":"2009-04-01"}]}
        </script></head><body></body></html>"#,
    );
    assert_eq!(
        value(&found, ProfileField::Name),
        Some(("Acme Robotics GmbH", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::Industry),
        Some(("Robotics, Automation", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::AddressStreet),
        Some(("Hauptstraße 5", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::AddressPostalCode),
        Some(("10115", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::AddressCity),
        Some(("Berlin", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::AddressCountry),
        Some(("Germany", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::EmployeeCountMin),
        Some(("50", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::EmployeeCountMax),
        Some(("200", Source::JsonLd))
    );
    assert_eq!(
        value(&found, ProfileField::Website),
        Some(("https://acme.example/", Source::PageAddress))
    );
    assert!(found
        .facts
        .iter()
        .any(|f| f.label == "Founded" && f.value == "2009-04-01"));
}

#[test]
fn microdata_is_read_when_there_is_no_json_ld_and_nested_scopes_keep_their_names() {
    let found = read(
        r#"<body><div itemscope itemtype="https://schema.org/LocalBusiness">
          <span itemprop="name">Bäckerei Müller</span>
          <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
            <span itemprop="name">Main shop</span>
            <span itemprop="streetAddress">Markt 1</span>
            <span itemprop="addressLocality">Köln</span>
          </div>
          <meta itemprop="numberOfEmployees" content="12">
        </div></body>"#,
    );
    assert_eq!(
        value(&found, ProfileField::Name),
        Some(("Bäckerei Müller", Source::Microdata))
    );
    assert_eq!(
        value(&found, ProfileField::AddressStreet),
        Some(("Markt 1", Source::Microdata))
    );
    assert_eq!(
        value(&found, ProfileField::AddressCity),
        Some(("Köln", Source::Microdata))
    );
    assert_eq!(
        value(&found, ProfileField::EmployeeCountMin),
        Some(("12", Source::Microdata))
    );
}

#[test]
fn a_page_with_only_meta_tags_gives_its_name_and_description() {
    let found = read(
        r#"<html><head><title>Globex – Home</title>
        <meta name="description" content="  Globex makes   widgets. ">
        <meta property="og:site_name" content="Globex Corporation"></head>
        <body><address>Globex, 1 Way, Springfield</address></body></html>"#,
    );
    assert_eq!(
        value(&found, ProfileField::Name),
        Some(("Globex Corporation", Source::OpenGraph))
    );
    assert!(found
        .facts
        .iter()
        .any(|f| f.label == "Description" && f.value == "Globex makes widgets."));
    assert!(found
        .facts
        .iter()
        .any(|f| f.value == "Globex, 1 Way, Springfield" && f.source == Source::VisibleText));
    let titled = read("<title>Initech - Software</title>");
    assert_eq!(
        value(&titled, ProfileField::Name),
        Some(("Initech", Source::Title))
    );
}

#[test]
fn broken_json_ld_and_other_types_are_ignored() {
    let found = read(
        r#"<script type="application/ld+json">{not json</script>
        <script type="application/ld+json">{"@type":"Person","name":"Jane"}</script>"#,
    );
    assert_eq!(value(&found, ProfileField::Name), None);
}

#[test]
fn page_text_leaves_out_scripts_and_stops_at_the_cap() {
    let text = page_text(
        "<body><h1>We build robots</h1><script>var secret = 1;</script><p>for farms</p></body>",
        100,
    );
    assert_eq!(text, "We build robots for farms");
    assert_eq!(page_text("<body><p>abcdefgh</p></body>", 3), "abc");
}
