//! Recognising a file path in the lines models write around their edits.

use std::sync::LazyLock;

use regex::Regex;

use super::blocks::pattern;

/// The path alone on the line just before `at` (one blank line may come between).
pub(super) fn path_before(lines: &[&str], at: usize) -> Option<String> {
    let mut j = at.checked_sub(1)?;
    if lines[j].trim().is_empty() {
        j = j.checked_sub(1)?;
    }
    clean_path_line(lines[j])
}

static LABEL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    pattern(r"(?i)^[*_]{0,2}(?:file|filename|path)[*_]{0,2}(?:\s*:\s*|\s+)[*_]{0,2}\s*")
});
static BULLET: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^(?:[-*+]|\d+[.)])\s+"));
static HEADING: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^#{1,6}(?:\s+|$)"));

/// A line that is only a path, once headings, bullets, `File:` labels, bold, backticks and a
/// trailing colon are taken away; `None` for prose.
pub(super) fn clean_path_line(line: &str) -> Option<String> {
    let s = line.trim();
    let s = HEADING
        .as_ref()
        .and_then(|r| r.find(s))
        .map_or(s, |m| &s[m.end()..]);
    let s = BULLET
        .as_ref()
        .and_then(|r| r.find(s))
        .map_or(s, |m| &s[m.end()..]);
    let path = strip_decoration(s);
    plausible_path(&path).then_some(path)
}

/// Remove `File:` labels, emphasis, backticks and trailing colons, in any nesting.
pub(super) fn strip_decoration(s: &str) -> String {
    let mut s = s.trim().to_string();
    loop {
        let before = s.clone();
        for wrap in ["**", "__", "`", "*"] {
            if s.len() > 2 * wrap.len() && s.starts_with(wrap) && s.ends_with(wrap) {
                s = s[wrap.len()..s.len() - wrap.len()].to_string();
            }
        }
        if let Some(m) = LABEL.as_ref().and_then(|r| r.find(&s)) {
            s = s[m.end()..].to_string();
        }
        s = s.trim().trim_end_matches(':').trim().to_string();
        if s == before {
            return s;
        }
    }
}

/// Files that commonly have no extension but are clearly files.
const BARE_NAMES: &[&str] = &[
    "Makefile",
    "Dockerfile",
    "Containerfile",
    "Justfile",
    "Gemfile",
    "Rakefile",
    "Procfile",
    "Vagrantfile",
];

/// Looks like a path, not a word: no spaces or markup, and a slash, an extension with a letter,
/// or a well-known extensionless file name.
pub(super) fn plausible_path(s: &str) -> bool {
    if s.is_empty()
        || s.len() > 255
        || s.contains("://")
        || s.ends_with('/')
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "`*<>|\"'{};$".contains(c))
    {
        return false;
    }
    let name = s.rsplit('/').next().unwrap_or(s);
    let has_ext = name.rsplit_once('.').is_some_and(|(_, ext)| {
        !ext.is_empty()
            && ext.chars().any(|c| c.is_ascii_alphabetic())
            && ext
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    });
    let has_dir = s.contains('/') && s.split('/').all(|p| !p.is_empty());
    has_ext || has_dir || BARE_NAMES.contains(&name)
}

/// The one path a sentence introducing a fence names ("Here is the updated `src/a.py`:"); `None`
/// when the line does not end with a colon or names no path, or more than one.
pub(super) fn path_in_prose(line: &str) -> Option<String> {
    let s = line.trim();
    if !s.ends_with(':') || s.len() > 300 {
        return None;
    }
    let mut found: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        let word = word.trim_matches(|c: char| "`*_\"'(),:;".contains(c));
        let word = word.strip_suffix('.').unwrap_or(word);
        if (word.contains('/') || word.contains('.'))
            && plausible_path(word)
            && !found.iter().any(|f| f == word)
        {
            found.push(word.to_string());
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        for re in [&LABEL, &BULLET, &HEADING] {
            assert!(re.is_some());
        }
    }

    #[test]
    fn the_path_a_sentence_introduces() {
        assert_eq!(
            path_in_prose("Here is the updated `src/a.py`:").as_deref(),
            Some("src/a.py")
        );
        assert_eq!(
            path_in_prose("Updated calc.py:").as_deref(),
            Some("calc.py")
        );
        assert_eq!(path_in_prose("Change `a.py` and `b.py`:"), None);
        assert_eq!(path_in_prose("See `src/a.py` for details."), None);
        assert_eq!(path_in_prose("Run this:"), None);
    }

    #[test]
    fn path_lines_in_their_many_dresses() {
        for line in [
            "src/a.py",
            "`src/a.py`",
            "**src/a.py**",
            "**`src/a.py`**",
            "File: src/a.py",
            "file: `src/a.py`",
            "**File:** `src/a.py`",
            "**File: src/a.py**",
            "# src/a.py",
            "## `src/a.py`:",
            "src/a.py:",
            "- `src/a.py`",
            "1. **src/a.py**",
            "Filename: src/a.py",
        ] {
            assert_eq!(clean_path_line(line).as_deref(), Some("src/a.py"), "{line}");
        }
    }

    #[test]
    fn prose_is_not_a_path() {
        for line in [
            "Here is the fix:",
            "Usage:",
            "Update `src/a.py` like this:",
            "e.g.",
            "https://example.com/a.py",
            "python3 -m unittest",
            "**Note**",
            "v1.2:",
            "",
        ] {
            assert_eq!(clean_path_line(line), None, "{line}");
        }
    }

    #[test]
    fn bare_names_and_dotfiles() {
        assert!(plausible_path("Makefile"));
        assert!(plausible_path(".gitignore"));
        assert!(plausible_path("bin/run"));
        assert!(!plausible_path("python"));
        assert!(!plausible_path("python3.11"));
    }
}
