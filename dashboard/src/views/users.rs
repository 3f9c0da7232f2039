//! Account management, for admins: every account with its role and state, a form to
//! change each, and one to create an account.

use maud::{html, Markup};
use vigie_store::rows::UserRow;

use crate::auth::{Principal, Role};
use crate::i18n::{t, Lang, Msg};
use crate::views::html::{head, utc};

fn role_options(lang: Lang, selected: &str) -> Markup {
    html! {
        @for r in Role::ALL {
            option value=(r.as_str()) selected[r.as_str() == selected] { (t(lang, r.msg())) }
        }
    }
}

/// The page's body: `error` above the list when the last change was refused, `saved`
/// when it went through. `min_password` is the shortest password accepted.
pub fn page(
    lang: Lang,
    who: &Principal,
    list: &[UserRow],
    error: Option<Msg>,
    saved: bool,
    min_password: usize,
) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavUsers)) }
        @if let Some(key) = error {
            p.err role="alert" { (t(lang, key)) }
        }
        @if saved {
            p.ok role="status" { (t(lang, Msg::Saved)) }
        }
        table {
            (head(lang, &[Msg::Username, Msg::ColRole, Msg::ColState, Msg::ColCreated, Msg::ColChange]))
            tbody {
                @for u in list {
                    tr {
                        td { (u.username) }
                        td { (Role::label_of(&u.role, lang)) }
                        td { (t(lang, if u.disabled != 0 { Msg::UserDisabled } else { Msg::UserEnabled })) }
                        td { (utc(u.created_ms)) }
                        td {
                            form method="post" action={ "/admin/users/" (u.username) } {
                                input type="hidden" name="csrf" value=(who.csrf());
                                select name="role" aria-label=(t(lang, Msg::ColRole)) { (role_options(lang, &u.role)) }
                                select name="disabled" aria-label=(t(lang, Msg::ColState)) {
                                    option value="0" selected[u.disabled == 0] { (t(lang, Msg::UserEnabled)) }
                                    option value="1" selected[u.disabled != 0] { (t(lang, Msg::UserDisabled)) }
                                }
                                input name="password" type="password" autocomplete="new-password" placeholder=(t(lang, Msg::NewPassword)) minlength=(min_password);
                                button type="submit" { (t(lang, Msg::Save)) }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t(lang, Msg::UserCreate)) }
            form.triage method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(who.csrf());
                label { (t(lang, Msg::Username)) input name="username" required pattern="[a-z0-9][a-z0-9._\\-]{0,63}"; }
                label { (t(lang, Msg::ColRole)) select name="role" { (role_options(lang, "analyst")) } }
                label { (t(lang, Msg::Password)) input name="password" type="password" autocomplete="new-password" required minlength=(min_password); }
                button type="submit" { (t(lang, Msg::UserCreate)) }
            }
        }
    }
}
