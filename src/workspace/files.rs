//! Reading and writing the workspace's files for the engine: what changed, the best attempt's
//! bytes, and its artifacts.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::copy::current_stamp;
use super::{Stamp, Workspace, WorkspaceError};
use crate::edits::{RelPath, stays_inside};

impl Workspace {
    /// Allowed files in the workspace whose content differs from the snapshot, or that are new;
    /// sorted. Symlinked heavy folders are not entered.
    pub fn changed_files(
        &self,
        allowed: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<RelPath>, WorkspaceError> {
        let base = self.path();
        let mut changed = Vec::new();
        let walk = ignore::WalkBuilder::new(base)
            .standard_filters(false)
            .follow_links(false)
            .build();
        for entry in walk {
            let entry = entry.map_err(|e| WorkspaceError::Read {
                path: base.to_path_buf(),
                message: e.to_string(),
            })?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(rel) = entry
                .path()
                .strip_prefix(base)
                .ok()
                .and_then(RelPath::from_relative)
            else {
                continue;
            };
            if !allowed(rel.as_path()) {
                continue;
            }
            let now = current_stamp(entry.path()).map_err(|e| read_err(entry.path(), e))?;
            if !same_content(self.snapshot.get(&rel), now.as_ref()) {
                changed.push(rel);
            }
        }
        changed.sort();
        Ok(changed)
    }

    /// The bytes of `files` in the workspace, e.g. to keep the best attempt while later
    /// iterations overwrite it.
    pub fn read_files(&self, files: &[RelPath]) -> Result<Vec<(RelPath, Vec<u8>)>, WorkspaceError> {
        files
            .iter()
            .map(|rel| {
                let path = rel.under(self.path());
                std::fs::read(&path)
                    .map(|bytes| (rel.clone(), bytes))
                    .map_err(|e| read_err(&path, e))
            })
            .collect()
    }

    /// Put files back into the workspace (e.g. the best attempt before writing back).
    pub fn write_files(&self, files: &[(RelPath, Vec<u8>)]) -> Result<(), WorkspaceError> {
        for (rel, bytes) in files {
            stays_inside(self.path(), rel).map_err(|reason| WorkspaceError::Unsafe {
                path: rel.clone(),
                reason: reason.to_string(),
            })?;
            let path = rel.under(self.path());
            let mode = std::fs::symlink_metadata(&path).is_err().then_some(0o644);
            crate::fsutil::write_atomic(&path, bytes, mode).map_err(|e| write_err(&path, e))?;
        }
        Ok(())
    }

    /// Copy `files` from the workspace to `dest` (e.g. `.forge/runs/RUN_ID/artifacts/`),
    /// keeping their relative paths and modes. Only regular files are copied.
    pub fn copy_artifacts(&self, files: &[RelPath], dest: &Path) -> Result<(), WorkspaceError> {
        for rel in files {
            let src = rel.under(self.path());
            let meta = std::fs::symlink_metadata(&src).map_err(|e| read_err(&src, e))?;
            if !meta.is_file() {
                return Err(WorkspaceError::Unsafe {
                    path: rel.clone(),
                    reason: "is not a regular file in the workspace".into(),
                });
            }
            let bytes = std::fs::read(&src).map_err(|e| read_err(&src, e))?;
            let to = rel.under(dest);
            let mode = meta.permissions().mode() & 0o7777;
            crate::fsutil::write_atomic(&to, &bytes, Some(mode)).map_err(|e| write_err(&to, e))?;
        }
        Ok(())
    }
}

/// Whether two stamps show the same content (modes aside); absent equals absent.
pub(super) fn same_content(a: Option<&Stamp>, b: Option<&Stamp>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Stamp::File { sha256: x, .. }), Some(Stamp::File { sha256: y, .. })) => x == y,
        (Some(Stamp::Symlink { target: x }), Some(Stamp::Symlink { target: y })) => x == y,
        _ => false,
    }
}

pub(super) fn read_err(path: &Path, e: std::io::Error) -> WorkspaceError {
    WorkspaceError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

pub(super) fn write_err(path: &Path, e: std::io::Error) -> WorkspaceError {
    WorkspaceError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
