//! The agent's configuration. Its types live in `vigie-model` because the SOC also
//! reads them: the part an administrator sets remotely per group of agents
//! ([`RemoteConfig`]) is checked by the dashboard before agents ever fetch it.

pub use vigie_model::agent_config::*;
