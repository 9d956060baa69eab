//! The one place where library errors and run outcomes become process exit codes (SPEC §2).

use crate::approval::ApprovalError;
use crate::engine::{RunFailure, RunOutcome, StopReason};
use crate::evidence::EvidenceError;
use crate::history::HistoryError;
use crate::llm::LlmError;
use crate::privacy::PrivacyError;
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
    #[error(transparent)]
    Privacy(#[from] PrivacyError),
    #[error(transparent)]
    Approval(#[from] ApprovalError),
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
            Error::Privacy(e) => privacy_exit(e),
            Error::Approval(e) => approval_exit(e),
        }
    }

    pub fn to_exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

/// `block` met a value (bad input: the files hold what must not be sent) and a bad allow
/// pattern exit 2; a key that cannot be read or made is the environment's.
fn privacy_exit(e: &PrivacyError) -> u8 {
    match e {
        PrivacyError::Blocked { .. } | PrivacyError::Allow(_) | PrivacyError::Scan { .. } => {
            exit::USAGE
        }
        PrivacyError::Key { .. } | PrivacyError::Rules(_) => exit::PROVIDER,
    }
}

/// A conflict is the run's outcome (not written back: exit 1, as for converge); a run that
/// cannot be decided on is bad input.
fn approval_exit(e: &ApprovalError) -> u8 {
    match e {
        ApprovalError::Conflict { .. } => exit::FAILED,
        ApprovalError::NotARunId(_)
        | ApprovalError::NotFinished { .. }
        | ApprovalError::Untrusted { .. }
        | ApprovalError::Unusable { .. }
        | ApprovalError::AlreadyDecided { .. }
        | ApprovalError::NotConverged { .. }
        | ApprovalError::AlreadyApplied { .. } => exit::USAGE,
        ApprovalError::Read { .. } | ApprovalError::Workspace(_) => exit::PROVIDER,
        ApprovalError::Evidence(e) => evidence_exit(e),
        ApprovalError::History(e) => history_exit(e),
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
        ValidateError::Spawn { .. } | ValidateError::Wait { .. } | ValidateError::Sandbox(_) => {
            exit::PROVIDER
        }
        ValidateError::Cancelled => exit::INTERRUPTED,
    }
}

fn history_exit(e: &HistoryError) -> u8 {
    match e {
        HistoryError::UnknownRun(_)
        | HistoryError::AmbiguousRun { .. }
        | HistoryError::NotADatabase { .. }
        | HistoryError::TooNew { .. } => exit::USAGE,
        HistoryError::Db { .. }
        | HistoryError::Locked { .. }
        | HistoryError::ReadOnly { .. }
        | HistoryError::WriteBack(_) => exit::PROVIDER,
    }
}

fn evidence_exit(e: &EvidenceError) -> u8 {
    match e {
        EvidenceError::Unreadable { .. }
        | EvidenceError::KeyFile { .. }
        | EvidenceError::Exists(_) => exit::USAGE,
        EvidenceError::Key(_)
        | EvidenceError::Serialize(_)
        | EvidenceError::Unsignable(_)
        | EvidenceError::Write { .. } => exit::PROVIDER,
        EvidenceError::Altered(_) => exit::FAILED,
        EvidenceError::History(e) => history_exit(e),
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
            Some(RunFailure::Privacy(e)) => privacy_exit(e),
            _ => exit::PROVIDER,
        },
        _ if o.failure.is_some() => exit::PROVIDER,
        _ => exit::FAILED,
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
