//! Values of the `IpAddress`/`NotIpAddress` operators, as [`IpNet`]s.

use std::net::IpAddr;

use ipnet::IpNet;

/// A policy's `IpAddress` value: a CIDR block (`10.0.0.0/8`,
/// `2001:db8::/32`), or a bare address meaning a /32 or /128. Host bits are
/// ignored (`10.1.2.3/8` is `10.0.0.0/8`). The prefix is one to three
/// decimal digits, no larger than the family's width.
pub(crate) fn parse_network(s: &str) -> Option<IpNet> {
    let (addr, prefix) = match s.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (s, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    let prefix = match prefix {
        None if addr.is_ipv4() => 32,
        None => 128,
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u8>().ok()?
        }
        Some(_) => return None,
    };
    IpNet::new(addr, prefix).ok().map(|net| net.trunc())
}

/// Whether the request's address `ip` is inside `net`. IPv4 networks also
/// contain IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`); IPv6 networks
/// never contain IPv4 addresses.
pub(crate) fn contains(net: &IpNet, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpNet::V4(net), IpAddr::V6(ip)) => ip.to_ipv4_mapped().is_some_and(|v4| net.contains(&v4)),
        _ => net.contains(&ip),
    }
}
