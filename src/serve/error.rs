//! What can go wrong in `forge serve`: starting it and managing its tokens (`ServeError`), and
//! the JSON errors its routes answer with (`ApiError`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("serve state {path}: {message}")]
    State { path: String, message: String },
    #[error("a token named `{0}` already exists (revoke it first, or pick another name)")]
    TokenExists(String),
    #[error("no token named `{0}` (see `forge serve token list`)")]
    UnknownToken(String),
    #[error("token name `{0}` is not valid: use letters, digits, `_`, `.`, `@` and `-` (1 to 64)")]
    BadTokenName(String),
    #[error("--root {path}: {message}")]
    Root { path: String, message: String },
    #[error(
        "--state {state} is inside the served root {root}: every run copies its root, so its \
         validators would see the token database, and the copy breaks the database's locks; put \
         --state outside every --root (the default is $XDG_STATE_HOME/forge/serve)"
    )]
    StateInsideRoot { state: String, root: String },
    #[error("--jwks {path}: {message}")]
    Jwks { path: String, message: String },
    #[error("cannot listen on {addr}: {message}")]
    Listen { addr: String, message: String },
    #[error("no state folder: set --state, XDG_STATE_HOME or HOME")]
    NoStateDir,
    #[error("evidence key: {0}")]
    EvidenceKey(String),
    #[error("cannot set up the server's metrics: {0}")]
    Metrics(String),
}

impl From<ServeError> for crate::Error {
    fn from(e: ServeError) -> Self {
        match e {
            ServeError::State { .. }
            | ServeError::Listen { .. }
            | ServeError::EvidenceKey(_)
            | ServeError::Metrics(_) => crate::Error::Environment(e.to_string()),
            _ => crate::Error::Usage(e.to_string()),
        }
    }
}

/// The body of every error answer: `{"error": {"code", "message"}}`, plus where in a contract
/// for 422.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable name: `bad_json`, `unauthorized`, `outside_roots`, ...
    pub code: String,
    pub message: String,
    /// 1-based line in the contract (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in the contract (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The files that changed in the root since the run started (409 `conflict` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
}

/// An error answer: a status, a code, a message, and for 429 how long to wait.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after_s: Option<u64>,
    pub at: Option<(usize, usize)>,
    pub paths: Option<Vec<String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after_s: None,
            at: None,
            paths: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after_s: u64) -> Self {
        ApiError {
            retry_after_s: Some(retry_after_s.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<crate::history::HistoryError> for ApiError {
    fn from(e: crate::history::HistoryError) -> Self {
        match e {
            crate::history::HistoryError::UnknownRun(id) => {
                ApiError::not_found(format!("no run with id `{id}`"))
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// A decision the run cannot take is the caller's problem (404, 409, 422); the rest is the
/// server's (500).
impl From<crate::approval::ApprovalError> for ApiError {
    fn from(e: crate::approval::ApprovalError) -> Self {
        use crate::approval::ApprovalError as E;
        let conflict = |code, message| ApiError::new(StatusCode::CONFLICT, code, message);
        let unprocessable =
            |code, message| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        match e {
            E::NotARunId(id) => ApiError::not_found(format!("no run with id `{id}`")),
            // The server's own paths stay out of the answer.
            E::NotFinished { run_id, .. } => conflict(
                "not_finished",
                format!("run `{run_id}` has not finished: it has no evidence pack yet"),
            ),
            E::AlreadyDecided { .. } => conflict("already_decided", e.to_string()),
            E::AlreadyApplied { .. } => conflict("already_applied", e.to_string()),
            E::Conflict { ref paths, .. } => ApiError {
                paths: Some(paths.iter().map(|p| p.to_string()).collect()),
                ..conflict("conflict", e.to_string())
            },
            E::NotConverged { .. } => unprocessable("not_converged", e.to_string()),
            E::Untrusted { run_id, .. } | E::Unusable { run_id, .. } => unprocessable(
                "untrusted_run",
                format!(
                    "run `{run_id}`: its evidence pack, artifacts or record no longer verify; it cannot be applied safely"
                ),
            ),
            E::History(h) => h.into(),
            E::Read { .. } | E::Evidence(_) | E::Workspace(_) => ApiError::internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                line: self.at.map(|a| a.0),
                column: self.at.map(|a| a.1),
                paths: self.paths,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"forge\""),
            );
        }
        response
    }
}
