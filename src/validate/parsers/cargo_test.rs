//! `cargo test`: libtest's "test result:" line of every test binary, doctests included.

use super::{TestCounts, regex};
use regex::Regex;
use std::sync::LazyLock;

static RESULT: LazyLock<Option<Regex>> =
    LazyLock::new(|| regex(r"(?m)^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed;"));

/// Ignored, measured and filtered-out tests count neither way.
pub(super) fn parse(output: &str) -> Option<TestCounts> {
    let re = RESULT.as_ref()?;
    let (mut passed, mut failed) = (0u64, 0u64);
    let mut found = false;
    for c in re.captures_iter(output) {
        passed += c[1].parse::<u64>().ok()?;
        failed += c[2].parse::<u64>().ok()?;
        found = true;
    }
    found.then(|| TestCounts::from_outcomes(passed, failed))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::validate::TestCounts;

    #[test]
    fn sums_unit_integration_and_doc_tests() {
        // `cargo test --no-fail-fast` on sources/tinycrate_lib.rs + sources/tinycrate_api.rs
        let out = include_str!("../../../tests/data/parsers/cargo_test_failed.txt");
        assert_eq!(
            parse(out),
            Some(TestCounts {
                passed: 4,
                total: 7
            })
        );
    }

    #[test]
    fn compile_error_has_no_counts() {
        let out =
            "error[E0425]: cannot find value `x` in this scope\nerror: could not compile `tiny`\n";
        assert_eq!(parse(out), None);
    }
}
