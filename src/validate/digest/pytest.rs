//! pytest: the FAILURES/ERRORS sections (failing line, `E` lines, location), the short test
//! summary for tests without a block (`-q --tb=no`), and the final counts.

use super::item::{Findings, Item, Severity, clip, head, shape};
use super::noise::without_timing;
use regex::Regex;
use std::sync::LazyLock;

static SECTION: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^={3,} (.+?) ={3,}$").ok());
static TEST_HEADER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^_{3,} (.+?) _{3,}$").ok());
static COUNTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^=*\s*(?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|warnings?|deselected|rerun)(?:, )?)+\s+in\s+[\d.]+s\b|^=*\s*no tests ran\b").ok()
});
static SHORT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(FAILED|ERROR) (\S*(?:::|\.py)\S*)(?: - (.*))?$").ok());
static LOCATION: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\S+:\d+: \S").ok());

/// `E` lines kept per failure; long diffs are mostly repetition.
const E_LINES: usize = 12;

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut shown: Vec<String> = Vec::new();
    let mut in_failures = false;
    let mut i = 0;
    while i < lines.len() {
        let line = head(lines[i]);
        if (line.contains(" in ") || line.contains("no tests ran"))
            && let Some(re) = COUNTS.as_ref()
            && re.is_match(line)
        {
            found.summary(i, without_timing(line));
            i += 1;
            continue;
        }
        if let Some(c) = section(line) {
            let title = c.get(1).map_or("", |m| m.as_str());
            in_failures = title == "FAILURES" || title == "ERRORS";
            i += 1;
            continue;
        }
        if let Some(c) = short_summary(line) {
            let id = c.get(2).map_or("", |m| m.as_str());
            if !shown.iter().any(|name| covers(name, id)) {
                let message = c.get(3).map_or("", |m| m.as_str());
                found.items.push(Item {
                    text: clip(line),
                    lines: i..i + 1,
                    severity: Severity::Error,
                    fold_key: Some(format!("pytest|{}", shape(message))),
                    label: id.to_string(),
                });
            }
            i += 1;
            continue;
        }
        let header = (in_failures && line.starts_with("___"))
            .then(|| TEST_HEADER.as_ref().and_then(|re| re.captures(line)))
            .flatten();
        let Some(name) = header
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
        else {
            i += 1;
            continue;
        };
        let mut end = i + 1;
        while end < lines.len() && !starts_next(lines[end]) {
            end += 1;
        }
        found.items.push(failure(&name, &lines[i + 1..end], i..end));
        shown.push(name);
        i = end;
    }
    found
}

fn section(line: &str) -> Option<regex::Captures<'_>> {
    if !line.starts_with("===") {
        return None;
    }
    SECTION.as_ref()?.captures(line)
}

fn short_summary(line: &str) -> Option<regex::Captures<'_>> {
    if !line.starts_with("FAILED ") && !line.starts_with("ERROR ") {
        return None;
    }
    SHORT.as_ref()?.captures(line)
}

/// The next test's header or the next section ends a failure's body.
fn starts_next(line: &str) -> bool {
    let line = head(line);
    if !line.starts_with("___") && !line.starts_with("===") {
        return false;
    }
    TEST_HEADER.as_ref().is_some_and(|re| re.is_match(line))
        || SECTION.as_ref().is_some_and(|re| re.is_match(line))
}

/// Whether a block titled `name` ("test_param[3]", "ERROR collecting a.py") already reported
/// the summary's node id ("test_a.py::test_param[3]", "a.py").
fn covers(name: &str, id: &str) -> bool {
    let last = id.rsplit("::").next().unwrap_or(id);
    name == last || name.ends_with(&format!(" {id}")) || name.ends_with(&format!(" {last}"))
}

fn failure(name: &str, body: &[&str], lines: std::ops::Range<usize>) -> Item {
    // Captured output sections follow the traceback; they are rarely what failed.
    let body_end = body
        .iter()
        .position(|l| l.starts_with("---") && l.contains(" Captured "))
        .unwrap_or(body.len());
    let body = &body[..body_end];
    let failing_line = body.iter().rposition(|l| l.starts_with('>'));
    let e_lines: Vec<&str> = body
        .iter()
        .copied()
        .filter(|l| l.starts_with("E ") || *l == "E")
        .collect();
    let location = body
        .iter()
        .rev()
        .find(|l| !l.starts_with(' ') && LOCATION.as_ref().is_some_and(|re| re.is_match(head(l))));
    let mut text = format!("FAILED {name}");
    if let Some(at) = failing_line {
        text.push('\n');
        text.push_str(&clip(body[at]));
    }
    for l in e_lines.iter().take(E_LINES) {
        text.push('\n');
        text.push_str(&clip(l));
    }
    if e_lines.len() > E_LINES {
        text.push_str(&format!("\n… ({} more lines)", e_lines.len() - E_LINES));
    }
    if e_lines.is_empty() && failing_line.is_none() {
        for l in body.iter().filter(|l| !l.trim().is_empty()).take(E_LINES) {
            text.push('\n');
            text.push_str(&clip(l));
        }
    }
    if let Some(l) = location {
        text.push('\n');
        text.push_str(&clip(l));
    }
    let first_e = e_lines
        .first()
        .map_or(name, |l| l.trim_start_matches('E').trim());
    Item {
        text,
        lines,
        severity: Severity::Error,
        fold_key: Some(format!("pytest|{}", shape(first_e))),
        label: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(
            SECTION.is_some()
                && TEST_HEADER.is_some()
                && COUNTS.is_some()
                && SHORT.is_some()
                && LOCATION.is_some()
        );
    }

    #[test]
    fn summary_lines_name_tests_without_blocks() {
        let lines = ["FAILED t.py::test_a - assert 1 == 2", "1 failed in 0.01s"];
        let found = recognise(&lines);
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].label, "t.py::test_a");
        assert_eq!(found.summaries[0].text, "1 failed");
    }
}
