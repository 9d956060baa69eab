//! What can go wrong with the history database, in words a user can act on.

use rusqlite::ErrorCode;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database {path}: {message}")]
    Db { path: String, message: String },
    #[error("no run with id `{0}` in this root's history (see `forge runs list`)")]
    UnknownRun(String),
    #[error(
        "history database {path} is locked by another process (waited {waited_s}s); \
         wait for the other forge to finish and try again"
    )]
    Locked { path: String, waited_s: u64 },
    #[error("history database {path} is read-only: {message}; forge needs to write to it")]
    ReadOnly { path: String, message: String },
    #[error(
        "{path} is not a forge history database (SQLite says: {message}); \
         move it aside and forge will start a new history"
    )]
    NotADatabase { path: String, message: String },
    #[error(
        "history database {path} was written by a newer forge (schema version {found}, \
         this forge knows up to {known}); upgrade forge — the file was left untouched"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
}

impl HistoryError {
    /// Turn a SQLite error on the database at `path` into the variant that says what to do.
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> Self {
        let path_s = path.display().to_string();
        let message = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                HistoryError::Locked {
                    path: path_s,
                    waited_s: super::BUSY_TIMEOUT.as_secs(),
                }
            }
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) => {
                HistoryError::ReadOnly {
                    path: path_s,
                    message,
                }
            }
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                HistoryError::NotADatabase {
                    path: path_s,
                    message,
                }
            }
            _ => HistoryError::Db {
                path: path_s,
                message,
            },
        }
    }
}
