//! What recognisers hand back: the findings of one tool family, in the digest's own vocabulary.

use std::ops::Range;

/// How much a finding matters to the model; errors are shown first and warnings cut first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One thing that went wrong, rendered for the model (possibly several lines).
#[derive(Debug, Clone)]
pub struct Item {
    pub text: String,
    /// The cleaned-output lines it came from; used to order items and to stop two recognisers
    /// reporting the same lines.
    pub lines: Range<usize>,
    pub severity: Severity,
    /// Items sharing a key are "the same problem again" and get folded.
    pub fold_key: Option<String>,
    /// A short handle (test name or `file:line`) listed when the item is folded away.
    pub label: String,
}

/// A tool's own summary line ("5 failed, 3 passed"), shown at the top of the digest.
#[derive(Debug, Clone)]
pub struct Summary {
    pub text: String,
    pub line: usize,
}

/// Everything one recogniser found.
#[derive(Debug, Default)]
pub struct Findings {
    pub summaries: Vec<Summary>,
    pub items: Vec<Item>,
}

impl Findings {
    pub fn summary(&mut self, line: usize, text: impl Into<String>) {
        self.summaries.push(Summary {
            text: text.into(),
            line,
        });
    }
}

/// Longest line kept in a digest; minified sources and data dumps produce megabyte lines.
const MAX_LINE_BYTES: usize = 300;

/// Longest prefix of a line that pattern matching looks at, so huge lines cost nothing extra.
const MATCH_BYTES: usize = 1000;

/// `line` cut to at most `max` bytes on a char boundary.
fn cut(line: &str, max: usize) -> &str {
    if line.len() <= max {
        return line;
    }
    let mut end = max;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

/// The part of a line worth matching patterns against.
pub fn head(line: &str) -> &str {
    cut(line, MATCH_BYTES)
}

/// A line as shown to the model: trailing space dropped, overlong lines shortened with `…`.
pub fn clip(line: &str) -> String {
    let line = line.trim_end();
    if line.len() <= MAX_LINE_BYTES {
        return line.to_string();
    }
    format!("{}…", cut(line, MAX_LINE_BYTES))
}

/// The shape of a message: numbers and quoted text blanked, so "`x` unused at 3" and
/// "`y` unused at 9" fold together.
pub fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    let mut last_digit = false;
    for c in head(message).chars() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
                out.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                out.push(c);
                out.push('…');
                last_digit = false;
            }
            '0'..='9' => {
                if !last_digit {
                    out.push('#');
                }
                last_digit = true;
            }
            _ => {
                out.push(c);
                last_digit = false;
            }
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_blanks_numbers_and_quotes() {
        assert_eq!(
            shape("'os' imported but unused"),
            shape("'sys' imported but unused")
        );
        assert_eq!(shape("assert 0 == 1"), "assert # == #");
        assert_ne!(shape("assert 0 == 1"), shape("assert 0 < 1"));
    }

    #[test]
    fn clip_shortens_long_lines_on_char_boundaries() {
        let long = "é".repeat(400);
        let clipped = clip(&long);
        assert!(clipped.len() <= MAX_LINE_BYTES + '…'.len_utf8());
        assert!(clipped.ends_with('…'));
    }
}
