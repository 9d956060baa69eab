//! cargo test: each failing test's `---- name stdout ----` block (panic location, message,
//! left/right) without backtraces, and the `test result: FAILED` line.

use super::item::{Findings, Item, Severity, clip, head, shape};
use super::noise::without_timing;
use regex::Regex;
use std::sync::LazyLock;

static BLOCK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^---- (\S+) std(?:out|err) ----$").ok());
static THREAD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^thread '[^']*' (?:\(\d+\) )?panicked at ").ok());
static FRAME: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\s+(?:\d+: |at )").ok());

/// Lines kept from one test's block.
const BODY_LINES: usize = 15;

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        let line = head(lines[i]);
        if line.starts_with("test result: FAILED") {
            found.summary(i, without_timing(line));
            i += 1;
            continue;
        }
        let block = line
            .starts_with("---- ")
            .then(|| BLOCK.as_ref()?.captures(line))
            .flatten();
        let Some(name) = block.and_then(|c| c.get(1)) else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while end < lines.len() && !ends_block(lines[end]) {
            end += 1;
        }
        found
            .items
            .push(failure(name.as_str(), &lines[i + 1..end], i..end));
        i = end;
    }
    found
}

fn ends_block(line: &str) -> bool {
    line.starts_with("---- ")
        || line == "failures:"
        || line == "successes:"
        || line.starts_with("test result: ")
}

fn failure(name: &str, body: &[&str], lines: std::ops::Range<usize>) -> Item {
    let mut kept: Vec<String> = Vec::new();
    let mut in_backtrace = false;
    for l in body {
        if l.starts_with("stack backtrace:") {
            in_backtrace = true;
            continue;
        }
        if in_backtrace && FRAME.as_ref().is_some_and(|re| re.is_match(head(l))) {
            continue;
        }
        in_backtrace = false;
        if l.trim().is_empty() || l.starts_with("note: ") {
            continue;
        }
        let l = match THREAD.as_ref() {
            Some(re) => re.replace(head(l), "panicked at ").into_owned(),
            None => l.to_string(),
        };
        kept.push(clip(&l));
    }
    let message: Vec<String> = kept
        .iter()
        .skip_while(|l| !l.starts_with("panicked at "))
        .skip(1)
        .take(3)
        .map(|l| shape(l))
        .collect();
    let mut text = format!("FAILED {name}");
    for l in kept.iter().take(BODY_LINES) {
        text.push_str("\n  ");
        text.push_str(l);
    }
    if kept.len() > BODY_LINES {
        text.push_str(&format!("\n  … ({} more lines)", kept.len() - BODY_LINES));
    }
    Item {
        text,
        lines,
        severity: Severity::Error,
        fold_key: Some(format!("cargo-test|{}", message.join("|"))),
        label: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(BLOCK.is_some() && THREAD.is_some() && FRAME.is_some());
    }
}
