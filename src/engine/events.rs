//! Typed events the engine emits; progress bars, plain lines and `--json` are all consumers.

use serde::Serialize;

/// One thing that happened during a run, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        run_id: String,
        contract: String,
        root: String,
        provider: String,
        model: String,
        max_iterations: u32,
        threshold: f64,
    },
    IterationStarted {
        n: u32,
    },
    /// The model started answering (not part of the `--json` stream).
    ModelStarted {
        n: u32,
        estimated_input_tokens: u64,
    },
    /// Output tokens streamed so far (not part of the `--json` stream).
    ModelProgress {
        n: u32,
        output_tokens: u64,
    },
    ModelFinished {
        n: u32,
        input_tokens: u64,
        output_tokens: u64,
        latency_ms: u64,
        attempts: u32,
        edits_applied: usize,
        edits_refused: usize,
        searches_missed: usize,
    },
    ValidatorFinished {
        n: u32,
        name: String,
        exit_code: Option<i32>,
        timed_out: bool,
        duration_ms: u64,
        score: f64,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        skipped: bool,
    },
    IterationFinished {
        n: u32,
        score: f64,
        best_score: f64,
        tokens: u64,
        converged: bool,
    },
    /// A validator's circuit breaker opened after repeated timeouts.
    BreakerOpened {
        n: u32,
        name: String,
    },
    /// Something the user should know that is not an error (conflict on apply, a retry, ...).
    Notice {
        message: String,
    },
    RunFinished {
        run_id: String,
        status: String,
        degraded: bool,
        score: f64,
        iterations: u32,
        tokens: u64,
        evidence: Option<String>,
        reason: String,
        applied: Vec<String>,
    },
}

impl Event {
    /// Events that belong in the `--json` stream (SPEC §3 names, plus notices and breakers).
    pub fn is_public(&self) -> bool {
        !matches!(
            self,
            Event::ModelStarted { .. } | Event::ModelProgress { .. }
        )
    }
}

/// Anything that wants to see a run as it happens.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &Event);
}
