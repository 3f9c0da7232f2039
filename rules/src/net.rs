//! IP networks (`10.0.0.0/8`, `2001:db8::/32`): parsing and membership, shared by the
//! Sigma `|cidr` modifier and the indicator lists.

use std::net::IpAddr;

/// Parses `addr/bits` (or a bare address, as a single host).
pub fn parse_network(text: &str) -> Result<(IpAddr, u8), String> {
    let (addr, bits) = text.split_once('/').unwrap_or((text, ""));
    let addr: IpAddr = addr
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an IP network"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = if bits.is_empty() {
        max
    } else {
        bits.parse::<u8>()
            .map_err(|_| format!("{text:?} has a bad prefix length"))?
    };
    if bits > max {
        return Err(format!("{text:?} has a prefix longer than {max} bits"));
    }
    Ok((addr, bits))
}

/// True when `ip` lies in `network/bits` (never across IPv4 and IPv6).
pub fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_of_both_families() {
        let (n, b) = parse_network("10.0.0.0/8").unwrap();
        assert!(in_network("10.200.1.1".parse().unwrap(), n, b));
        assert!(!in_network("11.0.0.1".parse().unwrap(), n, b));
        let (n, b) = parse_network("fe80::/10").unwrap();
        assert!(in_network("fe80::1".parse().unwrap(), n, b));
        assert!(!in_network("10.0.0.1".parse().unwrap(), n, b));
        assert!(parse_network("10.0.0.0/33").is_err());
        assert_eq!(parse_network("1.2.3.4").unwrap().1, 32);
    }
}
