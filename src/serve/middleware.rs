//! Around every request: the log line and request counter, trace ids echoed, and the bearer
//! checked (with the caller's rate limit) before any handler runs.

use super::AppState;
use super::auth::{Caller, authenticate};
use super::error::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;

/// The trace id a caller sent (`X-Trace-Id`, else W3C `traceparent`), for the run's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

/// Who answered a request, for its log line (set on the response by [`require_token`]).
#[derive(Debug, Clone)]
struct CallerName(String);

const TRACE_HEADERS: [&str; 2] = ["x-trace-id", "traceparent"];

/// Outermost layer: one stderr line per request (method, path without its query, status,
/// milliseconds, caller name, never the token), the request counter, and trace ids echoed.
pub async fn log_and_trace(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let echoed: Vec<(&'static str, HeaderValue)> = TRACE_HEADERS
        .iter()
        .filter_map(|h| req.headers().get(*h).map(|v| (*h, v.clone())))
        .collect();
    if let Some(id) = echoed.first().and_then(|(_, v)| v.to_str().ok()) {
        req.extensions_mut().insert(TraceId(id.to_string()));
    }
    let mut response = next.run(req).await;
    for (name, value) in echoed {
        response.headers_mut().insert(name, value);
    }
    let status = response.status().as_u16();
    state
        .gauges
        .requests
        .with_label_values(&[route.as_str(), &status.to_string()])
        .inc();
    let who = response
        .extensions()
        .get::<CallerName>()
        .map_or("-", |c| c.0.as_str());
    crate::cli::output::err_line(&format!(
        "{} {method} {path} {status} {}ms token={who}",
        crate::timestamp::now(),
        started.elapsed().as_millis()
    ));
    response
}

/// Refuse requests without a valid bearer (except `/healthz`, and `/metrics` with
/// `--metrics-public`), then apply the caller's requests-per-minute limit.
pub async fn require_token(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if path == "/healthz" || (path == "/metrics" && state.metrics_public) {
        return next.run(req).await;
    }
    let caller = match authenticate(
        req.headers(),
        req.uri().query(),
        &state.store,
        state.jwt.as_ref(),
    ) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let name = CallerName(caller.name.clone());
    let mut response = match rate_limit(&state, &caller) {
        Ok(()) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(name);
    response
}

fn rate_limit(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let Some(rate) = caller.quotas.rate_per_minute else {
        return Ok(());
    };
    state
        .rate
        .check(&caller.name, rate, Instant::now())
        .map_err(|wait| {
            ApiError::too_many(
                "rate_limited",
                format!(
                    "token `{}` is limited to {rate} requests a minute",
                    caller.name
                ),
                wait,
            )
        })
}
