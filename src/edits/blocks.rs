//! SEARCH/REPLACE blocks: their marker lines (with the variants models write) and reading a run of
//! blocks, reporting a malformed block instead of letting it swallow the next one.

use std::sync::LazyLock;

use regex::Regex;

use super::pathline::clean_path_line;

/// The patterns are literals checked by a unit test; an impossible failure to compile makes the
/// pattern match nothing instead of panicking.
pub(super) fn pattern(re: &str) -> Option<Regex> {
    Regex::new(re).ok()
}

pub(super) fn matches(re: &LazyLock<Option<Regex>>, line: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(line))
}

// `<<<<<<< SEARCH>` and `ORIGINAL`/`UPDATED` are variants aider accepts from real models.
static SEARCH: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^\s*<{5,9} ?(?:SEARCH|ORIGINAL)>?\s*$"));
static DIVIDER: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^\s*={5,9}\s*$"));
static REPLACE: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^\s*>{5,9} ?(?:REPLACE|UPDATED)>?\s*$"));

pub(super) fn is_search(line: &str) -> bool {
    matches(&SEARCH, line)
}

pub(super) fn is_divider(line: &str) -> bool {
    matches(&DIVIDER, line)
}

pub(super) fn is_replace(line: &str) -> bool {
    matches(&REPLACE, line)
}

/// What a run of blocks yields, in answer order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    Block {
        path: Option<String>,
        search: String,
        replace: String,
    },
    /// A block that cannot be read as the model meant it; `line` is 1-based in the answer part
    /// read.
    Broken {
        path: Option<String>,
        line: usize,
        reason: String,
    },
}

/// SEARCH/REPLACE blocks from `start`. A plausible path line just before a block switches the
/// file. Bare (outside a fence) the run stops at the first other line; inside a fence (`lines` is
/// the fence's content) other lines between blocks, such as `...`, are skipped.
pub(super) fn read_blocks(
    lines: &[&str],
    start: usize,
    mut path: Option<String>,
    in_fence: bool,
) -> (Vec<Item>, usize) {
    let mut items = Vec::new();
    let mut i = start;
    loop {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            return (items, i);
        }
        if !is_search(lines[i]) {
            let next_is_search = lines.get(i + 1).is_some_and(|l| is_search(l));
            match clean_path_line(lines[i]) {
                Some(p) if next_is_search => path = Some(p),
                _ if in_fence => {}
                _ => return (items, i),
            }
            i += 1;
            continue;
        }
        let (item, next) = one_block(lines, i, &path);
        items.push(item);
        i = next;
    }
}

/// The block whose SEARCH marker is at `at`, and the index after it.
fn one_block(lines: &[&str], at: usize, path: &Option<String>) -> (Item, usize) {
    let broken = |line: usize, reason: &str| Item::Broken {
        path: path.clone(),
        line: line + 1,
        reason: reason.to_string(),
    };
    let mut divider = None;
    for j in at + 1..lines.len() {
        let l = lines[j];
        match divider {
            None if is_search(l) || is_replace(l) => {
                return (
                    broken(
                        at,
                        "the block has no `=======` line between its SEARCH and REPLACE parts",
                    ),
                    if is_search(l) { j } else { j + 1 },
                );
            }
            None if is_divider(l) => divider = Some(j),
            Some(_) if is_search(l) || is_divider(l) => {
                return (
                    broken(
                        at,
                        "the block has no `>>>>>>> REPLACE` line before the next block starts",
                    ),
                    if is_search(l) { j } else { j + 1 },
                );
            }
            Some(d) if is_replace(l) => {
                return (
                    Item::Block {
                        path: path.clone(),
                        search: join_lines(&lines[at + 1..d]),
                        replace: join_lines(&lines[d + 1..j]),
                    },
                    j + 1,
                );
            }
            _ => {}
        }
    }
    (
        broken(
            at,
            "the answer ends inside the block (no `>>>>>>> REPLACE`); it looks cut off",
        ),
        lines.len(),
    )
}

pub(super) fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l.as_ref());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_variants() {
        for l in [
            "<<<<<<< SEARCH",
            "<<<<<<< SEARCH>",
            "<<<<<<<SEARCH",
            "  <<<<<<< SEARCH  ",
            "<<<<<<< ORIGINAL",
        ] {
            assert!(is_search(l), "{l}");
        }
        for l in [">>>>>>> REPLACE", ">>>>>>> REPLACE>", ">>>>>>> UPDATED"] {
            assert!(is_replace(l), "{l}");
        }
        assert!(!is_search("<<<< SEARCH"));
        assert!(!is_search("<<<<<<< SEARCHING"));
    }

    #[test]
    fn a_block_missing_its_replace_marker_is_broken_and_the_next_block_survives() {
        let text =
            "<<<<<<< SEARCH\na\n=======\nb\n\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n";
        let lines: Vec<&str> = text.lines().collect();
        let (items, next) = read_blocks(&lines, 0, Some("f.py".into()), false);
        assert_eq!(next, lines.len());
        assert!(
            matches!(&items[0], Item::Broken { line: 1, reason, .. } if reason.contains("REPLACE"))
        );
        assert_eq!(
            items[1],
            Item::Block {
                path: Some("f.py".into()),
                search: "c\n".into(),
                replace: "d\n".into()
            }
        );
    }

    #[test]
    fn in_a_fence_lines_between_blocks_are_skipped() {
        let text = "<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n...\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(read_blocks(&lines, 0, None, true).0.len(), 2);
        assert_eq!(read_blocks(&lines, 0, None, false).0.len(), 1);
    }

    #[test]
    fn a_cut_off_block_is_broken() {
        let lines = ["<<<<<<< SEARCH", "a", "======="];
        let (items, _) = read_blocks(&lines, 0, None, false);
        assert!(matches!(&items[0], Item::Broken { reason, .. } if reason.contains("cut off")));
    }
}
