//! Line keys for tolerant matching: typographic quotes, dashes and ellipses read as their ASCII
//! forms, whitespace runs as one space. Used to compare only; the file's own text is kept.

/// The ASCII form of a typographic character, if it has one.
fn ascii(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => " ",
        _ => return None,
    })
}

/// `line` with typographic characters in their ASCII form; whitespace kept.
pub(super) fn typographic(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match ascii(c) {
            Some(a) => out.push_str(a),
            None => out.push(c),
        }
    }
    out
}

/// The loose key of a line: typographic characters in ASCII, ends trimmed, inner whitespace
/// runs as one space.
pub(super) fn loose(line: &str) -> String {
    let t = typographic(line);
    let mut out = String::with_capacity(t.len());
    for word in t.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typographic_and_whitespace_differences_vanish() {
        assert_eq!(
            loose("  msg = \u{201C}it\u{2019}s \u{2014} done\u{2026}\u{201D}\t "),
            "msg = \"it's - done...\""
        );
        assert_eq!(loose("a \t  b"), "a b");
        assert_eq!(typographic("\t\u{2018}x\u{2019} "), "\t'x' ");
    }
}
