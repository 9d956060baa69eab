//! Partial credit: passed/total read from a test tool's own summary output.

mod cargo_test;
mod junit;
mod pytest;
mod tap;
mod unittest;

use crate::contract::Parser;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// passed/total as found by a parser in a tool's own output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCounts {
    pub passed: u64,
    pub total: u64,
}

impl TestCounts {
    /// Counts from passed and failed tests; skipped ones count neither way.
    pub(crate) fn from_outcomes(passed: u64, failed: u64) -> Self {
        TestCounts {
            passed,
            total: passed + failed,
        }
    }
}

/// Partial credit for a parser, from output (and for junit, the XML file under `dir`).
pub fn parse_counts(parser: &Parser, output: &str, dir: &Path) -> Option<TestCounts> {
    parse_counts_noted(parser, output, dir).0
}

/// As [`parse_counts`], plus a note for the user when the parser's input could not be read.
pub(crate) fn parse_counts_noted(
    parser: &Parser,
    output: &str,
    dir: &Path,
) -> (Option<TestCounts>, Option<String>) {
    let clean = strip_ansi(output);
    let counts = match parser {
        Parser::ExitCode => None,
        Parser::Unittest => unittest::parse(&clean),
        Parser::Pytest => pytest::parse(&clean),
        Parser::CargoTest => cargo_test::parse(&clean),
        Parser::Tap => tap::parse(&clean),
        Parser::Junit(path) => return junit::parse_file(&dir.join(path), path),
    };
    (counts, None)
}

static ANSI: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]").ok());

/// Tools forced into colour still summarise the same way once the escape codes are gone.
fn strip_ansi(text: &str) -> std::borrow::Cow<'_, str> {
    match ANSI.as_ref() {
        Some(re) => re.replace_all(text, ""),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A regex that is known to be valid; `None` only if the pattern is wrong, which tests catch.
pub(crate) fn regex(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}
