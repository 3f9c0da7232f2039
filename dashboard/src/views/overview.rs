//! The overview: agents by state, alerts over time by severity, the noisiest rules and
//! hosts, and events per second by category.

use maud::{html, Markup};
use vigie_model::Severity;

use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::overview::Overview;
use crate::views::alerts::title;
use crate::views::charts::{horizontal_bars, stacked_bars, SEVERITY_COLOURS};
use crate::views::html::{head, utc};

/// The page's body; `periods` are the tabs offered and `period` the one shown.
pub fn page(lang: Lang, o: &Overview, periods: &[(&str, Msg)], period: &str) -> Markup {
    let (ok, silent, revoked) = o.agents;
    let series: Vec<(&str, &str)> = Severity::ALL
        .iter()
        .map(|s| s.label(lang))
        .zip(SEVERITY_COLOURS)
        .collect();
    let buckets: Vec<(String, Vec<u64>)> = o
        .alerts_over_time
        .iter()
        .map(|(b, v)| {
            let label = if o.bucket_ms < 86_400_000 {
                utc(*b)[11..16].to_string()
            } else {
                utc(*b)[5..10].to_string()
            };
            (label, v.clone())
        })
        .collect();
    // Every bar leads to the queue filtered as it counts.
    let queue = |pairs: &[(&str, &str)]| {
        let mut all = pairs.to_vec();
        all.push(("range", period));
        format!(
            "/alerts?{}",
            serde_urlencoded::to_string(&all).expect("text pairs")
        )
    };
    let rules: Vec<(String, u64, String)> = o
        .top_rules
        .iter()
        .map(|(id, en, fr, n)| (title(lang, en, fr).to_string(), *n, queue(&[("rule", id)])))
        .collect();
    let hosts: Vec<(String, u64, String)> = o
        .top_hosts
        .iter()
        .map(|(host, n)| (host.clone(), *n, queue(&[("host", host)])))
        .collect();
    let starts: Vec<u64> = o.alerts_over_time.iter().map(|(b, _)| *b).collect();
    let segment = |bucket: usize, series: usize| {
        let from = starts[bucket];
        format!(
            "/alerts?range=custom&from={from}&to={}&severity={}",
            from + o.bucket_ms,
            Severity::ALL[series].as_str()
        )
    };
    html! {
        h1 { (t(lang, Msg::NavOverview)) }
        nav.tabs {
            @for (p, label) in periods {
                a href={ "/overview?range=" (p) } class=[(*p == period).then_some("on")] { (t(lang, *label)) }
            }
        }
        section {
            h2 { (t(lang, Msg::NavFleet)) }
            p { a href="/fleet" {
                (t(lang, Msg::FleetOk)) (colon(lang)) (ok) " · "
                (t(lang, Msg::FleetIsSilent)) (colon(lang)) (silent) " · "
                (t(lang, Msg::FleetRevoked)) (colon(lang)) (revoked)
            } }
        }
        section {
            h2 { (t(lang, Msg::OverviewAlertsTime)) }
            (stacked_bars(t(lang, Msg::OverviewAlertsTime), &series, &buckets, &segment))
        }
        @for (key, items, colour) in [
            (Msg::OverviewTopRules, &rules, "#1d3557"),
            (Msg::OverviewTopHosts, &hosts, "#457b9d"),
        ] {
            section {
                h2 { (t(lang, key)) }
                @if items.is_empty() {
                    p.muted { (t(lang, Msg::AlertsNoneMatch)) }
                } @else {
                    (horizontal_bars(t(lang, key), items, colour))
                }
            }
        }
        section #notifications {
            h2 { (t(lang, Msg::OverviewNotifications)) }
            @if o.notifications.is_empty() {
                p.muted { (t(lang, Msg::NotifyNone)) }
            } @else {
                table {
                    (head(lang, &[Msg::NotifyChannel, Msg::NotifySent, Msg::NotifyDigested, Msg::NotifyWaiting, Msg::NotifyFailing, Msg::NotifyOldest, Msg::NotifyLastError]))
                    tbody {
                        @for c in &o.notifications {
                            tr class=[(c.failing > 0).then_some("failing")] {
                                td { (c.channel) }
                                td.n { (c.sent) }
                                td.n { (c.digested) }
                                td.n { (c.waiting) }
                                td.n { @if c.failing > 0 { span.sev.sev-high { (c.failing) } } @else { "0" } }
                                td { @if c.waiting > 0 { (utc(c.oldest_waiting_ms)) } }
                                td.wrap { @if c.failing > 0 { (c.last_error) } }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t(lang, Msg::OverviewEps)) }
            table {
                (head(lang, &[Msg::ColCategory, Msg::OverviewPerSecond]))
                tbody {
                    @for (category, eps) in &o.events_per_second {
                        tr { td title=(category) { (vigie_model::event::category_label(category, lang)) } td.n { (format!("{eps:.2}")) } }
                    }
                }
            }
        }
    }
}
