//! The converge routes: submit a run (202), see where it is, cancel it.

use super::AppState;
use super::api::{ConvergeBody, ConvergeStatus, Progress, RunResult};
use super::auth::Caller;
use super::body::ApiJson;
use super::error::{ApiError, ErrorBody};
use super::middleware::TraceId;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// How long an Idempotency-Key answers with the run it first started.
const IDEMPOTENCY_WINDOW_S: i64 = 24 * 3600;

#[utoipa::path(post, path = "/api/v1/converge", tag = "converge",
    request_body = ConvergeBody,
    params(("Idempotency-Key" = Option<String>, Header,
            description = "The same key from the same caller within 24 h answers the first run"),
           ("X-Trace-Id" = Option<String>, Header,
            description = "Recorded in the run's run_started event and pack; echoed")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Accepted: queued or running", body = ConvergeStatus),
        (status = 400, description = "Bad JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "A path outside the served roots", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "Invalid contract (with line and column) or settings",
         body = ErrorBody),
        (status = 429, description = "Over the token's rate, concurrency or daily tokens",
         body = ErrorBody),
        (status = 503, description = "Shutting down", body = ErrorBody)))]
pub async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    trace: Option<Extension<TraceId>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ConvergeBody>,
) -> Result<Response, ApiError> {
    if state.shutdown.is_cancelled() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down",
        ));
    }
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(str::to_string)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_idempotency_key",
                        "Idempotency-Key must be 1 to 200 visible ASCII characters",
                    )
                })
        })
        .transpose()?;
    let now_s = unix_now();
    if let Some(k) = &key {
        if let Some(id) = store(state.store.idempotent_run(
            &caller.name,
            k,
            now_s,
            IDEMPOTENCY_WINDOW_S,
        ))? {
            return Ok(accepted(status_of(&state, &id).await?));
        }
    }
    check_quotas(&state, &caller)?;

    let contract_path = state.roots.confine("contract", &body.contract)?;
    let replay = body
        .replay
        .as_deref()
        .map(|r| state.roots.confine("replay", r))
        .transpose()?;
    let contract = tokio::task::spawn_blocking(move || crate::contract::load(&contract_path, None))
        .await
        .map_err(|e| ApiError::internal(format!("loading the contract failed: {e}")))?
        .map_err(contract_error)?;
    // The contract names its own workspace (`root:`); that must be served too.
    state
        .roots
        .check_inside("the contract's root", &contract.root)?;
    store(state.store.remember_workspace(&contract.root))?;
    let root = contract.root.clone();
    let mut settings = super::settings::run_settings(&contract, &body)?;
    let llm = super::settings::llm(&contract, &body, replay.is_some())?;
    let mode = match replay {
        Some(p) => crate::llm::ClientMode::Replay(p),
        None => crate::llm::ClientMode::Live,
    };
    let id = crate::history::new_run_id();
    // The run may spend no more than its caller has left today: its token budget is capped,
    // so it stops with `budget_exhausted` rather than overshoot the quota.
    let wanted = settings.rules.token_budget;
    let grant = state
        .usage
        .grant(&caller.name, caller.quotas.daily_tokens, &id, wanted)
        .map_err(quota_error)?;
    let capped = grant.cap.filter(|&cap| cap < wanted);
    if let Some(cap) = capped {
        settings.rules.token_budget = cap;
    }
    let request = crate::engine::RunRequest {
        contract,
        settings,
        llm,
        mode,
        record: None,
        signers: state.signers.clone(),
        observers: Vec::new(),
        trace_id: trace.map(|Extension(t)| t.0),
        histories: Some(state.histories.clone()),
    };
    if let Some(k) = &key {
        // Claimed before the run exists, so two identical requests racing start one run.
        if let Some(first) =
            store(
                state
                    .store
                    .claim_idempotent(&caller.name, k, &id, now_s, IDEMPOTENCY_WINDOW_S),
            )?
        {
            return Ok(accepted(status_of(&state, &first).await?));
        }
    }
    let run = state
        .runs
        .submit(id, caller.name.clone(), root, request, grant);
    let cap_note = capped.map_or(String::new(), |cap| {
        format!(" (token budget {wanted} capped at {cap}: what is left of its daily tokens)")
    });
    crate::cli::output::err_line(&format!(
        "{} run {} accepted for token={}{cap_note}",
        crate::timestamp::now(),
        run.id,
        caller.name
    ));
    let mut response = accepted(run.status());
    if let Ok(v) = format!("/api/v1/converge/{}", run.id).parse() {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

fn accepted(status: ConvergeStatus) -> Response {
    (StatusCode::ACCEPTED, Json(status)).into_response()
}

fn store<T>(r: Result<T, super::error::ServeError>) -> Result<T, ApiError> {
    r.map_err(|e| ApiError::internal(e.to_string()))
}

fn check_quotas(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    if let Some(max) = caller.quotas.max_concurrent {
        let open = state.runs.unfinished_of(&caller.name);
        if open >= max as usize {
            return Err(ApiError::too_many(
                "concurrency_quota",
                format!(
                    "token `{}` already has {open} runs queued or running (its limit is {max})",
                    caller.name
                ),
                5,
            ));
        }
    }
    state
        .usage
        .check(&caller.name, caller.quotas.daily_tokens)
        .map_err(quota_error)
}

/// 429 with `retry-after` for a quota that has nothing left; 500 when the state db failed.
fn quota_error(e: super::usage::QuotaError) -> ApiError {
    match e.retry_after_s() {
        Some(wait) => ApiError::too_many("daily_token_quota", e.to_string(), wait),
        None => ApiError::internal(e.to_string()),
    }
}

fn contract_error(e: crate::contract::ContractError) -> ApiError {
    let at = e.diagnostics().first().map(|d| (d.line, d.column));
    ApiError {
        at,
        ..ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_contract",
            e.to_string(),
        )
    }
}

#[utoipa::path(get, path = "/api/v1/converge/{id}", tag = "converge",
    params(("id" = String, Path, description = "The convergenceId (run id)")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Where the run is", body = ConvergeStatus),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run", body = ErrorBody)))]
pub async fn status(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ConvergeStatus>, ApiError> {
    Ok(Json(status_of(&state, &id).await?))
}

/// A run of this server, else the history's record of it (a run from before a restart, or
/// one started by the CLI).
async fn status_of(state: &AppState, id: &str) -> Result<ConvergeStatus, ApiError> {
    if let Some(run) = state.runs.get(id) {
        return Ok(run.status());
    }
    let roots = state.history_roots();
    let id = id.to_string();
    let summary = tokio::task::spawn_blocking(move || super::read_routes::find_run(&roots, &id))
        .await
        .map_err(|e| ApiError::internal(format!("history read failed: {e}")))??
        .1
        .summary;
    let running = summary.status == crate::history::RunStatus::Running;
    Ok(ConvergeStatus {
        convergence_id: summary.run_id,
        status: summary.status.as_str().to_ascii_uppercase(),
        progress: Progress {
            iteration: summary.iterations,
            score: summary.score,
            tokens_used: summary.tokens,
        },
        result: (!running).then(|| RunResult {
            status: summary.status.as_str().to_string(),
            degraded: summary.degraded,
            score: summary.score,
            iterations: summary.iterations,
            tokens: summary.tokens,
            evidence: summary.evidence,
            reason: summary.reason,
        }),
    })
}

#[utoipa::path(delete, path = "/api/v1/converge/{id}", tag = "converge",
    params(("id" = String, Path, description = "The convergenceId (run id)")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Cancelling: the run ends INTERRUPTED, with its evidence",
         body = ConvergeStatus),
        (status = 200, description = "The run had already ended; nothing to cancel",
         body = ConvergeStatus),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run", body = ErrorBody),
        (status = 409, description = "A run this server did not start", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(run) = state.runs.get(&id) else {
        let status = status_of(&state, &id).await?;
        if status.result.is_some() {
            return Ok((StatusCode::OK, Json(status)).into_response());
        }
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_server_run",
            format!("run `{id}` was not started by this server; stop it where it runs"),
        ));
    };
    if run.is_finished() {
        return Ok((StatusCode::OK, Json(run.status())).into_response());
    }
    run.cancel();
    Ok((StatusCode::ACCEPTED, Json(run.status())).into_response())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
