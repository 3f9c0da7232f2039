//! What the dashboard asks ClickHouse, and what it writes there: SQL with bound values
//! only, results as plain types. Nothing here knows HTTP, HTML or the user's session.

pub mod agent_settings;
pub mod alert_detail;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod context;
pub mod custom_rules;
pub mod exceptions;
pub mod fleet;
pub mod hunt;
pub mod incidents;
pub mod overview;
pub mod report;
pub mod rules;
pub mod sql;
pub mod triage;
pub mod users;
