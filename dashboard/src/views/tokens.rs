//! API tokens: one's own (admins: all), the new token's secret shown once, the form to
//! make one with a role up to one's own.

use maud::{html, Markup};
use vigie_store::rows::ApiTokenRow;

use crate::auth::{Principal, Role};
use crate::i18n::{t, Lang, Msg};
use crate::views::html::{head, utc};

/// The page's body.
pub fn page(
    lang: Lang,
    who: &Principal,
    list: &[ApiTokenRow],
    secret: Option<&str>,
    error: Option<Msg>,
    max_days: u64,
    now_ms: u64,
) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavTokens)) }
        p.muted { (t(lang, Msg::TokensHelp)) }
        @if let Some(key) = error {
            p.err role="alert" { (t(lang, key)) }
        }
        @if let Some(secret) = secret {
            p.banner role="status" { (t(lang, Msg::TokenShownOnce)) br; code #new-token { (secret) } }
        }
        table {
            (head(lang, &[Msg::TokenName, Msg::Username, Msg::ColRole, Msg::ColCreated, Msg::TokenExpires, Msg::ColState, Msg::ColChange]))
            tbody {
                @for row in list {
                    @let state = if row.revoked != 0 {
                        Msg::TokenRevoked
                    } else if crate::queries::api_tokens::ends_ms(row) <= now_ms {
                        Msg::TokenExpired
                    } else {
                        Msg::TokenActive
                    };
                    tr {
                        td { (row.name) }
                        td { (row.username) }
                        td { (Role::label_of(&row.role, lang)) }
                        td { (utc(row.created_ms)) }
                        td { (utc(crate::queries::api_tokens::ends_ms(row))) }
                        td { (t(lang, state)) }
                        td {
                            @if state == Msg::TokenActive {
                                form method="post" action={ "/tokens/" (row.token_id) "/revoke" } {
                                    input type="hidden" name="csrf" value=(who.csrf());
                                    button type="submit" { (t(lang, Msg::TokenRevoke)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t(lang, Msg::TokenCreate)) }
            form.triage method="post" action="/tokens" {
                input type="hidden" name="csrf" value=(who.csrf());
                label { (t(lang, Msg::TokenName)) input name="name" required maxlength="100"; }
                label {
                    (t(lang, Msg::ColRole))
                    select name="role" {
                        @for r in Role::ALL.iter().filter(|r| **r <= who.role) {
                            option value=(r.as_str()) selected[*r == who.role] { (t(lang, r.msg())) }
                        }
                    }
                }
                label { (t(lang, Msg::TokenDays)) input name="days" type="number" min="1" max=(max_days) value="90"; }
                button type="submit" { (t(lang, Msg::TokenCreate)) }
            }
        }
    }
}
