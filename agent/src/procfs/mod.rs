//! Everything the agent reads from `/proc`, parsed in one place: processes
//! ([`process`]), sockets and their owners ([`sockets`]), and the agent itself ([`own`]).
//! Sensors ask these functions and never open `/proc` files themselves.

pub mod own;
pub mod process;
pub mod sockets;
