//! The typed facts of a run. Every consumer (terminal, `--json`, history, run folder, evidence,
//! server) sees these and nothing else; `events.jsonl` is exactly their serialisation.

use crate::history::RunStatus;
use crate::validate::Validation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One recorded event with its place in the run: `seq` counts from 1 without gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub run_id: String,
    pub seq: u64,
    #[serde(flatten)]
    pub event: Event,
}

impl Envelope {
    /// The event as one line of `events.jsonl` and of `--json`, newline included.
    pub fn to_line(&self) -> String {
        // Every field is a string, number, bool or list of those: serialising cannot fail, but
        // an event must never be lost silently, so a failure still leaves a line.
        let mut line = serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                "{{\"run_id\":{:?},\"seq\":{},\"event\":\"unserialisable\",\"error\":{:?}}}",
                self.run_id,
                self.seq,
                e.to_string()
            )
        });
        line.push('\n');
        line
    }
}

impl AsRef<Envelope> for Envelope {
    fn as_ref(&self) -> &Envelope {
        self
    }
}

/// Something that happened during a run, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        contract: ContractInfo,
        root: String,
        llm: LlmInfo,
        forge_version: String,
        started_at: String,
        max_iterations: u32,
        threshold: f64,
        /// The caller's trace id (a server's `X-Trace-Id` or `traceparent`), when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trace_id: Option<String>,
    },
    /// How the run's validators are confined: the layers this machine gives them, those it
    /// lacks (SPEC §11), before any validator runs.
    Sandbox {
        #[serde(flatten)]
        sandbox: crate::sandbox::SandboxRecord,
    },
    IterationStarted {
        n: u32,
    },
    /// One call to the model, whatever its purpose and however it ended. Every token a run
    /// spends is counted from these events, so failed and cut-short calls count too.
    ModelFinished {
        n: u32,
        call: ModelCall,
        /// For `generate` calls that answered: what the answer did to the workspace.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<AnswerApplied>,
    },
    ValidatorFinished {
        n: u32,
        #[serde(flatten)]
        validation: Validation,
    },
    /// A validator's circuit breaker opened after repeated timeouts.
    BreakerOpened {
        n: u32,
        name: String,
    },
    IterationFinished {
        n: u32,
        score: f64,
        best_score: f64,
        /// Tokens this iteration spent (its generate and review calls).
        tokens: u64,
        converged: bool,
        duration_ms: u64,
        /// Tokens the failed validators' full output would have taken, and what was sent.
        raw_feedback_tokens: u64,
        sent_feedback_tokens: u64,
    },
    /// The privacy guard's modes for this run (SPEC §10).
    PrivacyPolicy {
        secrets: crate::contract::PrivacyMode,
        pii: crate::contract::PrivacyMode,
    },
    /// A secret or personal value in what was about to be sent to the model, and what the
    /// guard did with it; never the value. Each finding is told once per run.
    PrivacyFinding {
        n: u32,
        #[serde(flatten)]
        finding: crate::privacy::Finding,
    },
    /// Something the user should know that is not an error (a conflict on apply, ...).
    Notice {
        message: String,
    },
    /// The final (or best) files, kept under the run folder's `artifacts/`, and what the root
    /// held at those paths when the run started (`forge apply` refuses files changed since).
    ArtifactsKept {
        artifacts: Vec<Artifact>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        base: BTreeMap<String, Option<crate::workspace::BaseState>>,
    },
    /// The pack's executive summary.
    SynthesisWritten {
        synthesis: crate::evidence::Synthesis,
    },
    RunFinished {
        status: RunStatus,
        degraded: bool,
        score: f64,
        iterations: u32,
        tokens: u64,
        /// US dollars of every model call; `None` when a model had no price.
        #[serde(default)]
        cost_usd: Option<f64>,
        /// Of `tokens`, those the evidence synthesis call took.
        #[serde(default)]
        synthesis_tokens: u64,
        duration_ms: u64,
        finished_at: String,
        /// Where the evidence pack is written (after this event, so that it can hash the log).
        evidence: Option<String>,
        reason: String,
        applied: Vec<String>,
    },
}

/// The contract a run was started from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContractInfo {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

/// Who answers the run: a live provider, or a cassette being replayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LlmInfo {
    pub provider: String,
    pub model: String,
    /// The API host of a live provider; None when no host answered (replay).
    pub host: Option<String>,
    /// Absent in packs written before answers were told apart: those were all live.
    #[serde(default)]
    pub source: AnswerSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cassette: Option<CassetteRef>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    #[default]
    Live,
    Replay,
}

/// A replayed cassette, named so an auditor can find and check it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CassetteRef {
    pub path: String,
    pub sha256: String,
}

/// One model call as recorded: tokens, time, attempts and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModelCall {
    /// "generate" | "review" | "synthesis"
    pub purpose: String,
    pub provider: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
    /// Input tokens written to the provider's prompt cache (billed above plain input).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_written_tokens: u64,
    /// US dollars at the price table's rates; `None` when the model has no price.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// Token counts were estimated because the provider did not report them.
    pub estimated: bool,
    pub latency_ms: u64,
    pub attempts: u32,
    /// Why each failed attempt before the answer was retried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<crate::llm::RetryNote>,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ModelCall {
    pub fn tokens(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The cost of several calls: their sum, or `None` when any of them has no known cost.
pub fn total_cost<'a>(calls: impl IntoIterator<Item = &'a ModelCall>) -> Option<f64> {
    calls
        .into_iter()
        .try_fold(0.0, |sum, c| c.cost_usd.map(|x| sum + x))
}

/// What a generate call's answer was, and what applying it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerApplied {
    /// sha256 of exactly what was sent, and of the answer text.
    pub prompt_sha256: String,
    pub response_sha256: String,
    pub edits: Vec<Edit>,
}

impl AnswerApplied {
    pub fn applied(&self) -> usize {
        self.edits.iter().filter(|e| e.refused.is_none()).count()
    }

    pub fn refused(&self) -> usize {
        self.edits.len() - self.applied()
    }
}

/// A file the model proposed. `refused` holds why it was not written, when it was not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Edit {
    pub path: String,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// A kept file: root-relative, `/`-separated path, digest and size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Artifact {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// Short-lived progress that is shown but not recorded (no `seq`, not in `events.jsonl`).
#[derive(Debug, Clone, PartialEq)]
pub enum Activity {
    ModelStarted { n: u32, estimated_input_tokens: u64 },
    ModelProgress { n: u32, output_tokens: u64 },
    ValidatorStarted { n: u32, name: String },
}
