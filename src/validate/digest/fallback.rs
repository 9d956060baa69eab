//! For output no recogniser understood: the first error-looking block with a little context,
//! then the tail, both without noise lines.

use super::item::{Item, Severity, clip, head};
use super::noise::is_noise;
use regex::Regex;
use std::sync::LazyLock;

static ERRORISH: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:error|errors|fail|failed|failure|failures|panic|panicked|exception|traceback|fatal|abort(?:ed)?)\b").ok()
});
/// "0 errors", "failures=0" and the like are not problems.
static NO_PROBLEM: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b0 (?:errors?|failures?|failed)\b|\b(?:errors?|failures?)[=:] ?0\b").ok()
});

const CONTEXT_BEFORE: usize = 2;
const BLOCK_LINES: usize = 20;
const TAIL_LINES: usize = 15;

fn is_errorish(line: &str) -> bool {
    let line = head(line);
    ERRORISH.as_ref().is_some_and(|re| re.is_match(line))
        && !NO_PROBLEM.as_ref().is_some_and(|re| re.is_match(line))
}

/// The first error block and the tail, as separate items so a cap cuts between them.
pub fn items(lines: &[&str]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut block_end = 0;
    if let Some(first) = lines.iter().position(|l| is_errorish(l)) {
        let before: Vec<usize> = (0..first)
            .rev()
            .take_while(|&i| !lines[i].trim().is_empty())
            .filter(|&i| !is_noise(lines[i]))
            .take(CONTEXT_BEFORE)
            .collect();
        let start = before.last().copied().unwrap_or(first);
        let mut end = first + 1;
        while end < lines.len() && end - first < BLOCK_LINES && !lines[end].trim().is_empty() {
            end += 1;
        }
        items.push(item(lines, start..end));
        block_end = end;
    }
    let tail_start = tail_start(lines, block_end);
    if tail_start < lines.len() {
        items.push(item(lines, tail_start..lines.len()));
    }
    items
}

/// Where the last `TAIL_LINES` useful lines begin (never before `after`).
fn tail_start(lines: &[&str], after: usize) -> usize {
    let mut kept = 0;
    let mut start = lines.len();
    while start > after && kept < TAIL_LINES {
        start -= 1;
        if !is_noise(lines[start]) {
            kept += 1;
        }
    }
    start
}

fn item(lines: &[&str], range: std::ops::Range<usize>) -> Item {
    let text: Vec<String> = lines[range.clone()]
        .iter()
        .filter(|l| !is_noise(l))
        .map(|l| clip(l))
        .collect();
    Item {
        text: text.join("\n"),
        lines: range,
        severity: Severity::Error,
        fold_key: None,
        label: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(ERRORISH.is_some() && NO_PROBLEM.is_some());
    }

    #[test]
    fn first_error_block_then_tail() {
        let mut lines = vec!["starting", "loading config"];
        lines.extend(["step"; 100]);
        lines.extend([
            "ERROR: could not open db.sqlite",
            "  caused by: permission denied",
            "",
        ]);
        lines.extend(["working"; 100]);
        lines.extend(["0 errors in cleanup", "exit status 3"]);
        let items = items(&lines);
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].text,
            "step\nstep\nERROR: could not open db.sqlite\n  caused by: permission denied"
        );
        assert!(
            items[1]
                .text
                .ends_with("0 errors in cleanup\nexit status 3")
        );
        assert_eq!(items[1].text.lines().count(), TAIL_LINES);
    }
}
