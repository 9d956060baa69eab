//! The routes that only read: health, the history of every root, evidence packs, metrics.

use super::AppState;
use super::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` while the server answers.
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "server",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many runs (default 20, at most 1000).
    pub limit: Option<usize>,
    /// Only runs with this status (`converged`, `max_iterations`, ...).
    pub status: Option<String>,
}

/// Run the blocking history read (or decision) `f` off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("history read failed: {e}")))?
}

#[utoipa::path(get, path = "/api/v1/runs", tag = "runs", params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Runs of every root, newest first, as `forge runs list --json`",
         body = Vec<crate::history::RunSummary>),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 429, description = "Over the token's rate", body = ErrorBody)))]
pub async fn list_runs(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    if let Some(s) = q.status.as_deref() {
        if crate::history::RunStatus::parse(s).is_none() {
            return Err(ApiError::bad_request(
                "bad_query",
                format!("unknown status `{s}`"),
            ));
        }
    }
    let limit = q.limit.unwrap_or(20).min(1000);
    let roots = state.history_roots();
    let runs = blocking(move || {
        let mut all = Vec::new();
        for root in &roots {
            let h = crate::history::History::open_read_only(root)?;
            all.extend(h.list_runs(limit, q.status.as_deref())?);
        }
        all.sort_by(|a, b| (&b.started_at, &b.run_id).cmp(&(&a.started_at, &a.run_id)));
        all.truncate(limit);
        Ok(all)
    })
    .await?;
    Ok(Json(runs).into_response())
}

/// The root whose history holds `id`, with that run, or 404.
pub(super) fn find_run(
    roots: &[PathBuf],
    id: &str,
) -> Result<(PathBuf, crate::history::RunDetail), ApiError> {
    if !crate::history::is_run_id(id) {
        return Err(ApiError::not_found(format!("no run with id `{id}`")));
    }
    for root in roots {
        let h = crate::history::History::open_read_only(root)?;
        match h.show_run(id) {
            Ok(run) => return Ok((root.clone(), run)),
            Err(crate::history::HistoryError::UnknownRun(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::not_found(format!("no run with id `{id}`")))
}

#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs",
    params(("id" = String, Path, description = "The run id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The run with its iterations, as `forge runs show --json`",
         body = crate::history::RunDetail),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run", body = ErrorBody)))]
pub async fn show_run(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let roots = state.history_roots();
    let (_, run) = blocking(move || find_run(&roots, &id)).await?;
    Ok(Json(run).into_response())
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackFormat {
    Json,
    Md,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// `json` (default): evidence.json byte for byte; `md`: the Markdown rendering.
    pub format: Option<PackFormat>,
}

#[utoipa::path(get, path = "/api/v1/runs/{id}/evidence", tag = "runs",
    params(("id" = String, Path, description = "The run id"), EvidenceQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The evidence pack (SPEC §5), or its Markdown",
         content((crate::evidence::EvidencePack = "application/json"),
                 (String = "text/markdown"))),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run, or a run without a pack", body = ErrorBody)))]
pub async fn evidence(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    query: Result<Query<EvidenceQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    let roots = state.history_roots();
    let format = q.format.unwrap_or(PackFormat::Json);
    blocking(move || {
        let (root, _) = find_run(&roots, &id)?;
        let path = crate::layout::run_dir(&root, &id).join("evidence.json");
        let missing = || ApiError::not_found(format!("run `{id}` has no evidence pack"));
        match format {
            PackFormat::Json => {
                // The stored bytes, so the signature still verifies on the client's side.
                let bytes = std::fs::read(&path).map_err(|_| missing())?;
                Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
            }
            PackFormat::Md => {
                let pack = crate::evidence::read_pack(&path).map_err(|_| missing())?;
                Ok((
                    [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                    crate::evidence::render_markdown(&pack),
                )
                    .into_response())
            }
        }
    })
    .await
}

#[utoipa::path(get, path = "/metrics", tag = "server",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "SPEC §8 over every root, plus the server's own gauges",
         content((String = "text/plain; version=0.0.4"))),
        (status = 401, description = "No or bad token (unless --metrics-public)", body = ErrorBody)))]
pub async fn metrics(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let roots = state.history_roots();
    let numbers = blocking(move || {
        roots
            .iter()
            .map(|r| crate::metrics::read_root(r).map_err(ApiError::from))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let registry = prometheus::Registry::new();
    let internal = |e: &dyn std::fmt::Display| ApiError::internal(e.to_string());
    crate::metrics::register_history(&registry, &numbers).map_err(|e| internal(&e))?;
    state.gauges.register(&registry).map_err(|e| internal(&e))?;
    let text = crate::metrics::encode(&registry).map_err(|e| internal(&e))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        text,
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "server",
    security(("bearer" = [])),
    responses((status = 200, description = "This document", body = Object)))]
pub async fn openapi() -> Response {
    Json(super::openapi::document()).into_response()
}
