//! `node --test` with the spec reporter: `✖ name` lines and the error printed under them
//! (message, diff, actual/expected, first stack frame in user code); `ℹ` counts.

use super::item::{Findings, Item, Severity, clip, head, shape};
use super::noise::without_timing;

/// Message lines kept per failing test.
const MESSAGE_LINES: usize = 12;
/// The spec reporter repeats every failure under this line; the first report is enough.
const REPEAT_HEADER: &str = "✖ failing tests:";

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut suites: Vec<&str> = Vec::new();
    let mut counts: Vec<String> = Vec::new();
    let mut counts_at = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if line == REPEAT_HEADER {
            break;
        }
        if let Some(suite) = trimmed.strip_prefix("▶ ") {
            suites.push(suite.trim());
        }
        if let Some(count) = trimmed.strip_prefix("ℹ ") {
            let keep = ["tests ", "pass ", "fail "]
                .iter()
                .any(|k| count.starts_with(k));
            if keep {
                counts_at.get_or_insert(i);
                counts.push(count.trim().to_string());
            }
        }
        let Some(name) = trimmed.strip_prefix("✖ ") else {
            i += 1;
            continue;
        };
        let name = without_timing(name);
        let depth = indent(line);
        let mut end = i + 1;
        while end < lines.len() && (lines[end].trim().is_empty() || indent(lines[end]) > depth) {
            end += 1;
        }
        let details = error_lines(&lines[i + 1..end]);
        if details.is_empty() && suites.contains(&name.as_str()) {
            i = end;
            continue;
        }
        let first = details.first().map_or(name.as_str(), |l| l.trim());
        let mut text = format!("✖ {name}");
        for l in &details {
            text.push('\n');
            text.push_str(l);
        }
        found.items.push(Item {
            fold_key: Some(format!("node-test|{}", shape(first))),
            text,
            lines: i..end,
            severity: Severity::Error,
            label: name,
        });
        i = end;
    }
    if let Some(at) = counts_at {
        found.summary(at, counts.join(", "));
    }
    found
}

/// The error's message and diff, its actual/expected/operator, and the first stack frame
/// outside node's internals.
fn error_lines(details: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_stack = false;
    let mut frame_kept = false;
    let mut message_lines = 0;
    for l in details {
        let t = head(l).trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with("at ") {
            in_stack = true;
            if !frame_kept && !t.contains("node:") {
                out.push(format!("    {}", clip(t)));
                frame_kept = true;
            }
            continue;
        }
        if in_stack {
            let property = ["actual:", "expected:", "operator:"]
                .iter()
                .any(|p| t.starts_with(p));
            if property {
                out.push(format!("    {}", clip(t)));
            }
            continue;
        }
        if message_lines < MESSAGE_LINES {
            out.push(clip(l));
            message_lines += 1;
        }
    }
    out
}
