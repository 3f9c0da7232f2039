//! Just enough of Ethernet, IPv4/IPv6, TCP and UDP to follow connections.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP or ICMPv6 (ports carry the echo identifier, 0 for other messages).
    Icmp,
}

impl Proto {
    /// `tcp` or `udp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
        }
    }
}

/// What one frame says, for the flow table.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    /// Transport protocol.
    pub proto: Proto,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// TCP SYN without ACK: someone opens a connection.
    pub syn_only: bool,
    /// TCP FIN or RST: the connection ends.
    pub closing: bool,
    /// Bytes of the IP packet.
    pub bytes: usize,
    /// The UDP payload (kept for DNS).
    pub payload: Vec<u8>,
    /// ICMP type and code.
    pub icmp: Option<(u8, u8)>,
}

/// ICMPv6 messages of the link's own housekeeping (neighbour and router discovery,
/// multicast listener reports): every host sends them, they say nothing.
const ICMPV6_HOUSEKEEPING: [u8; 7] = [130, 131, 132, 133, 134, 135, 136];

/// Parses an Ethernet frame; `None` for anything that is not TCP, UDP or ICMP over IP.
pub fn parse(frame: &[u8], keep_udp_payload: impl Fn(u16, u16) -> bool) -> Option<Packet> {
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let ip = frame.get(14..)?;
    let (src_ip, dst_ip, proto, transport, bytes): (IpAddr, IpAddr, u8, &[u8], usize) =
        match ethertype {
            0x0800 => {
                let ihl = usize::from(ip.first()? & 0x0f) * 4;
                let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
                // Every byte read through `get`: a frame cut short anywhere is refused,
                // never a panic (a crafted packet must not stop the sensor).
                let src: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
                let dst: [u8; 4] = ip.get(16..20)?.try_into().ok()?;
                let (src, dst) = (Ipv4Addr::from(src), Ipv4Addr::from(dst));
                // Fragments after the first carry no transport header.
                let fragment_offset = u16::from_be_bytes([*ip.get(6)?, *ip.get(7)?]) & 0x1fff;
                if fragment_offset != 0 {
                    return None;
                }
                (
                    src.into(),
                    dst.into(),
                    *ip.get(9)?,
                    ip.get(ihl..total.min(ip.len()))?,
                    total,
                )
            }
            0x86dd => {
                let payload_len = usize::from(u16::from_be_bytes([*ip.get(4)?, *ip.get(5)?]));
                let src: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
                let dst: [u8; 16] = ip.get(24..40)?.try_into().ok()?;
                // Extension headers are not followed: the next header must be TCP, UDP
                // or ICMPv6.
                (
                    Ipv6Addr::from(src).into(),
                    Ipv6Addr::from(dst).into(),
                    *ip.get(6)?,
                    ip.get(40..(40 + payload_len).min(ip.len()))?,
                    40 + payload_len,
                )
            }
            _ => return None,
        };
    if proto == 1 || proto == 58 {
        let (kind, code) = (*transport.first()?, *transport.get(1)?);
        if proto == 58 && (ICMPV6_HOUSEKEEPING.contains(&kind) || kind == 143) {
            return None;
        }
        // An echo and its reply share their identifier: it keys the flow.
        let echo = matches!((proto, kind), (1, 0 | 8) | (58, 128 | 129));
        let id = if echo {
            u16::from_be_bytes([*transport.get(4)?, *transport.get(5)?])
        } else {
            0
        };
        return Some(Packet {
            proto: Proto::Icmp,
            src: SocketAddr::new(src_ip, id),
            dst: SocketAddr::new(dst_ip, id),
            syn_only: false,
            closing: false,
            bytes,
            payload: Vec::new(),
            icmp: Some((kind, code)),
        });
    }
    let src_port = u16::from_be_bytes([*transport.first()?, *transport.get(1)?]);
    let dst_port = u16::from_be_bytes([*transport.get(2)?, *transport.get(3)?]);
    let src = SocketAddr::new(src_ip, src_port);
    let dst = SocketAddr::new(dst_ip, dst_port);
    match proto {
        6 => {
            let flags = *transport.get(13)?;
            let (fin, syn, rst, ack) = (
                flags & 0x01 != 0,
                flags & 0x02 != 0,
                flags & 0x04 != 0,
                flags & 0x10 != 0,
            );
            Some(Packet {
                proto: Proto::Tcp,
                src,
                dst,
                syn_only: syn && !ack,
                closing: fin || rst,
                bytes,
                payload: Vec::new(),
                icmp: None,
            })
        }
        17 => Some(Packet {
            proto: Proto::Udp,
            src,
            dst,
            syn_only: false,
            closing: false,
            bytes,
            payload: if keep_udp_payload(src_port, dst_port) {
                transport.get(8..).unwrap_or(&[]).to_vec()
            } else {
                Vec::new()
            },
            icmp: None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn icmp_frame(kind: u8, id: u16) -> Vec<u8> {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x08, 0x00]);
        let mut ip = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        ip.extend_from_slice(&[kind, 0, 0, 0]);
        ip.extend_from_slice(&id.to_be_bytes());
        ip.extend_from_slice(&[0, 1]);
        frame.extend_from_slice(&ip);
        frame
    }

    #[test]
    fn an_echo_and_its_reply_share_a_key_and_other_icmp_has_none() {
        let request = parse(&icmp_frame(8, 0x1234), |_, _| false).unwrap();
        assert_eq!(request.proto, Proto::Icmp);
        assert_eq!(request.icmp, Some((8, 0)));
        assert_eq!(request.src, "10.0.0.1:4660".parse().unwrap());
        let unreachable = parse(&icmp_frame(3, 0x1234), |_, _| false).unwrap();
        assert_eq!(unreachable.dst.port(), 0);
        assert!(
            parse(&icmp_frame(8, 1)[..35], |_, _| false).is_none(),
            "cut short"
        );
    }

    #[test]
    fn an_ipv4_header_cut_short_is_refused_not_a_panic() {
        // Found by fuzzing: a frame ending inside the addresses used to index past its
        // end, and one crafted packet stopped the network sensor.
        for cut in 14..34 {
            let mut frame = vec![0u8; 12];
            frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 40]);
            frame.resize(cut, 0);
            assert!(parse(&frame, |_, _| true).is_none(), "cut at {cut}");
        }
    }
}
