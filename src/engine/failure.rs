//! What can end a run with status `error`, as typed values: the top maps each to an exit code.

use crate::evidence::EvidenceError;
use crate::llm::LlmError;
use crate::validate::ValidateError;
use crate::workspace::WorkspaceError;

#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    #[error(transparent)]
    Provider(#[from] LlmError),
    /// A validator could not be started or followed (not a failing tool: that is a score).
    #[error(transparent)]
    Validator(#[from] ValidateError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// Applying the model's answer failed inside forge.
    #[error("applying the answer failed: {0}")]
    Apply(String),
    /// A recording consumer (history, run folder) lost a fact.
    #[error("the run's record could not be kept: {0}")]
    Record(String),
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
}
