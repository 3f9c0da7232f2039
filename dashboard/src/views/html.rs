//! HTML helpers: escaping (every value from data goes through [`esc`]), the page frame,
//! and time formatting.

use crate::auth::Principal;
use crate::i18n::{t, Lang, Msg};

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title`, then `body`. `who` (the signed-in user) adds the navigation
/// and the sign-out forms. Style and script come from `/static`, served by the dashboard.
pub fn page(lang: Lang, title: &str, who: Option<&Principal>, body: &str) -> String {
    let other = match lang {
        Lang::En => ("fr", "Français"),
        Lang::Fr => ("en", "English"),
    };
    let (nav, account) = match who {
        Some(who) => {
            let mut links = vec![
                ("/overview", Msg::NavOverview),
                ("/alerts", Msg::NavAlerts),
                ("/fleet", Msg::NavFleet),
                ("/hunt", Msg::NavHunt),
                ("/reports", Msg::NavReports),
            ];
            links.push(("/tokens", Msg::NavTokens));
            if who.role != crate::auth::Role::Analyst {
                links.push(("/audit", Msg::NavAudit));
            }
            if who.role.is_admin() {
                links.push(("/admin/users", Msg::NavUsers));
            }
            let nav: String = links
                .iter()
                .map(|(href, key)| format!("<a href=\"{href}\">{}</a>", esc(t(lang, *key))))
                .collect();
            let csrf = esc(who.csrf());
            let account = format!(
                "<span title=\"{role}\">{name}</span>\
<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{out}</button></form>\
<form method=\"post\" action=\"/logout/everywhere\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{everywhere}</button></form>",
                role = esc(t(lang, who.role.msg())),
                name = esc(&who.username),
                out = esc(t(lang, Msg::SignOut)),
                everywhere = esc(t(lang, Msg::SignOutEverywhere)),
            );
            (format!("<nav>{nav}</nav>"), account)
        }
        None => (String::new(), String::new()),
    };
    format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title} · Vigie</title><link rel=\"stylesheet\" href=\"/static/vigie.css\"><script src=\"/static/vigie.js\" defer></script></head>\
<body><header><strong>Vigie</strong>{nav}<span class=\"sp\"></span>\
<a href=\"?lang={other_code}\" hreflang=\"{other_code}\" id=\"lang\">{other_name}</a>{account}</header><main>{body}</main></body></html>",
        code = lang.code(),
        title = esc(title),
        other_code = other.0,
        other_name = other.1,
    )
}

pub use vigie_model::time::utc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("a\"b'c&"), "a&quot;b&#39;c&amp;");
    }
}
