//! Hunting: the search form (category, host, period, field conditions, columns, count
//! by a field) and its results — events with the chosen fields as columns, each value a
//! pivot into a narrower hunt, or the most frequent values of a field with their counts.

use maud::{html, Markup};

use crate::i18n::{colon, t, Lang, Msg};
use crate::queries::hunt::{categories, Count, Found, Hunt, MAX_CONDITIONS, OPERATORS, PAGE_ROWS};
use crate::views::html::{field_name, head, utc};

/// What a search found: events, or counts by a field.
pub enum Outcome {
    /// Events, newest first.
    Events(Vec<Found>),
    /// Values of the `count_by` field, most frequent first.
    Counts(Vec<Count>),
}

/// The page's body; `found` when a search ran.
pub fn page(lang: Lang, hunt: &Hunt, found: Option<&Outcome>) -> Markup {
    html! {
        h1 { (t(lang, Msg::NavHunt)) }
        (form(lang, hunt))
        @match found {
            Some(Outcome::Events(rows)) => (results(lang, hunt, rows)),
            Some(Outcome::Counts(counts)) => (count_table(lang, hunt, counts)),
            None => {}
        }
    }
}

/// A link to the hunt narrowed to `field` = `value`.
fn pivot(h: &Hunt, field: &str, value: &str) -> String {
    format!("/hunt?{}", h.narrowed(field, value).query_string(None))
}

fn count_table(lang: Lang, h: &Hunt, counts: &[Count]) -> Markup {
    let field = h.count_by.as_deref().unwrap_or("");
    html! {
        h2 { (t(lang, Msg::HuntCountBy)) " " (field_name(lang, field)) }
        @if counts.is_empty() {
            p { (t(lang, Msg::HuntNone)) }
        } @else {
            table #counts {
                (head(lang, &[Msg::ColValue, Msg::HuntEvents]))
                tbody {
                    @for c in counts {
                        tr {
                            td.wrap { a href=(pivot(h, field, &c.value)) { code { (c.value) } } }
                            td.n { (c.count) }
                        }
                    }
                }
            }
        }
    }
}

fn form(lang: Lang, h: &Hunt) -> Markup {
    html! {
        form.filters method="get" action="/hunt" {
            label {
                (t(lang, Msg::ColCategory))
                select name="category" {
                    option value="" { (t(lang, Msg::Any)) }
                    @for c in categories() {
                        option value=(c) selected[h.category == c] { (vigie_model::event::category_label(c, lang)) }
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
            label {
                (t(lang, Msg::HuntColumns))
                input name="columns" value=(h.columns.join(",")) placeholder=(h.shown_columns().join(",")) size="30";
            }
            label {
                (t(lang, Msg::HuntCountBy))
                input name="count_by" value=(h.count_by.as_deref().unwrap_or("")) placeholder="Image" size="16";
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
            (t(lang, Msg::HuntFound)) (colon(lang)) (rows.len()) @if more { "+" }
            " · "
            a href={ "/hunt.csv?" (h.query_string(None)) } download { (t(lang, Msg::HuntCsv)) }
        }
        @if rows.is_empty() {
            p { (t(lang, Msg::HuntNone)) }
        } @else {
            @let columns = h.shown_columns();
            table #events {
                thead { tr {
                    th { (t(lang, Msg::ColTime)) }
                    th { (t(lang, Msg::ColHost)) }
                    th { (t(lang, Msg::ColCategory)) }
                    @for c in &columns { th { (field_name(lang, c)) } }
                } }
                tbody {
                    @for r in rows {
                        @let event: Option<vigie_model::Event> = serde_json::from_str(&r.fields).ok();
                        tr {
                            td { (utc(r.ts)) }
                            td { a href=(pivot(h, "hostname", &r.hostname)) { (r.hostname) } }
                            td title=(r.category) { (vigie_model::event::category_label(&r.category, lang)) }
                            @for c in &columns {
                                @let value = event.as_ref().and_then(|e| e.text_field(c)).unwrap_or_default();
                                td.wrap {
                                    @if !value.is_empty() {
                                        a href=(pivot(h, c, &value)) { (value.chars().take(300).collect::<String>()) }
                                    }
                                }
                            }
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
