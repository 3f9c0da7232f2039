//! Incident reports: `GET /reports` (the form and the reports made), `POST /reports`
//! (make one: gathered, rendered, signed, stored, recorded in the audit trail with its
//! SHA-256), `GET /reports/{id}/file` and `GET /reports/{id}/sig` (the detached
//! signature); `POST /api/v1/reports` and `GET /api/v1/reports` for programs.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use clickhouse::Row;
use ring::signature::KeyPair;
use serde::Deserialize;
use serde_json::json;
use vigie_store::rows::ReportRow;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params};
use crate::i18n::{t, Msg};
use crate::queries::report::{self, ReportRequest};

/// The fingerprint of the installation's report key.
pub(super) fn key_fingerprint(state: &AppState) -> String {
    vigie_model::report_sig::fingerprint(state.report_key.public_key().as_ref())
}

/// A JSON body read as a form's fields: lists become repeated fields.
pub(super) fn form_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Params {
    let mut params: Params = Vec::new();
    for (k, v) in fields {
        match v {
            serde_json::Value::Array(items) => {
                for item in items {
                    params.push((k.clone(), item.as_str().unwrap_or_default().to_string()));
                }
            }
            serde_json::Value::String(s) => params.push((k.clone(), s.clone())),
            other => params.push((k.clone(), other.to_string())),
        }
    }
    params
}

/// What the API answers for a file made and signed: its id, name, SHA-256, links and
/// the key's fingerprint.
pub(super) fn made(state: &AppState, row: &ReportRow) -> serde_json::Value {
    json!({
        "report_id": row.report_id, "file_name": row.file_name, "sha256": row.sha256,
        "file": format!("/reports/{}/file", row.report_id),
        "signature": format!("/reports/{}/sig", row.report_id),
        "key_fingerprint": key_fingerprint(state),
    })
}

/// A file to sign and keep among the reports: its name, format and language, the
/// period it covers and what was asked.
pub(super) struct ToSign<'a> {
    pub name: String,
    pub format: &'a str,
    pub lang: &'a str,
    pub from_ms: u64,
    pub to_ms: u64,
    pub filters: String,
    pub bytes: Vec<u8>,
    pub made_ms: u64,
}

/// Signs `file` with the installation's report key and stores it with its signature
/// (listed on `/reports`, downloaded with its `.sig`); returns its row.
pub(super) async fn sign_and_store(
    state: &AppState,
    ctx: &Ctx,
    file: ToSign<'_>,
) -> Result<ReportRow, vigie_store::StoreError> {
    let signature =
        vigie_model::report_sig::sign(&state.report_key, &file.name, &file.bytes, file.made_ms);
    let row = ReportRow {
        report_id: crate::sessions::token()[..20].to_string(),
        created_ms: file.made_ms,
        actor: ctx.who.username.clone(),
        format: file.format.into(),
        lang: file.lang.into(),
        from_ms: file.from_ms,
        to_ms: file.to_ms,
        filters: file.filters,
        file_name: file.name,
        sha256: signature.sha256.clone(),
        signature: serde_json::to_string_pretty(&signature).expect("serializable"),
        body: base64::engine::general_purpose::STANDARD.encode(&file.bytes),
    };
    vigie_store::insert_rows(&state.client, "reports", std::slice::from_ref(&row)).await?;
    Ok(row)
}

/// Makes, signs and stores a report; returns its row, or why not (an incident that
/// does not exist).
async fn make(
    state: &AppState,
    ctx: &Ctx,
    request: &ReportRequest,
) -> Result<Result<ReportRow, Msg>, vigie_store::StoreError> {
    let fingerprint = key_fingerprint(state);
    let mut request = request.clone();
    let incident = if request.incident.is_empty() {
        None
    } else {
        match crate::queries::incidents::get(&state.client, &request.incident).await? {
            Some(i) => Some(i),
            None => return Ok(Err(Msg::NotFound)),
        }
    };
    let only: Option<Vec<String>> = incident.as_ref().map(|i| {
        let attached: Vec<_> = i.alerts.iter().filter(|a| a.attached == 1).collect();
        // The report spans the incident's alerts (or its life, before it has any).
        request.from_ms = attached
            .iter()
            .map(|a| a.ts)
            .min()
            .unwrap_or(i.state.created_ms);
        request.to_ms = attached
            .iter()
            .map(|a| a.ts)
            .max()
            .unwrap_or(i.state.updated_ms)
            .max(request.from_ms)
            + 1;
        // Agents gone silent matter on the incident's hosts only.
        request.hosts = i.hosts.clone();
        attached.iter().map(|a| a.alert_id.clone()).collect()
    });
    let request = &request;
    let mut data = report::gather(
        &state.client,
        request,
        only.as_deref(),
        &ctx.who.username,
        &fingerprint,
    )
    .await?;
    data.incident = incident;
    let settings = state.config().reports;
    let logo = settings.logo().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "report made without the logo");
        None
    });
    let presentation = crate::views::report_pdf::Presentation {
        organisation: settings.organisation,
        logo,
        marking: settings.marking,
    };
    let bytes = crate::views::report::render(&data, &presentation);
    let row = sign_and_store(
        state,
        ctx,
        ToSign {
            name: crate::views::report::file_name(&data),
            format: request.format.name(),
            lang: request.lang.code(),
            from_ms: request.from_ms,
            to_ms: request.to_ms,
            filters: serde_json::to_string(request).expect("serializable"),
            bytes,
            made_ms: data.generated_ms,
        },
    )
    .await?;
    state
        .audit
        .note(
            &ctx.who.username,
            "report_exported",
            &row.report_id,
            json!({
                "file": row.file_name, "sha256": row.sha256, "format": row.format,
                "alerts": data.total_alerts, "request": request,
            }),
        )
        .await;
    Ok(Ok(row))
}

/// `GET /reports`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let lang = ctx.lang;
    let reports = match crate::queries::report::list(&state.client).await {
        Ok(r) => r,
        Err(e) => return ctx.store_failed(&e),
    };
    let body = crate::views::reports::page(
        lang,
        &ctx.who,
        &key_fingerprint(&state),
        param(&params, "made"),
        &reports,
        vigie_model::event::now_ms(),
        &state.config().reports.marking,
    );
    ctx.render(StatusCode::OK, t(lang, Msg::NavReports), body)
}

/// `POST /reports`.
pub(super) async fn create_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    let request = match ReportRequest::parse(&fields, ctx.lang) {
        Ok(r) => r,
        Err(e) => return ctx.bad_param(&e),
    };
    match make(&state, &ctx, &request).await {
        Ok(Ok(row)) => see_other(&format!("/reports?made={}", row.report_id)),
        Ok(Err(why)) => ctx.refuse(StatusCode::NOT_FOUND, why, &request.incident),
        Err(e) => ctx.store_failed(&e),
    }
}

#[derive(Row, Deserialize)]
struct Stored {
    file_name: String,
    format: String,
    signature: String,
    body: String,
}

async fn stored(state: &AppState, id: &str) -> Result<Option<Stored>, clickhouse::error::Error> {
    state
        .client
        .query("SELECT file_name, format, signature, body FROM reports WHERE report_id = ? LIMIT 1")
        .bind(id)
        .fetch_optional()
        .await
}

async fn download(state: &AppState, headers: &HeaderMap, id: &str, signature: bool) -> Response {
    let ctx = match Ctx::page(state, headers, &Vec::new()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let report = match stored(state, id).await {
        Ok(Some(r)) => r,
        Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, id),
        Err(e) => return ctx.store_failed(&e),
    };
    state
        .audit
        .note(
            &ctx.who.username,
            "report_downloaded",
            id,
            json!({"signature": signature}),
        )
        .await;
    let (name, content_type, bytes) = if signature {
        (
            format!("{}.sig", report.file_name),
            "application/json".to_string(),
            report.signature.into_bytes(),
        )
    } else {
        let content_type = match report.format.as_str() {
            "pdf" => "application/pdf",
            "csv" => "text/csv; charset=utf-8",
            _ => "application/json",
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(report.body)
            .unwrap_or_default();
        (report.file_name, content_type.to_string(), bytes)
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /reports/{id}/file`.
pub(super) async fn file(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    download(&state, &headers, &id, false).await
}

/// `GET /reports/{id}/sig`.
pub(super) async fn sig(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    download(&state, &headers, &id, true).await
}

/// `POST /api/v1/reports` with the form's fields as JSON (`severity` and `status`
/// as lists): answers the report's id, links and SHA-256.
pub(super) async fn api_create(
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
    let params = form_fields(&fields);
    let request = match ReportRequest::parse(&params, ctx.lang) {
        Ok(r) => r,
        Err(e) => return ctx.bad_param(&e),
    };
    match make(&state, &ctx, &request).await {
        Ok(Err(why)) => ctx.refuse(StatusCode::NOT_FOUND, why, &request.incident),
        Ok(Ok(row)) => (StatusCode::CREATED, Json(made(&state, &row))).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/reports`: the reports made, newest first.
pub(super) async fn api_list(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    match crate::queries::report::list(&state.client).await {
        Ok(reports) => {
            let items: Vec<_> = reports
                .iter()
                .map(|r| json!({"report_id": r.report_id, "created_ms": r.created_ms, "actor": r.actor, "format": r.format, "lang": r.lang, "from_ms": r.from_ms, "to_ms": r.to_ms, "file_name": r.file_name, "sha256": r.sha256}))
                .collect();
            Json(json!({"reports": items, "key_fingerprint": key_fingerprint(&state)}))
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
