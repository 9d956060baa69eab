//! Failure digests: from a failed tool's raw output, the compact part a model can act on.
//!
//! The output is cleaned of terminal escapes, every recogniser picks out the lines of its tool
//! family (no tool name is needed), findings are ordered errors-first, repeats are folded and
//! the result is cut to the token cap at item boundaries. Output no recogniser understands
//! gets the first error-looking block and the tail.

mod ansi;
mod cap;
mod cargo_test;
mod eslint;
mod fallback;
mod fold;
mod go;
mod item;
mod lint_lines;
mod node_test;
mod noise;
mod pytest;
mod rustc_style;
mod shellcheck;
mod tap;
mod traceback;
mod unittest;

use item::{Findings, Item, Summary};

/// Terminal escapes removed from one line, as the digest sees it.
pub(crate) fn clean_line(line: &str) -> String {
    ansi::clean(line)
}

/// A line's shape (numbers and quoted text blanked), to group lines that say the same thing.
pub(crate) fn shape(line: &str) -> String {
    item::shape(line)
}

/// Shown when a failed tool printed nothing at all.
const NO_OUTPUT: &str = "(no output)";

/// Recognisers, most specific first: lines claimed by one are not reported again by a later
/// one (pytest's `file:line: Error` location lines are not lint diagnostics, unittest's
/// tracebacks are not stray crashes).
const RECOGNISERS: [fn(&[&str]) -> Findings; 11] = [
    cargo_test::recognise,
    rustc_style::recognise,
    unittest::recognise,
    pytest::recognise,
    traceback::recognise,
    node_test::recognise,
    tap::recognise,
    go::recognise,
    shellcheck::recognise,
    eslint::recognise,
    lint_lines::recognise,
];

/// A compact digest of a failed tool's output for the model, at most `cap_tokens` tokens.
pub fn digest(output: &str, cap_tokens: usize) -> String {
    digest_with_noted(output, &[], cap_tokens)
}

/// [`digest`] of captured output whose middle was dropped, with the lines of note kept from
/// that middle (see `validate::noted`) placed where they were, at the omission marker.
pub fn digest_with_noted(output: &str, noted: &[String], cap_tokens: usize) -> String {
    let cleaned = ansi::clean(output);
    let lines: Vec<&str> = cleaned.lines().collect();
    if lines.iter().all(|l| l.trim().is_empty()) && noted.is_empty() {
        return cap::fit(&[NO_OUTPUT.to_string()], cap_tokens);
    }
    let (summaries, mut items) = recognise(&lines);
    if items.is_empty() {
        items = fallback::items(&lines);
    }
    if !noted.is_empty() {
        let at = lines
            .iter()
            .position(|l| l.starts_with("[... ") && l.contains(" bytes omitted"))
            .unwrap_or(lines.len());
        items.push(Item {
            text: format!(
                "from the middle of the output (lines of note):\n{}",
                noted.join("\n")
            ),
            lines: at..at + 1,
            severity: item::Severity::Error,
            fold_key: None,
            label: String::new(),
        });
    }
    // Errors before warnings before notes, each in output order: the first error of a build
    // leads, and a cap cuts warnings first.
    items.sort_by_key(|i| (i.severity, i.lines.start));
    let parts: Vec<String> = summaries
        .into_iter()
        .map(|s| s.text)
        .chain(fold::fold(items).into_iter().map(|i| i.text))
        .collect();
    cap::fit(&parts, cap_tokens)
}

/// Every recogniser's findings, without lines reported twice.
fn recognise(lines: &[&str]) -> (Vec<Summary>, Vec<Item>) {
    let mut claimed = vec![false; lines.len()];
    let mut summaries: Vec<Summary> = Vec::new();
    let mut items = Vec::new();
    for recogniser in RECOGNISERS {
        let found = recogniser(lines);
        // One recogniser's items may interleave (go -v logs a test's lines before its FAIL
        // line), so claims only hold against the recognisers that ran before it.
        let mut claims = Vec::new();
        for item in found.items {
            let span = item.lines.start..item.lines.end.min(lines.len());
            if claimed[span.clone()].iter().any(|&c| c) {
                continue;
            }
            claims.push(span);
            items.push(item);
        }
        for summary in found.summaries {
            if claimed.get(summary.line).is_some_and(|&c| !c) {
                claims.push(summary.line..summary.line + 1);
                summaries.push(summary);
            }
        }
        for span in claims {
            claimed[span].iter_mut().for_each(|c| *c = true);
        }
    }
    summaries.sort_by_key(|s| s.line);
    (summaries, items)
}
