//! The fleet page's "Add a server" section (admins): the steps on a new server, the
//! collector's address and the CA's fingerprint, a new token shown once with the
//! command that uses it, and every token with its uses and state.

use maud::{html, Markup};
use vigie_store::enrollment::{NewToken, TokenStatus};

use crate::auth::Principal;
use crate::i18n::{t, Lang, Msg};
use crate::views::html::{head, utc};

/// What the section shows.
pub struct Enrollment<'a> {
    /// Every token.
    pub tokens: &'a [TokenStatus],
    /// A token just made, to show once.
    pub new: Option<&'a NewToken>,
    /// The collector's address for agents, if configured.
    pub collector_url: Option<&'a str>,
    /// SHA-256 of the CA certificate file, if configured.
    pub ca_sha256: Option<&'a str>,
    /// Now (ms), to tell expired tokens.
    pub now_ms: u64,
}

/// The command a new server runs with token `secret` (the one `docs/deployment.md`
/// gives).
pub fn enroll_command(secret: &str) -> String {
    format!(
        "sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token {secret}"
    )
}

fn state(lang: Lang, s: &TokenStatus, now_ms: u64) -> Markup {
    let (key, class) = if s.row.revoked != 0 {
        (Msg::EnrollRevoked, "st")
    } else if s.row.expires_ms <= now_ms {
        (Msg::EnrollExpired, "st")
    } else if s.uses >= u64::from(s.row.max_uses) {
        (Msg::EnrollUsedUp, "st")
    } else {
        (Msg::EnrollActive, "st st-resolved")
    };
    html! { span class=(class) { (t(lang, key)) } }
}

/// The section.
pub fn section(lang: Lang, who: &Principal, e: &Enrollment<'_>) -> Markup {
    html! {
        section #enroll {
            h2 { (t(lang, Msg::EnrollTitle)) }
            p { (t(lang, Msg::EnrollIntro)) }
            dl {
                @if let Some(url) = e.collector_url {
                    dt { (t(lang, Msg::EnrollCollector)) } dd { code #collector-url { (url) } }
                }
                @if let Some(sum) = e.ca_sha256 {
                    dt { (t(lang, Msg::EnrollCaFingerprint)) } dd { code #ca-sha256 { (sum) } }
                }
            }
            @if let Some(new) = e.new {
                div.ok role="status" {
                    p { strong { (t(lang, Msg::EnrollCreated)) } }
                    p { code #new-token { (new.secret) } " " button type="button" data-copy="#new-token" { (t(lang, Msg::CopyButton)) } }
                    p { (t(lang, Msg::EnrollSteps)) }
                    pre #enroll-command {
                        "dpkg -i vigie-agent_" (env!("CARGO_PKG_VERSION")) "_amd64.deb\n"
                        "editor /etc/vigie/agent.toml    # [collector] url"
                        @if let Some(url) = e.collector_url { " = \"" (url) "\"" }
                        "\n"
                        (enroll_command(&new.secret)) "\n"
                        "systemctl enable --now vigie-agent"
                    }
                    button type="button" data-copy="#enroll-command" { (t(lang, Msg::CopyButton)) }
                }
            }
            form.enroll method="post" action="/fleet/enrollment" {
                input type="hidden" name="csrf" value=(who.csrf());
                label { (t(lang, Msg::EnrollHours)) input type="number" name="hours" value="24" min="1" max="720"; }
                label { (t(lang, Msg::EnrollMaxUses)) input type="number" name="max_uses" value="1" min="1" max="1000"; }
                label { (t(lang, Msg::EnrollNote)) input name="note" maxlength="200" size="30"; }
                button type="submit" { (t(lang, Msg::EnrollCreate)) }
            }
            h3 { (t(lang, Msg::EnrollTokens)) }
            @if e.tokens.is_empty() {
                p.muted { (t(lang, Msg::EnrollNone)) }
            } @else {
                table #tokens {
                    (head(lang, &[Msg::ColTime, Msg::EnrollNote, Msg::EnrollUses, Msg::EnrollExpires, Msg::ColState]))
                    tbody {
                        @for s in e.tokens {
                            tr data-token-id=(s.row.token_id) {
                                td { (utc(s.row.created_ms)) br; code.muted { (s.row.token_id) } }
                                td.wrap { (s.row.note) }
                                td.n { (s.uses) " / " (s.row.max_uses) }
                                td { (utc(s.row.expires_ms)) }
                                td { (state(lang, s, e.now_ms)) }
                                td {
                                    @if s.row.revoked == 0 && s.row.expires_ms > e.now_ms {
                                        details.revoke {
                                            summary { (t(lang, Msg::EnrollRevoke)) }
                                            form method="post" action={ "/fleet/enrollment/" (s.row.token_id) "/revoke" } {
                                                input type="hidden" name="csrf" value=(who.csrf());
                                                button type="submit" { (t(lang, Msg::EnrollRevokeConfirm)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
