//! Making untrusted text (from a model, a pack, a contract, a tool or a file name) safe to
//! print on a terminal: the one rule every print site of such text goes through.
//!
//! A terminal acts on control characters (ESC starts ANSI sequences that can recolour, move
//! the cursor, retitle the window or plant hyperlinks; C1 controls such as U+009B do the same
//! on some terminals) and a reader is fooled by bidirectional overrides (U+202E shows
//! `txt.exe` as `exe.txt`) and invisible characters. Each such character is shown as a visible
//! Rust-style escape (`\x1b`, `\u{202e}`) instead, so nothing is hidden and nothing acts.

use std::borrow::Cow;

/// `s` on one line: every control character, line breaks included, escaped.
pub fn safe_line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// `s` as a block of text: line breaks and tabs kept, every other dangerous character escaped.
pub fn safe_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// JSON text (as serde_json writes it) with every dangerous character inside its strings
/// written as a `\uXXXX` escape: the same JSON value, but harmless on a terminal. serde_json
/// escapes C0 controls itself, not DEL, C1 or bidirectional characters.
pub fn safe_json(json: &str) -> Cow<'_, str> {
    if !json
        .chars()
        .any(|c| dangerous(c) && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if dangerous(c) && !matches!(c, '\n' | '\t' | '\r') {
            // Every dangerous character is in the Basic Multilingual Plane: one escape each.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let kept = |c: char| keep_lines && matches!(c, '\n' | '\t');
    if !s.chars().any(|c| dangerous(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !dangerous(c) || kept(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Whether `c` acts on a terminal or hides what the text says.
fn dangerous(c: char) -> bool {
    c.is_control() // C0, DEL and C1 (U+0080..U+009F, including CSI U+009B)
        || matches!(c,
            // Bidirectional marks, embeddings, overrides and isolates.
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // Zero-width and invisible characters that make two names look the same.
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}'
            // Line and paragraph separators end a line on some terminals.
            | '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_escaped_visibly() {
        let cases = [
            ("plain text", "plain text"),
            ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
            ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
            ("a\u{9b}2Jb", "a\\u{9b}2Jb"),
            ("evil\u{202e}txt.exe", "evil\\u{202e}txt.exe"),
            ("in\u{2067}side\u{2069}", "in\\u{2067}side\\u{2069}"),
            ("zero\u{200b}width", "zero\\u{200b}width"),
            ("line\rover", "line\\x0dover"),
            ("a\nb\tc", "a\\x0ab\\x09c"),
            ("del\x7f", "del\\x7f"),
            ("café ünïcødé 名前", "café ünïcødé 名前"),
        ];
        for (input, want) in cases {
            assert_eq!(safe_line(input), want, "{input:?}");
        }
    }

    #[test]
    fn json_stays_the_same_value() {
        let value = serde_json::json!({"name": "a\u{202e}b\u{7f}c\u{9b}d\nz", "n": 1});
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = safe_json(&text);
        assert!(safe.contains("a\\u202eb\\u007fc\\u009bd\\nz"), "{safe}");
        assert!(!safe.chars().any(|c| dangerous(c) && c != '\n'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn text_keeps_its_lines_and_tabs() {
        assert_eq!(safe_text("a\n\tb\x1b[2J\r\n"), "a\n\tb\\x1b[2J\\x0d\n");
        assert!(matches!(safe_text("ok\nfine"), Cow::Borrowed(_)));
    }
}
