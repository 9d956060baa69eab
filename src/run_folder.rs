//! A run's folder, `.forge/runs/RUN_ID/`: the contract as loaded, `events.jsonl` written as
//! the run goes (and locked while it lives, which is how a dead run is told from a live one),
//! `cassette.jsonl`, `artifacts/`, then the pack.

use crate::engine::{Envelope, Observer};
use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EVENTS_FILE: &str = "events.jsonl";
pub const CONTRACT_FILE: &str = "contract.yaml";
pub const CASSETTE_FILE: &str = "cassette.jsonl";
/// The final (or best) files of the run.
pub const ARTIFACTS_DIR: &str = "artifacts";

#[derive(Debug, Clone)]
pub struct RunFolder {
    dir: PathBuf,
}

impl RunFolder {
    /// Create the folder with a byte copy of the contract. Nothing in it waits for the disk
    /// until the run is sealed: the pack's writer syncs the whole folder at once.
    pub fn create(root: &Path, run_id: &str, contract_bytes: &[u8]) -> std::io::Result<Self> {
        crate::layout::ensure_forge_dir(root)?;
        let dir = crate::layout::run_dir(root, run_id);
        std::fs::create_dir_all(&dir)?;
        crate::fsutil::write_atomic_unsynced(&dir.join(CONTRACT_FILE), contract_bytes, None)?;
        Ok(RunFolder { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn events_path(&self) -> PathBuf {
        self.dir.join(EVENTS_FILE)
    }

    pub fn cassette_path(&self) -> PathBuf {
        self.dir.join(CASSETTE_FILE)
    }

    /// The observer that writes `events.jsonl`, holding its lock until the process ends.
    pub fn events_writer(&self) -> std::io::Result<EventsFile> {
        let path = self.events_path();
        let file = File::options().create_new(true).append(true).open(&path)?;
        let file = Flock::lock(file, FlockArg::LockExclusiveNonblock)
            .map_err(|(_, errno)| std::io::Error::from(errno))?;
        Ok(EventsFile { file, path })
    }
}

/// `events.jsonl`: one line per event, exactly as `--json` prints it.
pub struct EventsFile {
    file: Flock<File>,
    path: PathBuf,
}

impl Observer for EventsFile {
    fn on_event(&mut self, event: &Envelope) -> Result<(), String> {
        let line = event.to_line();
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

/// Is the run whose folder is under `root` still alive? None when it has no events file to
/// tell by (a run from before run folders, or one that never started).
pub fn is_live(root: &Path, run_id: &str) -> Option<bool> {
    let path = crate::layout::run_dir(root, run_id).join(EVENTS_FILE);
    let file = File::open(path).ok()?;
    match Flock::lock(file, FlockArg::LockSharedNonblock) {
        Ok(_unlocked_on_drop) => Some(false),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Some(true),
        Err(_) => None,
    }
}
