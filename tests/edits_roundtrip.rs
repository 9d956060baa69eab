//! Property: an answer built from a real diff of two versions of a file (made by the `similar`
//! crate, code forge did not write) reproduces the second version exactly when applied, across
//! indentation styles (tabs, 2 and 4 spaces) and line endings (LF, CRLF); as a unified diff, as
//! SEARCH/REPLACE blocks, and as a whole file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use similar::{ChangeTag, TextDiff};

use forge::edits::{apply, parse};

/// A file of distinct, indented lines; edits replace, insert and delete some of them.
fn versions() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let line = (0usize..4, "[a-z]{1,8}( = [0-9]{1,3})?");
    (
        prop::collection::vec(line, 4..40),
        prop::collection::vec((0usize..4, 0usize..3, "[a-z]{1,8}"), 1..6),
    )
        .prop_map(|(lines, edits)| {
            let old: Vec<(usize, String)> = lines
                .into_iter()
                .enumerate()
                .map(|(n, (depth, text))| (depth, format!("{text}_{n}")))
                .collect();
            let mut new = old.clone();
            for (k, (at, kind, text)) in edits.into_iter().enumerate() {
                let at = at * 7 % new.len().max(1);
                let fresh = (at % 4, format!("{text}_new{k}"));
                match kind {
                    0 if new.len() > 2 => {
                        new.remove(at);
                    }
                    1 => new.insert(at, fresh),
                    _ => new[at] = fresh,
                }
            }
            let plain = |v: &[(usize, String)]| {
                v.iter()
                    .map(|(d, t)| format!("{}{t}", "\t".repeat(*d)))
                    .collect()
            };
            (plain(&old), plain(&new))
        })
}

fn render(lines: &[String], indent: &str, nl: &str) -> String {
    lines
        .iter()
        .map(|l| {
            let tabs = l.chars().take_while(|c| *c == '\t').count();
            format!("{}{}{nl}", indent.repeat(tabs), &l[tabs..])
        })
        .collect()
}

/// SEARCH/REPLACE blocks from the diff's change groups, each with one line of context.
fn blocks(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::from("### EDIT: f.txt\n");
    for group in diff.grouped_ops(1) {
        let (mut s, mut r) = (String::new(), String::new());
        for op in group {
            for change in diff.iter_changes(&op) {
                let v = change.value();
                match change.tag() {
                    ChangeTag::Equal => {
                        s.push_str(v);
                        r.push_str(v);
                    }
                    ChangeTag::Delete => s.push_str(v),
                    ChangeTag::Insert => r.push_str(v),
                }
            }
        }
        out.push_str(&format!("<<<<<<< SEARCH\n{s}=======\n{r}>>>>>>> REPLACE\n"));
    }
    out
}

fn applied(original: &str, answer: &str) -> String {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("f.txt"), original).unwrap();
    let report = apply(ws.path(), &parse(answer), &|_| true);
    assert!(
        report.refused.is_empty() && report.missed.is_empty(),
        "{}",
        report.feedback()
    );
    std::fs::read_to_string(ws.path().join("f.txt")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn an_answer_from_a_real_diff_reproduces_the_second_version(
        (old, new) in versions(),
        indent in prop::sample::select(vec!["\t", "  ", "    "]),
        crlf in any::<bool>(),
    ) {
        prop_assume!(old != new);
        let nl = if crlf { "\r\n" } else { "\n" };
        let (before, after) = (render(&old, indent, nl), render(&new, indent, nl));
        // The model sees and writes LF text.
        let (before_lf, after_lf) = (render(&old, indent, "\n"), render(&new, indent, "\n"));
        let udiff = TextDiff::from_lines(&before_lf, &after_lf)
            .unified_diff()
            .context_radius(3)
            .header("a/f.txt", "b/f.txt")
            .to_string();
        prop_assert_eq!(applied(&before, &format!("```diff\n{udiff}```\n")), after.clone());
        prop_assert_eq!(applied(&before, &blocks(&before_lf, &after_lf)), after.clone());
        prop_assert_eq!(applied(&before, &format!("### FILE: f.txt\n```\n{after_lf}```\n")), after);
    }
}

/// Lines of every format forge reads, shuffled into answers no model would write on purpose.
fn fragments() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<<<<<<< SEARCH",
        "=======",
        ">>>>>>> REPLACE",
        "<<<<<<< SEARCH>",
        "```",
        "````",
        "```diff",
        "~~~",
        "### FILE: f.txt",
        "### EDIT: f.txt",
        "f.txt",
        "`g.py`:",
        "--- a/f.txt",
        "+++ b/f.txt",
        "--- /dev/null",
        "@@ -1,2 +1,2 @@",
        "@@ ... @@",
        " a",
        "-a",
        "+b",
        "",
        "*** Begin Patch",
        "*** Update File: f.txt",
        "*** Add File: h.txt",
        "*** End of File",
        "*** End Patch",
        "*** Delete File: f.txt",
        "# ... existing code ...",
        "...",
        "\ta",
        "  b",
        "a",
        "b",
        "x = \u{201C}q\u{201D}",
        "\\ No newline at end of file",
        "Here is `f.txt`:",
    ]);
    prop::collection::vec(piece, 0..60).prop_map(|v| v.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_mix_of_format_lines_is_parsed_and_applied_without_a_panic(
        answer in fragments(),
        original in prop::sample::select(vec!["", "a\nb\n", "a\r\nb\r\n", "\ta\n  b\nx = \u{201C}q\u{201D}\n", "a"]),
    ) {
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("f.txt"), original).unwrap();
        let report = apply(ws.path(), &parse(&answer), &|_| true);
        // Whatever was written holds no format line the file did not have.
        for e in &report.applied {
            let text = std::fs::read_to_string(ws.path().join(e.path.as_str())).unwrap();
            for marker in ["<<<<<<< SEARCH", ">>>>>>> REPLACE", "*** Begin Patch", "@@ -1,2 +1,2 @@"] {
                prop_assert!(!text.lines().any(|l| l.trim() == marker), "{marker} in {text:?}");
            }
        }
    }
}
