//! The private copy of the root a run works in, and writing converged files back (SPEC §3).

mod apply_back;
mod copy;
mod files;
mod heavy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use apply_back::ApplyBack;

use crate::edits::RelPath;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot create a workspace for {root}: {message}")]
    Create { root: PathBuf, message: String },
    #[error("cannot copy {path} into the workspace: {message}")]
    Copy { path: PathBuf, message: String },
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error(
        "cannot write {path} back to the root: {message}; already written: {}",
        list(.written)
    )]
    WriteBack {
        path: RelPath,
        written: Vec<RelPath>,
        message: String,
    },
    #[error("refusing to write {path}: {reason}")]
    Unsafe { path: RelPath, reason: String },
}

fn list(paths: &[RelPath]) -> String {
    if paths.is_empty() {
        return "none".into();
    }
    paths
        .iter()
        .map(RelPath::as_str)
        .collect::<Vec<_>>()
        .join(", ")
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
        let dir = tempfile::Builder::new()
            .prefix("forge-workspace-")
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
