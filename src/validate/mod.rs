//! Validators (SPEC §1, §3): run real tools in process groups, parse partial credit, score, digest.

mod capture;
mod digest;
mod env;
mod parsers;
mod record;
mod runner;
mod score;

pub use capture::{CapturedOutput, OutputCapture};
pub use digest::digest;
pub use env::{is_secret_name, scrubbed_env};
pub use parsers::{TestCounts, parse_counts};
pub use record::Validation;
pub use runner::{DIGEST_TOKENS, run_all, run_all_with_env};
pub use score::{RoundScore, score_round, score_validator};

use crate::contract::ValidatorKind;

/// Validation can fail only for environmental reasons; a failing tool is a result, not an error.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot start `sh` for validator `{name}`: {message}")]
    Spawn { name: String, message: String },
    #[error("lost track of validator `{name}`: {message}")]
    Wait { name: String, message: String },
    /// The round was cancelled (Ctrl-C); every validator's process group was killed.
    #[error("validation cancelled; every running validator was stopped")]
    Cancelled,
}

/// What one validator did in one round.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatorResult {
    pub name: String,
    pub kind: ValidatorKind,
    pub command: String,
    /// Exit status; a signal N is reported as 128+N. None only when skipped.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub duration_ms: u64,
    /// In [0, 1].
    pub score: f64,
    /// True when its circuit breaker was open and it did not run.
    pub skipped: bool,
    pub counts: Option<TestCounts>,
    pub output: CapturedOutput,
    /// Compact, model-ready summary of what failed (empty when it passed).
    pub digest: String,
}

impl ValidatorResult {
    /// The result of a validator that did not run because its circuit breaker was open.
    pub fn skipped(v: &crate::contract::Validator) -> Self {
        ValidatorResult {
            name: v.name.clone(),
            kind: v.kind,
            command: v.run.clone(),
            exit_code: None,
            timed_out: false,
            duration_ms: 0,
            score: 0.0,
            skipped: true,
            counts: None,
            output: CapturedOutput::default(),
            digest: String::new(),
        }
    }

    pub fn passed(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }
}
