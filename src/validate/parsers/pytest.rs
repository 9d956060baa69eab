//! pytest: the final summary line, "== 3 failed, 10 passed, 1 skipped in 0.12s ==" or its -q form.

use super::{TestCounts, regex};
use regex::Regex;
use std::sync::LazyLock;

/// A whole line made only of "N word" items and the timing, optionally framed by `=`.
static SUMMARY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    regex(r"(?m)^=*\s*((?:\d+ [a-z]+(?:, )?)+) in [\d.]+s(?: \([\d:.]+\))?\s*=*\s*$")
});
static ITEM: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(\d+) ([a-z]+)"));

/// Errors (in setup or collection) count as failures; skipped, xfailed, xpassed and
/// deselected tests count neither way.
pub(super) fn parse(output: &str) -> Option<TestCounts> {
    let (summary_re, item_re) = (SUMMARY.as_ref()?, ITEM.as_ref()?);
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut found = false;
    for line in summary_re.captures_iter(output) {
        for item in item_re.captures_iter(&line[1]) {
            let n: u64 = item[1].parse().ok()?;
            match &item[2] {
                "passed" => passed += n,
                "failed" | "error" | "errors" => failed += n,
                _ => {}
            }
        }
        found = true;
    }
    found.then(|| TestCounts::from_outcomes(passed, failed))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::validate::TestCounts;

    #[test]
    fn framed_summary_counts_errors_as_failures() {
        // `python3 -m pytest tests` on sources/test_demo.py and sources/test_pyt.py
        let out = include_str!("../../../tests/data/parsers/pytest_full.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 4,
                total: 8
            })
        );
    }

    #[test]
    fn quiet_summary() {
        // `python3 -m pytest -q tests` on the same sources
        let out = include_str!("../../../tests/data/parsers/pytest_q.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 4,
                total: 8
            })
        );
    }

    #[test]
    fn quiet_all_passed() {
        // `python3 -m pytest -q tests` on two passing tests
        let out = include_str!("../../../tests/data/parsers/pytest_ok_q.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 2,
                total: 2
            })
        );
    }

    #[test]
    fn long_runs_and_warnings() {
        let out = "===== 1 failed, 9 passed, 2 warnings in 65.12s (0:01:05) =====\n";
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 9,
                total: 10
            })
        );
    }

    #[test]
    fn prose_mentioning_passed_is_not_a_summary() {
        assert_eq!(parse("the 3 passed checks in 2s were fine\n"), None);
        assert_eq!(parse("ERROR: file or directory not found: tests\n"), None);
    }
}
