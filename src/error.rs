//! The one place where library errors become process exit codes (SPEC §2).

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
    Validate(#[from] crate::validate::ValidateError),
    #[error(transparent)]
    Llm(#[from] crate::llm::LlmError),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
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
            Error::Validate(e) => e.exit_code(),
            Error::Llm(e) => e.exit_code(),
            Error::History(e) => e.exit_code(),
            Error::Evidence(e) => e.exit_code(),
            Error::Workspace(_) | Error::Environment(_) => exit::PROVIDER,
        }
    }

    pub fn to_exit(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
