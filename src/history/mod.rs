//! Run history (SPEC §4): `ROOT/.forge/history.db`, SQLite in WAL mode, one row per step.

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database {path}: {message}")]
    Db { path: String, message: String },
    #[error("no run with id `{0}` in this root's history")]
    UnknownRun(String),
}

impl HistoryError {
    pub fn exit_code(&self) -> u8 {
        match self {
            HistoryError::UnknownRun(_) => crate::error::exit::USAGE,
            HistoryError::Db { .. } => crate::error::exit::PROVIDER,
        }
    }
}
