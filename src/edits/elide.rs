//! Elision placeholders (`...`, `# ... existing code ...`): recognising them, and expanding them
//! from the original text when the lines around them place them unambiguously.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use regex::Regex;
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::blocks::{matches, pattern};
use super::normalise::loose;

// A comment that stands for code left out: a comment leader, an ellipsis, and a word saying so.
static COMMENTED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    pattern(
        r"(?i)^(?:#|//|/\*|<!--|--|;|\{/\*|\*)\s*(?:\.\.\.|…|\[\.\.\.\])?.*(?:\.\.\.|…).*\b(?:existing|rest|unchanged|remain\w*|same|previous|other|omitted|keep|code|before|here|as is|implementation|methods|functions|imports|lines|file)\b",
    )
});
static LEADING_DOTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    pattern(
        r"(?i)^(?:#|//|/\*|<!--|--|;|\*)\s*(?:\.\.\.|…)\s*(?:existing|rest|unchanged|remain\w*|same|previous|other|omitted|keep|code)",
    )
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
    t.len() < 200 && (matches(&COMMENTED, t) || matches(&LEADING_DOTS, t))
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

/// Above this many lines on either side the expansion is not attempted (it is refused): the diff
/// it rests on would cost too much.
const MAX_LINES: usize = 20_000;

/// `new` with each placeholder replaced by the original lines it stands for. The lines around a
/// placeholder are aligned with the original by a diff; the original lines the model's text
/// skips at a placeholder are the ones it stands for. Refused, naming the line, when nothing
/// around a placeholder is in the original or the alignment leaves it unclear.
pub(super) fn expand(old: &[&str], new: &[&str], bare_dots: bool) -> Result<Vec<Piece>, String> {
    let mut kept: Vec<&str> = Vec::new();
    // gap index in `kept` -> the placeholder's 1-based line in `new`
    let mut gaps: Vec<(usize, usize, String)> = Vec::new();
    for (n, l) in new.iter().enumerate() {
        if is_placeholder(l, bare_dots) {
            if gaps.last().is_none_or(|g| g.0 != kept.len()) {
                gaps.push((kept.len(), n + 1, l.trim().to_string()));
            }
        } else {
            kept.push(l);
        }
    }
    let Some(first) = gaps.first() else {
        return Ok(new.iter().map(|l| Piece::New(l.to_string())).collect());
    };
    let name = |g: &(usize, usize, String)| format!("line {} (`{}`)", g.1, g.2);
    if old.len() > MAX_LINES || kept.len() > MAX_LINES {
        return Err(format!(
            "the placeholder at {} cannot be expanded in a file this long; quote the code instead",
            name(first)
        ));
    }
    let old_keys: Vec<String> = old.iter().map(|l| loose(l)).collect();
    let new_keys: Vec<String> = kept.iter().map(|l| loose(l)).collect();
    let deadline = Instant::now() + Duration::from_secs(2);
    let ops =
        capture_diff_slices_deadline(Algorithm::Patience, &old_keys, &new_keys, Some(deadline));
    let anchored = ops
        .iter()
        .any(|op| matches!(*op, DiffOp::Equal { old_index, len, .. } if old_keys[old_index..old_index + len].iter().any(|k| !k.is_empty())));
    if !anchored {
        return Err(format!(
            "the placeholder at {} cannot be placed: none of the lines around it are in the current file",
            name(first)
        ));
    }
    let gap_at = |g: usize| gaps.iter().find(|x| x.0 == g);
    let mut out = Vec::new();
    for op in &ops {
        match *op {
            DiffOp::Equal { new_index, len, .. } => {
                out.extend(
                    kept[new_index..new_index + len]
                        .iter()
                        .map(|l| Piece::New(l.to_string())),
                );
            }
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => {
                if gap_at(new_index).is_some() {
                    out.extend((old_index..old_index + old_len).map(Piece::Old));
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                out.extend(
                    kept[new_index..new_index + new_len]
                        .iter()
                        .map(|l| Piece::New(l.to_string())),
                );
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let inside: Vec<usize> = (new_index..=new_index + new_len)
                    .filter(|g| gap_at(*g).is_some())
                    .collect();
                match inside.as_slice() {
                    [] => out.extend(
                        kept[new_index..new_index + new_len]
                            .iter()
                            .map(|l| Piece::New(l.to_string())),
                    ),
                    [g] => {
                        let before = &kept[new_index..*g];
                        let after = &kept[*g..new_index + new_len];
                        let olds: Vec<usize> = (old_index..old_index + old_len).collect();
                        let front = paired(before.iter().copied(), olds.iter().map(|&i| old[i]));
                        let back = paired(
                            after.iter().rev().copied(),
                            olds.iter().rev().map(|&i| old[i]),
                        );
                        if front + back > olds.len() {
                            return Err(format!(
                                "the placeholder at {} cannot be placed unambiguously; quote the lines around it exactly",
                                name(gap_at(*g).unwrap_or(first))
                            ));
                        }
                        out.extend(before.iter().map(|l| Piece::New(l.to_string())));
                        out.extend(
                            olds[front..olds.len() - back]
                                .iter()
                                .map(|&i| Piece::Old(i)),
                        );
                        out.extend(after.iter().map(|l| Piece::New(l.to_string())));
                    }
                    [g, ..] => {
                        return Err(format!(
                            "the placeholders from {} on follow each other with only changed lines between them; quote the lines around them exactly",
                            name(gap_at(*g).unwrap_or(first))
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// How many leading lines of `new` are edits of the leading lines of `old` (similar enough to be
/// the same line changed), in order.
fn paired<'a>(new: impl Iterator<Item = &'a str>, old: impl Iterator<Item = &'a str>) -> usize {
    new.zip(old)
        .take_while(|(n, o)| strsim::jaro_winkler(&loose(n), &loose(o)) >= 0.75)
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
    fn nothing_to_anchor_on_is_refused_naming_the_line() {
        let err = run(OLD, "# ... existing code ...\nunrelated = 1\n").unwrap_err();
        assert!(err.contains("line 1 (`# ... existing code ...`)"), "{err}");
    }
}
