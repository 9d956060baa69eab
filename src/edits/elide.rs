//! Elision placeholders (`...`, `# ... existing code ...`): recognising them, and expanding them
//! from the original text when the lines around them place them unambiguously.

use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{matches, pattern};
use super::normalise::loose;

// A comment that stands for code left out: a comment leader, an ellipsis, and words saying so
// (before or after it). Ordinary comments that merely trail off ("# retry here...") are code.
static COMMENTED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^(?:#|//|/\*|<!--|--|;|\{/\*|\*)\s*(?:",
        r"(?:\.\.\.|…).*\b(?:existing|rest of|unchanged|remain\w*|same as|previous|other|omitted|keep)\b",
        r"|.*\b(?:existing|rest of|unchanged|remain\w*|omitted)\b.*(?:\.\.\.|…)",
        r")",
    ))
});

/// Whether bare `...` lines stand for elided code in this file: not in Python, where `...` is
/// a statement.
pub(super) fn bare_dots_elide(path: &str) -> bool {
    !(path.ends_with(".py") || path.ends_with(".pyi"))
}

/// A line that stands for code the model left out.
pub(super) fn is_placeholder(line: &str, bare_dots: bool) -> bool {
    let t = line.trim();
    if t == "..." || t == "…" {
        return bare_dots;
    }
    // The cheap test first: this runs on every line of every file written.
    (t.contains("...") || t.contains('…')) && t.len() < 200 && matches(&COMMENTED, t)
}

/// The 1-based number and text of the first placeholder in `text` that `original` does not
/// already hold as a line.
pub(super) fn first_placeholder(
    text: &str,
    original: Option<&str>,
    bare_dots: bool,
) -> Option<(usize, String)> {
    text.lines().enumerate().find_map(|(n, l)| {
        let known = original.is_some_and(|o| o.lines().any(|ol| ol.trim() == l.trim()));
        (is_placeholder(l, bare_dots) && !known).then(|| (n + 1, l.trim().to_string()))
    })
}

/// One line of an expanded text: the model's own, or the original's line at an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    New(String),
    Old(usize),
}

/// `new` with each placeholder replaced by the original lines it stands for. Around each
/// placeholder the model's text is anchored in the original: the last line before it and the
/// first line after it that occur exactly once in the rest of the original. The model's lines
/// between an anchor and the placeholder that resemble the original's are taken as edits of
/// them; the original lines left between are what the placeholder stands for. Refused, naming
/// the line, when the lines around a placeholder cannot be placed.
pub(super) fn expand(old: &[&str], new: &[&str], bare_dots: bool) -> Result<Vec<Piece>, String> {
    // Segments of the model's text between placeholders, and each placeholder's line.
    let mut segments: Vec<Vec<&str>> = vec![Vec::new()];
    let mut holders: Vec<(usize, String)> = Vec::new();
    for (n, l) in new.iter().enumerate() {
        if is_placeholder(l, bare_dots) {
            if segments
                .last()
                .is_some_and(|s| s.iter().all(|x| x.trim().is_empty()))
                && !holders.is_empty()
            {
                continue;
            }
            holders.push((n + 1, l.trim().to_string()));
            segments.push(Vec::new());
        } else if let Some(seg) = segments.last_mut() {
            seg.push(l);
        }
    }
    if holders.is_empty() {
        return Ok(new.iter().map(|l| Piece::New(l.to_string())).collect());
    }
    let keys: Vec<String> = old.iter().map(|l| loose(l)).collect();
    let mut out: Vec<Piece> = segments[0]
        .iter()
        .map(|l| Piece::New(l.to_string()))
        .collect();
    let mut cursor = 0;
    for (k, holder) in holders.iter().enumerate() {
        let name = format!("line {} (`{}`)", holder.0, holder.1);
        let before = &segments[k];
        let after = &segments[k + 1];
        let last = k + 1 == holders.len();
        // Where the original resumes after the model's lines before the placeholder.
        let start = match anchor(before.iter().rev().copied(), &keys, cursor) {
            Some((pos, rest)) => pos + 1 + paired(&before[before.len() - rest..], &old[pos + 1..]),
            // New lines at the top of the file.
            None if k == 0 => cursor,
            None => {
                return Err(format!(
                    "the placeholder at {name} cannot be placed: the lines before it are not in the current file"
                ));
            }
        };
        // Where the model's lines after the placeholder join the original again.
        let end = match anchor(after.iter().copied(), &keys, start) {
            Some((pos, lead)) => pos - blank_back(&after[..lead], &old[start.min(pos)..pos]),
            // Nothing after the last placeholder is in the original: new lines at the end, or
            // edits of its last lines where they nearly equal them.
            None if last => old.len() - ends_alike(after, &old[start.min(old.len())..]),
            None => {
                return Err(format!(
                    "the placeholder at {name} cannot be placed: the lines after it are not in the current file"
                ));
            }
        };
        if start > end {
            return Err(format!(
                "the placeholder at {name} cannot be placed unambiguously; quote the lines around it exactly"
            ));
        }
        let span: Vec<usize> = (start..end).collect();
        out.extend(span.into_iter().map(Piece::Old));
        out.extend(after.iter().map(|l| Piece::New(l.to_string())));
        cursor = end;
    }
    Ok(out)
}

/// A line worth anchoring on: more than punctuation.
fn telling(key: &str) -> bool {
    key.chars().filter(|c| c.is_alphanumeric()).count() >= 3
}

/// The first of `lines` (in the order given) whose key occurs exactly once in `keys[from..]`:
/// its index in the original, and how many of `lines` came after it in that order.
fn anchor<'a>(
    lines: impl Iterator<Item = &'a str>,
    keys: &[String],
    from: usize,
) -> Option<(usize, usize)> {
    let from = from.min(keys.len());
    let lines: Vec<&str> = lines.collect();
    lines.iter().enumerate().find_map(|(n, l)| {
        let key = loose(l);
        if !telling(&key) {
            return None;
        }
        let mut hits = keys[from..].iter().enumerate().filter(|(_, k)| **k == key);
        let first = hits.next()?;
        hits.next().is_none().then_some((from + first.0, n))
    })
}

/// Two lines that are the same line, perhaps edited.
fn alike(a: &str, b: &str) -> bool {
    let (a, b) = (loose(a), loose(b));
    if a.is_empty() || b.is_empty() {
        return a.is_empty() && b.is_empty();
    }
    strsim::jaro_winkler(&a, &b) >= 0.75
}

/// How many leading lines of `new` are edits of the leading lines of `old`, in order.
fn paired(new: &[&str], old: &[&str]) -> usize {
    new.iter().zip(old).take_while(|(n, o)| alike(n, o)).count()
}

/// How many of the model's lines before a rejoining anchor stand for the original's: all of
/// them when they copy the original's lines there, else only blank lines matching blank lines
/// (the others are new lines).
fn blank_back(new: &[&str], old: &[&str]) -> usize {
    let copied = new.len() <= old.len()
        && new
            .iter()
            .rev()
            .zip(old.iter().rev())
            .all(|(n, o)| loose(n) == loose(o));
    if copied {
        return new.len();
    }
    new.iter()
        .rev()
        .zip(old.iter().rev())
        .take_while(|(n, o)| n.trim().is_empty() && o.trim().is_empty())
        .count()
}

/// How many trailing lines of `new` nearly equal (or, blank, match) the trailing lines of
/// `old`: the model edited the end of the file rather than adding to it.
fn ends_alike(new: &[&str], old: &[&str]) -> usize {
    new.iter()
        .rev()
        .zip(old.iter().rev())
        .take_while(|(n, o)| {
            let (n, o) = (loose(n), loose(o));
            if n.is_empty() || o.is_empty() {
                return n.is_empty() && o.is_empty();
            }
            strsim::normalized_levenshtein(&n, &o) >= 0.85
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(old: &str, new: &str) -> Result<String, String> {
        let old: Vec<&str> = old.lines().collect();
        let new: Vec<&str> = new.lines().collect();
        let pieces = expand(&old, &new, true)?;
        Ok(pieces
            .iter()
            .map(|p| match p {
                Piece::New(s) => s.clone(),
                Piece::Old(i) => old[*i].to_string(),
            })
            .map(|l| l + "\n")
            .collect())
    }

    const OLD: &str =
        "import os\n\ndef a():\n    return 1\n\ndef b():\n    return 2\n\ndef c():\n    return 3\n";

    #[test]
    fn placeholders_of_many_styles() {
        for l in [
            "# ... existing code ...",
            "    // ... rest of the file unchanged ...",
            "/* ... */ // existing code",
            "<!-- ... existing content ... -->",
            "# … keep the other methods",
            "...",
        ] {
            assert!(is_placeholder(l, true), "{l}");
        }
        assert!(!is_placeholder("...", false));
        assert!(!is_placeholder("# see the docs...", true));
        assert!(!is_placeholder("x = compute(...)", true));
        assert!(!is_placeholder("# connect to the db here...", true));
        assert!(!is_placeholder("// TODO: more code...", true));
        assert!(is_placeholder("# rest of the file unchanged...", true));
        assert!(is_placeholder("{/* ... existing JSX ... */}", true));
    }

    #[test]
    fn a_middle_placeholder_keeps_what_it_stands_for() {
        let new = "import os\n\ndef a():\n    return 10\n\n# ... existing code ...\n\ndef c():\n    return 3\n";
        assert_eq!(
            run(OLD, new).unwrap(),
            "import os\n\ndef a():\n    return 10\n\ndef b():\n    return 2\n\ndef c():\n    return 3\n"
        );
    }

    #[test]
    fn leading_and_trailing_placeholders() {
        let new = "# ... existing code ...\ndef b():\n    return 20\n# ... rest unchanged ...\n";
        assert_eq!(
            run(OLD, new).unwrap(),
            "import os\n\ndef a():\n    return 1\n\ndef b():\n    return 20\n\ndef c():\n    return 3\n"
        );
    }

    #[test]
    fn a_changed_line_then_a_placeholder() {
        let new = "import os\n\ndef a():\n    return 2  # changed\n# ... rest of the code ...\n";
        assert_eq!(
            run(OLD, new).unwrap(),
            "import os\n\ndef a():\n    return 2  # changed\n\ndef b():\n    return 2\n\ndef c():\n    return 3\n"
        );
    }

    #[test]
    fn new_lines_after_a_final_placeholder_are_appended() {
        let new = "# ... existing code ...\n\nclass Extra:\n    pass\n";
        assert_eq!(
            run(OLD, new).unwrap(),
            format!("{OLD}\nclass Extra:\n    pass\n")
        );
        let edit_of_end = "# ... existing code ...\ndef c():\n    return 30\n";
        assert_eq!(
            run(OLD, edit_of_end).unwrap(),
            OLD.replace("return 3\n", "return 30\n")
        );
    }

    #[test]
    fn nothing_to_anchor_on_is_refused_naming_the_line() {
        let err = run(
            OLD,
            "import os\n# ... existing code ...\nunrelated = 1\n# ... rest unchanged ...\n",
        )
        .unwrap_err();
        assert!(err.contains("line 2 (`# ... existing code ...`)"), "{err}");
        assert!(err.contains("lines after it"), "{err}");
    }
}
