//! Reading patches out of an answer: unified diffs (`--- a/x` / `+++ b/x` / `@@` hunks, with or
//! without line numbers, one or several files) and the `*** Begin Patch` format.

use super::blocks::join_lines;
use super::parse::{Hunk, ProposedEdit};

/// A line that opens a unified diff for one file, or a whole multi-file diff.
pub(super) fn starts_unified(lines: &[&str], i: usize) -> bool {
    let l = lines[i];
    l.starts_with("diff --git ")
        || (l.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ ")))
}

pub(super) fn is_begin_patch(line: &str) -> bool {
    line.trim() == "*** Begin Patch"
}

/// Content that is a patch rather than a file: what a ```` ```diff ```` fence holds.
pub(super) fn looks_like_patch(content: &[String], info: &str) -> bool {
    let lang = info.split_whitespace().next().unwrap_or("");
    if ["diff", "patch", "udiff"].contains(&lang.to_ascii_lowercase().as_str()) {
        return true;
    }
    let Some(first) = content.iter().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let refs: Vec<&str> = content.iter().map(String::as_str).collect();
    let at = refs.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    is_begin_patch(first) || starts_unified(&refs, at) || is_hunk_header(first)
}

fn is_hunk_header(line: &str) -> bool {
    line.starts_with("@@")
}

/// A patch's edits. `default` is the path named around a fence, for diffs whose hunks come
/// without `---`/`+++` lines. Returns the edits and the index after the patch.
pub(super) fn read_patch(
    lines: &[&str],
    start: usize,
    default: Option<String>,
) -> (Vec<ProposedEdit>, usize) {
    if lines.get(start).is_some_and(|l| is_begin_patch(l)) {
        begin_patch(lines, start)
    } else {
        unified(lines, start, default)
    }
}

/// The path in a `---`/`+++` line, without `a/`/`b/` prefixes and a trailing timestamp; `None`
/// for `/dev/null`.
fn diff_path(rest: &str) -> Option<String> {
    let p = rest.split('\t').next().unwrap_or(rest).trim();
    if p == "/dev/null" || p.is_empty() {
        return None;
    }
    let p = p
        .strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(p);
    Some(p.to_string())
}

/// `@@ -12,3 +12,4 @@`: the old start line, when given.
fn hunk_line(header: &str) -> Option<usize> {
    let minus = header.split_whitespace().find(|w| w.starts_with('-'))?;
    minus[1..].split(',').next()?.parse().ok()
}

/// Lines of one unified-diff file section, from `--- ` (or `@@` when the path came from around
/// the fence) to the next file or the end.
fn unified(lines: &[&str], start: usize, default: Option<String>) -> (Vec<ProposedEdit>, usize) {
    let mut out = Vec::new();
    let mut i = start;
    let mut path = default;
    let mut old_missing = false;
    let mut hunks: Vec<Hunk> = Vec::new();
    let flush = |path: &Option<String>,
                 hunks: &mut Vec<Hunk>,
                 old_missing: bool,
                 out: &mut Vec<ProposedEdit>| {
        if hunks.is_empty() {
            return;
        }
        let taken = std::mem::take(hunks);
        let Some(p) = path.clone() else {
            out.push(ProposedEdit::Refused {
                path: super::parse::ANSWER.to_string(),
                reason: "a diff hunk names no file; start each file with `--- a/path` and `+++ b/path` lines".into(),
            });
            return;
        };
        if old_missing {
            let content: String = taken.iter().map(|h| h.replace.as_str()).collect();
            out.push(ProposedEdit::WholeFile { path: p, content });
        } else {
            out.push(ProposedEdit::Patch {
                path: p,
                hunks: taken,
            });
        }
    };
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with("diff --git ") || l.starts_with("index ") || l.starts_with("Index: ") {
            i += 1;
        } else if l.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ ")) {
            flush(&path, &mut hunks, old_missing, &mut out);
            let old = diff_path(&l[4..]);
            let new = diff_path(&lines[i + 1][4..]);
            old_missing = old.is_none();
            match new {
                Some(n) => path = Some(n),
                None => {
                    out.push(ProposedEdit::Refused {
                        path: old.unwrap_or_else(|| super::parse::ANSWER.to_string()),
                        reason: "deleting a file is not supported; leave it, or empty it".into(),
                    });
                    path = None;
                }
            }
            i += 2;
        } else if l.trim().is_empty()
            && lines[i..]
                .iter()
                .find(|n| !n.trim().is_empty())
                .is_some_and(|n| {
                    is_hunk_header(n) || n.starts_with("--- ") || n.starts_with("diff --git ")
                })
        {
            i += 1;
        } else if is_hunk_header(l) {
            let (hunk, next) = hunk_body(lines, i + 1, hunk_line(l));
            hunks.push(hunk);
            i = next;
        } else {
            break;
        }
    }
    flush(&path, &mut hunks, old_missing, &mut out);
    (out, i)
}

/// Context, removed and added lines from `start` to the first line that is none of them. A line
/// with nothing on it is an empty context line (models drop the leading space).
fn hunk_body(lines: &[&str], start: usize, line: Option<usize>) -> (Hunk, usize) {
    let mut search = Vec::new();
    let mut replace = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let l = lines[i];
        if (l.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ ")))
            || l.starts_with("diff --git ")
        {
            break;
        }
        if let Some(rest) = l.strip_prefix(' ') {
            search.push(rest);
            replace.push(rest);
        } else if let Some(rest) = l.strip_prefix('-') {
            search.push(rest);
        } else if let Some(rest) = l.strip_prefix('+') {
            replace.push(rest);
        } else if l.is_empty() {
            // A blank line ends the hunk when what follows is not part of it (prose after it).
            let more = lines[i + 1..]
                .iter()
                .find(|n| !n.is_empty())
                .is_some_and(|n| n.starts_with([' ', '-', '+']) && !n.starts_with("--- "));
            if !more {
                break;
            }
            search.push("");
            replace.push("");
        } else if !l.starts_with('\\') {
            break;
        }
        i += 1;
    }
    (
        Hunk {
            anchors: Vec::new(),
            search: join_lines(&search),
            replace: join_lines(&replace),
            line,
            at_end: false,
        },
        i,
    )
}

/// `*** Begin Patch` … `*** End Patch` (the end may be missing when it is the last thing).
fn begin_patch(lines: &[&str], start: usize) -> (Vec<ProposedEdit>, usize) {
    let mut out = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let l = lines[i].trim_end();
        let trimmed = l.trim();
        if trimmed == "*** End Patch" {
            return (out, i + 1);
        }
        if let Some(p) = trimmed.strip_prefix("*** Add File:") {
            let mut content = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("*** ") {
                content.push(lines[i].strip_prefix('+').unwrap_or(lines[i]));
                i += 1;
            }
            out.push(ProposedEdit::WholeFile {
                path: p.trim().to_string(),
                content: join_lines(&content),
            });
        } else if let Some(p) = trimmed.strip_prefix("*** Delete File:") {
            out.push(ProposedEdit::Refused {
                path: p.trim().to_string(),
                reason: "deleting a file is not supported; leave it, or empty it".into(),
            });
            i += 1;
        } else if let Some(p) = trimmed.strip_prefix("*** Update File:") {
            let (edit, next) = update_section(lines, i + 1, p.trim());
            out.push(edit);
            i = next;
        } else if trimmed.is_empty() {
            i += 1;
        } else {
            out.push(ProposedEdit::Refused {
                path: super::parse::ANSWER.to_string(),
                reason: format!(
                    "line `{}` in the patch is not `*** Add File:`, `*** Update File:`, `*** Delete File:` or `*** End Patch`",
                    trimmed.chars().take(80).collect::<String>()
                ),
            });
            return (out, skip_to_end(lines, i));
        }
    }
    (out, i)
}

fn skip_to_end(lines: &[&str], from: usize) -> usize {
    (from..lines.len())
        .find(|&j| lines[j].trim() == "*** End Patch")
        .map_or(lines.len(), |j| j + 1)
}

/// The hunks of one `*** Update File:` section.
fn update_section(lines: &[&str], start: usize, path: &str) -> (ProposedEdit, usize) {
    let mut i = start;
    if let Some(to) = lines
        .get(i)
        .and_then(|l| l.trim().strip_prefix("*** Move to:"))
    {
        let next = (i + 1..lines.len())
            .find(|&j| {
                let t = lines[j].trim();
                t.starts_with("*** ") && !t.starts_with("*** End of File")
            })
            .unwrap_or(lines.len());
        return (
            ProposedEdit::Refused {
                path: path.to_string(),
                reason: format!(
                    "moving a file (to `{}`) is not supported; add the new file and leave the old one",
                    to.trim()
                ),
            },
            next,
        );
    }
    let mut hunks = Vec::new();
    let mut anchors = Vec::new();
    let mut search = Vec::new();
    let mut replace = Vec::new();
    let mut started = false;
    let flush = |anchors: &mut Vec<String>,
                 search: &mut Vec<&str>,
                 replace: &mut Vec<&str>,
                 at_end: bool,
                 hunks: &mut Vec<Hunk>| {
        if search.is_empty() && replace.is_empty() {
            return;
        }
        hunks.push(Hunk {
            anchors: std::mem::take(anchors),
            search: join_lines(search),
            replace: join_lines(replace),
            line: None,
            at_end,
        });
        search.clear();
        replace.clear();
    };
    while i < lines.len() {
        let l = lines[i];
        let t = l.trim();
        if t == "*** End of File" {
            flush(&mut anchors, &mut search, &mut replace, true, &mut hunks);
            i += 1;
            continue;
        }
        if t.starts_with("*** ") {
            break;
        }
        if let Some(ctx) = l.strip_prefix("@@") {
            if started {
                flush(&mut anchors, &mut search, &mut replace, false, &mut hunks);
            }
            started = true;
            let ctx = ctx.trim();
            if !ctx.is_empty() {
                anchors.push(ctx.to_string());
            }
        } else if let Some(rest) = l.strip_prefix(' ') {
            started = true;
            search.push(rest);
            replace.push(rest);
        } else if let Some(rest) = l.strip_prefix('-') {
            started = true;
            search.push(rest);
        } else if let Some(rest) = l.strip_prefix('+') {
            started = true;
            replace.push(rest);
        } else if l.is_empty() {
            search.push("");
            replace.push("");
        } else {
            break;
        }
        i += 1;
    }
    flush(&mut anchors, &mut search, &mut replace, false, &mut hunks);
    if hunks.is_empty() {
        return (
            ProposedEdit::Refused {
                path: path.to_string(),
                reason: "the update has no hunk (no lines starting with ` `, `-` or `+`)".into(),
            },
            i,
        );
    }
    (
        ProposedEdit::Patch {
            path: path.to_string(),
            hunks,
        },
        i,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        s.lines().collect()
    }

    fn hunk(search: &str, replace: &str, line: Option<usize>) -> Hunk {
        Hunk {
            anchors: vec![],
            search: search.into(),
            replace: replace.into(),
            line,
            at_end: false,
        }
    }

    #[test]
    fn unified_diff_with_two_files_and_numbers() {
        let text = "--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n--- a/y.py\n+++ b/y.py\n@@ ... @@\n-y\n+Y\nThat is all.\n";
        let l = lines(text);
        let (edits, next) = read_patch(&l, 0, None);
        assert_eq!(l[next], "That is all.");
        assert_eq!(
            edits,
            vec![
                ProposedEdit::Patch {
                    path: "x.py".into(),
                    hunks: vec![hunk("a\nb\nc\n", "a\nB\nc\n", Some(1))]
                },
                ProposedEdit::Patch {
                    path: "y.py".into(),
                    hunks: vec![hunk("y\n", "Y\n", None)]
                },
            ]
        );
    }

    #[test]
    fn new_file_and_deleted_file() {
        let text = "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+x = 1\n+y = 2\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n";
        let (edits, _) = read_patch(&lines(text), 0, None);
        assert_eq!(
            edits[0],
            ProposedEdit::WholeFile {
                path: "new.py".into(),
                content: "x = 1\ny = 2\n".into()
            }
        );
        assert!(matches!(&edits[1], ProposedEdit::Refused { path, .. } if path == "old.py"));
    }

    #[test]
    fn blank_lines_inside_a_hunk_are_context_but_a_blank_before_prose_ends_it() {
        let text = "@@ @@\n a\n\n-b\n+c\n\nDone.\n";
        let (edits, _) = read_patch(&lines(text), 0, Some("f.py".into()));
        assert_eq!(
            edits,
            vec![ProposedEdit::Patch {
                path: "f.py".into(),
                hunks: vec![hunk("a\n\nb\n", "a\n\nc\n", None)]
            }]
        );
    }

    #[test]
    fn begin_patch_with_every_operation() {
        let text = "*** Begin Patch\n*** Add File: n.txt\n+hi\n*** Update File: m.txt\n@@ def f():\n-    a\n+    b\n@@\n x\n-y\n*** End of File\n*** Delete File: d.txt\n*** End Patch\n";
        let (edits, next) = read_patch(&lines(text), 0, None);
        assert_eq!(next, 13);
        assert_eq!(
            edits[0],
            ProposedEdit::WholeFile {
                path: "n.txt".into(),
                content: "hi\n".into()
            }
        );
        let ProposedEdit::Patch { path, hunks } = &edits[1] else {
            panic!("{:?}", edits[1])
        };
        assert_eq!(path, "m.txt");
        assert_eq!(hunks[0].anchors, vec!["def f():".to_string()]);
        assert_eq!(hunks[0].search, "    a\n");
        assert_eq!(hunks[1].search, "x\ny\n");
        assert_eq!(hunks[1].replace, "x\n");
        assert!(hunks[1].at_end);
        assert!(matches!(&edits[2], ProposedEdit::Refused { path, .. } if path == "d.txt"));
    }

    #[test]
    fn move_and_garbage_are_refused() {
        let text = "*** Begin Patch\n*** Update File: a.txt\n*** Move to: b.txt\n@@\n-a\n+b\n*** End Patch\n";
        let (edits, _) = read_patch(&lines(text), 0, None);
        assert!(
            matches!(&edits[0], ProposedEdit::Refused { reason, .. } if reason.contains("moving"))
        );
        let text = "*** Begin Patch\nbad line\n*** End Patch\n";
        let (edits, next) = read_patch(&lines(text), 0, None);
        assert_eq!(next, 3);
        assert!(
            matches!(&edits[0], ProposedEdit::Refused { reason, .. } if reason.contains("bad line"))
        );
    }

    #[test]
    fn a_diff_fence_is_a_patch() {
        let c = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(looks_like_patch(&c(&["x = 1"]), "diff"));
        assert!(looks_like_patch(&c(&["", "--- a/x", "+++ b/x"]), ""));
        assert!(looks_like_patch(&c(&["@@ -1 +1 @@"]), "python"));
        assert!(!looks_like_patch(&c(&["--- not a diff"]), "yaml"));
    }
}
