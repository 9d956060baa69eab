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
            let Some(kind) = entry.file_type() else {
                continue;
            };
            if !kind.is_file() && !kind.is_symlink() {
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
            // A listed symlink counts as changed when the file it leads to changed, since
            // writing back goes through it.
            let (rel_now, path_now) = if kind.is_symlink() {
                match self.resolve_link(entry.path()) {
                    Some(to) => (to.clone(), to.under(base)),
                    None => continue,
                }
            } else {
                (rel.clone(), entry.path().to_path_buf())
            };
            let now = current_stamp(&path_now).map_err(|e| read_err(&path_now, e))?;
            if !same_content(self.snapshot.get(&rel_now), now.as_ref()) {
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

    /// One workspace file's bytes and permission bits, refusing anything but a regular file
    /// or a symlink leading to one inside the workspace.
    pub(super) fn read_regular(&self, rel: &RelPath) -> Result<(Vec<u8>, u32), WorkspaceError> {
        let mut src = rel.under(self.path());
        let mut meta = std::fs::symlink_metadata(&src).map_err(|e| read_err(&src, e))?;
        if meta.file_type().is_symlink() {
            if let Some(to) = self.resolve_link(&src) {
                src = to.under(self.path());
                meta = std::fs::symlink_metadata(&src).map_err(|e| read_err(&src, e))?;
            }
        }
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

impl Workspace {
    /// The workspace file a symlink leads to, when it stays inside the workspace and is a
    /// regular file.
    fn resolve_link(&self, link: &Path) -> Option<RelPath> {
        let base = self.path().canonicalize().ok()?;
        let to = link.canonicalize().ok()?;
        if !to.is_file() {
            return None;
        }
        RelPath::from_relative(to.strip_prefix(&base).ok()?)
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
