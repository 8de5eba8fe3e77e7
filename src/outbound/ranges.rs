//! Which IP addresses are not public unicast hosts (IANA's special-purpose registries), and
//! so never reached on a user's behalf. IPv6 forms that carry an IPv4 address (mapped,
//! compatible, NAT64, 6to4) are judged by the address they carry.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` may not be reached, or `None` for a public unicast address.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, network: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(network)) & mask
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    const RANGES: &[([u8; 4], u32, &str)] = &[
        ([0, 0, 0, 0], 8, "an unspecified address"),
        ([10, 0, 0, 0], 8, "a private address"),
        ([100, 64, 0, 0], 10, "a shared (carrier-grade NAT) address"),
        ([127, 0, 0, 0], 8, "a loopback address"),
        ([169, 254, 0, 0], 16, "a link-local address"),
        ([172, 16, 0, 0], 12, "a private address"),
        ([192, 0, 0, 0], 24, "a reserved address"),
        ([192, 0, 2, 0], 24, "a documentation address"),
        ([192, 88, 99, 0], 24, "a reserved address"),
        ([192, 168, 0, 0], 16, "a private address"),
        ([198, 18, 0, 0], 15, "a reserved address"),
        ([198, 51, 100, 0], 24, "a documentation address"),
        ([203, 0, 113, 0], 24, "a documentation address"),
        ([224, 0, 0, 0], 4, "a multicast address"),
        ([255, 255, 255, 255], 32, "the broadcast address"),
        ([240, 0, 0, 0], 4, "a reserved address"),
    ];
    RANGES
        .iter()
        .find(|(network, prefix, _)| in_v4(ip, *network, *prefix))
        .map(|(_, _, why)| *why)
}

fn in_v6(ip: Ipv6Addr, network: Ipv6Addr, prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(network) & mask
}

/// The IPv4 address in the low 32 bits.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from((u128::from(ip) & 0xffff_ffff) as u32)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    let v6 = |text: &str| text.parse::<Ipv6Addr>().unwrap_or(Ipv6Addr::UNSPECIFIED);
    // Forms that carry an IPv4 address: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d),
    // NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
    if in_v6(ip, v6("::ffff:0:0"), 96) || in_v6(ip, v6("::"), 96) || in_v6(ip, v6("64:ff9b::"), 96)
    {
        return forbidden_v4(low_v4(ip));
    }
    if in_v6(ip, v6("2002::"), 16) {
        let carried = Ipv4Addr::from(((u128::from(ip) >> 80) & 0xffff_ffff) as u32);
        return forbidden_v4(carried);
    }
    let ranges: [(&str, u32, &'static str); 9] = [
        ("64:ff9b:1::", 48, "a local-use translation address"),
        ("100::", 64, "a discard-only address"),
        ("2001::", 23, "a reserved address"),
        ("2001:db8::", 32, "a documentation address"),
        ("3fff::", 20, "a documentation address"),
        ("fc00::", 7, "a unique local (private) address"),
        ("fe80::", 10, "a link-local address"),
        ("fec0::", 10, "a site-local address"),
        ("ff00::", 8, "a multicast address"),
    ];
    if let Some((_, _, why)) = ranges
        .iter()
        .find(|(network, prefix, _)| in_v6(ip, v6(network), *prefix))
    {
        return Some(why);
    }
    // Global unicast is 2000::/3; everything else is unassigned or reserved.
    (!in_v6(ip, v6("2000::"), 3)).then_some("a reserved address")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Option<&'static str> {
        forbidden(raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}")))
    }

    #[test]
    fn every_special_ipv4_range_is_refused_and_public_addresses_pass() {
        for (raw, why) in [
            ("0.0.0.0", "unspecified"),
            ("10.20.30.40", "private"),
            ("100.64.0.1", "carrier-grade"),
            ("100.127.255.254", "carrier-grade"),
            ("127.0.0.1", "loopback"),
            ("127.255.255.255", "loopback"),
            ("169.254.169.254", "link-local"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.8", "reserved"),
            ("192.0.2.1", "documentation"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "reserved"),
            ("198.51.100.7", "documentation"),
            ("203.0.113.9", "documentation"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
        ] {
            let said = check(raw).unwrap_or_else(|| panic!("{raw} passed"));
            assert!(said.contains(why), "{raw}: {said}");
        }
        for raw in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.215.14",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert_eq!(check(raw), None, "{raw}");
        }
    }

    #[test]
    fn every_special_ipv6_range_and_each_ipv4_carrying_form_is_refused() {
        for (raw, why) in [
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::ffff:10.0.0.1", "private"),
            ("::10.0.0.1", "private"),
            ("64:ff9b::7f00:1", "loopback"),
            ("64:ff9b:1::1", "translation"),
            ("2002:c0a8:0101::1", "private"),
            ("2002:7f00:0001::", "loopback"),
            ("100::1", "discard"),
            ("2001::1", "reserved"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("fd12:3456::1", "unique local"),
            ("fc00::1", "unique local"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("4000::1", "reserved"),
        ] {
            let said = check(raw).unwrap_or_else(|| panic!("{raw} passed"));
            assert!(said.contains(why), "{raw}: {said}");
        }
        for raw in [
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "2002:0808:0808::1",
        ] {
            assert_eq!(check(raw), None, "{raw}");
        }
    }
}
