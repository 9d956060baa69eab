//! Validators (SPEC §1, §3): run real tools in process groups, parse partial credit, score, digest.

mod digest;

pub use digest::digest;

use crate::contract::{Parser, Validator, ValidatorKind};
use std::path::Path;

/// Validation can fail only for environmental reasons; a failing tool is a result, not an error.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot start `sh` for validator `{name}`: {message}")]
    Spawn { name: String, message: String },
}

impl ValidateError {
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::PROVIDER
    }
}

/// Output kept for one validator: first and last bytes, and how much there was in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapturedOutput {
    /// stdout and stderr interleaved as they arrived, lossily decoded.
    pub head: String,
    pub tail: String,
    pub total_bytes: u64,
    /// True when bytes between `head` and `tail` were dropped.
    pub truncated: bool,
}

impl CapturedOutput {
    /// head + a `[... N bytes omitted ...]` marker + tail.
    pub fn text(&self) -> String {
        todo!("captured text")
    }
}

/// passed/total as found by a parser in a tool's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub total: u64,
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
    pub fn passed(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }
}

/// The weighted score of one round and whether it meets the contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundScore {
    pub score: f64,
    /// score >= threshold and every required validator passed.
    pub converged: bool,
}

/// Run every validator concurrently in `dir`; `on_finished` sees each result as it completes.
/// Cancelling `cancel` kills every running process group.
pub async fn run_all(
    validators: &[Validator],
    dir: &Path,
    cancel: &tokio_util::sync::CancellationToken,
    on_finished: &(dyn Fn(&ValidatorResult) + Send + Sync),
) -> Result<Vec<ValidatorResult>, ValidateError> {
    let _ = (validators, dir, cancel, on_finished);
    todo!("run validators")
}

/// Weighted mean and the convergence rule of SPEC §1. `results` are in contract order.
pub fn score_round(validators: &[Validator], results: &[ValidatorResult], threshold: f64) -> RoundScore {
    let _ = (validators, results, threshold);
    todo!("scoring")
}

/// Partial credit for a parser, from output (and for junit, the XML file under `dir`).
pub fn parse_counts(parser: &Parser, output: &str, dir: &Path) -> Option<TestCounts> {
    let _ = (parser, output, dir);
    todo!("parsers")
}
