//! Run history (SPEC §4): `ROOT/.forge/history.db`, SQLite in WAL mode, one row per step.

mod chain;
mod error;
pub(crate) mod liveness;
mod model;
mod pool;
mod read;
mod recorder;
mod schema;
mod stats;
mod write;

pub use error::HistoryError;
pub use model::{IterationRow, NewRun, RunDetail, RunEnd, RunStatus, RunSummary};
pub use pool::HistoryPool;
pub use recorder::{HistoryHandback, HistoryRecorder};
pub use schema::CURRENT as SCHEMA_VERSION;
pub use stats::{FinishedRun, HistoryStats};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How long a call waits for another forge holding the database before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open history database. Every call commits at once, so a crash loses at most the step
/// in flight.
pub struct History {
    conn: Connection,
    path: PathBuf,
    /// The file `path` named when it was opened.
    file: FileId,
}

/// Which file a path names: device and inode.
type FileId = Option<(u64, u64)>;

fn identify(path: &Path) -> FileId {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("path", &self.path).finish()
    }
}

impl History {
    /// Open (creating if needed) ROOT/.forge/history.db for writing: migrate its schema forward
    /// and mark runs whose forge died without finishing as `interrupted`.
    pub fn open(root: &Path) -> Result<History, HistoryError> {
        let path = crate::layout::history_db(root);
        if let Some(root) = path.parent().and_then(Path::parent) {
            crate::layout::ensure_forge_dir(root).map_err(|e| {
                let dir = crate::layout::forge_dir(root);
                let message = format!("cannot create {}: {e}", dir.display());
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    HistoryError::ReadOnly {
                        path: path.display().to_string(),
                        message,
                    }
                } else {
                    HistoryError::Db {
                        path: path.display().to_string(),
                        message,
                    }
                }
            })?;
        }
        HistoryError::settle_write_back(root)?;
        // Two forges creating or migrating the same database at once can get SQLITE_BUSY from
        // steps that never consult the busy handler (switching to WAL, the first read while the
        // other converts); retry the whole open while within the usual wait.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match Self::open_writer(&path) {
                Err(HistoryError::Locked { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_writer(path: &Path) -> Result<History, HistoryError> {
        let conn = Connection::open(path).map_err(|e| HistoryError::from_sqlite(path, e))?;
        let mut history = History {
            conn,
            path: path.to_path_buf(),
            file: None,
        };
        history.prepare(true)?;
        history.file = identify(path);
        history.recover_interrupted()?;
        Ok(history)
    }

    /// Open the history for reading only (`forge runs`). A root without a history reads as an
    /// empty one; an older schema is migrated first, as any open would.
    pub fn open_read_only(root: &Path) -> Result<History, HistoryError> {
        let path = crate::layout::history_db(root);
        HistoryError::settle_write_back(root)?;
        if !path.exists() {
            let conn =
                Connection::open_in_memory().map_err(|e| HistoryError::from_sqlite(&path, e))?;
            schema::migrate(&conn).map_err(|e| HistoryError::from_sqlite(&path, e))?;
            return Ok(History {
                conn,
                path,
                file: None,
            });
        }
        let version = match Self::open_reader(&path, false) {
            // A WAL database in a folder we cannot write to has no shared-memory file to
            // coordinate through; nobody can be writing there either, so read it as immutable.
            Err(HistoryError::ReadOnly { .. }) => Self::open_reader(&path, true),
            other => other,
        };
        let (history, version) = version?;
        if version < schema::CURRENT {
            drop(history);
            return History::open(root);
        }
        Ok(history)
    }

    fn open_reader(path: &Path, immutable: bool) -> Result<(History, i64), HistoryError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let uri = format!(
            "file:{}{}",
            uri_path(path),
            if immutable { "?immutable=1" } else { "" }
        );
        let conn = Connection::open_with_flags(&uri, flags)
            .map_err(|e| HistoryError::from_sqlite(path, e))?;
        let history = History {
            conn,
            path: path.to_path_buf(),
            file: identify(path),
        };
        let version = history.prepare(false)?;
        Ok((history, version))
    }

    /// The root this history belongs to (`ROOT/.forge/history.db`).
    pub(crate) fn root(&self) -> &Path {
        self.path
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."))
    }

    /// Is a run recorded as `running` really still going? Its run folder's lock says so; runs
    /// from before run folders fall back to the pid and its start time.
    pub(crate) fn is_alive(&self, run_id: &str, pid: Option<i64>, start: Option<i64>) -> bool {
        match crate::run_folder::is_live(self.root(), run_id) {
            Some(live) => live,
            None => pid.is_some_and(|p| liveness::still_running(p, start)),
        }
    }

    /// The database file this history lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Does its path still name the file it was opened on (not removed, not replaced)?
    pub(crate) fn is_current(&self) -> bool {
        self.file.is_some() && identify(&self.path) == self.file
    }

    #[cfg(test)]
    fn file_id(&self) -> FileId {
        self.file
    }

    /// Settings, version check and (when writable) WAL + migrations. Returns the schema version
    /// found. The version is read before anything is written, so a file from a newer forge, or
    /// one that is not a database at all, is left exactly as it was.
    fn prepare(&self, writable: bool) -> Result<i64, HistoryError> {
        let db = |e| HistoryError::from_sqlite(&self.path, e);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        let found = schema::user_version(&self.conn).map_err(db)?;
        if found > schema::CURRENT {
            return Err(HistoryError::TooNew {
                path: self.path.display().to_string(),
                found,
                known: schema::CURRENT,
            });
        }
        if writable {
            let mode: String = self
                .conn
                .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
                .map_err(db)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(HistoryError::Db {
                    path: self.path.display().to_string(),
                    message: format!("cannot switch to WAL journal mode (still `{mode}`)"),
                });
            }
            self.conn
                .pragma_update(None, "foreign_keys", true)
                .map_err(db)?;
            // In WAL mode a NORMAL commit is atomic and survives a crash of forge, but waits for
            // no fsync: a run's rows cost nothing on disk until it is sealed. The commit that
            // seals it (its pack's place in the chain, or the note that the pack is missing)
            // goes through `write_durable`, whose fsync of the WAL carries every earlier one.
            self.conn
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(db)?;
            schema::migrate(&self.conn).map_err(db)?;
        }
        Ok(found)
    }

    /// Run `f` inside one IMMEDIATE transaction: the write lock is taken up front, so two forges
    /// writing at once wait for each other (busy_timeout) instead of failing on an upgrade.
    fn write<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| HistoryError::from_sqlite(&self.path, e))?;
        match f(&self.conn) {
            Ok(v) => {
                self.conn
                    .execute_batch("COMMIT")
                    .map_err(|e| HistoryError::from_sqlite(&self.path, e))?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// [`History::write`] for a row that settles a run (its end, its place in the evidence
    /// chain): the commit reaches the disk before this returns, power loss included.
    fn write_durable<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let sync = |level: &str| {
            self.conn
                .pragma_update(None, "synchronous", level)
                .map_err(|e| HistoryError::from_sqlite(&self.path, e))
        };
        sync("FULL")?;
        let written = self.write(f);
        sync("NORMAL")?;
        written
    }

    fn sql_err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError::from_sqlite(&self.path, e)
    }
}

/// `path` as the path part of an SQLite `file:` URI: the characters a URI gives meaning to are
/// percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A new run id: a ULID (26 characters of Crockford base32), unique, sortable by creation time
/// (monotonic within this process) and safe as a file name.
pub fn new_run_id() -> String {
    static GENERATOR: Mutex<ulid::Generator> = Mutex::new(ulid::Generator::new());
    let generated = GENERATOR.lock().ok().and_then(|mut g| g.generate().ok());
    // `Ulid::default()` is the nil id, so the fallback (a poisoned lock or a clock that ran
    // out of monotonic room) asks for a fresh random one explicitly.
    match generated {
        Some(id) => id.to_string(),
        None => ulid::Ulid::new().to_string(),
    }
}

/// Whether `s` looks like something `new_run_id` made (so it can name a folder safely).
pub fn is_run_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_escape_query_and_fragment_characters() {
        assert_eq!(uri_path(Path::new("/a b/c?d#e%f")), "/a b/c%3Fd%23e%25f");
    }

    #[test]
    fn run_ids_are_unique_sortable_and_file_safe() {
        let ids: Vec<String> = (0..1000).map(|_| new_run_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "ids come out in creation order");
        sorted.dedup();
        assert_eq!(sorted.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 26 && is_run_id(id)));
        assert!(!is_run_id("../etc"));
        assert!(!is_run_id(""));
    }
}
