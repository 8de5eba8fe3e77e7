use super::*;

fn url(raw: &str) -> Url {
    Url::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

/// What the check says of `raw` as a web page (http/https on 80 and 443).
fn page_check(raw: &str) -> Result<(), Refusal> {
    OutboundPolicy::default().check_url(&url(raw), &UrlRules::web_pages(Vec::new()))
}

/// The address the refusal names, for `Forbidden`.
fn refused_as(raw: &str) -> Option<(IpAddr, &'static str)> {
    match page_check(raw) {
        Err(Refusal::Forbidden { ip, why, .. }) => Some((ip, why)),
        _ => None,
    }
}

#[test]
fn every_class_of_forbidden_address_is_refused_with_its_reason() {
    let table: &[(&str, &str, &str)] = &[
        ("http://127.0.0.1/", "127.0.0.1", "a loopback address"),
        ("http://127.1.2.3/", "127.1.2.3", "a loopback address"),
        ("http://2130706433/", "127.0.0.1", "a loopback address"),
        ("http://0177.0.0.1/", "127.0.0.1", "a loopback address"),
        ("http://0x7f.0.0.1/", "127.0.0.1", "a loopback address"),
        ("http://0x7f000001/", "127.0.0.1", "a loopback address"),
        ("http://127.1/", "127.0.0.1", "a loopback address"),
        ("http://017700000001/", "127.0.0.1", "a loopback address"),
        (
            "http://127.0.0.1#@example.com/",
            "127.0.0.1",
            "a loopback address",
        ),
        ("http://10.0.0.1/", "10.0.0.1", "a private address"),
        ("http://172.16.5.4/", "172.16.5.4", "a private address"),
        (
            "http://172.31.255.255/",
            "172.31.255.255",
            "a private address",
        ),
        ("http://192.168.1.1/", "192.168.1.1", "a private address"),
        ("http://0xc0a80101/", "192.168.1.1", "a private address"),
        (
            "http://100.64.0.1/",
            "100.64.0.1",
            "a shared (carrier-grade NAT) address",
        ),
        (
            "http://100.127.255.254/",
            "100.127.255.254",
            "a shared (carrier-grade NAT) address",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254",
            "a link-local address",
        ),
        (
            "http://2852039166/",
            "169.254.169.254",
            "a link-local address",
        ),
        ("http://0.0.0.0/", "0.0.0.0", "an unspecified address"),
        ("http://0/", "0.0.0.0", "an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1", "a multicast address"),
        (
            "http://239.255.255.250/",
            "239.255.255.250",
            "a multicast address",
        ),
        (
            "http://255.255.255.255/",
            "255.255.255.255",
            "the broadcast address",
        ),
        ("http://240.0.0.1/", "240.0.0.1", "a reserved address"),
        ("http://192.0.0.8/", "192.0.0.8", "a reserved address"),
        ("http://198.18.0.1/", "198.18.0.1", "a reserved address"),
        (
            "http://192.0.2.10/",
            "192.0.2.10",
            "a documentation address",
        ),
        (
            "http://198.51.100.7/",
            "198.51.100.7",
            "a documentation address",
        ),
        (
            "http://203.0.113.9/",
            "203.0.113.9",
            "a documentation address",
        ),
        ("http://[::1]/", "::1", "a loopback address"),
        ("http://[::]/", "::", "an unspecified address"),
        (
            "http://[::ffff:127.0.0.1]/",
            "::ffff:127.0.0.1",
            "a loopback address",
        ),
        (
            "http://[::ffff:7f00:1]/",
            "::ffff:127.0.0.1",
            "a loopback address",
        ),
        (
            "http://[::ffff:169.254.169.254]/",
            "::ffff:169.254.169.254",
            "a link-local address",
        ),
        (
            "http://[::ffff:10.0.0.1]/",
            "::ffff:10.0.0.1",
            "a private address",
        ),
        ("http://[::127.0.0.1]/", "::127.0.0.1", "a loopback address"),
        (
            "http://[64:ff9b::a9fe:a9fe]/",
            "64:ff9b::a9fe:a9fe",
            "a link-local address",
        ),
        (
            "http://[2002:7f00:1::]/",
            "2002:7f00:1::",
            "a loopback address",
        ),
        (
            "http://[fc00::1]/",
            "fc00::1",
            "a unique local (private) address",
        ),
        (
            "http://[fd12:3456::1]/",
            "fd12:3456::1",
            "a unique local (private) address",
        ),
        ("http://[fe80::1]/", "fe80::1", "a link-local address"),
        ("http://[fec0::1]/", "fec0::1", "a site-local address"),
        ("http://[ff02::1]/", "ff02::1", "a multicast address"),
        (
            "http://[2001:db8::1]/",
            "2001:db8::1",
            "a documentation address",
        ),
        (
            "https://[::ffff:192.168.0.1]:443/",
            "::ffff:192.168.0.1",
            "a private address",
        ),
    ];
    for (raw, ip, why) in table {
        let expected: IpAddr = ip.parse().expect("address");
        assert_eq!(refused_as(raw), Some((expected, *why)), "{raw}");
    }
    assert!(table.len() >= 40);
}

#[test]
fn schemes_ports_credentials_and_local_names_are_refused_before_any_lookup() {
    let table: &[(&str, Refusal)] = &[
        ("ftp://example.com/", Refusal::NotWeb),
        ("file:///etc/passwd", Refusal::NotWeb),
        ("gopher://example.com/", Refusal::NotWeb),
        ("http://example.com:8080/", Refusal::Port(8080)),
        ("https://example.com:22/", Refusal::Port(22)),
        ("http://example.com@127.0.0.1/", Refusal::Credentials),
        ("http://user:pw@example.com/", Refusal::Credentials),
        ("http://:pw@example.com/", Refusal::Credentials),
        ("http://localhost/", Refusal::LocalName("localhost".into())),
        (
            "http://localhost./",
            Refusal::LocalName("localhost.".into()),
        ),
        ("http://LOCALHOST/", Refusal::LocalName("localhost".into())),
        (
            "http://db.localhost/",
            Refusal::LocalName("db.localhost".into()),
        ),
    ];
    for (raw, refusal) in table {
        assert_eq!(page_check(raw), Err(refusal.clone()), "{raw}");
    }
}

#[test]
fn public_addresses_and_allowed_ports_pass() {
    for raw in [
        "https://example.com/",
        "http://example.com/about",
        "http://example.com:443/",
        "http://93.184.215.14/",
        "https://[2606:4700::1111]/",
        "http://[::ffff:93.184.215.14]/",
    ] {
        assert_eq!(page_check(raw), Ok(()), "{raw}");
    }
    let rules = UrlRules::web_pages(vec![8080]);
    assert_eq!(
        OutboundPolicy::default().check_url(&url("http://example.com:8080/"), &rules),
        Ok(())
    );
}

#[test]
fn webhooks_take_https_on_any_port_only() {
    let policy = OutboundPolicy::default();
    let check = |raw| policy.check_url(&url(raw), &UrlRules::WEBHOOKS);
    assert_eq!(check("https://hooks.example.com/x"), Ok(()));
    assert_eq!(check("https://hooks.example.com:8443/x"), Ok(()));
    assert_eq!(check("http://hooks.example.com/x"), Err(Refusal::NotHttps));
    assert_eq!(check("ftp://hooks.example.com/x"), Err(Refusal::NotHttps));
    assert_eq!(
        check("https://user:pw@hooks.example.com/"),
        Err(Refusal::Credentials)
    );
}

#[test]
fn a_test_address_is_reachable_over_http_and_no_other_is() {
    let policy = OutboundPolicy::allowing(vec!["127.0.0.1".parse().unwrap()]);
    let check = |raw| policy.check_url(&url(raw), &UrlRules::WEBHOOKS);
    assert_eq!(check("http://127.0.0.1:9999/hook"), Ok(()));
    assert_eq!(check("http://127.0.0.2:9999/hook"), Err(Refusal::NotHttps));
    assert!(matches!(
        check("https://127.0.0.2/"),
        Err(Refusal::Forbidden { .. })
    ));
    // The allowance is of addresses, not ports: web pages keep their port rule.
    assert_eq!(
        policy.check_url(
            &url("http://127.0.0.1:9999/"),
            &UrlRules::web_pages(Vec::new())
        ),
        Err(Refusal::Port(9999))
    );
}

#[tokio::test]
async fn names_are_refused_if_any_address_they_resolve_to_is_forbidden() {
    let refused = OutboundPolicy::default()
        .resolve("localhost")
        .await
        .expect_err("localhost is local");
    assert_eq!(refused, Refusal::LocalName("localhost".into()));
    let policy = OutboundPolicy::default()
        .resolving("intranet.test", "10.1.2.3".parse().unwrap())
        .resolving("intranet.test", "93.184.215.14".parse().unwrap())
        .resolving("public.test", "93.184.215.14".parse().unwrap());
    assert!(matches!(
        policy.resolve("intranet.test").await,
        Err(Refusal::Forbidden { ip, .. }) if ip.to_string() == "10.1.2.3"
    ));
    let found = policy.resolve("public.test").await.expect("public");
    assert_eq!(found.len(), 1);
}
