//! The evidence pack, field for field as SPEC §5 names it (`forge.evidence/v2`, SPEC §9).

use crate::history::RunStatus;
use serde::{Deserialize, Serialize};

/// The `schema` value of every pack this forge writes.
pub const SCHEMA: &str = "forge.evidence/v2";
/// The schema of packs written before signatures became a list; `verify` still checks them.
pub const SCHEMA_V1: &str = "forge.evidence/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidencePack {
    pub schema: String,
    pub metadata: Metadata,
    pub raw_evidence: RawEvidence,
    pub synthesis: Synthesis,
    /// Absent until `evidence::sign` fills it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Metadata {
    pub run_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub forge_version: String,
    pub contract: ContractRef,
    pub llm: LlmRef,
    /// The pack sealed last in the same root before this one; `null` for the first. Absent
    /// from packs written before forge chained them (they read as `None` too).
    #[serde(default)]
    pub previous: Option<PackLink>,
}

pub use crate::engine::{Artifact, Edit};
/// The contract and the answer source, as the run's `run_started` event recorded them.
pub use crate::engine::{ContractInfo as ContractRef, LlmInfo as LlmRef};
pub use crate::validate::Validation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// How the validators were confined (SPEC §11); absent in packs written before the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::sandbox::SandboxRecord>,
    /// What the privacy guard found in what was sent (absent in packs written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<PrivacyEvidence>,
}

/// The guard's modes and every finding, each with where it was and what was done; never a
/// value (SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrivacyEvidence {
    pub secrets: crate::contract::PrivacyMode,
    pub pii: crate::contract::PrivacyMode,
    pub findings: Vec<crate::privacy::Finding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Iteration {
    pub n: u32,
    pub score: f64,
    pub prompt_sha256: String,
    pub response_sha256: String,
    pub tokens: Tokens,
    /// US dollars of this iteration's model calls; `None` when one had no price.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    pub edits: Vec<Edit>,
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
}

/// One entry of `tool_invocations`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Metrics {
    pub total_iterations: u32,
    pub final_score: f64,
    pub tokens_used: u64,
    pub duration_ms: u64,
    pub raw_feedback_tokens: u64,
    pub sent_feedback_tokens: u64,
    /// US dollars every model call of the run cost; `None` when a model had no price (and in
    /// packs written before costs were recorded).
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Tokens of the synthesis call, which wrote this pack's summary (included in `tokens_used`).
    #[serde(default)]
    pub synthesis_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub status: RunStatus,
    pub degraded: bool,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Synthesis {
    pub executive_summary: String,
    pub key_findings: Vec<String>,
    pub recommendations: Vec<String>,
    pub generated_by: GeneratedBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedBy {
    Llm,
    Template,
}

/// A pack's place in the root's evidence chain: which run, and the sha256 of its canonical
/// content (`integrity.sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackLink {
    pub run_id: String,
    pub sha256: String,
}

/// How the pack is sealed: one hash, any number of signatures over the same canonical bytes.
/// A v1 pack's single HMAC signature (`algorithm`, `key_id`, `signature` beside the hash) reads
/// as a one-entry list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(from = "IntegrityOnDisk")]
pub struct Integrity {
    /// Always "JCS (RFC 8785)".
    pub canonicalization: String,
    /// sha256 (hex) of the canonical JSON of the pack without `integrity`.
    pub sha256: String,
    pub signatures: Vec<Signature>,
}

/// One signature of the canonical bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Signature {
    /// "hmac-sha256" | "ed25519"
    pub algorithm: String,
    /// Names the key without revealing it, e.g. `ed25519:` + 16 hex digits.
    pub key_id: String,
    /// ed25519 only: the raw 32-byte public key, base64. A hint for the reader, never trusted
    /// on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// hex for HMAC, base64 for ed25519.
    pub signature: String,
}

/// Both layouts `integrity` has had on disk.
#[derive(Deserialize)]
struct IntegrityOnDisk {
    canonicalization: String,
    sha256: String,
    #[serde(default)]
    signatures: Vec<Signature>,
    algorithm: Option<String>,
    key_id: Option<String>,
    signature: Option<String>,
}

impl From<IntegrityOnDisk> for Integrity {
    fn from(d: IntegrityOnDisk) -> Integrity {
        let mut signatures = d.signatures;
        if let (Some(algorithm), Some(key_id), Some(signature)) =
            (d.algorithm, d.key_id, d.signature)
        {
            signatures.push(Signature {
                algorithm,
                key_id,
                public_key: None,
                signature,
            });
        }
        Integrity {
            canonicalization: d.canonicalization,
            sha256: d.sha256,
            signatures,
        }
    }
}
