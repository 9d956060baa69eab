//! go test: `--- FAIL: TestX` with the `file_test.go:12: got/want` lines logged for it (in
//! either plain or -v order), panics with their first frame in user code, `FAIL pkg` lines.

use super::item::{Findings, Item, Severity, clip, head, shape};
use super::noise::without_timing;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static FAIL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\s*--- FAIL: (\S+)").ok());
static RUN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^=== RUN\s+(\S+)").ok());
static LOG: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\s+\S+\.go:\d+: ").ok());
static FRAME: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\t(\S+\.go:\d+)").ok());

/// Logged lines kept per test, and how far below a panic its user frame may be.
const LOG_LINES: usize = 10;
const PANIC_SCAN: usize = 80;

fn matches(re: &LazyLock<Option<Regex>>, line: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(head(line)))
}

fn capture<'a>(re: &LazyLock<Option<Regex>>, line: &'a str) -> Option<&'a str> {
    re.as_ref()?
        .captures(head(line))?
        .get(1)
        .map(|m| m.as_str())
}

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut failed: Vec<(&str, usize)> = Vec::new();
    let mut logs: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut current: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.contains("--- FAIL: ")
            && let Some(name) = capture(&FAIL, line)
        {
            failed.push((name, i));
            current = Some(name);
        } else if line.starts_with("=== RUN")
            && let Some(name) = capture(&RUN, line)
        {
            current = Some(name);
        } else if line.starts_with(char::is_whitespace)
            && line.contains(".go:")
            && matches(&LOG, line)
        {
            if let Some(name) = current {
                logs.entry(name).or_default().push(i);
            }
        } else if line.starts_with("panic: ") {
            found.items.push(panic(lines, i));
        } else if line.starts_with("FAIL\t") || line.starts_with("FAIL ") {
            found.summary(i, without_timing(line).replace('\t', " "));
        }
    }
    for &(name, at) in &failed {
        let own = logs.get(name).map_or(&[][..], Vec::as_slice);
        let child_failed = failed.iter().any(|(other, _)| {
            other.len() > name.len()
                && other.starts_with(name)
                && other[name.len()..].starts_with('/')
        });
        if own.is_empty() && child_failed {
            continue;
        }
        let mut text = format!("--- FAIL: {name}");
        for &l in own.iter().take(LOG_LINES) {
            text.push_str("\n    ");
            text.push_str(&clip(lines[l].trim_start()));
        }
        let first = own.first().map_or("", |&l| lines[l].trim());
        let start = own.first().map_or(at, |&l| l.min(at));
        let end = own.last().map_or(at, |&l| l.max(at)) + 1;
        found.items.push(Item {
            text,
            lines: start..end,
            severity: Severity::Error,
            fold_key: Some(format!(
                "go|{}",
                shape(first.split_once(": ").map_or(first, |(_, m)| m))
            )),
            label: name.to_string(),
        });
    }
    found
}

/// `panic: ...` and the first stack frame outside the Go runtime and testing package.
fn panic(lines: &[&str], at: usize) -> Item {
    let frame = lines[at + 1..]
        .iter()
        .take(PANIC_SCAN)
        .filter_map(|l| capture(&FRAME, l))
        .find(|f| !f.contains("/src/runtime/") && !f.contains("/src/testing/"));
    let mut text = clip(lines[at]);
    if let Some(frame) = frame {
        text.push_str("\n    at ");
        text.push_str(frame);
    }
    Item {
        fold_key: Some(format!("go-panic|{}", shape(lines[at]))),
        text,
        lines: at..at + 1,
        severity: Severity::Error,
        label: lines[at].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(FAIL.is_some() && RUN.is_some() && LOG.is_some() && FRAME.is_some());
    }
}
