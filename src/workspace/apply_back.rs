//! Writing the converged files back to the root: all or nothing on conflict, each file atomic.

use std::path::Path;

use super::copy::current_stamp;
use super::files::{read_err, same_content};
use super::{Workspace, WorkspaceError};
use crate::edits::{RelPath, stays_inside};

/// The outcome of writing back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyBack {
    /// Every file was written to the root.
    Written { paths: Vec<RelPath> },
    /// These files changed in the root since the workspace was copied (edited, created or
    /// deleted); nothing was written.
    Conflict { paths: Vec<RelPath> },
}

impl Workspace {
    /// Write `files` from the workspace into `root`. If any of them changed in the root since
    /// the snapshot, write nothing and say which. Each file is replaced atomically; an existing
    /// file keeps its permissions, a new one gets the workspace file's.
    pub fn apply_back(&self, root: &Path, files: &[RelPath]) -> Result<ApplyBack, WorkspaceError> {
        let mut conflicts = Vec::new();
        for rel in files {
            stays_inside(root, rel).map_err(|reason| WorkspaceError::Unsafe {
                path: rel.clone(),
                reason: format!("in the root, the path {reason}"),
            })?;
            let path = rel.under(root);
            let now = current_stamp(&path).map_err(|e| read_err(&path, e))?;
            if !same_content(self.snapshot.get(rel), now.as_ref()) {
                conflicts.push(rel.clone());
            }
        }
        if !conflicts.is_empty() {
            return Ok(ApplyBack::Conflict { paths: conflicts });
        }

        // Read everything first so a missing workspace file cannot leave a half write-back.
        let mut staged = Vec::with_capacity(files.len());
        for rel in files {
            let (bytes, ws_mode) = self.read_regular(rel)?;
            staged.push((rel, bytes, ws_mode));
        }

        let mut written = Vec::with_capacity(files.len());
        for (rel, bytes, ws_mode) in staged {
            let to = rel.under(root);
            let mode = std::fs::symlink_metadata(&to).is_err().then_some(ws_mode);
            crate::fsutil::write_atomic(&to, &bytes, mode).map_err(|e| {
                WorkspaceError::WriteBack {
                    path: rel.clone(),
                    written: written.clone(),
                    message: e.to_string(),
                }
            })?;
            written.push(rel.clone());
        }
        Ok(ApplyBack::Written { paths: written })
    }
}
