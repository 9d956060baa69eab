//! Diagnostics in rustc's layout — a message line, then `--> file:line:col` and an annotated
//! snippet — as printed by rustc, clippy and ruff; plus rustc errors that have no location.

use super::item::{Findings, Item, Severity, clip, head, shape};
use regex::Regex;
use std::sync::LazyLock;

static ARROW: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*--> (\S+?:\d+(?::\d+)?)").ok());
static RUSTC: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^(error|warning|note|help)(?:\[(\w+)\])?: (.+)$").ok());
static RULE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^([A-Z]+[0-9]+)\b").ok());
static LINT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:#|clippy::)([a-z_-]+)").ok());
static SOURCE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\s*\d+\s*\|").ok());
static SNIPPET: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^\s*\d*\s*\|(.*)$").ok());

/// Snippet and note lines kept under a diagnostic.
const BODY_LINES: usize = 8;

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        let line = head(lines[i]);
        let located = !line.is_empty()
            && !line.starts_with(' ')
            && lines.get(i + 1).is_some_and(|next| {
                next.trim_start().starts_with("--> ")
                    && ARROW.as_ref().is_some_and(|re| re.is_match(head(next)))
            });
        let maybe_rustc = ["error", "warning", "note", "help"]
            .iter()
            .any(|w| line.starts_with(w));
        let rustc = maybe_rustc
            .then(|| RUSTC.as_ref()?.captures(line))
            .flatten();
        if !located {
            if let Some(c) = rustc
                && &c[1] == "error"
            {
                unlocated_error(i, &c[3], line, &mut found);
            }
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < lines.len() && !lines[end].trim().is_empty() {
            end += 1;
        }
        let body = &lines[i + 1..end];
        let location = ARROW
            .as_ref()
            .and_then(|re| re.captures(head(body[0])))
            .and_then(|c| c.get(1))
            .map_or("", |m| m.as_str())
            .to_string();
        let (severity, code, message) = match &rustc {
            Some(c) => (
                severity_of(&c[1]),
                c.get(2)
                    .map(|m| m.as_str().to_string())
                    .or_else(|| lint_name(body)),
                c[3].to_string(),
            ),
            None => {
                let code = RULE
                    .as_ref()
                    .and_then(|re| re.captures(line))
                    .map(|c| c[1].to_string());
                (Severity::Error, code, line.to_string())
            }
        };
        found.items.push(Item {
            text: render(line, body),
            lines: i..end,
            severity,
            fold_key: Some(match code {
                Some(code) => format!("rule|{code}"),
                None => format!("rustc|{}", shape(&message)),
            }),
            label: location,
        });
        i = end;
    }
    found
}

fn severity_of(word: &str) -> Severity {
    match word {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Note,
    }
}

/// A clippy lint's name, from its help URL or its `-D clippy::...` note.
fn lint_name(body: &[&str]) -> Option<String> {
    body.iter()
        .filter(|l| l.contains("rust-clippy") || l.contains("clippy::"))
        .find_map(|l| {
            LINT.as_ref()?
                .captures(head(l))
                .map(|c| c[1].replace('-', "_"))
        })
}

/// Header, location, the annotated source lines and real notes; suggestion diffs and
/// boilerplate notes left out.
fn render(header: &str, body: &[&str]) -> String {
    let mut text = clip(header);
    let mut kept = 0;
    for (n, l) in body.iter().enumerate() {
        // A `help:` at the margin starts a suggested-fix diff; its first line says enough.
        if n > 0 && (l.starts_with("help:") || l.starts_with("help[")) {
            text.push('\n');
            text.push_str(&clip(l));
            break;
        }
        // Numbered source lines are kept only where an annotation points into them.
        let unannotated_source = SOURCE.as_ref().is_some_and(|re| re.is_match(head(l)))
            && !body.get(n + 1).is_some_and(|next| is_annotation(next));
        let boring = unannotated_source
            || l.contains("for further information visit")
            || l.contains("implied by")
            || l.contains("to override `-D")
            || l.contains("on by default")
            || SNIPPET
                .as_ref()
                .and_then(|re| re.captures(head(l)))
                .is_some_and(|c| c[1].trim().is_empty());
        if boring {
            continue;
        }
        if kept == BODY_LINES {
            text.push_str("\n  …");
            break;
        }
        text.push('\n');
        text.push_str(&clip(l));
        kept += 1;
    }
    text
}

/// An unnumbered `|` line with something on it: carets, labels.
fn is_annotation(line: &str) -> bool {
    !SOURCE.as_ref().is_some_and(|re| re.is_match(head(line)))
        && SNIPPET
            .as_ref()
            .and_then(|re| re.captures(head(line)))
            .is_some_and(|c| !c[1].trim().is_empty())
}

/// `error: ...` with no location: a build that failed before compiling (missing crate, bad
/// manifest, linker). Cargo's closing lines become the summary instead.
fn unlocated_error(at: usize, message: &str, line: &str, found: &mut Findings) {
    if message.starts_with("could not compile") {
        found.summary(at, line);
        return;
    }
    if message.starts_with("test failed, to rerun") || message.starts_with("aborting due to") {
        return;
    }
    found.items.push(Item {
        text: clip(line),
        lines: at..at + 1,
        severity: Severity::Error,
        fold_key: Some(format!("rustc|{}", shape(message))),
        label: String::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(
            SOURCE.is_some()
                && ARROW.is_some()
                && RUSTC.is_some()
                && RULE.is_some()
                && LINT.is_some()
                && SNIPPET.is_some()
        );
    }
}
