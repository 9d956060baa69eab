//! One-line diagnostics `path:line[:col]: ...` and `path(line,col): ...` — flake8, ruff
//! (concise), mypy, gcc/clang, go build/vet, tsc, shellcheck's gcc format — with the short
//! source/caret lines some of them print underneath, and their "Found N errors" lines.

use super::item::{Findings, Item, Severity, clip, head, shape};
use regex::Regex;
use std::sync::LazyLock;

static DIAGNOSTIC: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^([\w.~/\\@+-][^\s:()]*?)(?::(\d+)(?::(\d+))?|\((\d+),(\d+)\))(?::\s*| - )(.+)$")
        .ok()
});
static SEVERITY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?:(fatal error|error|warning|note|info|style)(?:\[([\w-]+)\])?:?\s+)?(?:(TS\d+):\s*)?(.*)$").ok()
});
static LEADING_RULE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^([A-Z]+\d+)\b(?: \[\*\])?\s*").ok());
static TRAILING_RULE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\s*\[(-?[\w=-]+)\]\s*$").ok());
static SNIPPET_START: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\d+ ").ok());
static WRAPPED_RULE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\[[\w-]+\]$").ok());
static FOUND: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(?:Found \d+ errors?\b|\d+ errors? generated\.)").ok());

/// Source/caret lines kept under a diagnostic, and the longest such line worth keeping.
const CONTEXT_LINES: usize = 3;
const CONTEXT_BYTES: usize = 160;

/// One parsed `path:line:col: ...` line.
struct Diagnostic {
    location: String,
    severity: Severity,
    rule: Option<String>,
    message: String,
}

fn parse(line: &str) -> Option<Diagnostic> {
    // The location is the line's first word; most lines can be ruled out without a regex.
    let first_word = line.split(char::is_whitespace).next()?;
    if !first_word.contains(':') && !first_word.contains('(') {
        return None;
    }
    let c = DIAGNOSTIC.as_ref()?.captures(head(line))?;
    let path = c.get(1)?.as_str();
    if !path.contains('.') && !path.contains('/') {
        return None;
    }
    let (line_no, col) = match (c.get(2), c.get(4)) {
        (Some(l), _) => (l.as_str(), c.get(3).map(|m| m.as_str())),
        (None, Some(l)) => (l.as_str(), c.get(5).map(|m| m.as_str())),
        (None, None) => return None,
    };
    let location = match col {
        Some(col) => format!("{path}:{line_no}:{col}"),
        None => format!("{path}:{line_no}"),
    };
    let rest = c.get(6)?.as_str();
    let s = SEVERITY.as_ref()?.captures(rest)?;
    let severity = match s.get(1).map(|m| m.as_str()) {
        Some("warning") => Severity::Warning,
        Some("note" | "info" | "style") => Severity::Note,
        _ => Severity::Error,
    };
    let mut message = s.get(4).map_or("", |m| m.as_str()).to_string();
    let mut rule = s.get(3).or(s.get(2)).map(|m| m.as_str().to_string());
    if rule.is_none()
        && let Some(r) = LEADING_RULE.as_ref()?.captures(&message)
    {
        rule = Some(r[1].to_string());
    }
    if let Some(r) = TRAILING_RULE.as_ref()?.captures(&message) {
        rule = rule.or_else(|| Some(r[1].to_string()));
        message = message[..r.get(0).map_or(message.len(), |m| m.start())].to_string();
    }
    Some(Diagnostic {
        location,
        severity,
        rule,
        message,
    })
}

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if (line.starts_with("Found ") || line.contains(" generated."))
            && FOUND.as_ref().is_some_and(|re| re.is_match(head(line)))
        {
            found.summary(i, line.trim());
            i += 1;
            continue;
        }
        let Some(d) = parse(line) else {
            i += 1;
            continue;
        };
        let mut text = clip(line);
        let mut end = i + 1;
        let mut kept = 0;
        while end < lines.len() && kept < CONTEXT_LINES {
            let next = lines[end];
            let after_blank = next.trim().is_empty()
                && kept == 0
                && lines.get(end + 1).is_some_and(|l| {
                    SNIPPET_START
                        .as_ref()
                        .is_some_and(|re| re.is_match(head(l)))
                });
            if after_blank {
                end += 1;
                continue;
            }
            if !is_context(next) {
                break;
            }
            if next.len() <= CONTEXT_BYTES {
                text.push('\n');
                text.push_str(&clip(next));
            }
            kept += 1;
            end += 1;
        }
        found.items.push(Item {
            text,
            lines: i..end,
            severity: d.severity,
            fold_key: Some(match &d.rule {
                Some(rule) => format!("rule|{rule}"),
                None => format!("lint|{}", shape(&d.message)),
            }),
            label: d.location,
        });
        i = end;
    }
    found
}

/// A line printed under a diagnostic: an indented snippet or caret, tsc's numbered snippet,
/// or a rule code mypy wrapped onto its own line.
fn is_context(line: &str) -> bool {
    let line = head(line);
    if line.trim().is_empty() {
        return false;
    }
    // Diagnostics start at the margin, so indented lines need no parsing.
    if line.starts_with(' ') || line.starts_with('\t') {
        return true;
    }
    let snippet = SNIPPET_START.as_ref().is_some_and(|re| re.is_match(line))
        || WRAPPED_RULE.as_ref().is_some_and(|re| re.is_match(line));
    snippet && parse(line).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(
            DIAGNOSTIC.is_some()
                && SEVERITY.is_some()
                && LEADING_RULE.is_some()
                && TRAILING_RULE.is_some()
        );
        assert!(SNIPPET_START.is_some() && WRAPPED_RULE.is_some() && FOUND.is_some());
    }

    #[test]
    fn parses_each_dialect() {
        let cases = [
            (
                "a.py:1:8: F401 'os' imported but unused",
                "a.py:1:8",
                Some("F401"),
                Severity::Error,
            ),
            (
                "a.py:6: error: Bad return  [return-value]",
                "a.py:6",
                Some("return-value"),
                Severity::Error,
            ),
            (
                "ts/a.ts(4,7): error TS2322: Type 'x'.",
                "ts/a.ts:4:7",
                Some("TS2322"),
                Severity::Error,
            ),
            (
                "ts/a.ts:4:7 - error TS2322: Type 'x'.",
                "ts/a.ts:4:7",
                Some("TS2322"),
                Severity::Error,
            ),
            (
                "m.c:3:11: warning: init [-Wint-conversion]",
                "m.c:3:11",
                Some("-Wint-conversion"),
                Severity::Warning,
            ),
            (
                "./b.go:4:17: cannot use n",
                "./b.go:4:17",
                None,
                Severity::Error,
            ),
            (
                "x.sh:3:8: note: Double quote [SC2086]",
                "x.sh:3:8",
                Some("SC2086"),
                Severity::Note,
            ),
        ];
        for (line, location, rule, severity) in cases {
            let d = parse(line);
            assert!(d.is_some(), "{line} should parse");
            if let Some(d) = d {
                assert_eq!(d.location, location, "{line}");
                assert_eq!(d.rule.as_deref(), rule, "{line}");
                assert_eq!(d.severity, severity, "{line}");
            }
        }
        for line in [
            "12:30:45 started",
            "http://x.test:80/a: ok",
            "note: something",
            "thread 'a' panicked at a.rs:1:2:",
        ] {
            assert!(parse(line).is_none(), "{line} should not parse");
        }
    }
}
