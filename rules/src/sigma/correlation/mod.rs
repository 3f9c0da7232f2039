//! Sigma correlation rules: `event_count`, `value_count`, `temporal` and
//! `temporal_ordered` over other rules (base rules or other correlations), with
//! `group-by`, `timespan`, `condition` and field `aliases`.
//!
//! State lives in the [`Correlator`], per correlation and per group. It is bounded (at
//! most [`Limits::max_groups`] groups per correlation and [`Limits::max_entries`] entries
//! per group), expires with the timespan, and every eviction is counted. Time is the
//! events' own `ts` (milliseconds), so the engine stays free of clocks.
mod parse;
mod state;

pub use parse::{parse_timespan, Correlation, Kind, Threshold};
pub use state::{Correlator, Evictions, Limits};
