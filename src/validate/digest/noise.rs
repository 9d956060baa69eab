//! Lines that never help a model fix anything: progress, build chatter, passed tests, timings.

use super::item::head;
use regex::Regex;
use std::sync::LazyLock;

// Patterns are constants; `None` would only mean a typo here, caught by this module's tests.
static NOISE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\s*(?:",
        // Build-tool chatter.
        r"(?:compiling|checking|downloading|downloaded|finished|running|fresh|updating|locking|blocking|installing|installed|resolving|building|linking|documenting|adding)\s",
        // pytest's session header.
        r"|collected \d+ items?|platform \w+ -- |rootdir: |cachedir: |configfile: |plugins: |=+ test session starts",
        // Progress bars and percentages.
        r"|.*\[\s*\d{1,3}%\]\s*$|[\[(|]?[=#>\-.\s]*[\])|]?\s*\d{1,3}(?:\.\d+)?%",
        // Passed tests of any runner.
        r"|.*\s\.\.\.\s+ok$|.*\sPASSED\b|✔|--- PASS:|=== (?:RUN|PAUSE|CONT)\s|ok \d+ |ok\s+\S+\s+[\d.]+m?s$|test result: ok\.",
        // Timings.
        r"|(?:done|finished|took|elapsed|real|user|sys|duration)\b.{0,40}?\d+(?:\.\d+)?\s*m?s\.?$",
        r")"
    ))
    .ok()
});

static TIMING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?:;\s*finished)?\s+in\s+\d+(?:\.\d+)?\s*m?s\b|\s*\(\d+(?:\.\d+)?\s*m?s\)|\s+\d+\.\d+m?s\b",
    )
    .ok()
});

/// True for blank lines and lines that are pure noise.
pub fn is_noise(line: &str) -> bool {
    line.trim().is_empty() || NOISE.as_ref().is_some_and(|re| re.is_match(head(line)))
}

/// A summary line without its timings and `=====` decorations.
pub fn without_timing(line: &str) -> String {
    let line = head(line).trim().trim_matches('=').trim();
    match TIMING.as_ref() {
        Some(re) => re.replace_all(line, "").trim().to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(NOISE.is_some() && TIMING.is_some());
    }

    #[test]
    fn recognises_noise() {
        for line in [
            "   Compiling forge v0.1.0 (/x)",
            "collected 8 items",
            "test_pt.py ..F.                                    [ 50%]",
            "test tests::fine ... ok",
            "✔ passes fine (0.15ms)",
            "--- PASS: TestOK (0.00s)",
            "ok  \texample.com/calc\t0.004s",
            "Done in 3.20s.",
            "  45% [=====>     ]",
            "",
        ] {
            assert!(is_noise(line), "{line:?} should be noise");
        }
        for line in [
            "error: boom",
            "FAILED test_x.py::t - assert 1 == 2",
            "Traceback (most recent call last):",
        ] {
            assert!(!is_noise(line), "{line:?} should be kept");
        }
    }

    #[test]
    fn timings_leave_summaries() {
        assert_eq!(
            without_timing("=== 5 failed, 3 passed in 0.03s ==="),
            "5 failed, 3 passed"
        );
        assert_eq!(
            without_timing("test result: FAILED. 1 passed; 3 failed; 0 ignored; finished in 0.15s"),
            "test result: FAILED. 1 passed; 3 failed; 0 ignored"
        );
        assert_eq!(
            without_timing("FAIL\texample.com/calc\t0.004s"),
            "FAIL\texample.com/calc"
        );
        assert_eq!(
            without_timing("✖ adds numbers (1.927917ms)"),
            "✖ adds numbers"
        );
    }
}
