//! The JSON shapes of the converge routes (SPEC §7), which the OpenAPI document is made from.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/converge`. Only `contract` is required; unknown fields are refused.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConvergeBody {
    /// The contract: a path inside a served root (relative paths are relative to the first
    /// `--root`), or a `file://` URL.
    pub contract: String,
    #[serde(default)]
    pub config: ConvergeConfig,
    #[serde(default)]
    pub llm: LlmChoice,
    /// Answer from this cassette (inside a served root) instead of a live provider.
    pub replay: Option<String>,
    /// Write converged files back to the root (default false for server runs).
    #[serde(default)]
    pub apply: bool,
}

/// Overrides of the contract's limits.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConvergeConfig {
    #[schema(minimum = 1)]
    pub max_iterations: Option<u32>,
    /// The score threshold, 0 < X <= 1.
    pub min_score: Option<f64>,
    /// The run's wall-clock limit in milliseconds.
    #[schema(minimum = 1)]
    pub timeout: Option<u64>,
    pub token_budget: Option<u64>,
}

/// Which model answers (defaults: the contract's `llm:`, then the server's environment).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LlmChoice {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
}

/// Where a run is: the answer of `POST` (202), `GET` and `DELETE /api/v1/converge/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConvergeStatus {
    /// The run id.
    pub convergence_id: String,
    /// `QUEUED`, `RUNNING`, or how the run ended in capitals (`CONVERGED`, `MAX_ITERATIONS`,
    /// `INTERRUPTED`, ...).
    pub status: String,
    pub progress: Progress,
    /// Present once the run has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<RunResult>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// The last iteration that finished (0 before the first).
    pub iteration: u32,
    /// Its score, if any iteration finished.
    pub score: Option<f64>,
    pub tokens_used: u64,
}

/// How a finished run ended.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunResult {
    /// As in the history: `converged`, `max_iterations`, `interrupted`, ...
    pub status: String,
    pub degraded: bool,
    pub score: Option<f64>,
    pub iterations: u32,
    pub tokens: u64,
    /// The path of evidence.json, when the pack was written.
    pub evidence: Option<String>,
    /// Why it stopped, in words.
    pub reason: Option<String>,
}
