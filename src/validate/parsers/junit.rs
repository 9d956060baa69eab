//! JUnit XML: tests/failures/errors/skipped summed over the report's test suites.

use super::TestCounts;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::path::Path;

/// One suite's own attributes.
#[derive(Debug, Default, Clone, Copy)]
struct SuiteCounts {
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
}

impl SuiteCounts {
    fn add(&mut self, other: SuiteCounts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    /// Skipped tests count neither way; errors count as failures.
    fn to_counts(self) -> TestCounts {
        let counted = self.tests.saturating_sub(self.skipped);
        let failed = (self.failures + self.errors).min(counted);
        TestCounts::from_outcomes(counted - failed, failed)
    }
}

/// Counts from the report at `path` (`shown` is how the contract names it); a missing or
/// unreadable report gives no counts and a note saying why.
pub(super) fn parse_file(path: &Path, shown: &str) -> (Option<TestCounts>, Option<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (
                None,
                Some(format!(
                    "junit report `{shown}` was not written; scored by exit code"
                )),
            );
        }
        Err(e) => {
            return (
                None,
                Some(format!(
                    "cannot read junit report `{shown}`: {e}; scored by exit code"
                )),
            );
        }
    };
    match parse(&text) {
        Ok(counts) => (Some(counts), None),
        Err(why) => (
            None,
            Some(format!("junit report `{shown}` {why}; scored by exit code")),
        ),
    }
}

/// Sums the innermost `<testsuite>` elements (outer ones often repeat their children's totals);
/// a report with only a `<testsuites>` element uses its totals.
fn parse(xml: &str) -> Result<TestCounts, String> {
    let mut reader = Reader::from_str(xml);
    // For each open <testsuite>: its counts and whether it holds another suite.
    let mut open: Vec<(SuiteCounts, bool)> = Vec::new();
    let mut leaves = SuiteCounts::default();
    let mut found_suite = false;
    let mut root_totals: Option<SuiteCounts> = None;
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "is not valid XML (at byte {}): {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                depth += 1;
                match e.local_name().as_ref() {
                    b"testsuite" => {
                        if let Some(parent) = open.last_mut() {
                            parent.1 = true;
                        }
                        open.push((attributes(&e)?, false));
                    }
                    b"testsuites" => root_totals = Some(attributes(&e)?),
                    _ => {}
                }
            }
            Event::Empty(e) => match e.local_name().as_ref() {
                b"testsuite" => {
                    if let Some(parent) = open.last_mut() {
                        parent.1 = true;
                    }
                    leaves.add(attributes(&e)?);
                    found_suite = true;
                }
                b"testsuites" => root_totals = Some(attributes(&e)?),
                _ => {}
            },
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if e.local_name().as_ref() == b"testsuite" {
                    if let Some((counts, has_child)) = open.pop() {
                        if !has_child {
                            leaves.add(counts);
                        }
                        found_suite = true;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth > 0 {
        return Err("ends before its elements are closed".into());
    }
    match (found_suite, root_totals) {
        (true, _) => Ok(leaves.to_counts()),
        (false, Some(totals)) => Ok(totals.to_counts()),
        (false, None) => Err("has no <testsuite> element".into()),
    }
}

fn attributes(e: &BytesStart<'_>) -> Result<SuiteCounts, String> {
    let mut c = SuiteCounts::default();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("has a malformed attribute: {err}"))?;
        let slot = match attr.key.local_name().as_ref() {
            b"tests" => &mut c.tests,
            b"failures" => &mut c.failures,
            b"errors" => &mut c.errors,
            b"skipped" | b"disabled" => &mut c.skipped,
            _ => continue,
        };
        let value = attr
            .unescape_value()
            .map_err(|err| format!("has a malformed attribute: {err}"))?;
        *slot += value
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("has a non-numeric count `{value}`"))?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_file};
    use crate::validate::TestCounts;

    #[test]
    fn pytest_report() {
        // `python3 -m pytest -q tests --junitxml=report.xml` on sources/test_demo.py + test_pyt.py
        let xml = include_str!("../../../tests/data/parsers/pytest_junit.xml");
        assert_eq!(
            parse(xml),
            Ok(TestCounts {
                passed: 4,
                total: 8
            })
        );
    }

    #[test]
    fn nested_suites_are_not_counted_twice() {
        let xml = r#"<testsuites tests="5" failures="1">
            <testsuite name="all" tests="5" failures="1">
              <testsuite name="a" tests="3" failures="1"/>
              <testsuite name="b" tests="2" skipped="1"></testsuite>
            </testsuite>
            <testsuite name="c" tests="1" errors="1"/>
          </testsuites>"#;
        assert_eq!(
            parse(xml),
            Ok(TestCounts {
                passed: 3,
                total: 5
            })
        );
    }

    #[test]
    fn totals_only_on_the_root() {
        let xml = r#"<?xml version="1.0"?><testsuites tests="4" failures="1" errors="1"/>"#;
        assert_eq!(
            parse(xml),
            Ok(TestCounts {
                passed: 2,
                total: 4
            })
        );
    }

    #[test]
    fn missing_file_is_a_note_not_a_crash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (counts, note) = parse_file(&dir.path().join("junit.xml"), "junit.xml");
        assert_eq!(counts, None);
        assert!(note.is_some_and(|n| n.contains("`junit.xml` was not written")));
    }

    #[test]
    fn malformed_reports_are_notes() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (body, expect) in [
            (
                "<testsuite tests=\"3\"><testcase></testsuite>",
                "not valid XML",
            ),
            ("<testsuites><testsuite tests=\"3\">", "ends before"),
            ("<testsuite tests=\"many\"/>", "non-numeric"),
            ("just text", "no <testsuite>"),
        ] {
            let path = dir.path().join("r.xml");
            std::fs::write(&path, body).expect("write");
            let (counts, note) = parse_file(&path, "r.xml");
            assert_eq!(counts, None, "{body}");
            let note = note.unwrap_or_default();
            assert!(note.contains(expect), "{body}: {note}");
        }
    }
}
