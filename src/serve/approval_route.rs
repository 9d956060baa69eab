//! `POST /api/v1/runs/{id}/approval`: the caller approves or rejects a finished run, exactly as
//! `forge apply RUN_ID --yes` / `forge reject RUN_ID` in the run's root, with the caller as the
//! approver.

use super::AppState;
use super::auth::Caller;
use super::body::ApiJson;
use super::error::{ApiError, ErrorBody};
use super::read_routes::{blocking, find_run};
use crate::approval::Decided;
use crate::evidence::approval::Decision;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

/// The body of the approval route. Unknown fields are refused (400).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    /// Read as text so that another word is a 422 that names the two, not a 400.
    #[schema(value_type = Verdict)]
    pub decision: String,
    /// Why; kept in approval.json.
    pub reason: Option<String>,
}

/// What the caller decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Verdict {
    /// Write the run's files back into its root, then record the approval.
    Approve,
    /// Record the rejection; nothing is written back.
    Reject,
}

impl Verdict {
    fn parse(word: &str) -> Option<Verdict> {
        match word {
            "approve" => Some(Verdict::Approve),
            "reject" => Some(Verdict::Reject),
            _ => None,
        }
    }

    fn decision(self) -> Decision {
        match self {
            Verdict::Approve => Decision::Approved,
            Verdict::Reject => Decision::Rejected,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/runs/{id}/approval", tag = "runs",
    params(("id" = String, Path, description = "The run id")),
    request_body = ApprovalBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Decided: the record as written to approval.json, and the files written back",
         body = Decided),
        (status = 400, description = "Bad JSON or unknown field", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 404, description = "Unknown run", body = ErrorBody),
        (status = 409, description = "Already decided, already in the root, not finished, or a file changed in the root since the run started (`conflict`, with `paths`; nothing written)",
         body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 422, description = "`decision` is not `approve` or `reject`, the run did not converge, or its record no longer verifies",
         body = ErrorBody),
        (status = 429, description = "Over the token's rate", body = ErrorBody)))]
pub async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApprovalBody>,
) -> Result<Response, ApiError> {
    let verdict = Verdict::parse(&body.decision).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_decision",
            format!(
                "decision `{}` is neither `approve` nor `reject`",
                body.decision
            ),
        )
    })?;
    let roots = state.history_roots();
    let signers = state.signers.clone();
    let decided: Decided = blocking(move || {
        let (root, _) = find_run(&roots, &id)?;
        let decided = crate::approval::decide(
            &root,
            &id,
            verdict.decision(),
            &caller.name,
            body.reason,
            &signers,
        )?;
        Ok(decided)
    })
    .await?;
    Ok(Json(decided).into_response())
}
