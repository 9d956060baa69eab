//! Applying one SEARCH/REPLACE block to a file's text: exact match, then whitespace-tolerant,
//! else the closest lines to show the model.

/// Why a block did not apply, and the lines of the file that come closest to its SEARCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Miss {
    pub reason: String,
    pub closest: String,
}

/// Replace the single occurrence of `search` (whole lines) in `content` by `replace`.
pub(super) fn replace_once(content: &str, search: &str, replace: &str) -> Result<String, Miss> {
    if search.trim().is_empty() {
        if content.trim().is_empty() {
            return Ok(replace.to_string());
        }
        return Err(Miss {
            reason: "SEARCH is empty but the file is not; quote the lines to replace".into(),
            closest: String::new(),
        });
    }
    let file: Vec<&str> = content.split_inclusive('\n').collect();
    let wanted: Vec<&str> = search.split_inclusive('\n').collect();

    let exact = find_all(&file, &wanted, |a, b| eol(a) == eol(b));
    let (start, tolerant) = match exact.as_slice() {
        [one] => (*one, false),
        [] => {
            let loose = find_all(&file, &wanted, |a, b| a.trim() == b.trim());
            match loose.as_slice() {
                [one] => (*one, true),
                [] => {
                    return Err(Miss {
                        reason: "SEARCH does not match the file".into(),
                        closest: closest_lines(&file, &wanted),
                    });
                }
                many => return Err(ambiguous(&file, many, wanted.len())),
            }
        }
        many => return Err(ambiguous(&file, many, wanted.len())),
    };

    let crlf = file.get(start).is_some_and(|l| l.ends_with("\r\n"));
    let mut out = String::with_capacity(content.len() + replace.len());
    file[..start].iter().for_each(|l| out.push_str(l));
    for line in replace.split_inclusive('\n') {
        let line = if tolerant {
            reindent(line, file[start], wanted[0])
        } else {
            line.to_string()
        };
        out.push_str(eol(&line));
        if line.ends_with('\n') {
            out.push_str(if crlf { "\r\n" } else { "\n" });
        }
    }
    file[start + wanted.len()..]
        .iter()
        .for_each(|l| out.push_str(l));
    Ok(out)
}

/// A line without its line ending.
fn eol(line: &str) -> &str {
    line.trim_end_matches('\n').trim_end_matches('\r')
}

fn find_all(file: &[&str], wanted: &[&str], same: impl Fn(&str, &str) -> bool) -> Vec<usize> {
    if wanted.len() > file.len() {
        return Vec::new();
    }
    (0..=file.len() - wanted.len())
        .filter(|&s| wanted.iter().enumerate().all(|(k, w)| same(file[s + k], w)))
        .collect()
}

fn ambiguous(file: &[&str], starts: &[usize], len: usize) -> Miss {
    let shown: Vec<String> = starts
        .iter()
        .take(3)
        .map(|&s| numbered(file, s, len))
        .collect();
    Miss {
        reason: format!(
            "SEARCH matches {} places; include more surrounding lines so it matches once",
            starts.len()
        ),
        closest: shown.join("\n...\n"),
    }
}

/// When the model got the indentation wrong by a constant amount, shift its replacement the same
/// way so the new lines sit where the old ones did.
fn reindent(line: &str, file_line: &str, search_line: &str) -> String {
    let indent = |s: &str| s.len() - s.trim_start().len();
    let (have, said) = (
        &file_line[..indent(file_line)],
        &search_line[..indent(search_line)],
    );
    if line.trim().is_empty() {
        return line.to_string();
    }
    if let Some(extra) = have.strip_prefix(said) {
        return format!("{extra}{line}");
    }
    if let Some(excess) = said.strip_prefix(have) {
        return line.strip_prefix(excess).unwrap_or(line).to_string();
    }
    line.to_string()
}

/// Lines compared for similarity are cut to this many characters, to keep the search cheap.
const COMPARE_CHARS: usize = 200;

/// The window of the file, as long as the SEARCH, most similar to it line by line.
fn closest_lines(file: &[&str], wanted: &[&str]) -> String {
    if file.is_empty() {
        return "(the file is empty)".into();
    }
    let cut = |s: &str| -> String { s.trim().chars().take(COMPARE_CHARS).collect() };
    let wanted: Vec<String> = wanted.iter().map(|w| cut(w)).collect();
    let window = wanted.len().min(file.len());
    let mut best = (0, f64::MIN);
    for start in 0..=file.len() - window {
        let score: f64 = (0..window)
            .map(|k| strsim::normalized_levenshtein(&cut(file[start + k]), &wanted[k]))
            .sum();
        if score > best.1 {
            best = (start, score);
        }
    }
    numbered(file, best.0, window)
}

/// `len` lines from `start`, each prefixed with its 1-based line number.
fn numbered(file: &[&str], start: usize, len: usize) -> String {
    file[start..(start + len).min(file.len())]
        .iter()
        .enumerate()
        .map(|(k, l)| format!("{:>4} | {}", start + k + 1, eol(l)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "def a():\n    return 1\n\ndef b():\n    return 2\n";

    #[test]
    fn exact_match_replaces_only_those_lines() {
        let out = replace_once(FILE, "    return 2\n", "    return 3\n").unwrap();
        assert_eq!(out, "def a():\n    return 1\n\ndef b():\n    return 3\n");
    }

    #[test]
    fn replacement_may_delete_or_grow() {
        let out = replace_once(FILE, "\ndef b():\n    return 2\n", "").unwrap();
        assert_eq!(out, "def a():\n    return 1\n");
        let out = replace_once(FILE, "def a():\n", "import os\n\ndef a():\n").unwrap();
        assert!(out.starts_with("import os\n\ndef a():\n    return 1\n"));
    }

    #[test]
    fn wrong_indent_and_trailing_spaces_still_match_and_are_reindented() {
        let out = replace_once(FILE, "def b():  \nreturn 2\n", "def b():\nreturn 20\n");
        // The SEARCH's first line has the file's indent (none), so nothing shifts.
        assert_eq!(
            out.unwrap(),
            "def a():\n    return 1\n\ndef b():\nreturn 20\n"
        );
        let out = replace_once(FILE, "return 2\n", "x = 2\nreturn x\n").unwrap();
        assert_eq!(
            out,
            "def a():\n    return 1\n\ndef b():\n    x = 2\n    return x\n"
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let out = replace_once("a\r\nb\r\n", "a\n", "z\n").unwrap();
        assert_eq!(out, "z\r\nb\r\n");
    }

    #[test]
    fn ambiguous_match_is_a_miss_showing_each_place() {
        let file = "x = 1\ny = 1\nx = 1\n";
        let miss = replace_once(file, "x = 1\n", "x = 2\n").unwrap_err();
        assert!(miss.reason.contains("matches 2 places"), "{}", miss.reason);
        assert_eq!(miss.closest, "   1 | x = 1\n...\n   3 | x = 1");
    }

    #[test]
    fn miss_shows_the_closest_window_with_line_numbers() {
        let miss = replace_once(FILE, "def b():\n    return 22  # fixed\n", "").unwrap_err();
        assert_eq!(miss.reason, "SEARCH does not match the file");
        assert_eq!(miss.closest, "   4 | def b():\n   5 |     return 2");
    }

    #[test]
    fn empty_search_fills_an_empty_file_only() {
        assert_eq!(replace_once("", "", "new\n").unwrap(), "new\n");
        assert!(replace_once(FILE, "", "new\n").is_err());
    }
}
