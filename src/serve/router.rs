//! The routes of SPEC §7 and the layers around them.

use super::AppState;
use super::error::ApiError;
use super::{approval_route, converge_routes, events_ws, middleware, read_routes};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use std::sync::Arc;

/// Request bodies over this many bytes are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn build(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(read_routes::healthz))
        .route("/metrics", get(read_routes::metrics))
        .route("/api/v1/openapi.json", get(read_routes::openapi))
        .route("/api/v1/converge", post(converge_routes::submit))
        .route(
            "/api/v1/converge/{id}",
            get(converge_routes::status).delete(converge_routes::cancel),
        )
        .route("/api/v1/converge/{id}/events", get(events_ws::events))
        .route("/api/v1/runs", get(read_routes::list_runs))
        .route("/api/v1/runs/{id}", get(read_routes::show_run))
        .route("/api/v1/runs/{id}/evidence", get(read_routes::evidence))
        .route("/api/v1/runs/{id}/approval", post(approval_route::decide))
        .fallback(|| async { ApiError::not_found("no such route (see /api/v1/openapi.json)") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method (see /api/v1/openapi.json)",
            )
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::require_token,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::log_and_trace,
        ))
        .with_state(state)
}
