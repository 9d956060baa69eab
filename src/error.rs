//! The one place where library errors and run outcomes become process exit codes (SPEC §2).

use crate::engine::{RunFailure, RunOutcome, StopReason};
use crate::evidence::EvidenceError;
use crate::history::HistoryError;
use crate::llm::LlmError;
use crate::validate::ValidateError;
use std::process::ExitCode;

/// Exit codes the spec promises to scripts and hooks.
pub mod exit {
    pub const OK: u8 = 0;
    /// Stopped without converging, check failed, evidence invalid.
    pub const FAILED: u8 = 1;
    /// Usage errors and bad input.
    pub const USAGE: u8 = 2;
    /// Provider or environment failure during `converge`.
    pub const PROVIDER: u8 = 3;
    pub const INTERRUPTED: u8 = 130;
}

/// Every error a command can end with. Each module keeps its own error type; this enum only
/// gathers them so `cli` can map them to an exit code in one place.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Contract(#[from] crate::contract::ContractError),
    #[error(transparent)]
    Validate(#[from] ValidateError),
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
    /// Bad input that is not a contract: a missing file, a bad flag value, an unknown run id.
    #[error("{0}")]
    Usage(String),
    /// The machine or environment let us down (disk full, cannot spawn a shell, ...).
    #[error("{0}")]
    Environment(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Contract(_) | Error::Usage(_) => exit::USAGE,
            Error::Validate(e) => validate_exit(e),
            Error::Llm(e) => llm_exit(e),
            Error::History(e) => history_exit(e),
            Error::Evidence(e) => evidence_exit(e),
            Error::Workspace(_) | Error::Environment(_) => exit::PROVIDER,
        }
    }

    pub fn to_exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

fn llm_exit(e: &LlmError) -> u8 {
    if e.is_bad_input() {
        exit::USAGE
    } else {
        exit::PROVIDER
    }
}

fn validate_exit(e: &ValidateError) -> u8 {
    match e {
        ValidateError::Spawn { .. } | ValidateError::Wait { .. } => exit::PROVIDER,
        ValidateError::Cancelled => exit::INTERRUPTED,
    }
}

fn history_exit(e: &HistoryError) -> u8 {
    match e {
        HistoryError::UnknownRun(_)
        | HistoryError::NotADatabase { .. }
        | HistoryError::TooNew { .. } => exit::USAGE,
        HistoryError::Db { .. } | HistoryError::Locked { .. } | HistoryError::ReadOnly { .. } => {
            exit::PROVIDER
        }
    }
}

fn evidence_exit(e: &EvidenceError) -> u8 {
    match e {
        EvidenceError::Unreadable { .. } | EvidenceError::KeyFile { .. } => exit::USAGE,
        EvidenceError::Key(_)
        | EvidenceError::Serialize(_)
        | EvidenceError::Unsignable(_)
        | EvidenceError::Write { .. } => exit::PROVIDER,
    }
}

/// SPEC §2 for `converge`: 0 converged (and written back, or not asked to be); 1 stopped without
/// converging, degraded without `--allow-degraded`, or not written back; 3 provider or
/// environment failure; 130 interrupted.
pub fn run_exit(o: &RunOutcome, allow_degraded: bool) -> u8 {
    match o.reason {
        StopReason::Converged if o.failure.is_some() => exit::PROVIDER,
        StopReason::Converged if o.not_applied.is_some() => exit::FAILED,
        StopReason::Converged if o.degraded && !allow_degraded => exit::FAILED,
        StopReason::Converged => exit::OK,
        StopReason::Interrupted => exit::INTERRUPTED,
        StopReason::Error => match &o.failure {
            Some(RunFailure::Provider(e)) => llm_exit(e),
            _ => exit::PROVIDER,
        },
        _ if o.failure.is_some() => exit::PROVIDER,
        _ => exit::FAILED,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
