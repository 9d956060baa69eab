//! The evidence pack, field for field as SPEC §5 names it (`forge.evidence/v1`).

use crate::history::RunStatus;
use serde::{Deserialize, Serialize};

/// The `schema` value of every pack this forge writes and can verify.
pub const SCHEMA: &str = "forge.evidence/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidencePack {
    pub schema: String,
    pub metadata: Metadata,
    pub raw_evidence: RawEvidence,
    pub synthesis: Synthesis,
    /// Absent until `evidence::sign` fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub run_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub forge_version: String,
    pub contract: ContractRef,
    pub llm: LlmRef,
}

pub use crate::engine::{Artifact, Edit};
/// The contract and the answer source, as the run's `run_started` event recorded them.
pub use crate::engine::{ContractInfo as ContractRef, LlmInfo as LlmRef};
pub use crate::validate::Validation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawEvidence {
    pub iterations: Vec<Iteration>,
    /// Every process run and model call of the run, in the order they happened.
    pub tool_invocations: Vec<ToolInvocation>,
    /// The final files.
    pub artifacts: Vec<Artifact>,
    pub metrics: Metrics,
    pub outcome: Outcome,
    /// sha256 of the run's `events.jsonl`, of which this section is a fold (absent in packs
    /// written before the run folder existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Iteration {
    pub n: u32,
    pub score: f64,
    pub prompt_sha256: String,
    pub response_sha256: String,
    pub tokens: Tokens,
    pub edits: Vec<Edit>,
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
}

/// One entry of `tool_invocations`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolInvocation {
    /// A validator (or other process) run.
    Process {
        iteration: u32,
        name: String,
        command: String,
        exit_code: Option<i32>,
        timed_out: bool,
        duration_ms: u64,
    },
    /// A call to the model.
    ModelCall {
        iteration: u32,
        #[serde(flatten)]
        call: crate::engine::ModelCall,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub total_iterations: u32,
    pub final_score: f64,
    pub tokens_used: u64,
    pub duration_ms: u64,
    pub raw_feedback_tokens: u64,
    pub sent_feedback_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: RunStatus,
    pub degraded: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synthesis {
    pub executive_summary: String,
    pub key_findings: Vec<String>,
    pub recommendations: Vec<String>,
    pub generated_by: GeneratedBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedBy {
    Llm,
    Template,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integrity {
    /// Always "JCS (RFC 8785)".
    pub canonicalization: String,
    /// sha256 (hex) of the canonical JSON of the pack without `integrity`.
    pub sha256: String,
    /// Always "hmac-sha256".
    pub algorithm: String,
    pub key_id: String,
    /// HMAC-SHA256 (hex) of the same canonical bytes.
    pub signature: String,
}
