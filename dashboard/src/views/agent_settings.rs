//! Remote agent settings: every group's settings (admins edit them, others read them)
//! and a form for a new group.

use maud::{html, Markup};
use vigie_store::rows::AgentConfigRow;

use crate::auth::Principal;
use crate::i18n::{t, Lang, Msg};
use crate::views::html::utc;

/// The settings proposed for a new group.
const NEW_GROUP_EXAMPLE: &str =
    "[process]\nenabled = true\n\n[[fim.paths]]\npath = \"/etc\"\nseverity = \"medium\"\n";

/// A refused change, shown back with what was typed.
pub struct Refusal<'a> {
    /// The group it was for.
    pub group: &'a str,
    /// The settings as typed.
    pub body: &'a str,
    /// Why it was refused.
    pub message: String,
}

/// The page's body: `saved` names the version just stored.
pub fn page(
    lang: Lang,
    who: &Principal,
    groups: &[AgentConfigRow],
    error: Option<&Refusal<'_>>,
    saved: Option<&str>,
) -> Markup {
    let admin = who.role.is_admin();
    let new_group = match error {
        Some(e) if !groups.iter().any(|g| g.group_name == e.group) => (e.group, e.body),
        _ => ("", NEW_GROUP_EXAMPLE),
    };
    html! {
        h1 { (t(lang, Msg::NavSettings)) }
        p.muted { (t(lang, Msg::SettingsHelp)) }
        @if let Some(version) = saved {
            p.ok role="status" { (t(lang, Msg::SettingsSaved)) " " (version) }
        }
        @if let Some(e) = error {
            p.err role="alert" { (e.message) }
        }
        @for g in groups {
            section {
                h2 { (g.group_name) " " span.muted { "v" (g.version) " · " (g.author) " · " (utc(g.updated_ms)) } }
                @if admin {
                    @let body = match error {
                        Some(e) if e.group == g.group_name => e.body,
                        _ => g.body.as_str(),
                    };
                    (form(lang, who, &g.group_name, body, true))
                } @else {
                    pre { (g.body) }
                }
            }
        }
        @if admin {
            section {
                h2 { (t(lang, Msg::SettingsNewGroup)) }
                (form(lang, who, new_group.0, new_group.1, false))
            }
        }
    }
}

fn form(lang: Lang, who: &Principal, group: &str, body: &str, fixed: bool) -> Markup {
    html! {
        form method="post" action="/fleet/settings" {
            input type="hidden" name="csrf" value=(who.csrf());
            @if fixed {
                input type="hidden" name="group" value=(group);
            } @else {
                label { (t(lang, Msg::SettingsGroup)) input name="group" value=(group) required pattern="[a-z0-9._\\-]{1,64}"; }
            }
            textarea name="body" rows="12" cols="90" spellcheck="false" { (body) }
            br;
            button type="submit" { (t(lang, Msg::Save)) }
        }
    }
}
