//! `GET /alerts/{id}` and `GET /api/v1/alerts/{id}`: one alert, whole.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::alerts::{severity_badge, status_badge, title, triage_controls};
use super::context::{param, Api, AppState, Ctx, Page, Params};
use crate::i18n::{t, Lang, Msg};
use crate::queries::alert_detail::{self, AlertDetail};
use crate::views::html::{esc, utc};

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `GET /alerts/{id}`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    if !valid_id(&id) {
        return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, "");
    }
    let detail = match alert_detail::load(&state.client, &id).await {
        Ok(Some(d)) => d,
        Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, ""),
        Err(e) => return ctx.store_failed(&e),
    };
    state
        .audit
        .note(
            &ctx.who.username,
            "alert_viewed",
            &id,
            serde_json::json!({}),
        )
        .await;
    let done = param(&params, "done")
        .and_then(|n| n.parse::<u64>().ok())
        .map(|n| {
            format!(
                "<p class=\"ok\" role=\"status\">{}</p>",
                esc(&t(ctx.lang, Msg::TriageDone).replace("{n}", &n.to_string()))
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<p><a href=\"/alerts\">← {}</a></p>{done}{}",
        esc(t(ctx.lang, Msg::BackToAlerts)),
        render(&ctx, &detail)
    );
    let heading = title(
        ctx.lang,
        &detail.alert.rule_title,
        &detail.alert.rule_title_fr,
    );
    ctx.render(StatusCode::OK, heading, &body)
}

fn render(ctx: &Ctx, d: &AlertDetail) -> String {
    let lang = ctx.lang;
    let a = &d.alert;
    let mut html = format!(
        "<h1>{} {}</h1><dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd class=\"wrap\">{}</dd></dl>",
        severity_badge(lang, &a.severity),
        esc(title(lang, &a.rule_title, &a.rule_title_fr)),
        esc(t(lang, Msg::ColTime)),
        esc(&utc(a.ts)),
        esc(t(lang, Msg::ColStatus)),
        status_badge(lang, &d.status),
        esc(t(lang, Msg::ColAssignee)),
        esc(&d.assignee),
        esc(t(lang, Msg::ColHost)),
        esc(&a.hostname),
        esc(t(lang, Msg::ColTarget)),
        esc(&a.target),
        esc(t(lang, Msg::ColSummary)),
        esc(&a.summary),
    );
    html.push_str(&rule_section(lang, d));
    html.push_str(&events_section(lang, d));
    html.push_str(&lineage_section(lang, d));
    html.push_str(&history_section(ctx, d));
    html.push_str(&nearby_section(lang, d));
    html.push_str(&earlier_section(lang, d));
    html
}

fn rule_section(lang: Lang, d: &AlertDetail) -> String {
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::Rule)));
    let Some(rule) = &d.rule else {
        html.push_str(&format!(
            "<p class=\"muted\">{} ({})</p><p>{}: {}</p></section>",
            esc(t(lang, Msg::RuleUnknown)),
            esc(&d.alert.rule_id),
            esc(t(lang, Msg::RuleAuthor)),
            esc(&d.alert.author)
        ));
        return html;
    };
    let techniques: String = crate::attack::techniques(&rule.tags)
        .iter()
        .map(|(id, name)| match name {
            Some(name) => format!("<li><code>{}</code> {}</li>", esc(id), esc(name)),
            None => format!("<li><code>{}</code></li>", esc(id)),
        })
        .collect();
    html.push_str(&format!(
        "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>\
<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd><ul>{techniques}</ul></dd></dl></section>",
        esc(t(lang, Msg::Rule)),
        esc(title(lang, &rule.title, &rule.title_fr)),
        "id",
        esc(&rule.rule_id),
        esc(t(lang, Msg::RuleDescription)),
        esc(&rule.description),
        esc(t(lang, Msg::RuleLevel)),
        esc(vigie_model::Severity::label_of(&rule.level, lang)),
        esc(t(lang, Msg::RuleAuthor)),
        esc(&rule.author),
        esc(t(lang, Msg::RuleTechniques)),
    ));
    html
}

fn events_section(lang: Lang, d: &AlertDetail) -> String {
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::TriggerEvents)));
    for event in &d.events {
        html.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(t(lang, Msg::ColField)),
            esc(t(lang, Msg::ColValue))
        ));
        let envelope = [
            ("agent_id", event.agent_id.clone()),
            ("hostname", event.hostname.clone()),
            ("seq", event.seq.to_string()),
            ("ts", format!("{} ({})", event.ts, utc(event.ts))),
            ("category", event.category.clone()),
        ];
        for (k, v) in envelope {
            html.push_str(&format!(
                "<tr><td>{}</td><td class=\"wrap\">{}</td></tr>",
                esc(k),
                esc(&v)
            ));
        }
        for (k, v) in &event.fields {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            html.push_str(&format!(
                "<tr><td>{}</td><td class=\"wrap\">{}</td></tr>",
                esc(k),
                esc(&value)
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    html
}

fn lineage_section(lang: Lang, d: &AlertDetail) -> String {
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::Lineage)));
    if d.lineage.is_empty() {
        html.push_str(&format!(
            "<p class=\"muted\">{}</p></section>",
            esc(t(lang, Msg::LineageEmpty))
        ));
        return html;
    }
    html.push_str("<table><thead><tr>");
    for key in [
        Msg::ColTime,
        Msg::ColPid,
        Msg::ColImage,
        Msg::ColCommand,
        Msg::ColUser,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for p in &d.lineage {
        html.push_str(&format!(
            "<tr{}><td>{}</td><td class=\"n\">{}</td><td class=\"wrap\">{}</td><td class=\"wrap\"><code>{}</code></td><td>{}</td></tr>",
            if p.seen { "" } else { " class=\"muted\"" },
            esc(&p.ts.map(utc).unwrap_or_default()),
            p.pid,
            esc(&p.image),
            esc(&p.command_line),
            esc(&p.user),
        ));
    }
    html.push_str("</tbody></table></section>");
    html
}

fn history_section(ctx: &Ctx, d: &AlertDetail) -> String {
    let lang = ctx.lang;
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::History)));
    if d.history.is_empty() {
        html.push_str(&format!(
            "<p class=\"muted\">{}</p>",
            esc(t(lang, Msg::HistoryEmpty))
        ));
    } else {
        html.push_str("<table><thead><tr>");
        for key in [Msg::ColTime, Msg::ColWho, Msg::ColWhat, Msg::ColWhy] {
            html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
        }
        html.push_str("</tr></thead><tbody>");
        for h in &d.history {
            let mut what = crate::queries::triage::action_label(&h.action, lang).to_string();
            if !h.status.is_empty() {
                what.push_str(&format!(
                    ": {}",
                    vigie_model::AlertStatus::label_of(&h.status, lang)
                ));
            }
            if !h.assignee.is_empty() {
                what.push_str(&format!(" → {}", h.assignee));
            }
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"wrap\">{}</td></tr>",
                esc(&utc(h.ts)),
                esc(&h.actor),
                esc(&what),
                esc(&h.comment)
            ));
        }
        html.push_str("</tbody></table>");
    }
    if ctx.who.role.can_triage() {
        html.push_str(&format!(
            "<form method=\"post\" action=\"/alerts/triage\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
<input type=\"hidden\" name=\"id\" value=\"{id}\"><input type=\"hidden\" name=\"alert\" value=\"{id}\">{}</form>",
            esc(ctx.who.csrf()),
            triage_controls(lang),
            id = esc(&d.alert.alert_id),
        ));
    }
    html.push_str("</section>");
    html
}

fn nearby_section(lang: Lang, d: &AlertDetail) -> String {
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::NearbyEvents)));
    if d.nearby.is_empty() {
        html.push_str(&format!(
            "<p class=\"muted\">{}</p></section>",
            esc(t(lang, Msg::NearbyEmpty))
        ));
        return html;
    }
    html.push_str("<table><thead><tr>");
    for key in [
        Msg::ColTime,
        Msg::ColCategory,
        Msg::ColAction,
        Msg::ColTarget,
        Msg::ColImage,
        Msg::ColUser,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for e in &d.nearby {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td class=\"wrap\">{}</td><td>{}</td></tr>",
            esc(&utc(e.ts)),
            esc(&e.category),
            esc(&e.action),
            esc(&e.target),
            esc(&e.image),
            esc(&e.user)
        ));
    }
    html.push_str("</tbody></table></section>");
    html
}

fn earlier_section(lang: Lang, d: &AlertDetail) -> String {
    let mut html = format!("<section><h2>{}</h2>", esc(t(lang, Msg::EarlierAlerts)));
    if d.earlier.is_empty() {
        html.push_str(&format!(
            "<p class=\"muted\">{}</p></section>",
            esc(t(lang, Msg::EarlierEmpty))
        ));
        return html;
    }
    html.push_str("<ul>");
    for e in &d.earlier {
        html.push_str(&format!(
            "<li><a href=\"/alerts/{}\">{}</a> {} {}</li>",
            esc(&e.alert_id),
            esc(&utc(e.ts)),
            severity_badge(lang, &e.severity),
            esc(&e.summary)
        ));
    }
    html.push_str("</ul></section>");
    html
}

/// `GET /api/v1/alerts/{id}`.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Path(id): Path<String>,
) -> Response {
    if !valid_id(&id) {
        return ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, "");
    }
    match alert_detail::load(&state.client, &id).await {
        Ok(Some(d)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "alert_viewed",
                    &id,
                    json!({"via": "api"}),
                )
                .await;
            let mut value = serde_json::to_value(&d).expect("serializable");
            value["alert"] = serde_json::to_value(&d.alert).expect("serializable");
            value["rule"] = serde_json::to_value(&d.rule).expect("serializable");
            value["techniques"] = json!(d
                .rule
                .as_ref()
                .map(|r| crate::attack::techniques(&r.tags))
                .unwrap_or_default());
            Json(value).into_response()
        }
        Ok(None) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}
