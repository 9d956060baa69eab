//! Python `unittest`: "Ran N tests" followed by "OK" or "FAILED (failures=a, errors=b, ...)".

use super::{TestCounts, regex};
use regex::Regex;
use std::sync::LazyLock;

static RAN: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"(?m)^Ran (\d+) tests? in "));
static OUTCOME: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?m)^(OK|FAILED)(?: \(([^)]*)\))?\s*$"));
static FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| regex(r"([a-z ]+)=(\d+)"));

/// Sums every summary in the output, so `a && b` of two unittest runs counts both.
pub(super) fn parse(output: &str) -> Option<TestCounts> {
    let (ran_re, outcome_re, field_re) = (RAN.as_ref()?, OUTCOME.as_ref()?, FIELD.as_ref()?);
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut found = false;
    for ran in ran_re.captures_iter(output) {
        let Some(whole) = ran.get(0) else { continue };
        let tests: u64 = ran[1].parse().ok()?;
        let rest = &output[whole.end()..];
        let Some(outcome) = outcome_re.captures(rest) else {
            continue;
        };
        let (mut bad, mut not_counted) = (0u64, 0u64);
        if let Some(fields) = outcome.get(2) {
            for f in field_re.captures_iter(fields.as_str()) {
                let n: u64 = f[2].parse().ok()?;
                match f[1].trim() {
                    "failures" | "errors" | "unexpected successes" => bad += n,
                    "skipped" | "expected failures" => not_counted += n,
                    _ => {}
                }
            }
        }
        let counted = tests.saturating_sub(not_counted);
        let bad = bad.min(counted);
        passed += counted - bad;
        failed += bad;
        found = true;
    }
    found.then(|| TestCounts::from_outcomes(passed, failed))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::validate::TestCounts;

    #[test]
    fn failures_and_errors_fail_and_skips_do_not_count() {
        // `python3 -m unittest discover -s tests -q` on tests/data/parsers/sources/test_demo.py
        let out = include_str!("../../../tests/data/parsers/unittest_failed.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 3,
                total: 5
            })
        );
    }

    #[test]
    fn ok_run_passes_everything() {
        // `python3 -m unittest discover -s tests -v` on two passing tests
        let out = include_str!("../../../tests/data/parsers/unittest_ok.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 2,
                total: 2
            })
        );
    }

    #[test]
    fn ok_with_skips_and_two_runs_are_summed() {
        let out = "Ran 3 tests in 0.001s\n\nOK (skipped=1)\n...\nRan 2 tests in 0.1s\n\nFAILED (errors=2)\n";
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 2,
                total: 4
            })
        );
    }

    #[test]
    fn no_summary_is_none() {
        assert_eq!(
            parse("Traceback (most recent call last):\nImportError\n"),
            None
        );
    }
}
