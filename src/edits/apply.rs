//! Writing proposed edits into the workspace, and the report of what was applied, refused or missed.

use std::path::Path;

use super::elide::{Piece, bare_dots_elide, expand, first_placeholder, is_placeholder};
use super::invariant;
use super::matching::{Miss, Tolerance, Wanted, eol, replace};
use super::normalise::loose;
use super::parse::{Hunk, ProposedEdit};
use super::paths::{Refusal, RelPath, check_path};

/// A file written in the workspace, as it is after the edit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedEdit {
    pub path: RelPath,
    /// Hex sha256 of the file's new content.
    pub sha256: String,
    pub bytes: u64,
}

/// A SEARCH block or patch hunk that was not applied, with the file's closest lines to show the
/// model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissedSearch {
    pub path: RelPath,
    /// The lines the edit looked for (a hunk's context and removed lines).
    pub search: String,
    /// Why it did not apply: no match, several, or a placeholder that could not be expanded.
    pub reason: String,
    /// The closest actual lines, each prefixed with its line number (`  12 | text`).
    pub closest: String,
    /// `true` for a hunk of a diff or patch, `false` for a SEARCH/REPLACE block.
    pub hunk: bool,
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
            out.push(format!("Refused {r}"));
        }
        for m in &self.missed {
            let (what, quoted) = if m.hunk {
                ("A diff hunk", "Its context and removed lines were")
            } else {
                ("An EDIT", "Its SEARCH was")
            };
            let mut s = format!(
                "{what} of `{}` was not applied: {}. {quoted}:\n{}",
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
/// nothing outside the workspace or outside `files` is written; each new text goes through the
/// format-line check, so no marker, fence or placeholder is written as code.
pub fn apply(
    workspace: &Path,
    edits: &[ProposedEdit],
    allowed: &dyn Fn(&Path) -> bool,
) -> ApplyReport {
    let mut report = ApplyReport::default();
    for edit in edits {
        if let ProposedEdit::Refused { path, reason } = edit {
            report.refused.push(refusal(path, reason.clone()));
            continue;
        }
        let rel = match check_path(edit.path(), allowed, workspace) {
            Ok(rel) => rel,
            Err(r) => {
                report.refused.push(r);
                continue;
            }
        };
        let target = rel.under(workspace);
        let original = match read_text(&target) {
            Ok(t) => t,
            Err(reason) => {
                report.refused.push(refusal(edit.path(), reason));
                continue;
            }
        };
        let mut file = FileEdit {
            rel: &rel,
            original: original.as_deref(),
            bare_dots: bare_dots_elide(rel.as_str()),
            report: &mut report,
        };
        let new_content = match edit {
            ProposedEdit::WholeFile { content, .. } => file.whole(content),
            ProposedEdit::WholeFileNamedInProse { content, .. } => file
                .not_a_fragment(content)
                .and_then(|()| file.whole(content)),
            ProposedEdit::SearchReplace { blocks, .. } => file.blocks(blocks),
            ProposedEdit::Patch { hunks, .. } => file.hunks(hunks),
            ProposedEdit::Refused { .. } => Err(None),
        };
        let content = match new_content {
            Ok(c) => c,
            Err(None) => continue,
            Err(Some(reason)) => {
                report.refused.push(refusal(edit.path(), reason));
                continue;
            }
        };
        if let Err(reason) = invariant::check(rel.as_str(), original.as_deref(), &content) {
            report.refused.push(refusal(edit.path(), reason));
            continue;
        }
        match write(&target, content.as_bytes()) {
            Ok(()) => report.applied.push(AppliedEdit {
                path: rel,
                sha256: crate::sha::sha256_hex(content.as_bytes()),
                bytes: content.len() as u64,
            }),
            Err(e) => report
                .refused
                .push(refusal(edit.path(), format!("cannot be written: {e}"))),
        }
    }
    report
}

fn refusal(path: &str, reason: String) -> Refusal {
    Refusal {
        path: path.to_string(),
        reason,
    }
}

/// The file's text, `None` when it does not exist.
fn read_text(target: &Path) -> Result<Option<String>, String> {
    match std::fs::read(target) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "is not UTF-8 text; it cannot be edited".to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot be read: {e}")),
    }
}

/// One file's edit being worked out. `Err(Some(reason))` refuses it; `Err(None)` means every
/// block missed (each miss is already in the report).
struct FileEdit<'a> {
    rel: &'a RelPath,
    original: Option<&'a str>,
    bare_dots: bool,
    report: &'a mut ApplyReport,
}

type Outcome = Result<String, Option<String>>;

impl FileEdit<'_> {
    /// A whole file: placeholders expanded from the current file, its line endings kept.
    fn whole(&mut self, content: &str) -> Outcome {
        let mut text = content.to_string();
        if let Some((n, line)) = first_placeholder(&text, self.original, self.bare_dots) {
            let Some(original) = self.original else {
                return Err(Some(format!(
                    "line {n} (`{line}`) stands for code left out, but the file does not exist yet; write it out in full"
                )));
            };
            let old: Vec<&str> = original.lines().collect();
            let new: Vec<&str> = text.lines().collect();
            let pieces = expand(&old, &new, self.bare_dots).map_err(Some)?;
            text = pieces
                .iter()
                .map(|p| match p {
                    Piece::New(s) => s.as_str(),
                    Piece::Old(i) => eol(old[*i]),
                })
                .flat_map(|l| [l, "\n"])
                .collect();
        }
        let crlf = self.original.is_some_and(|o| o.contains("\r\n"));
        if crlf && !text.contains('\r') {
            text = text.replace('\n', "\r\n");
        }
        Ok(text)
    }

    /// A fence only a sentence named the file for must read as the whole file, not as a piece
    /// of it: it keeps at least half the existing file's lines, or is at least 60 % as long.
    fn not_a_fragment(&self, content: &str) -> Result<(), Option<String>> {
        let Some(original) = self.original else {
            return Ok(());
        };
        let old: Vec<String> = original
            .lines()
            .map(loose)
            .filter(|l| !l.is_empty())
            .collect();
        if old.len() < FRAGMENT_MIN_LINES {
            return Ok(());
        }
        let new: std::collections::HashSet<String> = content.lines().map(loose).collect();
        let kept = old.iter().filter(|l| new.contains(*l)).count();
        let new_len = content.lines().filter(|l| !l.trim().is_empty()).count();
        if kept * 2 >= old.len() || new_len * 10 >= old.len() * 6 {
            return Ok(());
        }
        Err(Some(format!(
            "the fence after the sentence naming it looks like a fragment (it keeps {kept} of the file's {} lines), not the whole file; nothing was written. Answer with `### FILE: path` and the whole file, or with a SEARCH/REPLACE edit",
            old.len()
        )))
    }

    /// SEARCH/REPLACE blocks in order; the ones that miss are reported, the others applied.
    fn blocks(&mut self, blocks: &[(String, String)]) -> Outcome {
        let mut text = self.start_text(blocks.iter().all(|(s, _)| s.trim().is_empty()))?;
        let mut any = false;
        for (search, replace_with) in blocks {
            let result = replace(&text, &Wanted::block(search, replace_with, self.bare_dots))
                .or_else(|miss| dotted(&text, search, replace_with).ok_or(miss));
            match result {
                Ok((next, _)) => {
                    text = next;
                    any = true;
                }
                Err(miss) => self.missed(search, miss, false),
            }
        }
        if any { Ok(text) } else { Err(None) }
    }

    /// Patch hunks in order, each looked for from where the previous one ended.
    fn hunks(&mut self, hunks: &[Hunk]) -> Outcome {
        let mut text = self.start_text(hunks.iter().all(|h| h.search.trim().is_empty()))?;
        let mut from = 0;
        let mut any = false;
        for h in hunks {
            let w = Wanted {
                search: &h.search,
                replace: &h.replace,
                tolerance: Tolerance::Hunk,
                from,
                hint: h.line,
                at_end: h.at_end,
                anchors: &h.anchors,
                bare_dots: self.bare_dots,
            };
            match replace(&text, &w) {
                Ok((next, after)) => {
                    text = next;
                    from = after;
                    any = true;
                }
                Err(miss) => self.missed(&h.search, miss, true),
            }
        }
        if any { Ok(text) } else { Err(None) }
    }

    /// The text edits start from: the file's, or nothing for a file the edit creates.
    fn start_text(&self, creates: bool) -> Result<String, Option<String>> {
        match self.original {
            Some(t) => Ok(t.to_string()),
            None if creates => Ok(String::new()),
            None => Err(Some(
                "does not exist; create it with ### FILE: or an empty SEARCH".to_string(),
            )),
        }
    }

    fn missed(&mut self, search: &str, miss: Miss, hunk: bool) {
        self.report.missed.push(MissedSearch {
            path: self.rel.clone(),
            search: search.to_string(),
            reason: miss.reason,
            closest: miss.closest,
            hunk,
        });
    }
}

/// Files shorter than this (non-blank lines) are never taken for fragments.
const FRAGMENT_MIN_LINES: usize = 8;

/// aider's `...` convention: SEARCH and REPLACE both cut by the same number of `...` lines mean
/// one edit per piece. `None` unless every piece applies.
fn dotted(text: &str, search: &str, replace_with: &str) -> Option<(String, usize)> {
    let split = |s: &str| -> Vec<String> {
        let mut parts = vec![String::new()];
        for l in s.lines() {
            if is_placeholder(l, true) {
                parts.push(String::new());
            } else if let Some(last) = parts.last_mut() {
                last.push_str(l);
                last.push('\n');
            }
        }
        parts
    };
    let (s, r) = (split(search), split(replace_with));
    if s.len() < 2 || s.len() != r.len() {
        return None;
    }
    let mut text = text.to_string();
    for (sp, rp) in s.iter().zip(&r) {
        if sp.trim().is_empty() {
            if rp.trim().is_empty() {
                continue;
            }
            return None;
        }
        text = replace(&text, &Wanted::block(sp, rp, false)).ok()?.0;
    }
    Some((text, 0))
}

/// New files get the usual 0644; existing ones keep their mode. A symlink is written through
/// (`check_path` has made sure it leads inside the workspace), as write-back does in the root.
/// Only ever the run's private workspace: nothing here needs to survive a crash.
fn write(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (target, mode) = match std::fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => (target.canonicalize()?, None),
        Ok(_) => (target.to_path_buf(), None),
        Err(_) => (target.to_path_buf(), Some(0o644)),
    };
    crate::fsutil::write_atomic_unsynced(&target, bytes, mode)
}
