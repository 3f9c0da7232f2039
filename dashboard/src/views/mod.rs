//! What people and programs receive, made from query results: pages as `maud` templates
//! (values escaped by the template, never by hand), SVG charts, the PDF writer, CSV, and
//! reports as files. One module per page; `html.rs` is the frame they share.

pub mod agent_settings;
pub mod alert_detail;
pub mod alerts;
pub mod audit;
pub mod audit_export;
pub mod charts;
pub mod csv;
pub mod enrollment;
pub mod exceptions;
pub mod fleet;
pub mod forms;
pub mod html;
pub mod hunt;
pub mod incidents;
pub mod overview;
pub mod pdf;
pub mod recommendations;
pub mod report;
pub mod report_pdf;
pub mod reports;
pub mod rule_editor;
pub mod rules;
pub mod tokens;
pub mod triage;
pub mod users;
