//! Hostile query strings and configuration for the dashboard: every filter parser
//! (queue, hunt, audit, report) and the configuration file take anything and answer
//! with a value or an error naming the parameter, never a panic. Cases:
//! `PROPTEST_CASES`; failures kept in `fuzz.proptest-regressions` beside this file.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use vigie_dashboard::config::DashboardConfig;
use vigie_dashboard::i18n::Lang;
use vigie_dashboard::queries::{
    alerts::AlertFilter, audit::AuditFilter, hunt::Hunt, report::ReportRequest,
};

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// Names the parsers know, and any other.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("from".to_string()),
        Just("to".to_string()),
        Just("severity".to_string()),
        Just("status".to_string()),
        Just("category".to_string()),
        Just("host".to_string()),
        Just("f1".to_string()),
        Just("op1".to_string()),
        Just("v1".to_string()),
        Just("limit".to_string()),
        Just("chain".to_string()),
        Just("actor".to_string()),
        Just("format".to_string()),
        Just("report_lang".to_string()),
        Just("hosts".to_string()),
        Just("rule".to_string()),
        Just("sort".to_string()),
        Just("page".to_string()),
        "[a-z0-9_]{0,8}",
    ]
}

/// Values: numbers at and past every bound, dates, words, anything.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("18446744073709551615".to_string()),
        Just("-1".to_string()),
        Just("+5".to_string()),
        Just("inf".to_string()),
        Just("NaN".to_string()),
        Just("2026-13-45T25:61".to_string()),
        Just("9999-12-31T23:59".to_string()),
        Just("\u{0}".to_string()),
        Just("gt".to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        ".{0,40}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_query_string_is_parsed_or_refused(
        params in proptest::collection::vec((name(), value()), 0..12),
        now in any::<u64>(),
    ) {
        let _ = AlertFilter::parse(&params, now);
        let _ = Hunt::parse(&params, now);
        let _ = AuditFilter::parse(&params);
        let _ = ReportRequest::parse(&params, Lang::En);
        let _ = ReportRequest::parse(&params, Lang::Fr);
    }

    #[test]
    fn any_configuration_text_is_read_or_refused(text in "([a-z_=\"/.0-9:, \n\\[\\]]|listen|clickhouse_url|session_hours|true){0,200}") {
        let _ = DashboardConfig::from_toml(&text);
    }
}
