//! The fleet page: every agent, its state and figures; admins revoke agents and move them
//! between settings groups.

use maud::{html, Markup};

use crate::auth::Principal;
use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::fleet::AgentStatus;
use crate::views::html::utc;

/// The page's body; `groups` are those an admin may move an agent to.
pub fn page(
    lang: Lang,
    who: &Principal,
    agents: &[AgentStatus],
    groups: &[String],
    enrollment: &crate::views::enrollment::Enrollment<'_>,
) -> Markup {
    let silent = agents.iter().filter(|a| a.silent).count();
    let admin = who.role.is_admin();
    html! {
        h1 { (t(lang, Msg::NavFleet)) }
        p { a href="/fleet/settings" { (t(lang, Msg::NavSettings)) } }
        p {
            (t(lang, Msg::FleetTotal)) (colon(lang)) (agents.len()) " · "
            (t(lang, Msg::FleetSilent)) (colon(lang)) (silent)
        }
        @if agents.is_empty() {
            p { (t(lang, Msg::FleetEmpty)) }
        } @else {
            table {
                thead { tr {
                    @for key in [
                        Msg::ColHost, Msg::ColState, Msg::FleetOs, Msg::FleetVersion,
                        Msg::FleetLastSeen, Msg::FleetRate, Msg::FleetBacklog,
                        Msg::FleetDropped, Msg::FleetLosses, Msg::FleetProcesses,
                        Msg::SettingsGroup,
                        Msg::SettingsVersion,
                    ] {
                        th { (t(lang, key)) }
                    }
                    @if admin { th {} }
                } }
                tbody {
                    @for a in agents { (row(lang, who, a, admin, groups)) }
                }
            }
        }
        @if admin {
            (crate::views::enrollment::section(lang, who, enrollment))
        }
    }
}

/// The process sensor in use; anything short of eBPF is shown as degraded.
fn process_source(lang: Lang, source: &str) -> Markup {
    let degraded = |key| html! { span.sev.sev-medium { (t(lang, key)) } };
    match source {
        "ebpf" => html! { (t(lang, Msg::FleetProcessEbpf)) },
        // Every exec whole, as with eBPF: not degraded.
        "audit" => html! { (t(lang, Msg::FleetProcessAudit)) },
        "connector" => degraded(Msg::FleetProcessConnector),
        "polling" => degraded(Msg::FleetProcessPolling),
        "off" => html! { span.muted { (t(lang, Msg::FleetProcessOff)) } },
        "" => html! { span.muted { "—" } },
        other => html! { (other) },
    }
}

fn row(lang: Lang, who: &Principal, a: &AgentStatus, admin: bool, groups: &[String]) -> Markup {
    let (state_key, class) = if a.revoked {
        (Msg::FleetRevoked, "st")
    } else if a.silent {
        (Msg::FleetIsSilent, "sev sev-high")
    } else if a.dropped > 0 || a.sensor_losses > 0 {
        // Working, but events were lost: not green.
        (Msg::FleetDegraded, "sev sev-medium")
    } else {
        (Msg::FleetOk, "st st-resolved")
    };
    let why = (state_key == Msg::FleetDegraded).then(|| {
        crate::i18n::fill(
            lang,
            Msg::FleetDegradedWhy,
            &[("dropped", &a.dropped), ("losses", &a.sensor_losses)],
        )
    });
    html! {
        tr data-agent-id=(a.agent_id) {
            td {
                a href={ "/hunt?" (serde_urlencoded::to_string([("host", a.hostname.as_str())]).expect("text")) } title=(t(lang, Msg::HuntPivot)) { (a.hostname) }
                br; code.muted { (a.agent_id) }
            }
            td { span class=(class) title=[why] { (t(lang, state_key)) } }
            td { (a.os) br; span.muted { (a.kernel) } }
            td { (a.version) }
            td { (utc(a.last_seen_ms)) }
            td.n { (format!("{:.1}", a.events_per_minute)) }
            td.n { (a.spool_backlog) }
            td.n { (a.dropped) }
            td.n { (a.sensor_losses) }
            td { (process_source(lang, &a.process_source)) }
            td {
                @if admin {
                    form method="post" action={ "/fleet/" (a.agent_id) "/group" } {
                        input type="hidden" name="csrf" value=(who.csrf());
                        select name="group" aria-label=(t(lang, Msg::SettingsGroup)) {
                            @for g in groups {
                                option value=(g) selected[*g == a.group] { (g) }
                            }
                            @if !groups.contains(&a.group) {
                                option value=(a.group) selected { (a.group) }
                            }
                        }
                        " "
                        button type="submit" { (t(lang, Msg::SettingsMove)) }
                    }
                } @else {
                    (a.group)
                }
            }
            td {
                @if a.settings_version == a.group_version {
                    "v" (a.settings_version)
                } @else {
                    "v" (a.settings_version) " → v" (a.group_version) " (" (t(lang, Msg::SettingsPending)) ")"
                }
            }
            @if admin {
                td {
                    @if !a.revoked {
                        // A second click, so a slip of the mouse does not cut an agent off.
                        details.revoke {
                            summary { (t(lang, Msg::FleetRevoke)) }
                            form method="post" action={ "/fleet/" (a.agent_id) "/revoke" } {
                                input type="hidden" name="csrf" value=(who.csrf());
                                button type="submit" { (t(lang, Msg::FleetRevokeConfirm)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
