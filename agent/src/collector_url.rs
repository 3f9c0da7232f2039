//! The collector's URL as configured, read with `http`'s URI parser (through hyper, already
//! in the agent) rather than by hand: its addresses, so the network sensor does not
//! report the agent's own traffic.

use std::net::{SocketAddr, ToSocketAddrs};

/// The socket addresses `url` names (port 443 when none is given); empty when it names
/// no host or the host does not resolve.
pub fn endpoints(url: &str) -> Vec<SocketAddr> {
    let Ok(uri) = url.parse::<hyper::Uri>() else {
        return Vec::new();
    };
    let Some(host) = uri.host() else {
        return Vec::new();
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(443);
    (host, port)
        .to_socket_addrs()
        .map(|a| a.collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_with_and_without_a_port() {
        assert_eq!(
            endpoints("https://127.0.0.1:8443/"),
            ["127.0.0.1:8443".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            endpoints("https://[::1]"),
            ["[::1]:443".parse::<SocketAddr>().unwrap()]
        );
        assert!(endpoints("not a url").is_empty());
        assert!(endpoints("").is_empty());
    }
}
