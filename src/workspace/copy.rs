//! Copying the root into the workspace: .gitignore honoured, .git and .forge left out, modes and
//! symlinks kept, heavy folders linked, and a hash of every copied file recorded.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::heavy::{self, Heavy};
use super::{Snapshot, Stamp, WorkspaceError};
use crate::edits::RelPath;

pub(super) struct Copied {
    pub snapshot: Snapshot,
    pub linked: Vec<RelPath>,
}

/// Copy `root` into the empty folder `dest`.
pub(super) fn copy_tree(root: &Path, dest: &Path) -> Result<Copied, WorkspaceError> {
    let mut files = BTreeMap::new();
    let mut linked = Vec::new();
    // With TMPDIR inside the root, the walk would meet the workspace (and other runs' copies)
    // and copy the copy into itself: the temp folder holding `dest` is never part of the root.
    let temp_dir = dest
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .filter(|t| t.starts_with(root));
    let walk = ignore::WalkBuilder::new(root)
        .hidden(false)
        .ignore(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            let name = e.file_name();
            let forge = e.depth() == 1 && name == crate::layout::FORGE_DIR;
            let heavy = e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && heavy::classify(e.path()).is_some();
            let temp = temp_dir.as_deref().is_some_and(|t| e.path() == t);
            name != ".git" && !forge && !heavy && !temp
        })
        .build();
    for entry in walk {
        let entry = entry.map_err(|e| WorkspaceError::Copy {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        let src = entry.path();
        let Ok(rel) = src.strip_prefix(root) else {
            continue;
        };
        let to = dest.join(rel);
        let copy_err = |e: std::io::Error| WorkspaceError::Copy {
            path: src.to_path_buf(),
            message: e.to_string(),
        };
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            std::fs::create_dir_all(&to).map_err(copy_err)?;
            link_heavy_children(src, root, dest, &mut linked)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(src).map_err(copy_err)?;
            std::os::unix::fs::symlink(&target, &to).map_err(copy_err)?;
            if let Some(rel) = RelPath::from_relative(rel) {
                files.insert(rel, Stamp::Symlink { target });
            }
        } else if kind.is_file() {
            let stamp = copy_file(src, &to).map_err(copy_err)?;
            if let Some(rel) = RelPath::from_relative(rel) {
                files.insert(rel, stamp);
            }
        }
    }
    Ok(Copied {
        snapshot: Snapshot { files },
        linked,
    })
}

/// Link the heavy folders directly inside `dir` (gitignored or not) into the workspace.
fn link_heavy_children(
    dir: &Path,
    root: &Path,
    dest: &Path,
    linked: &mut Vec<RelPath>,
) -> Result<(), WorkspaceError> {
    for name in heavy::NAMES {
        let src = dir.join(name);
        if heavy::classify(&src) != Some(Heavy::Link) {
            continue;
        }
        let Ok(rel) = src.strip_prefix(root) else {
            continue;
        };
        std::os::unix::fs::symlink(&src, dest.join(rel)).map_err(|e| WorkspaceError::Copy {
            path: src.clone(),
            message: e.to_string(),
        })?;
        linked.extend(RelPath::from_relative(rel));
    }
    Ok(())
}

/// Copy one file with its permission bits, hashing it on the way.
fn copy_file(src: &Path, to: &Path) -> std::io::Result<Stamp> {
    let mut input = std::fs::File::open(src)?;
    let mode = input.metadata()?.permissions().mode();
    let mut output = std::fs::File::create(to)?;
    let sha256 = stream_hash(&mut input, Some(&mut output))?;
    output.set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(Stamp::File {
        sha256,
        mode: mode & 0o7777,
    })
}

/// Read `input` to the end, writing it to `copy` if given; the sha256 of what was read.
fn stream_hash(
    input: &mut impl Read,
    mut copy: Option<&mut std::fs::File>,
) -> std::io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
        if let Some(out) = copy.as_deref_mut() {
            out.write_all(&buf[..n])?;
        }
    }
}

/// What is at `path` now, to compare with the snapshot; `None` if nothing is there.
pub(super) fn current_stamp(path: &Path) -> std::io::Result<Option<Stamp>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Ok(Some(Stamp::Symlink {
            target: std::fs::read_link(path)?,
        }));
    }
    if !meta.is_file() {
        return Ok(Some(Stamp::Other));
    }
    let sha256 = stream_hash(&mut std::fs::File::open(path)?, None)?;
    Ok(Some(Stamp::File {
        sha256,
        mode: meta.permissions().mode() & 0o7777,
    }))
}
