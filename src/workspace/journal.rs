//! All-or-nothing write-back across a crash (SPEC §12): every file is staged beside its target,
//! a journal in `.forge/writeback/` names the set, then the renames happen; the next forge
//! finishes a committed set or rolls back an uncommitted one, and removes `.forge-tmp-*` orphans.
//!
//! The journal's `state` is the commit point: `staging` means the root still holds the old files
//! (roll back by deleting what was staged), `committed` means every new file is staged and
//! synced (roll forward by renaming what is still staged). A set being written holds an
//! exclusive `flock` on its `.lock` file, so recovery never touches a live forge's set.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use nix::fcntl::{Flock, FlockArg};

use super::WorkspaceError;
use crate::edits::RelPath;

/// Every staged file and temp journal starts with this, so orphans can be recognised.
pub const TMP_PREFIX: &str = ".forge-tmp-";
/// Test hook: SIGKILL this process after this many write-back steps (staged files, the commit,
/// renames), to prove a crash at any point leaves all-old or all-new files after recovery.
const KILL_AT_ENV: &str = "FORGE_TEST_WRITEBACK_KILL_AT";
/// A temp file of another kind (an atomic write elsewhere) older than this is an orphan.
const ORPHAN_AGE: Duration = Duration::from_secs(600);

/// One file to put in place: its final location (symlinks already resolved) and content.
#[derive(Debug, Clone)]
pub(super) struct Staged {
    pub target: RelPath,
    pub bytes: Vec<u8>,
    /// Permission bits for the new file.
    pub mode: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    Staging,
    Committed,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Entry {
    target: String,
    staged: String,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Journal {
    set: String,
    state: State,
    files: Vec<Entry>,
    /// Folders made for new files, deepest last; removed again (when empty) on roll back.
    created_dirs: Vec<String>,
}

/// What recovery did with one interrupted set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The set was committed: its remaining renames were done.
    Completed { set: String, files: usize },
    /// The set was not committed: its staged files were removed, the root is as before.
    RolledBack { set: String, files: usize },
}

fn journal_dir(root: &Path) -> PathBuf {
    crate::layout::forge_dir(root).join("writeback")
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> WorkspaceError {
    WorkspaceError::Journal {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Held while one forge compares the root and writes a set back, so two write-backs in the same
/// root take turns and the second sees the first's files (and reports a conflict).
pub(super) fn root_lock(root: &Path) -> Result<Flock<File>, WorkspaceError> {
    let dir = crate::layout::ensure_forge_dir(root)
        .map_err(|e| io_err(&crate::layout::forge_dir(root), e))?;
    hold_lock(&dir, "writeback")
}

/// Write every file of `files` into `root`, all or nothing, even if forge is killed midway.
pub(super) fn write_set(root: &Path, files: &[Staged]) -> Result<(), WorkspaceError> {
    let dir = journal_dir(root);
    std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    let set = crate::history::new_run_id();
    let lock = hold_lock(&dir, &set)?;
    let mut steps = Steps::from_env();

    let mut journal = Journal {
        set: set.clone(),
        state: State::Staging,
        files: Vec::with_capacity(files.len()),
        created_dirs: Vec::new(),
    };
    let mut parents = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let parent = f
            .target
            .as_path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        missing_dirs(root, &parent, &mut journal.created_dirs);
        let staged = parent.join(format!("{TMP_PREFIX}{set}-{i}"));
        journal.files.push(Entry {
            target: f.target.to_string(),
            staged: staged.to_string_lossy().into_owned(),
        });
        parents.insert(root.join(&parent));
    }
    // A folder made for a new file is itself a new entry in its parent, synced with the rest.
    for d in &journal.created_dirs {
        if let Some(up) = Path::new(d).parent() {
            parents.insert(root.join(up));
        }
    }
    // The journal names every staged path before the first one exists, so a crash while
    // staging leaves nothing recovery does not know about.
    save(&dir, &journal)?;
    steps.tick();

    if let Err(e) = stage_all(root, files, &journal, &mut steps) {
        // Nothing was renamed yet: undo what was staged so the root is exactly as before.
        roll_back(root, &journal)?;
        forget(&dir, &set, lock);
        return Err(e);
    }
    for p in &parents {
        sync_dir(p);
    }

    journal.state = State::Committed;
    save(&dir, &journal)?;
    steps.tick();

    finish(root, &journal, &parents, &mut steps)?;
    forget(&dir, &set, lock);
    for p in &parents {
        sweep_orphans(&dir, p);
    }
    Ok(())
}

fn stage_all(
    root: &Path,
    files: &[Staged],
    journal: &Journal,
    steps: &mut Steps,
) -> Result<(), WorkspaceError> {
    for dir_rel in &journal.created_dirs {
        let d = root.join(dir_rel);
        std::fs::create_dir_all(&d).map_err(|e| io_err(&d, e))?;
    }
    for (f, entry) in files.iter().zip(&journal.files) {
        let staged = root.join(&entry.staged);
        // An existing file keeps its permissions; a new one gets the given mode.
        let mode = std::fs::metadata(f.target.under(root))
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(f.mode);
        stage(&staged, &f.bytes, mode).map_err(|e| io_err(&staged, e))?;
        steps.tick();
    }
    Ok(())
}

/// Rename every file still staged over its target, then sync the folders.
fn finish(
    root: &Path,
    journal: &Journal,
    parents: &BTreeSet<PathBuf>,
    steps: &mut Steps,
) -> Result<(), WorkspaceError> {
    for entry in &journal.files {
        let staged = root.join(&entry.staged);
        match std::fs::rename(&staged, root.join(&entry.target)) {
            Ok(()) => {}
            // Renamed before a crash; recovery goes over the list again.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&staged, e)),
        }
        steps.tick();
    }
    for p in parents {
        sync_dir(p);
    }
    Ok(())
}

/// Finish or roll back every interrupted write-back of `root` and remove orphaned temp files.
/// Cheap when there is nothing to do (one `stat`).
pub fn recover(root: &Path) -> Result<Vec<Recovered>, WorkspaceError> {
    let dir = journal_dir(root);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&dir, e)),
    };
    let mut sets = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_err(&dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(set) = name.strip_suffix(".json") {
            if crate::history::is_run_id(set) {
                sets.push(set.to_string());
            }
        }
    }
    sets.sort();
    let mut done = Vec::new();
    for set in sets {
        // A live forge holds its set's lock; leave that set alone.
        let Some(lock) = try_lock(&dir, &set)? else {
            continue;
        };
        let path = dir.join(format!("{set}.json"));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            // Another forge recovered it between listing and locking.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                forget(&dir, &set, lock);
                continue;
            }
            Err(e) => return Err(io_err(&path, e)),
        };
        let journal: Journal = serde_json::from_slice(&bytes)
            .map_err(|e| io_err(&path, format!("not a write-back journal: {e}")))?;
        check_paths(&journal).map_err(|m| io_err(&path, m))?;
        let parents: BTreeSet<PathBuf> = journal
            .files
            .iter()
            .filter_map(|e| root.join(&e.target).parent().map(Path::to_path_buf))
            .collect();
        let files = journal.files.len();
        match journal.state {
            State::Committed => {
                finish(root, &journal, &parents, &mut Steps::default())?;
                done.push(Recovered::Completed {
                    set: set.clone(),
                    files,
                });
            }
            State::Staging => {
                roll_back(root, &journal)?;
                done.push(Recovered::RolledBack {
                    set: set.clone(),
                    files,
                });
            }
        }
        forget(&dir, &set, lock);
        for p in &parents {
            sweep_orphans(&dir, p);
        }
    }
    sweep_orphans(&dir, &dir);
    Ok(done)
}

fn roll_back(root: &Path, journal: &Journal) -> Result<(), WorkspaceError> {
    for entry in &journal.files {
        let staged = root.join(&entry.staged);
        match std::fs::remove_file(&staged) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&staged, e)),
        }
    }
    for d in journal.created_dirs.iter().rev() {
        // Only folders left empty: something else may have been put there meanwhile.
        let _ = std::fs::remove_dir(root.join(d));
    }
    Ok(())
}

/// A journal read from disk names only paths inside the root, and staged names of our own.
fn check_paths(j: &Journal) -> Result<(), String> {
    let plain = |p: &str| RelPath::normalise(p).is_ok_and(|r| r.as_str() == p);
    for e in &j.files {
        let staged_name = Path::new(&e.staged)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        if !plain(&e.target) || !plain(&e.staged) || !staged_name.starts_with(TMP_PREFIX) {
            return Err(format!(
                "names a path outside the root or not staged by forge: `{}` / `{}`",
                e.target, e.staged
            ));
        }
    }
    if let Some(d) = j.created_dirs.iter().find(|d| !plain(d)) {
        return Err(format!("names a folder outside the root: `{d}`"));
    }
    Ok(())
}

/// Folders between `root` and `root/parent` that do not exist yet, outermost first.
fn missing_dirs(root: &Path, parent: &Path, out: &mut Vec<String>) {
    let mut missing = Vec::new();
    let mut cur = parent.to_path_buf();
    while !cur.as_os_str().is_empty() && std::fs::symlink_metadata(root.join(&cur)).is_err() {
        missing.push(cur.to_string_lossy().into_owned());
        if !cur.pop() {
            break;
        }
    }
    for d in missing.into_iter().rev() {
        if !out.contains(&d) {
            out.push(d);
        }
    }
}

/// Write a staged file: new (never following or replacing anything), synced.
fn stage(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    f.sync_all()
}

/// Replace the journal file atomically and durably.
fn save(dir: &Path, journal: &Journal) -> Result<(), WorkspaceError> {
    let path = dir.join(format!("{}.json", journal.set));
    let bytes = serde_json::to_vec(journal).map_err(|e| io_err(&path, e))?;
    crate::fsutil::write_atomic(&path, &bytes, Some(0o600)).map_err(|e| io_err(&path, e))
}

fn hold_lock(dir: &Path, set: &str) -> Result<Flock<File>, WorkspaceError> {
    let path = dir.join(format!("{set}.lock"));
    let file = open_lock(&path)?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| io_err(&path, e))
}

/// The set's lock if nobody holds it; `None` while a live forge is writing that set.
fn try_lock(dir: &Path, set: &str) -> Result<Option<Flock<File>>, WorkspaceError> {
    let path = dir.join(format!("{set}.lock"));
    let file = open_lock(&path)?;
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(l) => Ok(Some(l)),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, e)) => Err(io_err(&path, e)),
    }
}

fn open_lock(path: &Path) -> Result<File, WorkspaceError> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io_err(path, e))
}

/// Remove a finished set's journal (durably) and then its lock file.
fn forget(dir: &Path, set: &str, lock: Flock<File>) {
    let _ = std::fs::remove_file(dir.join(format!("{set}.json")));
    sync_dir(dir);
    let _ = std::fs::remove_file(dir.join(format!("{set}.lock")));
    drop(lock);
}

/// Remove `.forge-tmp-*` files in `folder` that no live forge is writing: staged files of sets
/// without a journal, and other temp files older than [`ORPHAN_AGE`].
fn sweep_orphans(journal_dir: &Path, folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(TMP_PREFIX) else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let orphan = match rest.split_once('-') {
            Some((set, _)) if crate::history::is_run_id(set) && set.len() == 26 => {
                !journal_dir.join(format!("{set}.json")).exists()
            }
            _ => meta
                .modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age > ORPHAN_AGE),
        };
        if orphan {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Counts write-back steps for the test hook; does nothing unless the variable is set.
#[derive(Default)]
struct Steps {
    done: u64,
    kill_at: Option<u64>,
}

impl Steps {
    fn from_env() -> Steps {
        Steps {
            done: 0,
            kill_at: std::env::var(KILL_AT_ENV).ok().and_then(|v| v.parse().ok()),
        }
    }

    fn tick(&mut self) {
        if self.kill_at == Some(self.done) {
            let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
        }
        self.done += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(path: &str, text: &str) -> Staged {
        Staged {
            target: RelPath::normalise(path).unwrap(),
            bytes: text.as_bytes().to_vec(),
            mode: 0o644,
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walk(dir);
        v.sort();
        v
    }

    fn walk(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path().display().to_string());
            }
        }
        out
    }

    #[test]
    fn writes_every_file_and_leaves_no_journal_or_temp_file() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.txt"), "old").unwrap();
        write_set(
            root.path(),
            &[staged("a.txt", "new a"), staged("deep/er/b.txt", "new b")],
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(root.path().join("a.txt")).unwrap(),
            "new a"
        );
        assert_eq!(
            std::fs::read_to_string(root.path().join("deep/er/b.txt")).unwrap(),
            "new b"
        );
        let left: Vec<String> = names(root.path())
            .into_iter()
            .filter(|n| n.contains(TMP_PREFIX) || n.contains("writeback/"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    fn journal(root: &Path, state: State, files: &[(&str, &str, &str)]) -> String {
        let dir = journal_dir(root);
        std::fs::create_dir_all(&dir).unwrap();
        let set = crate::history::new_run_id();
        let mut j = Journal {
            set: set.clone(),
            state,
            files: Vec::new(),
            created_dirs: vec!["new".into()],
        };
        for (i, (target, staged_text, _)) in files.iter().enumerate() {
            let parent = Path::new(target).parent().unwrap().to_path_buf();
            std::fs::create_dir_all(root.join(&parent)).unwrap();
            let staged = parent.join(format!("{TMP_PREFIX}{set}-{i}"));
            std::fs::write(root.join(&staged), staged_text).unwrap();
            j.files.push(Entry {
                target: target.to_string(),
                staged: staged.to_string_lossy().into_owned(),
            });
        }
        save(&dir, &j).unwrap();
        set
    }

    #[test]
    fn a_committed_set_is_finished_and_a_staging_set_rolled_back() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.txt"), "old a").unwrap();
        let set = journal(root.path(), State::Committed, &[("a.txt", "new a", "")]);
        let done = recover(root.path()).unwrap();
        assert_eq!(done, vec![Recovered::Completed { set, files: 1 }]);
        assert_eq!(
            std::fs::read_to_string(root.path().join("a.txt")).unwrap(),
            "new a"
        );

        let set = journal(root.path(), State::Staging, &[("new/b.txt", "new b", "")]);
        let done = recover(root.path()).unwrap();
        assert_eq!(done, vec![Recovered::RolledBack { set, files: 1 }]);
        assert!(!root.path().join("new").exists(), "the made folder is gone");
        let left: Vec<String> = names(root.path())
            .into_iter()
            .filter(|n| n.contains(TMP_PREFIX) || n.ends_with(".json"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(recover(root.path()).unwrap().is_empty());
    }

    #[test]
    fn a_set_whose_lock_is_held_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let set = journal(root.path(), State::Staging, &[("x/a.txt", "new", "")]);
        let _held = hold_lock(&journal_dir(root.path()), &set).unwrap();
        // flock locks belong to the open file description, so a second open conflicts even
        // within one process.
        assert!(recover(root.path()).unwrap().is_empty());
        assert!(
            journal_dir(root.path())
                .join(format!("{set}.json"))
                .exists()
        );
    }

    #[test]
    fn a_journal_naming_paths_outside_the_root_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = journal_dir(root.path());
        std::fs::create_dir_all(&dir).unwrap();
        let set = crate::history::new_run_id();
        let j = Journal {
            set: set.clone(),
            state: State::Committed,
            files: vec![Entry {
                target: "../../etc/passwd".into(),
                staged: ".forge-tmp-x".into(),
            }],
            created_dirs: vec![],
        };
        save(&dir, &j).unwrap();
        let err = recover(root.path()).unwrap_err().to_string();
        assert!(err.contains("outside the root"), "{err}");
    }

    #[test]
    fn orphans_without_a_journal_are_swept() {
        let root = tempfile::tempdir().unwrap();
        let dir = journal_dir(root.path());
        std::fs::create_dir_all(&dir).unwrap();
        let orphan = format!("{TMP_PREFIX}{}-3", crate::history::new_run_id());
        std::fs::write(root.path().join(&orphan), "x").unwrap();
        std::fs::write(root.path().join(".forge-tmp-fresh1"), "x").unwrap();
        sweep_orphans(&dir, root.path());
        assert!(!root.path().join(&orphan).exists());
        assert!(
            root.path().join(".forge-tmp-fresh1").exists(),
            "a young temp file may be another forge's atomic write"
        );
    }
}
