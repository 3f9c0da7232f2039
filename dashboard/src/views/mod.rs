//! What people and programs receive, made from query results: the page layout and its
//! escaping, SVG charts, the PDF writer, CSV, and reports as files.

pub mod charts;
pub mod csv;
pub mod html;
pub mod pdf;
pub mod report;
