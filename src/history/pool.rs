//! Open histories kept for reuse by a long-lived process (`forge serve`): a run takes its root's
//! history and gives it back once sealed, so runs do not pay for opening SQLite, and the root's
//! WAL is not checkpointed, deleted and recreated (with a folder fsync) between runs.

use super::{History, HistoryError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Idle connections kept per database; more are closed when given back.
const IDLE_PER_ROOT: usize = 8;

#[derive(Debug, Default)]
pub struct HistoryPool {
    idle: Mutex<HashMap<PathBuf, Vec<History>>>,
}

impl HistoryPool {
    fn idle(&self) -> MutexGuard<'_, HashMap<PathBuf, Vec<History>>> {
        match self.idle.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `root`'s history, ready to write, as [`History::open`] leaves it: write-backs a dead
    /// forge left are settled and its runs marked `interrupted`. An idle connection whose
    /// database file was removed or replaced meanwhile is closed, not reused.
    pub fn take(&self, root: &Path) -> Result<History, HistoryError> {
        let key = crate::layout::history_db(root);
        loop {
            let idle = self.idle().get_mut(&key).and_then(Vec::pop);
            let Some(history) = idle else {
                return History::open(root);
            };
            if history.is_current() {
                HistoryError::settle_write_back(root)?;
                history.recover_interrupted()?;
                return Ok(history);
            }
        }
    }

    /// Keep `history` for the next run of its root.
    pub fn give(&self, history: History) {
        let mut idle = self.idle();
        let kept = idle.entry(history.path.clone()).or_default();
        if kept.len() < IDLE_PER_ROOT {
            kept.push(history);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_back_history_is_taken_again_unless_its_file_was_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let pool = HistoryPool::default();
        let first = pool.take(dir.path()).unwrap();
        let identity = first.file_id();
        pool.give(first);
        let again = pool.take(dir.path()).unwrap();
        assert_eq!(again.file_id(), identity);
        assert!(pool.idle().values().all(Vec::is_empty));

        std::fs::remove_dir_all(dir.path().join(".forge")).unwrap();
        assert!(!again.is_current());
        pool.give(again);
        let fresh = pool.take(dir.path()).unwrap();
        assert!(fresh.is_current());
        assert!(crate::layout::history_db(dir.path()).is_file());
    }
}
