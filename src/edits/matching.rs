//! Finding where an edit's old lines are in a file and putting the new ones there: exact, then
//! whitespace- and punctuation-tolerant, then (for patch hunks) bounded fuzzy matching; else the
//! closest lines to show the model. Every step costs at most linear time in the file and the
//! edit, so a huge file with a huge SEARCH cannot stall a run.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::elide::{Piece, expand, is_placeholder};
use super::indent::{Reindent, plan};
use super::normalise::{loose, typographic};

/// Why an edit did not apply, and the lines of the file that come closest to its old lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Miss {
    pub reason: String,
    pub closest: String,
}

/// How tolerant the search for the old lines is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tolerance {
    /// SEARCH/REPLACE: exact, then loose; a block matching several places is refused.
    Search,
    /// Patch hunks: also bounded fuzzy matching; hunks are ordered, so the first match at or
    /// after the previous hunk wins, or the one nearest the hunk's line number.
    Hunk,
}

/// One edit to place in a file's text.
pub(super) struct Wanted<'a> {
    pub search: &'a str,
    pub replace: &'a str,
    pub tolerance: Tolerance,
    /// The line (0-based) where the previous hunk ended; hunks look there first.
    pub from: usize,
    pub hint: Option<usize>,
    pub at_end: bool,
    pub anchors: &'a [String],
    /// Whether bare `...` lines are placeholders in this file.
    pub bare_dots: bool,
}

impl<'a> Wanted<'a> {
    pub(super) fn block(search: &'a str, replace: &'a str, bare_dots: bool) -> Self {
        Wanted {
            search,
            replace,
            tolerance: Tolerance::Search,
            from: 0,
            hint: None,
            at_end: false,
            anchors: &[],
            bare_dots,
        }
    }
}

/// The text with the edit applied and the line after the new lines (for the next hunk).
pub(super) fn replace(content: &str, w: &Wanted<'_>) -> Result<(String, usize), Miss> {
    let file: Vec<&str> = content.split_inclusive('\n').collect();
    let search: Vec<&str> = w.search.lines().collect();
    let replace: Vec<&str> = w.replace.lines().collect();
    let crlf = file.first().is_some_and(|l| l.ends_with("\r\n"));

    let mut from = w.from.min(file.len());
    for anchor in w.anchors {
        let key = loose(anchor);
        match (from..file.len()).find(|&i| loose(file[i]) == key) {
            Some(i) => from = i + 1,
            None => {
                return Err(Miss {
                    reason: format!("its `@@ {}` line is not in the file", anchor.trim()),
                    closest: closest_lines(&file, &[anchor.as_str()]),
                });
            }
        }
    }

    if search.iter().all(|l| l.trim().is_empty()) {
        return match w.tolerance {
            Tolerance::Search if content.trim().is_empty() => {
                Ok((render(&[], &replace, 0, 0, crlf), replace.len()))
            }
            Tolerance::Search => Err(Miss {
                reason: "SEARCH is empty but the file is not; quote the lines to replace".into(),
                closest: String::new(),
            }),
            Tolerance::Hunk => {
                let at = if w.anchors.is_empty() || w.at_end {
                    file.len()
                } else {
                    from
                };
                Ok((render(&file, &replace, at, 0, crlf), at + replace.len()))
            }
        };
    }

    let found = locate(&file, &search, w, from)?;
    let (start, len, search, replace) = match found {
        Located::At {
            start,
            trimmed,
            level,
        } => {
            let (s, r) = if trimmed {
                trim_blank_edges(&search, &replace)
            } else {
                (&search[..], &replace[..])
            };
            (start, s.len(), (s, level), r)
        }
    };
    let (search, level) = search;
    let region: Vec<&str> = file[start..start + len].iter().map(|l| eol(l)).collect();
    let pieces = pieces_of(replace, search, &region, w.bare_dots)?;
    let pairs: Vec<(&str, &str)> = region.iter().copied().zip(search.iter().copied()).collect();
    let reindent = (level != Level::Exact).then(|| plan(&pairs));
    let lines = place(&pieces, search, &region, reindent.as_ref());
    let count = lines.len();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    Ok((render(&file, &refs, start, len, crlf), start + count))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Exact,
    Loose,
    Fuzzy,
}

enum Located {
    At {
        start: usize,
        trimmed: bool,
        level: Level,
    },
}

/// Where the SEARCH (or hunk) is, trying each level of tolerance in turn.
fn locate(file: &[&str], search: &[&str], w: &Wanted<'_>, from: usize) -> Result<Located, Miss> {
    let exact_file: Vec<&str> = file.iter().map(|l| eol(l)).collect();
    // Computed only once an exact match has failed.
    let mut loose_file: Option<Vec<String>> = None;
    let trimmed_search = trim_blank_edges(search, &[]).0;
    let variants: Vec<(&[&str], bool)> =
        if trimmed_search.len() < search.len() && !trimmed_search.is_empty() {
            vec![(search, false), (trimmed_search, true)]
        } else {
            vec![(search, false)]
        };
    for (s, trimmed) in &variants {
        let exact_s: Vec<&str> = s.iter().map(|l| eol(l)).collect();
        let starts = occurrences(&exact_file, &exact_s);
        if let Some(start) = choose(&starts, w, from, file, s.len())? {
            return Ok(Located::At {
                start,
                trimmed: *trimmed,
                level: Level::Exact,
            });
        }
        let loose_s: Vec<String> = s.iter().map(|l| loose(l)).collect();
        let keys = loose_file.get_or_insert_with(|| file.iter().map(|l| loose(l)).collect());
        let starts = occurrences(keys, &loose_s);
        if let Some(start) = choose(&starts, w, from, file, s.len())? {
            return Ok(Located::At {
                start,
                trimmed: *trimmed,
                level: Level::Loose,
            });
        }
    }
    if w.tolerance == Tolerance::Hunk {
        let loose_s: Vec<String> = search.iter().map(|l| loose(l)).collect();
        let keys = loose_file.get_or_insert_with(|| file.iter().map(|l| loose(l)).collect());
        if let Some(start) = fuzzy(keys, &loose_s) {
            return Ok(Located::At {
                start,
                trimmed: false,
                level: Level::Fuzzy,
            });
        }
    }
    let what = match w.tolerance {
        Tolerance::Search => "SEARCH does not match the file",
        Tolerance::Hunk => "the hunk's context and removed lines do not match the file",
    };
    Err(Miss {
        reason: what.into(),
        closest: closest_lines(file, search),
    })
}

/// The occurrence to use, `None` when there is none, a miss when the choice is ambiguous.
fn choose(
    found: &Found,
    w: &Wanted<'_>,
    from: usize,
    file: &[&str],
    len: usize,
) -> Result<Option<usize>, Miss> {
    let starts = &found.starts;
    if starts.is_empty() {
        return Ok(None);
    }
    if found.total == 1 {
        return Ok(Some(starts[0]));
    }
    if w.tolerance == Tolerance::Hunk {
        if w.at_end {
            if let Some(s) = starts.iter().find(|&&s| s + len == file.len()) {
                return Ok(Some(*s));
            }
        }
        if let Some(hint) = w.hint {
            let target = hint.saturating_sub(1);
            return Ok(starts.iter().min_by_key(|&&s| s.abs_diff(target)).copied());
        }
        if let Some(s) = starts.iter().find(|&&s| s >= from) {
            return Ok(Some(*s));
        }
    }
    Err(ambiguous(file, found, len, w.tolerance))
}

/// Occurrences of a sequence of lines: up to [`SHOWN`] verified starts, and how many there are.
struct Found {
    starts: Vec<usize>,
    total: usize,
}

/// Places shown for an ambiguous match, and verified candidates kept.
const SHOWN: usize = 8;

fn line_hash<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Rabin-Karp over line hashes: linear in the file and the wanted lines whatever they hold.
fn occurrences<T: AsRef<str>, U: AsRef<str>>(file: &[T], wanted: &[U]) -> Found {
    let mut found = Found {
        starts: Vec::new(),
        total: 0,
    };
    let m = wanted.len();
    if m == 0 || m > file.len() {
        return found;
    }
    const BASE: u64 = 0x100_0000_01b3;
    let fh: Vec<u64> = file.iter().map(|l| line_hash(l.as_ref())).collect();
    let target = wanted.iter().fold(0u64, |acc, l| {
        acc.wrapping_mul(BASE).wrapping_add(line_hash(l.as_ref()))
    });
    let top = (1..m).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut h = fh[..m]
        .iter()
        .fold(0u64, |acc, x| acc.wrapping_mul(BASE).wrapping_add(*x));
    for s in 0..=file.len() - m {
        if s > 0 {
            h = h
                .wrapping_sub(fh[s - 1].wrapping_mul(top))
                .wrapping_mul(BASE)
                .wrapping_add(fh[s + m - 1]);
        }
        if h != target {
            continue;
        }
        if found.starts.len() < SHOWN {
            let same = (0..m).all(|k| file[s + k].as_ref() == wanted[k].as_ref());
            if !same {
                continue;
            }
            found.starts.push(s);
        }
        found.total += 1;
    }
    found
}

/// Hunks longer than this are not fuzzy-matched; the cost would outgrow the benefit.
const FUZZY_MAX_LINES: usize = 400;
/// Hunks shorter than this are matched exactly or loosely only: too few lines to be sure.
const FUZZY_MIN_LINES: usize = 4;
/// A line differing from the file's is accepted only if at least this similar to it.
const FUZZY_LINE_SIMILARITY: f64 = 0.6;
/// A line more common than this in the file does not vote for where a hunk sits.
const FUZZY_COMMON: usize = 50;

/// The one window most like the hunk, if it is close enough: at least half its lines equal, each
/// other line similar, and their total difference at most 15 % of the hunk. Only windows that equal lines vote for are scored, which bounds the cost.
fn fuzzy(file: &[String], wanted: &[String]) -> Option<usize> {
    let m = wanted.len();
    if !(FUZZY_MIN_LINES..=FUZZY_MAX_LINES).contains(&m) || m > file.len() {
        return None;
    }
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in file.iter().enumerate() {
        if !l.is_empty() {
            at.entry(l.as_str()).or_default().push(i);
        }
    }
    let mut votes: HashMap<usize, usize> = HashMap::new();
    for (k, w) in wanted.iter().enumerate() {
        let Some(pos) = at.get(w.as_str()) else {
            continue;
        };
        if pos.len() > FUZZY_COMMON {
            continue;
        }
        for &p in pos {
            if p >= k && p - k + m <= file.len() {
                *votes.entry(p - k).or_default() += 1;
            }
        }
    }
    let non_blank = wanted.iter().filter(|w| !w.is_empty()).count().max(1);
    let budget = (m as f64 * 0.15).max(0.5);
    let mut scored: Vec<(usize, f64)> = votes
        .into_iter()
        .filter(|(_, v)| v * 2 >= non_blank)
        .filter_map(|(s, _)| {
            let mut deficit = 0.0;
            for k in 0..m {
                if file[s + k] != wanted[k] {
                    let sim = similarity(&file[s + k], &wanted[k]);
                    deficit += 1.0 - sim;
                    if sim < FUZZY_LINE_SIMILARITY || deficit > budget {
                        return None;
                    }
                }
            }
            Some((s, deficit))
        })
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    match scored.as_slice() {
        [only] => Some(only.0),
        [best, next, ..] if best.1 < next.1 => Some(best.0),
        _ => None,
    }
}

/// Lines compared for similarity are cut to this many characters, to keep the search cheap.
const COMPARE_CHARS: usize = 120;

fn similarity(a: &str, b: &str) -> f64 {
    let cut = |s: &str| -> String { s.chars().take(COMPARE_CHARS).collect() };
    strsim::normalized_levenshtein(&cut(a), &cut(b))
}

/// SEARCH and REPLACE without the blank lines SEARCH starts or ends with; REPLACE loses the
/// same leading and trailing blank lines only where it has them too.
fn trim_blank_edges<'x, 'y>(
    search: &'x [&'x str],
    replace: &'y [&'y str],
) -> (&'x [&'x str], &'y [&'y str]) {
    let lead = search.iter().take_while(|l| l.trim().is_empty()).count();
    let trail = search[lead..]
        .iter()
        .rev()
        .take_while(|l| l.trim().is_empty())
        .count();
    let s = &search[lead..search.len() - trail];
    let r_lead = replace
        .iter()
        .take(lead)
        .take_while(|l| l.trim().is_empty())
        .count();
    let r_rest = &replace[r_lead..];
    let r_trail = r_rest
        .iter()
        .rev()
        .take(trail)
        .take_while(|l| l.trim().is_empty())
        .count();
    (s, &r_rest[..r_rest.len() - r_trail])
}

/// REPLACE as lines to write: its own lines, or (for placeholders in it) lines of the matched
/// region. Paired `...` in SEARCH and REPLACE are handled before this, as separate blocks.
fn pieces_of(
    replace: &[&str],
    search: &[&str],
    region: &[&str],
    bare_dots: bool,
) -> Result<Vec<Piece>, Miss> {
    let has = |lines: &[&str]| lines.iter().any(|l| is_placeholder(l, bare_dots));
    if !has(replace) || has(search) || region.iter().any(|l| is_placeholder(l, bare_dots)) {
        return Ok(replace.iter().map(|l| Piece::New(l.to_string())).collect());
    }
    expand(search, replace, bare_dots).map_err(|reason| Miss {
        reason: format!("in REPLACE, {reason}"),
        closest: String::new(),
    })
}

/// The new lines of the region, each in the file's own style: a line the model left as it was
/// in SEARCH is the file's own line (its real quotes, dashes and indentation); a changed line is
/// re-indented the way SEARCH was off, when it was.
fn place(
    pieces: &[Piece],
    search: &[&str],
    region: &[&str],
    reindent: Option<&Reindent>,
) -> Vec<String> {
    let keys: Vec<String> = search.iter().map(|l| typographic(l.trim_end())).collect();
    let mut next = 0;
    pieces
        .iter()
        .map(|p| match p {
            Piece::Old(i) => region[*i].to_string(),
            Piece::New(line) => {
                let key = typographic(line.trim_end());
                let hit = (next..keys.len())
                    .chain(0..next.min(keys.len()))
                    .find(|&j| keys[j] == key && !key.trim().is_empty());
                match hit {
                    Some(j) => {
                        next = j + 1;
                        region[j].to_string()
                    }
                    None => reindent.map_or_else(|| line.to_string(), |r| r.apply(line)),
                }
            }
        })
        .collect()
}

/// The file with `len` lines at `start` replaced by `lines`, in the file's line endings. A file
/// whose replaced last line had no newline keeps having none.
fn render(file: &[&str], lines: &[&str], start: usize, len: usize, crlf: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    file[..start].iter().for_each(|l| out.push_str(l));
    let ends_file = start + len == file.len();
    let had_final_newline = file.last().is_none_or(|l| l.ends_with('\n'));
    for (k, l) in lines.iter().enumerate() {
        out.push_str(l);
        let last = k + 1 == lines.len();
        if !(last && ends_file && len > 0 && !had_final_newline) {
            out.push_str(nl);
        }
    }
    file[start + len..].iter().for_each(|l| out.push_str(l));
    out
}

/// A line without its line ending.
pub(super) fn eol(line: &str) -> &str {
    line.trim_end_matches('\n').trim_end_matches('\r')
}

fn ambiguous(file: &[&str], found: &Found, len: usize, tolerance: Tolerance) -> Miss {
    let what = match tolerance {
        Tolerance::Search => "SEARCH matches",
        Tolerance::Hunk => "the hunk's context and removed lines match",
    };
    let shown: Vec<String> = found
        .starts
        .iter()
        .take(3)
        .map(|&s| numbered(file, s, len))
        .collect();
    Miss {
        reason: format!(
            "{what} {} places; include more surrounding lines so the edit matches once",
            found.total
        ),
        closest: shown.join("\n...\n"),
    }
}

/// Lines of the closest window shown to the model, at most.
const SHOWN_LINES: usize = 40;
/// Windows scored in full when looking for the closest lines.
const CLOSEST_CANDIDATES: usize = 20;
/// Start positions sampled when no line of the SEARCH is in the file at all.
const CLOSEST_SAMPLES: usize = 2_000;

/// The window of the file, as long as the SEARCH, most similar to it line by line. Only windows
/// that equal lines point at, or an even sample of starts, are scored: bounded whatever the sizes.
pub(super) fn closest_lines(file: &[&str], wanted: &[&str]) -> String {
    if file.is_empty() {
        return "(the file is empty)".into();
    }
    if wanted.is_empty() {
        return String::new();
    }
    let window = wanted.len().clamp(1, file.len());
    let file_keys: Vec<String> = file.iter().map(|l| loose(l)).collect();
    let wanted_keys: Vec<String> = wanted.iter().map(|l| loose(l)).collect();
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, k) in file_keys.iter().enumerate() {
        if !k.is_empty() {
            at.entry(k.as_str()).or_default().push(i);
        }
    }
    let mut votes: HashMap<usize, usize> = HashMap::new();
    for (k, w) in wanted_keys.iter().enumerate().take(SHOWN_LINES * 5) {
        if let Some(pos) = at.get(w.as_str()).filter(|p| p.len() <= FUZZY_COMMON) {
            for &p in pos {
                let s = p.saturating_sub(k).min(file.len() - window);
                *votes.entry(s).or_default() += 1;
            }
        }
    }
    let mut candidates: Vec<(usize, usize)> = votes.into_iter().collect();
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut starts: Vec<usize> = candidates
        .iter()
        .take(CLOSEST_CANDIDATES)
        .map(|c| c.0)
        .collect();
    let scored_lines = window.min(if starts.is_empty() { 5 } else { SHOWN_LINES });
    if starts.is_empty() {
        let span = file.len() - window + 1;
        let stride = span.div_ceil(CLOSEST_SAMPLES).max(1);
        starts = (0..span).step_by(stride).collect();
    }
    let mut best = (0, f64::MIN);
    for s in starts {
        let score: f64 = (0..scored_lines)
            .map(|k| similarity(&file_keys[s + k], &wanted_keys[k]))
            .sum();
        if score > best.1 {
            best = (s, score);
        }
    }
    numbered(file, best.0, window.min(SHOWN_LINES))
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

/// Replace the single occurrence of `search` (whole lines) in `content` by `replace`.
#[cfg(test)]
fn replace_once(content: &str, search: &str, replace_with: &str) -> Result<String, Miss> {
    replace(content, &Wanted::block(search, replace_with, true)).map(|(t, _)| t)
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
    fn a_file_without_a_final_newline_keeps_it_that_way() {
        let out = replace_once("a\nb", "b\n", "c\n").unwrap();
        assert_eq!(out, "a\nc");
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

    #[test]
    fn typographic_punctuation_matches_and_the_file_keeps_its_own() {
        let file = "msg = \u{201C}it\u{2019}s done\u{201D}  # \u{2014} note\nx = 1\n";
        let out = replace_once(
            file,
            "msg = \"it's done\"  # - note\nx = 1\n",
            "msg = \"it's done\"  # - note\nx = 2\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "msg = \u{201C}it\u{2019}s done\u{201D}  # \u{2014} note\nx = 2\n"
        );
    }

    #[test]
    fn tabs_stay_tabs_when_the_model_wrote_spaces() {
        let file = "func f() {\n\tif x {\n\t\treturn 1\n\t}\n}\n";
        let out = replace_once(
            file,
            "    if x {\n        return 1\n    }\n",
            "    if x {\n        y := 2\n        return y\n    }\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "func f() {\n\tif x {\n\t\ty := 2\n\t\treturn y\n\t}\n}\n"
        );
    }

    #[test]
    fn a_spurious_blank_first_line_in_search_is_forgiven() {
        let out = replace_once(FILE, "\n    return 1\n", "\n    return 10\n").unwrap();
        assert_eq!(out, "def a():\n    return 10\n\ndef b():\n    return 2\n");
    }

    #[test]
    fn hunks_match_fuzzily_within_a_bound() {
        let file = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\n";
        let w = Wanted {
            search: "b = 2\nc = 3\nd = 44\ne = 5\nf = 6\n",
            replace: "b = 2\nc = 30\nd = 4\ne = 5\nf = 6\n",
            tolerance: Tolerance::Hunk,
            from: 0,
            hint: None,
            at_end: false,
            anchors: &[],
            bare_dots: true,
        };
        let (out, _) = replace(file, &w).unwrap();
        assert_eq!(out, "a = 1\nb = 2\nc = 30\nd = 4\ne = 5\nf = 6\n");
        let far = Wanted {
            search: "x\ny\nz\n",
            ..w
        };
        assert!(replace(file, &far).is_err());
        let short = Wanted {
            search: "a = 9\nb = 2\n",
            ..far
        };
        assert!(
            replace(file, &short).is_err(),
            "two lines are too few to guess from"
        );
    }

    #[test]
    fn elisions_in_replace_expand_from_the_matched_lines() {
        let file = "def f():\n    a = 1\n    b = 2\n    return a + b\n";
        let out = replace_once(
            file,
            "def f():\n    a = 1\n    b = 2\n    return a + b\n",
            "def f():\n    # ... existing code ...\n    return a * b\n",
        )
        .unwrap();
        assert_eq!(out, "def f():\n    a = 1\n    b = 2\n    return a * b\n");
    }

    #[test]
    fn occurrences_are_linear_and_counted() {
        let file: Vec<String> = (0..1000).map(|i| format!("{}", i % 2)).collect();
        let found = occurrences(&file, &["0".to_string(), "1".to_string()]);
        assert_eq!(found.total, 500);
        assert_eq!(found.starts.len(), SHOWN);
    }
}
