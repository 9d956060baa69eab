//! Writing converged files back to the root: nothing on conflict, all or nothing otherwise (also
//! across a crash, through the journal), in-tree symlinks written through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::copy::current_stamp;
use super::files::{read_err, same_content};
use super::journal::{self, Staged};
use super::{Stamp, Workspace, WorkspaceError};
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

/// What the root held when a run started, for every path its write-back may touch (a listed
/// file and, for a symlink, the file it leads to). Recorded in the run's `artifacts_kept` event
/// (so covered by the pack's `events_sha256`), for `forge apply` to refuse files changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BaseRecord {
    /// Path → its state; `null` when nothing was there.
    pub files: BTreeMap<String, Option<BaseState>>,
}

/// One path's state at the start of a run, in the form kept on disk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaseState {
    File { sha256: String, mode: u32 },
    Symlink { target: PathBuf },
    Other,
}

impl BaseRecord {
    /// The recorded state of `path`: `None` when the record does not cover it.
    fn get(&self, path: &RelPath) -> Option<Option<Stamp>> {
        let state = self.files.get(path.as_str())?;
        Some(state.as_ref().and_then(|s| match s {
            BaseState::File { sha256, mode } => {
                let bytes: [u8; 32] = hex::decode(sha256).ok()?.try_into().ok()?;
                Some(Stamp::File {
                    sha256: bytes,
                    mode: *mode,
                })
            }
            BaseState::Symlink { target } => Some(Stamp::Symlink {
                target: target.clone(),
            }),
            BaseState::Other => Some(Stamp::Other),
        }))
    }
}

fn base_state(stamp: &Stamp) -> BaseState {
    match stamp {
        Stamp::File { sha256, mode } => BaseState::File {
            sha256: hex::encode(sha256),
            mode: *mode,
        },
        Stamp::Symlink { target } => BaseState::Symlink {
            target: target.clone(),
        },
        Stamp::Other => BaseState::Other,
    }
}

/// One file to write back: where it is listed, its new bytes, and the mode a new file gets.
struct Wanted {
    path: RelPath,
    bytes: Vec<u8>,
    mode: u32,
}

impl Workspace {
    /// Write `files` from the workspace into `root`. If any of them changed in the root since
    /// the snapshot, write nothing and say which. The set is written all or nothing, also
    /// across a crash; an existing file keeps its permissions, a new one gets the workspace
    /// file's; a symlink in the root that stays inside it is written through.
    pub fn apply_back(&self, root: &Path, files: &[RelPath]) -> Result<ApplyBack, WorkspaceError> {
        // Read everything first so a missing workspace file cannot leave a half write-back.
        let mut wanted = Vec::with_capacity(files.len());
        for rel in files {
            let (bytes, mode) = self.read_regular(rel)?;
            wanted.push(Wanted {
                path: rel.clone(),
                bytes,
                mode,
            });
        }
        let base = |p: &RelPath| Some(self.snapshot.get(p).cloned());
        write_back(root, wanted, &base)
    }

    /// The snapshot's record of `files` (and of the files their symlinks lead to), to keep
    /// with the run for a later `forge apply`.
    pub fn base_record(&self, files: &[RelPath]) -> BaseRecord {
        let mut record = BaseRecord::default();
        for rel in files {
            let stamp = self.snapshot.get(rel);
            record.files.insert(rel.to_string(), stamp.map(base_state));
            if let Some(Stamp::Symlink { target }) = stamp {
                if let Some(to) = lexical_target(rel, target) {
                    let state = self.snapshot.get(&to).map(base_state);
                    record.files.insert(to.to_string(), state);
                }
            }
        }
        record
    }
}

/// Write a run's kept files (`forge apply`) into `root`, refusing, as a converging run would,
/// when a file changed since `base` was recorded. New files get mode 0644.
pub fn apply_recorded(
    root: &Path,
    files: Vec<(RelPath, Vec<u8>)>,
    base: &BaseRecord,
) -> Result<ApplyBack, WorkspaceError> {
    for (rel, _) in &files {
        if base.get(rel).is_none() {
            return Err(WorkspaceError::Unsafe {
                path: rel.clone(),
                reason: "the run recorded no state for it at its start, so a change since \
                         cannot be ruled out"
                    .into(),
            });
        }
    }
    let wanted = files
        .into_iter()
        .map(|(path, bytes)| Wanted {
            path,
            bytes,
            mode: 0o644,
        })
        .collect();
    write_back(root, wanted, &|p| base.get(p))
}

/// The conflict rule (SPEC §3) and the journaled write. `base` gives a path's state at the start
/// of the run, `None` when nothing was recorded for it (then it is not compared).
fn write_back(
    root: &Path,
    wanted: Vec<Wanted>,
    base: &dyn Fn(&RelPath) -> Option<Option<Stamp>>,
) -> Result<ApplyBack, WorkspaceError> {
    let _turn = journal::root_lock(root)?;
    // An interrupted earlier write-back must be settled before the root is compared.
    journal::recover(root)?;
    let canonical_root = root.canonicalize().map_err(|e| read_err(root, e))?;
    let mut conflicts = Vec::new();
    let mut staged: Vec<Staged> = Vec::with_capacity(wanted.len());
    let mut listed = Vec::with_capacity(wanted.len());
    for w in wanted {
        let rel = &w.path;
        stays_inside(root, rel).map_err(|reason| WorkspaceError::Unsafe {
            path: rel.clone(),
            reason: format!("in the root, the path {reason}"),
        })?;
        let path = rel.under(root);
        let now = current_stamp(&path).map_err(|e| read_err(&path, e))?;
        if let Some(then) = base(rel) {
            if !same_content(then.as_ref(), now.as_ref()) {
                conflicts.push(rel.clone());
                continue;
            }
        }
        let target = match now {
            Some(Stamp::Symlink { .. }) => {
                let to = resolve_in(&canonical_root, &path, rel)?;
                let to_path = to.under(root);
                let to_now = current_stamp(&to_path).map_err(|e| read_err(&to_path, e))?;
                if let Some(then) = base(&to) {
                    if !same_content(then.as_ref(), to_now.as_ref()) {
                        conflicts.push(rel.clone());
                        continue;
                    }
                }
                to
            }
            _ => rel.clone(),
        };
        match staged.iter().find(|s| s.target == target) {
            Some(s) if s.bytes == w.bytes => {}
            Some(_) => {
                return Err(WorkspaceError::Unsafe {
                    path: rel.clone(),
                    reason: format!("leads to {target}, which is also written with other content"),
                });
            }
            None => staged.push(Staged {
                target,
                bytes: w.bytes,
                mode: w.mode,
            }),
        }
        listed.push(w.path);
    }
    if !conflicts.is_empty() {
        return Ok(ApplyBack::Conflict { paths: conflicts });
    }
    journal::write_set(root, &staged)?;
    Ok(ApplyBack::Written { paths: listed })
}

/// Where the symlink at `path` (listed as `rel`) leads, as a path in the root; refused when it
/// leaves the root, dangles, or lands in .git or .forge.
fn resolve_in(
    canonical_root: &Path,
    path: &Path,
    rel: &RelPath,
) -> Result<RelPath, WorkspaceError> {
    let unsafe_err = |reason: &str| WorkspaceError::Unsafe {
        path: rel.clone(),
        reason: reason.to_string(),
    };
    let resolved = path
        .canonicalize()
        .map_err(|_| unsafe_err("is a broken symlink in the root"))?;
    let inside = resolved
        .strip_prefix(canonical_root)
        .ok()
        .and_then(RelPath::from_relative)
        .ok_or_else(|| unsafe_err("is a symlink leading outside the root"))?;
    let first = inside.as_str().split('/').next().unwrap_or_default();
    if first == ".git" || first == crate::layout::FORGE_DIR {
        return Err(unsafe_err("is a symlink into .git or .forge"));
    }
    if !resolved.is_file() {
        return Err(unsafe_err("is a symlink to something other than a file"));
    }
    Ok(inside)
}

/// The path a relative symlink at `rel` names, without touching the disk; `None` for an
/// absolute target or one leaving the root.
fn lexical_target(rel: &RelPath, target: &Path) -> Option<RelPath> {
    if target.is_absolute() {
        return None;
    }
    let mut parts: Vec<String> = rel
        .as_path()
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for c in target.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    RelPath::normalise(&parts.join("/")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_targets_stay_in_the_root() {
        let rel = RelPath::normalise("src/pkg/link.py").unwrap();
        let t = |s: &str| lexical_target(&rel, Path::new(s)).map(|r| r.to_string());
        assert_eq!(t("real.py").as_deref(), Some("src/pkg/real.py"));
        assert_eq!(t("../other/x.py").as_deref(), Some("src/other/x.py"));
        assert_eq!(t("/etc/passwd"), None);
        assert_eq!(t("../../../x"), None);
    }

    #[test]
    fn base_record_round_trips_through_json() {
        let mut r = BaseRecord::default();
        r.files.insert(
            "a.txt".into(),
            Some(BaseState::File {
                sha256: hex::encode([7u8; 32]),
                mode: 0o644,
            }),
        );
        r.files.insert("new.txt".into(), None);
        let json = serde_json::to_string(&r).unwrap();
        let back: BaseRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let a = RelPath::normalise("a.txt").unwrap();
        assert!(matches!(back.get(&a), Some(Some(Stamp::File { .. }))));
        let n = RelPath::normalise("new.txt").unwrap();
        assert_eq!(back.get(&n), Some(None));
        let other = RelPath::normalise("other").unwrap();
        assert_eq!(back.get(&other), None);
    }
}
