//! TAP (node --test's tap reporter, bats, prove, ...): `not ok` lines with their YAML block or
//! `#` diagnostics, and the `# tests/pass/fail` counts.

use super::item::{Findings, Item, Severity, clip, head, shape};
use regex::Regex;
use std::sync::LazyLock;

static NOT_OK: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(\s*)not ok \d+(?: -)? ?(.*)$").ok());

/// YAML keys worth showing; the rest (stack, duration, failureType, code) is noise.
const KEPT_KEYS: [&str; 5] = ["location:", "error:", "message:", "expected:", "actual:"];
const COUNT_KEYS: [&str; 3] = ["# tests ", "# pass ", "# fail "];
/// Diagnostic lines kept per failing test, and continuation lines per YAML value.
const DETAIL_LINES: usize = 24;
const VALUE_LINES: usize = 8;

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut counts = Vec::new();
    let mut counts_at = None;
    let mut i = 0;
    while i < lines.len() {
        let line = head(lines[i]);
        for key in COUNT_KEYS {
            if let Some(n) = line.strip_prefix(key) {
                counts_at.get_or_insert(i);
                counts.push(format!("{}{n}", &key[2..]));
            }
        }
        let not_ok = line
            .trim_start()
            .starts_with("not ok")
            .then(|| NOT_OK.as_ref()?.captures(line));
        let Some(c) = not_ok.flatten() else {
            i += 1;
            continue;
        };
        let name = c.get(2).map_or("", |m| m.as_str()).trim();
        let upper = name.to_uppercase();
        let directive = upper.contains("# TODO") || upper.contains("# SKIP");
        let (details, end, parent_only) =
            details(lines, i + 1, c.get(1).map_or(0, |m| m.as_str().len()));
        if !directive && !parent_only {
            let first = details
                .iter()
                .find(|l| !l.trim_start().starts_with("location:"));
            let fold_key = format!("tap|{}", shape(first.map_or(name, |l| l.as_str())));
            let mut text = format!("not ok - {name}");
            for l in details.iter().take(DETAIL_LINES) {
                text.push('\n');
                text.push_str(l);
            }
            found.items.push(Item {
                text,
                lines: i..end,
                severity: Severity::Error,
                fold_key: Some(fold_key),
                label: name.to_string(),
            });
        }
        i = end.max(i + 1);
    }
    if let Some(at) = counts_at {
        found.summary(at, counts.join(", "));
    }
    found
}

/// A `#` diagnostic line; subtest headers and the closing counts are not diagnostics.
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#')
        && !t.starts_with("# Subtest:")
        && !COUNT_KEYS.iter().any(|k| t.starts_with(k))
}

/// Lines under a `not ok` (from `start`): a YAML block `---`…`...` or `#` comments. Returns the
/// kept lines, where the test's output ends, and whether it only reports failed subtests.
fn details(lines: &[&str], start: usize, depth: usize) -> (Vec<String>, usize, bool) {
    let mut kept = Vec::new();
    let opens_yaml = lines
        .get(start)
        .is_some_and(|l| l.trim() == "---" && indent(l) > depth);
    if !opens_yaml {
        let mut end = start;
        while end < lines.len() && is_comment(lines[end]) {
            kept.push(clip(lines[end]));
            end += 1;
        }
        return (kept, end, false);
    }
    let mut end = start + 1;
    let mut keep_key_indent: Option<usize> = None;
    let mut parent_only = false;
    let mut value_lines = 0;
    while end < lines.len() && lines[end].trim() != "..." {
        let l = head(lines[end]);
        let t = l.trim_start();
        end += 1;
        if t.starts_with("failureType: 'subtestsFailed'") {
            parent_only = true;
        }
        // Continuation lines of a kept multi-line value are deeper than its key.
        if let Some(key_indent) = keep_key_indent {
            if indent(l) > key_indent || t.is_empty() {
                if !t.is_empty() && value_lines < VALUE_LINES {
                    kept.push(clip(l));
                    value_lines += 1;
                }
                continue;
            }
            keep_key_indent = None;
        }
        if KEPT_KEYS.iter().any(|k| t.starts_with(k)) {
            kept.push(clip(l));
            keep_key_indent = Some(indent(l));
            value_lines = 0;
        }
    }
    (kept, (end + 1).min(lines.len()), parent_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_diagnostics_follow_a_failure() {
        let lines = [
            "not ok 2 - addition works",
            "#   Failed test 'addition works'",
            "#   at t/add.t line 5.",
            "ok 3 - fine",
            "# tests 3",
            "# fail 1",
        ];
        let found = recognise(&lines);
        assert_eq!(found.items.len(), 1);
        assert!(found.items[0].text.contains("at t/add.t line 5."));
        assert_eq!(found.summaries[0].text, "tests 3, fail 1");
    }

    #[test]
    fn skipped_and_todo_are_not_failures() {
        let lines = [
            "not ok 1 - later # TODO write it",
            "not ok 2 - x # skip no db",
        ];
        assert!(recognise(&lines).items.is_empty());
    }
}
