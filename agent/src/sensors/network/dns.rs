//! DNS messages: the question and the answers, enough for `dns_query` events.

/// A parsed DNS response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The name asked for.
    pub name: String,
    /// The type asked for (`A`, `AAAA`, `CNAME`…, or the number).
    pub qtype: String,
    /// Addresses and names in the answers.
    pub results: Vec<String>,
    /// Addresses (A, AAAA) in the answers, for naming later connections.
    pub addresses: Vec<std::net::IpAddr>,
}

fn type_name(t: u16) -> String {
    match t {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        65 => "HTTPS".into(),
        other => other.to_string(),
    }
}

/// Reads a (possibly compressed) name at `at`; returns it and the offset after it.
fn name(msg: &[u8], mut at: usize) -> Option<(String, usize)> {
    let mut labels = Vec::new();
    let mut end = None;
    for _ in 0..64 {
        let len = *msg.get(at)? as usize;
        if len == 0 {
            return Some((labels.join("."), end.unwrap_or(at + 1)));
        }
        if len & 0xc0 == 0xc0 {
            let pointer = (len & 0x3f) << 8 | *msg.get(at + 1)? as usize;
            end.get_or_insert(at + 2);
            at = pointer;
            continue;
        }
        let label = msg.get(at + 1..at + 1 + len)?;
        labels.push(String::from_utf8_lossy(label).into_owned());
        at += 1 + len;
    }
    None
}

/// Parses a response (QR set); `None` for queries and malformed messages.
pub fn parse_response(msg: &[u8]) -> Option<Response> {
    let flags = u16::from_be_bytes([*msg.get(2)?, *msg.get(3)?]);
    if flags & 0x8000 == 0 {
        return None;
    }
    let qdcount = u16::from_be_bytes([*msg.get(4)?, *msg.get(5)?]);
    let ancount = u16::from_be_bytes([*msg.get(6)?, *msg.get(7)?]);
    if qdcount == 0 {
        return None;
    }
    let (qname, mut at) = name(msg, 12)?;
    let qtype = u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]);
    at += 4;
    let mut results = Vec::new();
    let mut addresses = Vec::new();
    for _ in 0..ancount {
        let (_, after) = name(msg, at)?;
        at = after;
        let rtype = u16::from_be_bytes([*msg.get(at)?, *msg.get(at + 1)?]);
        let rdlen = usize::from(u16::from_be_bytes([*msg.get(at + 8)?, *msg.get(at + 9)?]));
        let rdata_at = at + 10;
        let rdata = msg.get(rdata_at..rdata_at + rdlen)?;
        match (rtype, rdlen) {
            (1, 4) => {
                let ip = std::net::IpAddr::from(<[u8; 4]>::try_from(rdata).ok()?);
                results.push(ip.to_string());
                addresses.push(ip);
            }
            (28, 16) => {
                let ip = std::net::IpAddr::from(<[u8; 16]>::try_from(rdata).ok()?);
                results.push(ip.to_string());
                addresses.push(ip);
            }
            (5, _) | (12, _) => {
                if let Some((n, _)) = name(msg, rdata_at) {
                    results.push(n);
                }
            }
            _ => {}
        }
        at = rdata_at + rdlen;
    }
    Some(Response {
        name: qname,
        qtype: type_name(qtype),
        results,
        addresses,
    })
}

/// A DNS response for `name` (type A) with `addresses`, for tests and the test server.
pub fn build_response(id: u16, name: &str, addresses: &[std::net::Ipv4Addr]) -> Vec<u8> {
    let mut msg = Vec::new();
    msg.extend_from_slice(&id.to_be_bytes());
    msg.extend_from_slice(&0x8180u16.to_be_bytes());
    msg.extend_from_slice(&1u16.to_be_bytes());
    msg.extend_from_slice(&(addresses.len() as u16).to_be_bytes());
    msg.extend_from_slice(&[0, 0, 0, 0]);
    for label in name.split('.') {
        msg.push(label.len() as u8);
        msg.extend_from_slice(label.as_bytes());
    }
    msg.push(0);
    msg.extend_from_slice(&[0, 1, 0, 1]);
    for a in addresses {
        msg.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        msg.extend_from_slice(&a.octets());
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_response_with_compressed_names() {
        let msg = build_response(
            7,
            "c2.evil.example",
            &[
                "198.51.100.7".parse().unwrap(),
                "198.51.100.8".parse().unwrap(),
            ],
        );
        let r = parse_response(&msg).unwrap();
        assert_eq!(r.name, "c2.evil.example");
        assert_eq!(r.qtype, "A");
        assert_eq!(r.results, vec!["198.51.100.7", "198.51.100.8"]);
        let mut query = msg.clone();
        query[2] = 0x01;
        assert!(parse_response(&query).is_none());
        assert!(parse_response(&msg[..20]).is_none());
    }
}
