//! `POST /audit/export` and `POST /api/v1/audit/export`: the audit trail of a period
//! (optionally one chain, author or action) as a signed CSV, JSON or PDF file, kept
//! among the reports and checked like them with `vigie report verify`. Auditors and
//! admins only; every export is itself in the trail.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::audit::{may_read, verdicts};
use super::context::{param, see_other, Api, AppState, Ctx, PageForm, Params};
use super::reports::{form_fields, key_fingerprint, made, sign_and_store, ToSign};
use crate::i18n::{Lang, Msg};
use crate::params::{bad, one_of, BadParam, Problem};
use crate::queries::audit::{export_rows, AuditFilter, EXPORT_ROWS};
use crate::queries::report::Format;
use crate::views::audit_export::{file_name, render, AuditExport};

/// What was asked: the filter (period required), format, language and marking.
struct Asked {
    filter: AuditFilter,
    format: Format,
    lang: Lang,
    marking: String,
}

fn parse(fields: &Params, lang: Lang) -> Result<Asked, BadParam> {
    let filter = AuditFilter::parse(fields)?;
    let (Some(from), Some(to)) = (filter.from_ms, filter.to_ms) else {
        let missing = if filter.from_ms.is_none() {
            "from"
        } else {
            "to"
        };
        return Err(bad(missing, Problem::Required));
    };
    if from >= to {
        return Err(bad("to", Problem::EndBeforeStart));
    }
    let format = match param(fields, "format").unwrap_or("csv") {
        "pdf" => Format::Pdf,
        "csv" => Format::Csv,
        "json" => Format::Json,
        f => return Err(bad("format", one_of(f, &["csv", "json", "pdf"]))),
    };
    let lang = match param(fields, "report_lang").unwrap_or("") {
        "" => lang,
        l => Lang::parse(l).ok_or_else(|| bad("report_lang", one_of(l, &["fr", "en"])))?,
    };
    let marking = param(fields, "marking").unwrap_or("").trim().to_string();
    if marking.chars().count() > 80 {
        return Err(bad("marking", Problem::TooLong(80)));
    }
    Ok(Asked {
        filter,
        format,
        lang,
        marking,
    })
}

/// Gathers, renders, signs, stores and records the export; its row and entry count.
async fn export(
    state: &AppState,
    ctx: &Ctx,
    asked: Asked,
) -> Result<(vigie_store::rows::ReportRow, usize, bool), vigie_store::StoreError> {
    let mut rows = export_rows(&state.client, &asked.filter, EXPORT_ROWS + 1).await?;
    let cut = rows.len() as u64 > EXPORT_ROWS;
    rows.truncate(EXPORT_ROWS as usize);
    let marking = if asked.marking.is_empty() {
        state.config().reports.marking
    } else {
        asked.marking
    };
    let e = AuditExport {
        from_ms: asked.filter.from_ms.unwrap_or(0),
        to_ms: asked.filter.to_ms.unwrap_or(0),
        rows,
        cut,
        checked: verdicts(state).await?,
        generated_ms: vigie_model::event::now_ms(),
        generated_by: ctx.who.username.clone(),
        key_fingerprint: key_fingerprint(state),
        lang: asked.lang,
        format: asked.format,
        marking,
    };
    let row = sign_and_store(
        state,
        ctx,
        ToSign {
            name: file_name(&e),
            format: e.format.name(),
            lang: e.lang.code(),
            from_ms: e.from_ms,
            to_ms: e.to_ms,
            filters: serde_json::to_string(&asked.filter).expect("serializable"),
            bytes: render(&e),
            made_ms: e.generated_ms,
        },
    )
    .await?;
    state
        .audit
        .note(
            &ctx.who.username,
            "audit_exported",
            &row.report_id,
            json!({
                "file": row.file_name, "sha256": row.sha256, "format": row.format,
                "entries": e.rows.len(), "cut": cut, "filter": asked.filter,
            }),
        )
        .await;
    Ok((row, e.rows.len(), cut))
}

/// `POST /audit/export`: made, then the reports page with its links.
pub(super) async fn form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !may_read(ctx.who.role) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let asked = match parse(&fields, ctx.lang) {
        Ok(a) => a,
        Err(e) => return ctx.bad_param(&e),
    };
    match export(&state, &ctx, asked).await {
        Ok((row, _, _)) => see_other(&format!("/reports?made={}", row.report_id)),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/audit/export` with the form's fields as JSON.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let fields: serde_json::Map<String, serde_json::Value> =
        match ctx.api_write(&headers, true, &body) {
            Ok(v) => v,
            Err(refusal) => return *refusal,
        };
    if !may_read(ctx.who.role) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let params = form_fields(&fields);
    let asked = match parse(&params, ctx.lang) {
        Ok(a) => a,
        Err(e) => return ctx.bad_param(&e),
    };
    match export(&state, &ctx, asked).await {
        Ok((row, entries, cut)) => {
            let mut answer = made(&state, &row);
            answer["entries"] = json!(entries);
            answer["cut"] = json!(cut);
            (StatusCode::CREATED, Json(answer)).into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
