//! TAP: `ok`/`not ok` lines with SKIP/TODO directives and the plan, or node --test's
//! "# pass N" / "# fail N" totals when present.

use super::{TestCounts, regex};
use regex::Regex;
use std::sync::LazyLock;

/// Only unindented lines: indented ones belong to subtests their parent line already sums up.
static TEST_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?m)^(not )?ok\b(.*)$"));
static DIRECTIVE: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?i)(?:^|[^\\])#\s*(skip|todo)\b"));
static PLAN: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?m)^1\.\.(\d+)"));
static NODE_TOTAL: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?m)^# (pass|fail|cancelled) (\d+)\s*$"));

pub(super) fn parse(output: &str) -> Option<TestCounts> {
    node_totals(output).or_else(|| test_lines(output))
}

/// node --test counts nested subtests itself; cancelled tests count as failures.
fn node_totals(output: &str) -> Option<TestCounts> {
    let re = NODE_TOTAL.as_ref()?;
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut found = false;
    for c in re.captures_iter(output) {
        let n: u64 = c[2].parse().ok()?;
        match &c[1] {
            "pass" => passed += n,
            _ => failed += n,
        }
        found = true;
    }
    found.then(|| TestCounts::from_outcomes(passed, failed))
}

/// Skipped and TODO tests count neither way; planned tests that never reported count as
/// failures (the producer crashed or bailed out).
fn test_lines(output: &str) -> Option<TestCounts> {
    let (line_re, directive_re, plan_re) =
        (TEST_LINE.as_ref()?, DIRECTIVE.as_ref()?, PLAN.as_ref()?);
    let (mut passed, mut failed, mut seen) = (0u64, 0u64, 0u64);
    for c in line_re.captures_iter(output) {
        seen += 1;
        if directive_re.is_match(&c[2]) {
            continue;
        }
        if c.get(1).is_some() {
            failed += 1;
        } else {
            passed += 1;
        }
    }
    let mut planned = 0u64;
    let mut has_plan = false;
    for c in plan_re.captures_iter(output) {
        planned += c[1].parse::<u64>().ok()?;
        has_plan = true;
    }
    if seen == 0 && !has_plan {
        return None;
    }
    failed += planned.saturating_sub(seen);
    Some(TestCounts::from_outcomes(passed, failed))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::validate::TestCounts;

    #[test]
    fn node_test_totals_include_subtests() {
        // `node --test --test-reporter=tap` on sources/slug.test.js
        let out = include_str!("../../../tests/data/parsers/node_tap.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 2,
                total: 5
            })
        );
    }

    #[test]
    fn node_output_without_totals_counts_top_level_lines() {
        let out = include_str!("../../../tests/data/parsers/node_tap.txt");
        let cut = out.find("# tests").unwrap_or(out.len());
        assert_eq!(
            parse(&out[..cut]),
            Some(TestCounts {
                passed: 1,
                total: 3
            })
        );
    }

    #[test]
    fn skip_todo_and_a_crash_before_the_plan_is_done() {
        // `perl slug.t` on sources/slug.t (Test::More, plan of 6, dies after 5)
        let out = include_str!("../../../tests/data/parsers/perl_tap.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 2,
                total: 4
            })
        );
    }

    #[test]
    fn escaped_hash_is_not_a_directive() {
        let out = "1..2\nok 1 - handles \\# skip in names\nnot ok 2\n";
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 1,
                total: 2
            })
        );
    }

    #[test]
    fn no_tap_is_none() {
        assert_eq!(parse("Error: Cannot find module 'x'\n"), None);
    }
}
