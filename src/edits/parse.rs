//! Reading file edits out of a model's answer: `### FILE:` / `### EDIT:` sections and the common
//! variants models produce (path on the line before a fence, path in the fence's info string).

use std::sync::LazyLock;

use regex::Regex;

/// One file change the model proposed, before any safety check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposedEdit {
    /// The whole new content of a file; it always ends with a newline unless empty.
    WholeFile { path: String, content: String },
    /// `(search, replace)` pairs in answer order; each side is whole lines, each ending in `\n`.
    SearchReplace {
        path: String,
        blocks: Vec<(String, String)>,
    },
}

impl ProposedEdit {
    /// The path as the model wrote it.
    pub fn path(&self) -> &str {
        match self {
            ProposedEdit::WholeFile { path, .. } | ProposedEdit::SearchReplace { path, .. } => path,
        }
    }
}

/// Every edit in `answer`, in the order the model wrote them. Fences without a path nearby are
/// examples, not edits; a fence or block the answer never closes (a cut-off answer) is dropped
/// rather than written half.
pub fn parse(answer: &str) -> Vec<ProposedEdit> {
    let lines: Vec<&str> = answer.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some((kind, path)) = header(lines[i]) {
            i = match kind {
                Header::File => file_section(&lines, i + 1, path, &mut out),
                Header::Edit => edit_section(&lines, i + 1, path, &mut out),
            };
        } else if let Some(fence) = Fence::open(lines[i]) {
            let Some((content, next)) = fence.read(&lines, i) else {
                break;
            };
            let path = fence.info_path().or_else(|| path_before(&lines, i));
            if let Some((blocks, _)) = blocks_at_start(&content, path.clone()) {
                push_blocks(blocks, &mut out);
            } else if let Some(path) = path {
                out.push(ProposedEdit::WholeFile {
                    path,
                    content: join_lines(&content),
                });
            }
            i = next;
        } else if is_search(lines[i]) {
            let (blocks, next) = read_blocks(&lines, i, path_before(&lines, i));
            push_blocks(blocks, &mut out);
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

enum Header {
    File,
    Edit,
}

static HEADER: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"(?i)^\s{0,3}#{1,6}\s*(FILE|EDIT)\s*:\s*(.+?)\s*$"));

/// The patterns are literals checked by a unit test; an impossible failure to compile makes the
/// pattern match nothing instead of panicking.
fn pattern(re: &str) -> Option<Regex> {
    Regex::new(re).ok()
}

fn matches(re: &LazyLock<Option<Regex>>, line: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(line))
}

fn header(line: &str) -> Option<(Header, String)> {
    let caps = HEADER.as_ref()?.captures(line)?;
    let path = strip_decoration(caps.get(2)?.as_str());
    if path.is_empty() || path.contains(char::is_whitespace) {
        return None;
    }
    let kind = if caps.get(1)?.as_str().eq_ignore_ascii_case("file") {
        Header::File
    } else {
        Header::Edit
    };
    Some((kind, path))
}

/// `### FILE: path`: the next fenced block (prose may come between) is the file's content.
fn file_section(lines: &[&str], start: usize, path: String, out: &mut Vec<ProposedEdit>) -> usize {
    let mut i = start;
    while i < lines.len() {
        if header(lines[i]).is_some() {
            return i;
        }
        if let Some(fence) = Fence::open(lines[i]) {
            let Some((content, next)) = fence.read(lines, i) else {
                return lines.len();
            };
            out.push(ProposedEdit::WholeFile {
                path,
                content: join_lines(&content),
            });
            return next;
        }
        i += 1;
    }
    i
}

/// `### EDIT: path`: one or more SEARCH/REPLACE blocks, bare or inside fences.
fn edit_section(lines: &[&str], start: usize, path: String, out: &mut Vec<ProposedEdit>) -> usize {
    let mut blocks = Vec::new();
    let mut i = start;
    while i < lines.len() {
        if header(lines[i]).is_some() {
            break;
        }
        if is_search(lines[i]) {
            let (found, next) = read_blocks(lines, i, Some(path.clone()));
            blocks.extend(found);
            i = next;
        } else if let Some(fence) = Fence::open(lines[i]) {
            let Some((content, next)) = fence.read(lines, i) else {
                i = lines.len();
                break;
            };
            let Some((found, _)) = blocks_at_start(&content, Some(path.clone())) else {
                break;
            };
            blocks.extend(found);
            i = next;
        } else if lines[i].trim().is_empty() || blocks.is_empty() {
            i += 1;
        } else {
            break;
        }
    }
    push_blocks(blocks, out);
    i
}

/// A block with the path it belongs to, if known.
type Block = (Option<String>, String, String);

/// Blocks in a fence's content, when the content is made of them (optionally led by a path line,
/// as some models write the path inside the fence).
fn blocks_at_start(content: &[String], path: Option<String>) -> Option<(Vec<Block>, usize)> {
    let lines: Vec<&str> = content.iter().map(String::as_str).collect();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let led_by_path = clean_path_line(lines[first]).is_some()
        && lines
            .get(first + 1..)
            .and_then(|rest| rest.iter().find(|l| !l.trim().is_empty()))
            .is_some_and(|l| is_search(l));
    if !is_search(lines[first]) && !led_by_path {
        return None;
    }
    Some(read_blocks(&lines, first, path))
}

/// SEARCH/REPLACE blocks from `start`, with blank lines between them; a plausible path line just
/// before a block switches the file. Stops at the first other line. An unterminated block (a
/// cut-off answer) is dropped.
fn read_blocks(lines: &[&str], start: usize, mut path: Option<String>) -> (Vec<Block>, usize) {
    let mut blocks = Vec::new();
    let mut i = start;
    loop {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        if i >= lines.len() {
            return (blocks, i);
        }
        if !is_search(lines[i]) {
            let next_is_search = lines.get(i + 1).is_some_and(|l| is_search(l));
            match clean_path_line(lines[i]) {
                Some(p) if next_is_search => {
                    path = Some(p);
                    i += 1;
                    continue;
                }
                _ => return (blocks, i),
            }
        }
        let Some(divider) = (i + 1..lines.len()).find(|&j| is_divider(lines[j])) else {
            return (blocks, lines.len());
        };
        let Some(end) = (divider + 1..lines.len()).find(|&j| is_replace(lines[j])) else {
            return (blocks, lines.len());
        };
        blocks.push((
            path.clone(),
            join_lines(&lines[i + 1..divider]),
            join_lines(&lines[divider + 1..end]),
        ));
        i = end + 1;
    }
}

/// Consecutive blocks for the same file become one edit; blocks with no known file are dropped.
fn push_blocks(blocks: Vec<Block>, out: &mut Vec<ProposedEdit>) {
    for (path, search, replace) in blocks {
        let Some(path) = path else { continue };
        if let Some(ProposedEdit::SearchReplace { path: last, blocks }) = out.last_mut() {
            if *last == path {
                blocks.push((search, replace));
                continue;
            }
        }
        out.push(ProposedEdit::SearchReplace {
            path,
            blocks: vec![(search, replace)],
        });
    }
}

static SEARCH: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^\s*<{5,9} ?SEARCH\s*$"));
static DIVIDER: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^\s*={5,9}\s*$"));
static REPLACE: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^\s*>{5,9} ?REPLACE\s*$"));

fn is_search(line: &str) -> bool {
    matches(&SEARCH, line)
}

fn is_divider(line: &str) -> bool {
    matches(&DIVIDER, line)
}

fn is_replace(line: &str) -> bool {
    matches(&REPLACE, line)
}

fn join_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l.as_ref());
        s.push('\n');
    }
    s
}

/// A CommonMark fenced code block opening: up to 3 spaces, 3+ backticks or tildes, info string.
struct Fence {
    indent: usize,
    ch: char,
    len: usize,
    info: String,
}

impl Fence {
    fn open(line: &str) -> Option<Fence> {
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
    fn closes(&self, line: &str) -> bool {
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() > 3 {
            return false;
        }
        let run = trimmed.len() - trimmed.trim_start_matches(self.ch).len();
        run >= self.len && trimmed[run..].trim().is_empty()
    }

    /// The content lines (the opening's indentation removed, as CommonMark does) and the index
    /// after the closing fence; `None` if the fence never closes.
    fn read(&self, lines: &[&str], open_at: usize) -> Option<(Vec<String>, usize)> {
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
    fn info_path(&self) -> Option<String> {
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

/// The path alone on the line just before `at` (one blank line may come between).
fn path_before(lines: &[&str], at: usize) -> Option<String> {
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
fn clean_path_line(line: &str) -> Option<String> {
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
fn strip_decoration(s: &str) -> String {
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
fn plausible_path(s: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_compile() {
        for re in [
            &HEADER, &SEARCH, &DIVIDER, &REPLACE, &LABEL, &BULLET, &HEADING,
        ] {
            assert!(re.is_some());
        }
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

    #[test]
    fn indented_fence_content_loses_the_opening_indent() {
        let edits = parse("src/a.py\n  ```\n  x = 1\n    y = 2\n  ```\n");
        assert_eq!(
            edits,
            vec![ProposedEdit::WholeFile {
                path: "src/a.py".into(),
                content: "x = 1\n  y = 2\n".into()
            }]
        );
    }
}
