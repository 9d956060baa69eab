//! The rows the engine writes and the views `forge runs` reads.

use serde::{Deserialize, Serialize};

/// How a run ended (SPEC §3), or `Running` while it is still going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Converged,
    MaxIterations,
    Stagnated,
    BudgetExhausted,
    Timeout,
    Interrupted,
    Error,
}

impl RunStatus {
    pub const ALL: [RunStatus; 8] = [
        RunStatus::Running,
        RunStatus::Converged,
        RunStatus::MaxIterations,
        RunStatus::Stagnated,
        RunStatus::BudgetExhausted,
        RunStatus::Timeout,
        RunStatus::Interrupted,
        RunStatus::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Converged => "converged",
            RunStatus::MaxIterations => "max_iterations",
            RunStatus::Stagnated => "stagnated",
            RunStatus::BudgetExhausted => "budget_exhausted",
            RunStatus::Timeout => "timeout",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Error => "error",
        }
    }

    /// The status named `s`, if it is one.
    pub fn parse(s: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run as it starts. The process id and its start time are recorded by `start_run` itself.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub run_id: String,
    pub contract_name: String,
    pub contract_path: String,
    pub contract_sha256: String,
    pub provider: String,
    pub model: String,
    /// RFC 3339 UTC (crate::timestamp::now()).
    pub started_at: String,
}

/// One generate → validate round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IterationRow {
    pub n: u32,
    pub score: f64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub prompt_sha256: String,
    pub response_sha256: String,
    pub duration_ms: u64,
    pub edits_applied: u32,
    pub edits_refused: u32,
    pub validators: Vec<crate::validate::Validation>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunEnd {
    pub status: RunStatus,
    pub degraded: bool,
    pub score: f64,
    pub iterations: u32,
    pub tokens: u64,
    pub finished_at: String,
    pub evidence_path: Option<String>,
    pub reason: String,
    /// Validator output the run would have sent unabridged, and what it sent, in tokens.
    pub raw_feedback_tokens: u64,
    pub sent_feedback_tokens: u64,
}

/// One line of `forge runs list` (and its `--json` object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunSummary {
    pub run_id: String,
    /// The contract's name.
    pub contract: String,
    pub status: RunStatus,
    pub degraded: bool,
    pub score: Option<f64>,
    pub iterations: u32,
    pub tokens: u64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub contract_path: String,
    pub provider: String,
    pub model: String,
    pub reason: Option<String>,
    pub evidence: Option<String>,
    /// US dollars the run's model calls cost; `None` when a model had no price.
    pub cost_usd: Option<f64>,
}

/// `forge runs show`: the summary plus every iteration with its validator results.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDetail {
    pub summary: RunSummary,
    pub iterations: Vec<IterationRow>,
}

/// The summary's fields with `iterations` as the list of iterations: a flattened summary would
/// write the key twice (its count, then the list), and JSON readers keep only one of them.
impl Serialize for RunDetail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut v = serde_json::to_value(&self.summary).map_err(S::Error::custom)?;
        let iterations = serde_json::to_value(&self.iterations).map_err(S::Error::custom)?;
        if let Some(fields) = v.as_object_mut() {
            fields.insert("iterations".into(), iterations);
        }
        v.serialize(s)
    }
}

/// The schema of what `Serialize` above writes, built the same way from the derived ones:
/// [`RunSummary`]'s, with `iterations` as the list of [`IterationRow`]s.
impl utoipa::PartialSchema for RunDetail {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ArrayBuilder, Ref, Schema};
        let mut schema = <RunSummary as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(o)) = &mut schema {
            o.description = Some(
                "A run as `forge runs show --json` prints it: the summary's fields, with \
                 `iterations` as the list of iterations."
                    .to_string(),
            );
            o.properties.insert(
                "iterations".to_string(),
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(IterationRow::name()))
                    .description(Some(
                        "Every iteration, in order, with its validator results",
                    ))
                    .into(),
            );
        }
        schema
    }
}

impl utoipa::ToSchema for RunDetail {
    fn schemas(
        out: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        out.push((IterationRow::name().into_owned(), IterationRow::schema()));
        <RunSummary as utoipa::ToSchema>::schemas(out);
        <IterationRow as utoipa::ToSchema>::schemas(out);
    }
}
