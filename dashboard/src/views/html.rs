//! The page frame every page shares (navigation, language switch, sign-out forms) and
//! time formatting.
//!
//! Pages are written with `maud`: its `html!` templates are Rust, checked by the compiler,
//! and escape every value they insert unless it is explicitly marked as markup — so
//! safety does not depend on remembering to escape. (askama was the other candidate; maud
//! keeps each view a plain function over query results, with no template files to keep
//! in step.)

use maud::{html, Markup, DOCTYPE};

use crate::auth::{Principal, Role};
use crate::i18n::{t, Lang, Msg};

pub use vigie_model::time::utc;

/// The navigation a user sees, by role.
fn links(who: &Principal) -> Vec<(&'static str, Msg)> {
    let mut links = vec![
        ("/overview", Msg::NavOverview),
        ("/alerts", Msg::NavAlerts),
        ("/incidents", Msg::NavIncidents),
        ("/exceptions", Msg::NavExceptions),
        ("/rules", Msg::NavRules),
        ("/fleet", Msg::NavFleet),
        ("/hunt", Msg::NavHunt),
        ("/reports", Msg::NavReports),
        ("/tokens", Msg::NavTokens),
    ];
    if who.role != Role::Analyst {
        links.push(("/audit", Msg::NavAudit));
    }
    if who.role.is_admin() {
        links.push(("/admin/users", Msg::NavUsers));
    }
    links
}

/// A table's header row: one column a message.
pub fn head(lang: Lang, columns: &[Msg]) -> Markup {
    html! {
        thead { tr { @for key in columns { th { (t(lang, *key)) } } } }
    }
}

/// An event field as a person reads it: its label in `lang`, then the name rules and
/// hunts use (`CommandLine`), muted; the name alone when this version has no label.
pub fn field_name(lang: Lang, name: &str) -> Markup {
    html! {
        @if let Some(label) = vigie_model::field_labels::field_label(name, lang) {
            (label) " " code.muted { (name) }
        } @else {
            code { (name) }
        }
    }
}

/// A whole page: `title`, then `body`. `who` (the signed-in user) adds the navigation
/// and the sign-out forms. Style and script come from `/static`, served by the dashboard.
pub fn page(lang: Lang, title: &str, who: Option<&Principal>, body: Markup) -> Markup {
    let (other_code, other_name) = match lang {
        Lang::En => ("fr", "Français"),
        Lang::Fr => ("en", "English"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) " · Vigie" }
                link rel="stylesheet" href="/static/vigie.css";
                script src="/static/vigie.js" defer {}
            }
            body {
                header {
                    strong { "Vigie" }
                    @if let Some(who) = who {
                        nav {
                            @for (href, key) in links(who) {
                                a href=(href) { (t(lang, key)) }
                            }
                        }
                    }
                    span.sp {}
                    a #lang href={ "?lang=" (other_code) } hreflang=(other_code) { (other_name) }
                    @if let Some(who) = who {
                        span title=(t(lang, who.role.msg())) { (who.username) }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(who.csrf());
                            button type="submit" { (t(lang, Msg::SignOut)) }
                        }
                        form method="post" action="/logout/everywhere" {
                            input type="hidden" name="csrf" value=(who.csrf());
                            button type="submit" { (t(lang, Msg::SignOutEverywhere)) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_by_the_template() {
        let body = html! { p { ("<script>alert(1)</script>") } };
        let text = page(Lang::En, "a\"b'c&", None, body).into_string();
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{text}"
        );
        assert!(text.contains("a&quot;b'c&amp; · Vigie"), "{text}");
        assert!(!text.contains("<script>alert"), "{text}");
    }
}
