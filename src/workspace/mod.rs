//! The private copy of the root a run works in, and writing converged files back (SPEC §3, §12).

mod apply_back;
mod copy;
mod files;
mod heavy;
mod journal;
mod sweep;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use apply_back::{ApplyBack, BaseRecord, BaseState, apply_recorded};
pub use journal::{Recovered, recover};
pub use sweep::{SANDBOX, owned_prefix, sweep};

use crate::edits::RelPath;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot create a workspace for {root}: {message}")]
    Create { root: PathBuf, message: String },
    #[error("cannot copy {path} into the workspace: {message}")]
    Copy { path: PathBuf, message: String },
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    /// Writing back (or recovering an interrupted write-back) failed at `path`; the journal in
    /// `.forge/writeback/` lets the next forge finish or roll back the set.
    #[error("write-back: {path}: {message}")]
    Journal { path: PathBuf, message: String },
    #[error("refusing to write {path}: {reason}")]
    Unsafe { path: RelPath, reason: String },
}

/// What a file in the root was when the workspace was copied, to notice later changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    File {
        sha256: [u8; 32],
        mode: u32,
    },
    Symlink {
        target: PathBuf,
    },
    /// A folder or special file where a file may be expected.
    Other,
}

/// The root's files at copy time (heavy dependency folders and ignored files are not in it).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    files: BTreeMap<RelPath, Stamp>,
}

impl Snapshot {
    pub fn get(&self, path: &RelPath) -> Option<&Stamp> {
        self.files.get(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &RelPath> {
        self.files.keys()
    }
}

/// A private temp copy of the root; removed when dropped.
#[derive(Debug)]
pub struct Workspace {
    dir: tempfile::TempDir,
    snapshot: Snapshot,
    linked: Vec<RelPath>,
    env: Vec<(String, String)>,
}

impl Workspace {
    /// Copy `root` (honouring .gitignore, without .git and .forge) into a new temp dir, linking
    /// heavy dependency folders instead of copying them, and snapshot what was copied.
    pub fn create(root: &Path) -> Result<Workspace, WorkspaceError> {
        let create_err = |e: std::io::Error| WorkspaceError::Create {
            root: root.to_path_buf(),
            message: e.to_string(),
        };
        let root = root.canonicalize().map_err(create_err)?;
        // Once per process: a long-lived server need not rescan the temp folder for every run.
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| {
            sweep(&std::env::temp_dir());
        });
        let dir = tempfile::Builder::new()
            .prefix(&owned_prefix(sweep::WORKSPACE))
            .tempdir()
            .map_err(create_err)?;
        let copied = copy::copy_tree(&root, dir.path())?;
        Ok(Workspace {
            env: heavy::env(&root),
            dir,
            snapshot: copied.snapshot,
            linked: copied.linked,
        })
    }

    /// A private copy of this workspace as it stands now, compared against the same snapshot of
    /// the root: each candidate of an iteration (best-of-N) gets its own without copying the
    /// root again.
    pub fn fork(&self) -> Result<Workspace, WorkspaceError> {
        let dir = tempfile::Builder::new()
            .prefix(&owned_prefix(sweep::WORKSPACE))
            .tempdir()
            .map_err(|e| WorkspaceError::Create {
                root: self.path().to_path_buf(),
                message: e.to_string(),
            })?;
        copy::copy_tree(self.path(), dir.path())?;
        Ok(Workspace {
            dir,
            snapshot: self.snapshot.clone(),
            linked: self.linked.clone(),
            env: self.env.clone(),
        })
    }

    /// Where the run works; validators run here.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Heavy folders linked to the root's copy rather than copied (e.g. `node_modules`).
    pub fn linked(&self) -> &[RelPath] {
        &self.linked
    }

    /// Extra environment variables for validators (e.g. `CARGO_TARGET_DIR`); see `heavy`.
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }
}
