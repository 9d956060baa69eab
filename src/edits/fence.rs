//! CommonMark fenced code blocks in an answer, and a path written in a fence's info string.

use super::pathline::plausible_path;

/// A CommonMark fenced code block opening: up to 3 spaces, 3+ backticks or tildes, info string.
pub(super) struct Fence {
    indent: usize,
    ch: char,
    pub(super) len: usize,
    pub(super) info: String,
}

impl Fence {
    pub(super) fn open(line: &str) -> Option<Fence> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            return None;
        }
        let rest = &line[indent..];
        let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = rest.len() - rest.trim_start_matches(ch).len();
        let info = rest[len..].trim();
        if len < 3 || (ch == '`' && info.contains('`')) {
            return None;
        }
        Some(Fence {
            indent,
            ch,
            len,
            info: info.to_string(),
        })
    }

    /// A closing fence: same character, at least as long, nothing else on the line.
    pub(super) fn closes(&self, line: &str) -> bool {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            return false;
        }
        let run = trimmed.len() - trimmed.trim_start_matches(self.ch).len();
        run >= self.len && trimmed[run..].trim().is_empty()
    }

    /// The content lines (the opening's indentation removed, as CommonMark does) and the index
    /// after the closing fence; `None` if the fence never closes.
    pub(super) fn read(&self, lines: &[&str], open_at: usize) -> Option<(Vec<String>, usize)> {
        let close = (open_at + 1..lines.len()).find(|&j| self.closes(lines[j]))?;
        let content = lines[open_at + 1..close]
            .iter()
            .map(|l| {
                let spaces = (l.len() - l.trim_start_matches(' ').len()).min(self.indent);
                l[spaces..].to_string()
            })
            .collect();
        Some((content, close + 1))
    }

    /// A path in the info string: ```` ```python src/a.py ````, ```` ```src/a.py ````,
    /// ```` ```path=src/a.py ````, ```` ```py title="src/a.py" ````, ```` ```python:src/a.py ````.
    pub(super) fn info_path(&self) -> Option<String> {
        self.info.split_whitespace().find_map(|word| {
            let value = word
                .split_once('=')
                .filter(|(k, _)| {
                    ["path", "file", "filename", "title", "name"]
                        .contains(&k.to_ascii_lowercase().as_str())
                })
                .map_or(word, |(_, v)| v);
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            let value = match value.split_once(':') {
                Some((lang, p)) if lang.chars().all(|c| c.is_ascii_alphanumeric()) => p,
                _ => value,
            };
            plausible_path(value).then(|| value.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_string_paths() {
        let path = |l: &str| Fence::open(l).and_then(|f| f.info_path());
        assert_eq!(path("```python src/a.py").as_deref(), Some("src/a.py"));
        assert_eq!(path("```src/a.py").as_deref(), Some("src/a.py"));
        assert_eq!(path("```path=src/a.py").as_deref(), Some("src/a.py"));
        assert_eq!(
            path("```py title=\"src/a.py\"").as_deref(),
            Some("src/a.py")
        );
        assert_eq!(path("```python:src/a.py").as_deref(), Some("src/a.py"));
        assert_eq!(path("~~~rust src/lib.rs").as_deref(), Some("src/lib.rs"));
        assert_eq!(path("```python"), None);
        assert_eq!(path("```"), None);
    }

    #[test]
    fn fence_rules_follow_commonmark() {
        assert!(
            Fence::open("    ```").is_none(),
            "4 spaces is indented code"
        );
        assert!(Fence::open("``").is_none());
        assert!(Fence::open("``` a`b").is_none());
        let f = Fence::open("````md").unwrap();
        assert!(!f.closes("```"));
        assert!(f.closes("`````"));
        assert!(!f.closes("```` x"));
        assert!(!f.closes("~~~~"));
    }
}
