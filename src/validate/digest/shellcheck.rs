//! shellcheck's default (tty) format: `In x.sh line 3:`, the code line, caret lines with
//! `SCxxxx (severity): message`, and an optional `Did you mean:` fix.

use super::item::{Findings, Item, Severity, clip, head};
use regex::Regex;
use std::sync::LazyLock;

static BLOCK: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^In (.+) line (\d+):$").ok());
static CARET: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*\^[-^]*\s+(SC\d+)(?: \((\w+)\))?: (.+)$").ok());

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        let line = head(lines[i]);
        let block = (line.starts_with("In ") && line.ends_with(':'))
            .then(|| BLOCK.as_ref()?.captures(line));
        let Some(c) = block.flatten() else {
            i += 1;
            continue;
        };
        let location = format!("{}:{}", &c[1], &c[2]);
        let code = lines.get(i + 1).map_or("", |l| l.trim());
        let mut end = i + 2;
        let first_item = found.items.len();
        while end < lines.len() && !lines[end].trim().is_empty() {
            if let Some(m) = CARET.as_ref().and_then(|re| re.captures(head(lines[end]))) {
                let severity = match m.get(2).map(|s| s.as_str()) {
                    Some("error") => Severity::Error,
                    Some("warning") => Severity::Warning,
                    _ => Severity::Note,
                };
                let level = m
                    .get(2)
                    .map_or(String::new(), |s| format!(" ({})", s.as_str()));
                found.items.push(Item {
                    text: format!(
                        "{location}: {}{level}: {}\n  {}",
                        &m[1],
                        clip(&m[3]),
                        clip(code)
                    ),
                    lines: end..end + 1,
                    severity,
                    fold_key: Some(format!("rule|{}", &m[1])),
                    label: location.clone(),
                });
            }
            end += 1;
        }
        // "Did you mean:" follows after a blank line, then the fixed line(s).
        if lines
            .get(end + 1)
            .is_some_and(|l| l.trim() == "Did you mean:")
        {
            let fix_end = lines[end + 2..]
                .iter()
                .position(|l| l.trim().is_empty())
                .map_or(lines.len(), |p| end + 2 + p);
            let fix: Vec<String> = lines[end + 2..fix_end]
                .iter()
                .take(3)
                .map(|l| clip(l.trim()))
                .collect();
            if let Some(last) = found.items[first_item..].last_mut() {
                last.text
                    .push_str(&format!("\n  did you mean: {}", fix.join(" ")));
            }
            end = fix_end;
        }
        if let Some(first) = found.items.get_mut(first_item) {
            first.lines.start = i;
        }
        i = end.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(BLOCK.is_some() && CARET.is_some());
    }
}
