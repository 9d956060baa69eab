//! Reading file edits out of a model's answer: `### FILE:` / `### EDIT:` sections, SEARCH/REPLACE
//! blocks, unified diffs, `*** Begin Patch`, and the common variants models produce (path on the
//! line before a fence, in the fence's info string, in a fence of its own, or in the sentence
//! introducing the fence).

use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{Item, is_search, matches, pattern, read_blocks};
use super::diff::{is_begin_patch, looks_like_patch, read_patch, starts_unified};
use super::fence::Fence;
use super::limits;
use super::pathline::{clean_path_line, path_before, path_in_prose, strip_decoration};

/// The path shown for a refusal that concerns the whole answer rather than one file.
pub const ANSWER: &str = "(answer)";

/// One file change the model proposed, before any safety check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposedEdit {
    /// The whole new content of a file; it always ends with a newline unless empty.
    WholeFile { path: String, content: String },
    /// `(search, replace)` pairs in answer order; each side is whole lines, each ending in `\n`.
    SearchReplace {
        path: String,
        blocks: Vec<(String, String)>,
    },
    /// A fence that only the sentence before it names a file for ("Here is the updated
    /// `src/a.py`:"): the whole file when it reads as one; a fragment of an existing file is
    /// refused rather than written over it.
    WholeFileNamedInProse { path: String, content: String },
    /// The hunks of a unified diff or a `*** Begin Patch` update, in file order.
    Patch { path: String, hunks: Vec<Hunk> },
    /// Something the model meant as an edit that cannot be applied as written (a malformed
    /// block, a deletion, an oversized answer); it is reported to the model, nothing is written.
    Refused { path: String, reason: String },
}

/// One hunk of a patch: the old lines (context and removed) and the new ones (context and added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// `@@ def f():` lines of the `*** Begin Patch` format: lines to find first, in order.
    pub anchors: Vec<String>,
    pub search: String,
    pub replace: String,
    /// The old start line from `@@ -12,3 +12,4 @@`, when the model gave one.
    pub line: Option<usize>,
    /// `*** End of File`: the hunk sits at the end of the file.
    pub at_end: bool,
}

impl ProposedEdit {
    /// The path as the model wrote it.
    pub fn path(&self) -> &str {
        match self {
            ProposedEdit::WholeFile { path, .. }
            | ProposedEdit::WholeFileNamedInProse { path, .. }
            | ProposedEdit::SearchReplace { path, .. }
            | ProposedEdit::Patch { path, .. }
            | ProposedEdit::Refused { path, .. } => path,
        }
    }
}

/// Every edit in `answer`, in the order the model wrote them. Fences without a path nearby are
/// examples, not edits. A block or fence the answer never closes (a cut-off answer), a block
/// with a missing marker, or a block with no file becomes a [`ProposedEdit::Refused`] rather
/// than being written half or swallowing its neighbour.
pub fn parse(answer: &str) -> Vec<ProposedEdit> {
    if let Err(reason) = limits::check_answer(answer) {
        return vec![ProposedEdit::Refused {
            path: ANSWER.to_string(),
            reason,
        }];
    }
    let lines: Vec<&str> = answer.lines().collect();
    let mut p = Parser {
        lines: &lines,
        out: Vec::new(),
        last_path: None,
        pending_path: None,
        prose: false,
    };
    p.run();
    limits::check_files(p.out)
}

struct Parser<'a> {
    lines: &'a [&'a str],
    out: Vec<ProposedEdit>,
    /// The file the previous edit named: blocks after it with no path of their own belong to it.
    last_path: Option<String>,
    /// A path written alone in its own fence, waiting for the fence it names.
    pending_path: Option<String>,
    /// The fence being read got its path only from the sentence before it.
    prose: bool,
}

impl Parser<'_> {
    fn run(&mut self) {
        let lines = self.lines;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if let Some((kind, path)) = header(line) {
                self.last_path = Some(path.clone());
                i = match kind {
                    Header::File => self.file_section(i + 1, path),
                    Header::Edit => self.edit_section(i + 1, path),
                };
            } else if is_begin_patch(line) || starts_unified(lines, i) {
                let (edits, next) = read_patch(lines, i, None);
                self.push_all(edits);
                i = next.max(i + 1);
            } else if let Some(fence) = Fence::open(line) {
                i = self.fence(&fence, i);
            } else if is_search(line) {
                let path = path_before(lines, i).or_else(|| self.last_path.clone());
                let (items, next) = read_blocks(lines, i, path, false);
                self.push_items(items, i);
                i = next;
            } else {
                i += 1;
            }
        }
    }

    /// A fence outside any header: a path alone, a patch, blocks, or a whole file.
    fn fence(&mut self, fence: &Fence, at: usize) -> usize {
        let lines = self.lines;
        let named = fence
            .info_path()
            .or_else(|| self.pending_path.take())
            .or_else(|| path_before(lines, at));
        let in_prose = named.is_none();
        let explicit = named.or_else(|| prose_before(lines, at));
        let Some((content, next)) = fence.read(lines, at) else {
            if let Some(path) = explicit {
                self.out.push(cut_off(path));
            }
            return lines.len();
        };
        if let Some(path) = alone_path(&content) {
            let next_opens = lines[next..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| Fence::open(l).is_some() || is_search(l));
            if next_opens {
                self.pending_path = Some(path);
                return next;
            }
        }
        if explicit.is_some() {
            self.last_path = explicit.clone();
        }
        if in_prose && explicit.is_some() {
            self.prose = true;
        }
        self.content(fence, content, explicit, at + 1);
        self.prose = false;
        next
    }

    /// What a fence's content means once its path (if any) is known.
    fn content(&mut self, fence: &Fence, content: Vec<String>, path: Option<String>, at: usize) {
        let refs: Vec<&str> = content.iter().map(String::as_str).collect();
        if looks_like_patch(&content, &fence.info) {
            let start = refs.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
            let (edits, _) = read_patch(&refs, start, path.or_else(|| self.last_path.clone()));
            self.push_all(edits);
        } else if refs.iter().any(|l| is_search(l)) {
            let path = path.or_else(|| self.last_path.clone());
            let (items, _) = read_blocks(&refs, 0, path, true);
            self.push_items(items, at);
        } else if let Some(path) = path {
            let content = super::blocks::join_lines(&content);
            self.out.push(if self.prose {
                ProposedEdit::WholeFileNamedInProse { path, content }
            } else {
                ProposedEdit::WholeFile { path, content }
            });
        }
    }

    /// `### FILE: path`: the next fenced block (prose may come between) is the file's content.
    fn file_section(&mut self, start: usize, path: String) -> usize {
        let lines = self.lines;
        for i in start..lines.len() {
            if header(lines[i]).is_some() {
                return i;
            }
            if let Some(fence) = Fence::open(lines[i]) {
                let Some((content, next)) = fence.read(lines, i) else {
                    self.out.push(cut_off(path));
                    return lines.len();
                };
                self.content(&fence, content, Some(path), i + 1);
                return next;
            }
        }
        lines.len()
    }

    /// `### EDIT: path`: SEARCH/REPLACE blocks or a patch, bare or inside fences.
    fn edit_section(&mut self, start: usize, path: String) -> usize {
        let lines = self.lines;
        let mut i = start;
        let mut seen = false;
        while i < lines.len() {
            if header(lines[i]).is_some() {
                break;
            }
            if is_search(lines[i]) {
                let (items, next) = read_blocks(lines, i, Some(path.clone()), false);
                self.push_items(items, i);
                seen = true;
                i = next;
            } else if is_begin_patch(lines[i]) || starts_unified(lines, i) {
                let (edits, next) = read_patch(lines, i, Some(path.clone()));
                self.push_all(edits);
                seen = true;
                i = next.max(i + 1);
            } else if let Some(fence) = Fence::open(lines[i]) {
                let Some((content, next)) = fence.read(lines, i) else {
                    self.out.push(cut_off(path));
                    return lines.len();
                };
                self.content(&fence, content, Some(path.clone()), i + 1);
                seen = true;
                i = next;
            } else if lines[i].trim().is_empty() || !seen {
                i += 1;
            } else {
                break;
            }
        }
        i
    }

    fn push_all(&mut self, edits: Vec<ProposedEdit>) {
        for e in edits {
            if !matches!(e, ProposedEdit::Refused { .. }) {
                self.last_path = Some(e.path().to_string());
            }
            self.out.push(e);
        }
    }

    /// Consecutive blocks for the same file become one edit; a broken block or one with no
    /// known file becomes a refusal.
    fn push_items(&mut self, items: Vec<Item>, at: usize) {
        for item in items {
            match item {
                Item::Block {
                    path: Some(path),
                    search,
                    replace,
                } => {
                    self.last_path = Some(path.clone());
                    if let Some(ProposedEdit::SearchReplace { path: last, blocks }) =
                        self.out.last_mut()
                    {
                        if *last == path {
                            blocks.push((search, replace));
                            continue;
                        }
                    }
                    self.out.push(ProposedEdit::SearchReplace {
                        path,
                        blocks: vec![(search, replace)],
                    });
                }
                Item::Block { path: None, .. } => self.out.push(ProposedEdit::Refused {
                    path: ANSWER.to_string(),
                    reason: format!(
                        "the SEARCH/REPLACE block near answer line {} names no file; put the path on the line before it",
                        at + 1
                    ),
                }),
                Item::Broken { path, line, reason } => self.out.push(ProposedEdit::Refused {
                    path: path.unwrap_or_else(|| ANSWER.to_string()),
                    reason: format!(
                        "the SEARCH/REPLACE block near answer line {}: {reason}; nothing of it was applied",
                        at + line
                    ),
                }),
            }
        }
    }
}

fn cut_off(path: String) -> ProposedEdit {
    ProposedEdit::Refused {
        path,
        reason: "the answer ends before its fence closes (cut off?); nothing was written".into(),
    }
}

/// A fence holding nothing but a path (a habit of some models: the path in its own fence, the
/// content in the next).
fn alone_path(content: &[String]) -> Option<String> {
    let mut non_blank = content.iter().filter(|l| !l.trim().is_empty());
    let only = non_blank.next()?;
    if non_blank.next().is_some() {
        return None;
    }
    clean_path_line(only)
}

/// The path named in the sentence just before the fence (one blank line may come between).
fn prose_before(lines: &[&str], at: usize) -> Option<String> {
    let mut j = at.checked_sub(1)?;
    if lines[j].trim().is_empty() {
        j = j.checked_sub(1)?;
    }
    path_in_prose(lines[j])
}

enum Header {
    File,
    Edit,
}

static HEADER: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"(?i)^\s{0,3}#{1,6}\s*(FILE|EDIT)\s*:\s*(.+?)\s*$"));

fn header(line: &str) -> Option<(Header, String)> {
    if !matches(&HEADER, line) {
        return None;
    }
    let caps = HEADER.as_ref()?.captures(line)?;
    let path = strip_decoration(caps.get(2)?.as_str());
    if path.is_empty() || path.contains(char::is_whitespace) {
        return None;
    }
    let kind = if caps.get(1)?.as_str().eq_ignore_ascii_case("file") {
        Header::File
    } else {
        Header::Edit
    };
    Some((kind, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_regex_compiles() {
        assert!(HEADER.is_some());
    }

    #[test]
    fn indented_fence_content_loses_the_opening_indent() {
        let edits = parse("src/a.py\n  ```\n  x = 1\n    y = 2\n  ```\n");
        assert_eq!(
            edits,
            vec![ProposedEdit::WholeFile {
                path: "src/a.py".into(),
                content: "x = 1\n  y = 2\n".into()
            }]
        );
    }
}
