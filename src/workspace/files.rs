//! Reading and writing the workspace's files for the engine: what changed, the best attempt's
//! bytes, and its artifacts.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::copy::current_stamp;
use super::{Stamp, Workspace, WorkspaceError};
use crate::edits::RelPath;

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
    /// iterations overwrite it. Only regular files: a symlink is refused, never followed.
    pub fn read_files(&self, files: &[RelPath]) -> Result<Vec<(RelPath, Vec<u8>)>, WorkspaceError> {
        files
            .iter()
            .map(|rel| {
                self.read_regular(rel)
                    .map(|(bytes, _)| (rel.clone(), bytes))
            })
            .collect()
    }

    /// One workspace file's bytes and permission bits, refusing anything but a regular file.
    pub(super) fn read_regular(&self, rel: &RelPath) -> Result<(Vec<u8>, u32), WorkspaceError> {
        let src = rel.under(self.path());
        let meta = std::fs::symlink_metadata(&src).map_err(|e| read_err(&src, e))?;
        if !meta.is_file() {
            return Err(WorkspaceError::Unsafe {
                path: rel.clone(),
                reason: "is not a regular file in the workspace".into(),
            });
        }
        let bytes = std::fs::read(&src).map_err(|e| read_err(&src, e))?;
        Ok((bytes, meta.permissions().mode() & 0o7777))
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
