//! eslint's stylish format: a file name line, then indented `line:col  severity  message  rule`
//! lines; and its `✖ N problems` total.

use super::item::{Findings, Item, Severity, clip, head, shape};
use regex::Regex;
use std::sync::LazyLock;

static MESSAGE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s+(\d+):(\d+)\s+(error|warning)\s+(.+?)(?:\s{2,}([@\w/-]+))?\s*$").ok()
});
static TOTAL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^✖ \d+ problems? \(").ok());

fn is_message(line: &str) -> bool {
    line.starts_with(' ')
        && line.trim_start().starts_with(|c: char| c.is_ascii_digit())
        && MESSAGE.as_ref().is_some_and(|re| re.is_match(head(line)))
}

pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut file: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('✖') && TOTAL.as_ref().is_some_and(|re| re.is_match(head(line))) {
            found.summary(i, line.trim());
            continue;
        }
        if !line.is_empty() && !line.starts_with(' ') {
            let heads_a_list = lines.get(i + 1).is_some_and(|next| is_message(next));
            file = heads_a_list.then(|| line.trim());
            continue;
        }
        let Some(path) = file else { continue };
        let Some(c) = is_message(line)
            .then(|| MESSAGE.as_ref()?.captures(head(line)))
            .flatten()
        else {
            continue;
        };
        let location = format!("{path}:{}:{}", &c[1], &c[2]);
        let message = c.get(4).map_or("", |m| m.as_str());
        let rule = c.get(5).map(|m| m.as_str());
        let text = match rule {
            Some(rule) => format!("{location}: {} {message} ({rule})", &c[3]),
            None => format!("{location}: {} {message}", &c[3]),
        };
        found.items.push(Item {
            text: clip(&text),
            lines: i..i + 1,
            severity: if &c[3] == "error" {
                Severity::Error
            } else {
                Severity::Warning
            },
            fold_key: Some(match rule {
                Some(rule) => format!("rule|{rule}"),
                None => format!("eslint|{}", shape(message)),
            }),
            label: location,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert!(MESSAGE.is_some() && TOTAL.is_some());
    }

    #[test]
    fn parse_errors_without_a_rule_are_kept() {
        let lines = ["src/a.js", "  1:10  error  Parsing error: Unexpected token"];
        let found = recognise(&lines);
        assert_eq!(found.items.len(), 1);
        assert_eq!(
            found.items[0].text,
            "src/a.js:1:10: error Parsing error: Unexpected token"
        );
    }
}
