//! Writing proposed edits into the workspace, and the report of what was applied, refused or missed.

use std::path::Path;

use super::matching::replace_once;
use super::parse::ProposedEdit;
use super::paths::{Refusal, RelPath, check_path};

/// A file written in the workspace, as it is after the edit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedEdit {
    pub path: RelPath,
    /// Hex sha256 of the file's new content.
    pub sha256: String,
    pub bytes: u64,
}

/// A SEARCH block that was not applied, with the file's closest lines to show the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissedSearch {
    pub path: RelPath,
    pub search: String,
    /// Why it did not apply: no match, or several.
    pub reason: String,
    /// The closest actual lines, each prefixed with its line number (`  12 | text`).
    pub closest: String,
}

/// What became of an answer's edits.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplyReport {
    pub applied: Vec<AppliedEdit>,
    pub refused: Vec<Refusal>,
    pub missed: Vec<MissedSearch>,
}

impl ApplyReport {
    /// At least one file was written; otherwise the iteration scores nothing.
    pub fn usable(&self) -> bool {
        !self.applied.is_empty()
    }

    /// What the model should hear about its refused and missed edits in the next prompt;
    /// empty when everything applied.
    pub fn feedback(&self) -> String {
        let mut out = Vec::new();
        for r in &self.refused {
            out.push(format!("Refused {r}; nothing was written there."));
        }
        for m in &self.missed {
            let mut s = format!(
                "An EDIT of `{}` was not applied: {}. Its SEARCH was:\n{}",
                m.path,
                m.reason,
                m.search.trim_end()
            );
            if !m.closest.is_empty() {
                s.push_str(&format!(
                    "\nThe closest lines in the file are:\n{}",
                    m.closest
                ));
            }
            out.push(s);
        }
        out.join("\n\n")
    }
}

/// Apply `edits` in order inside `workspace`. Each path goes through [`check_path`] first, so
/// nothing outside the workspace or outside `files` is written.
pub fn apply(
    workspace: &Path,
    edits: &[ProposedEdit],
    allowed: &dyn Fn(&Path) -> bool,
) -> ApplyReport {
    let mut report = ApplyReport::default();
    for edit in edits {
        let rel = match check_path(edit.path(), allowed, workspace) {
            Ok(rel) => rel,
            Err(refusal) => {
                report.refused.push(refusal);
                continue;
            }
        };
        let target = rel.under(workspace);
        let new_content = match edit {
            ProposedEdit::WholeFile { content, .. } => Some(content.clone()),
            ProposedEdit::SearchReplace { path, blocks } => {
                edit_text(&target, &rel, path, blocks, &mut report)
            }
        };
        let Some(content) = new_content else { continue };
        match write(&target, content.as_bytes()) {
            Ok(()) => report.applied.push(AppliedEdit {
                path: rel,
                sha256: crate::sha::sha256_hex(content.as_bytes()),
                bytes: content.len() as u64,
            }),
            Err(e) => report.refused.push(Refusal {
                path: edit.path().to_string(),
                reason: format!("cannot be written: {e}"),
            }),
        }
    }
    report
}

/// The file's text after its blocks, or `None` when no block applied (misses are recorded).
fn edit_text(
    target: &Path,
    rel: &RelPath,
    raw: &str,
    blocks: &[(String, String)],
    report: &mut ApplyReport,
) -> Option<String> {
    let mut text = match std::fs::read(target) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return refuse(
                    report,
                    raw,
                    "is not UTF-8 text; send it whole with ### FILE:",
                );
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if blocks.iter().all(|(search, _)| search.trim().is_empty()) {
                String::new()
            } else {
                return refuse(
                    report,
                    raw,
                    "does not exist; create it with ### FILE: or an empty SEARCH",
                );
            }
        }
        Err(e) => return refuse(report, raw, &format!("cannot be read: {e}")),
    };
    let mut any = false;
    for (search, replace) in blocks {
        match replace_once(&text, search, replace) {
            Ok(next) => {
                text = next;
                any = true;
            }
            Err(miss) => report.missed.push(MissedSearch {
                path: rel.clone(),
                search: search.clone(),
                reason: miss.reason,
                closest: miss.closest,
            }),
        }
    }
    any.then_some(text)
}

fn refuse(report: &mut ApplyReport, raw: &str, reason: &str) -> Option<String> {
    report.refused.push(Refusal {
        path: raw.to_string(),
        reason: reason.to_string(),
    });
    None
}

/// New files get the usual 0644; existing ones keep their mode.
fn write(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mode = match std::fs::symlink_metadata(target) {
        Ok(_) => None,
        Err(_) => Some(0o644),
    };
    crate::fsutil::write_atomic(target, bytes, mode)
}
