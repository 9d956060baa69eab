//! The private copy of the root a run works in, and writing converged files back (SPEC §3).

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{0}")]
    Io(String),
}
