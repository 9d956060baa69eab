//! Python unittest: the `FAIL:`/`ERROR:` blocks and the `Ran N tests` / `FAILED (...)` summary.

use super::item::{Findings, Item, Severity, clip, shape};
use super::noise::without_timing;
use super::traceback::{compact, exception_line, is_separator};

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("Ran ") && line.contains(" test") {
            summarise(lines, i, &mut found);
            i += 1;
            continue;
        }
        let header = lines.get(i + 1).copied().unwrap_or_default();
        let is_block = is_separator(line)
            && line.starts_with('=')
            && (header.starts_with("FAIL: ")
                || header.starts_with("ERROR: ")
                || header.starts_with("UNEXPECTED SUCCESS: "));
        if !is_block {
            i += 1;
            continue;
        }
        let body_start = if lines.get(i + 2).is_some_and(|l| is_separator(l)) {
            i + 3
        } else {
            i + 2
        };
        let mut end = body_start;
        while end < lines.len() && !ends_block(lines, end) {
            end += 1;
        }
        let body = compact(&lines[body_start..end]);
        let exception = exception_line(&body).unwrap_or(header).to_string();
        let name = header.split_once(": ").map_or(header, |(_, n)| n);
        let mut text = clip(header);
        for l in &body {
            text.push('\n');
            text.push_str(l);
        }
        found.items.push(Item {
            text,
            lines: i..end,
            severity: Severity::Error,
            fold_key: Some(format!("unittest|{}", shape(&exception))),
            label: name.split(' ').next().unwrap_or(name).to_string(),
        });
        i = end;
    }
    found
}

/// A block ends at the next `=====` rule, or at the `-----` rule before `Ran N tests`.
fn ends_block(lines: &[&str], at: usize) -> bool {
    let line = lines[at];
    is_separator(line)
        && (line.starts_with('=')
            || lines
                .get(at + 1)
                .is_some_and(|next| next.starts_with("Ran ")))
}

/// "Ran 5 tests in 0.001s" + "FAILED (failures=2, errors=1)" → one line without the timing.
fn summarise(lines: &[&str], ran_at: usize, found: &mut Findings) {
    let verdict = lines[ran_at + 1..]
        .iter()
        .take(3)
        .find(|l| l.starts_with("FAILED") || l.starts_with("OK"));
    let ran = without_timing(lines[ran_at]);
    match verdict {
        Some(v) => found.summary(ran_at, format!("{ran}: {}", v.trim())),
        None => found.summary(ran_at, ran),
    }
}
