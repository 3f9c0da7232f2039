//! The sign-in form, and what a page says when a request is refused.

use maud::{html, Markup};

use crate::i18n::{colon, t, Lang, Msg};

/// The form, with `error` above it when the last attempt failed.
pub fn form(lang: Lang, error: Option<Msg>, csrf: &str) -> Markup {
    html! {
        form.login method="post" action="/login" {
            h1 { (t(lang, Msg::LoginTitle)) }
            @if let Some(key) = error {
                p.err role="alert" { (t(lang, key)) }
            }
            label { (t(lang, Msg::Username)) br; input name="username" autocomplete="username" required autofocus; }
            label { (t(lang, Msg::Password)) br; input name="password" type="password" autocomplete="current-password" required; }
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" { (t(lang, Msg::SignIn)) }
        }
    }
}

/// Why a triage request was refused, and the way back to the queue.
pub fn triage_refused(lang: Lang, key: Msg, detail: &str) -> Markup {
    html! {
        p.err role="alert" { (t(lang, key)) (colon(lang)) (detail) }
        p { a href="/alerts" { (t(lang, Msg::BackToAlerts)) } }
    }
}

/// Why a request was refused, with what exactly was wrong.
pub fn refusal(lang: Lang, key: Msg, detail: &str) -> Markup {
    html! {
        p.err role="alert" {
            (t(lang, key))
            @if !detail.is_empty() { ": " (detail) }
        }
    }
}

/// The format and language fields of a form that makes a signed file; `formats` in the
/// order offered (the first is chosen).
pub fn file_options(lang: Lang, formats: &[&str]) -> Markup {
    html! {
        label { (t(lang, Msg::ReportFormat))
            select name="format" {
                @for f in formats { option value=(f) { (f.to_uppercase()) } }
            }
        }
        label { (t(lang, Msg::Language))
            select name="report_lang" {
                option value="fr" selected[lang == Lang::Fr] { "Français" }
                option value="en" selected[lang == Lang::En] { "English" }
            }
        }
    }
}
