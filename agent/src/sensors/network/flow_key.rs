//! What names a flow: its protocol and both ends, the same whichever way a packet goes.

use std::net::SocketAddr;

use super::packet::{Packet, Proto};

/// Both directions of one flow share a key: endpoints in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct FlowKey(pub Proto, pub SocketAddr, pub SocketAddr);

/// The key of `p`'s flow.
pub(super) fn key(p: &Packet) -> FlowKey {
    if p.src <= p.dst {
        FlowKey(p.proto, p.src, p.dst)
    } else {
        FlowKey(p.proto, p.dst, p.src)
    }
}
