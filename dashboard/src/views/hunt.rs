//! Hunting: the search form (category, host, period, field conditions) and its results.

use maud::{html, Markup};

use crate::i18n::{t, Lang, Msg};
use crate::queries::hunt::{Found, Hunt, CATEGORIES, MAX_CONDITIONS, OPERATORS, PAGE_ROWS};
use crate::views::html::{head, utc};

/// The page's body; `rows` when a search ran.
pub fn page(lang: Lang, hunt: &Hunt, rows: Option<&[Found]>) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavHunt)) }
        (form(lang, hunt))
        @if let Some(rows) = rows { (results(lang, hunt, rows)) }
    }
}

fn form(lang: Lang, h: &Hunt) -> Markup {
    html! {
        form.filters method="get" action="/hunt" {
            label {
                (t(lang, Msg::ColCategory))
                select name="category" {
                    option value="" { (t(lang, Msg::Any)) }
                    @for c in CATEGORIES {
                        option value=(c) selected[h.category == c] { (c) }
                    }
                }
            }
            label { (t(lang, Msg::ColHost)) input name="host" value=(h.host); }
            @for (name, key, ms) in [("from", Msg::FilterFrom, h.from_ms), ("to", Msg::FilterTo, h.to_ms)] {
                label {
                    (t(lang, key)) " (UTC)"
                    input type="datetime-local" name=(name) value=(utc(ms).replace(' ', "T")[..16]);
                }
            }
            fieldset {
                legend { (t(lang, Msg::HuntConditions)) }
                @for i in 1..=MAX_CONDITIONS {
                    @let c = h.conditions.get(i - 1);
                    @let op_now = c.map_or("eq", |c| c.op.as_str());
                    div {
                        input name={ "f" (i) } placeholder=(t(lang, Msg::HuntFieldExample)) value=(c.map_or("", |c| &c.field)) aria-label=(t(lang, Msg::ColField));
                        " "
                        select name={ "op" (i) } aria-label=(t(lang, Msg::HuntOperator)) {
                            @for (op, key) in OPERATORS {
                                option value=(op) selected[op == op_now] { (t(lang, key)) }
                            }
                        }
                        " "
                        input name={ "v" (i) } value=(c.map_or("", |c| &c.value)) aria-label=(t(lang, Msg::ColValue));
                    }
                }
            }
            button type="submit" { (t(lang, Msg::HuntSearch)) }
        }
    }
}

fn results(lang: Lang, h: &Hunt, rows: &[Found]) -> Markup {
    let more = rows.len() as u64 > PAGE_ROWS;
    let rows = &rows[..rows.len().min(PAGE_ROWS as usize)];
    html! {
        p {
            (t(lang, Msg::HuntFound)) ": " (rows.len()) @if more { "+" }
            " · "
            a href={ "/hunt.csv?" (h.query_string(None)) } download { (t(lang, Msg::HuntCsv)) }
        }
        @if rows.is_empty() {
            p { (t(lang, Msg::HuntNone)) }
        } @else {
            table {
                (head(lang, &[Msg::ColTime, Msg::ColHost, Msg::ColCategory, Msg::ColImage, Msg::ColTarget, Msg::ColUser, Msg::HuntFields]))
                tbody {
                    @for r in rows {
                        tr {
                            td { (utc(r.ts)) }
                            td { (r.hostname) }
                            td title=(r.category) { (vigie_model::event::category_label(&r.category, lang)) }
                            td.wrap { (r.image) }
                            td.wrap { (r.target) }
                            td { (r.user) }
                            td.wrap { code { (r.fields.chars().take(400).collect::<String>()) } }
                        }
                    }
                }
            }
            @if more {
                @if let Some(last) = rows.last() {
                    p { a href={ "/hunt?" (h.query_string(Some(last.ts))) } rel="next" { (t(lang, Msg::NextPage)) } }
                }
            }
        }
    }
}
