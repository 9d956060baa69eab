//! Parsing realistic model answers into edits and applying them to a real folder safely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use forge::edits::{ProposedEdit, apply, check_path, parse};

fn whole(path: &str, content: &str) -> ProposedEdit {
    ProposedEdit::WholeFile {
        path: path.into(),
        content: content.into(),
    }
}

fn sr(path: &str, blocks: &[(&str, &str)]) -> ProposedEdit {
    ProposedEdit::SearchReplace {
        path: path.into(),
        blocks: blocks
            .iter()
            .map(|(s, r)| (s.to_string(), r.to_string()))
            .collect(),
    }
}

fn any(_: &Path) -> bool {
    true
}

#[test]
fn file_headers_with_prose_around_and_several_files() {
    let answer = "I'll implement slugify and add a helper.\n\n\
### FILE: src/slug.py\n\
```python\n\
import re\n\
\n\
def slugify(text):\n    return re.sub(r\"[^a-z0-9]+\", \"-\", text.lower()).strip(\"-\")\n\
```\n\n\
And the helper:\n\n\
### FILE: src/util/helpers.py\n\
Some words before the fence.\n\
~~~\n\
X = 1\n\
~~~\n\n\
This should make the tests pass.\n";
    assert_eq!(
        parse(answer),
        vec![
            whole(
                "src/slug.py",
                "import re\n\ndef slugify(text):\n    return re.sub(r\"[^a-z0-9]+\", \"-\", text.lower()).strip(\"-\")\n"
            ),
            whole("src/util/helpers.py", "X = 1\n"),
        ]
    );
}

#[test]
fn longer_fence_keeps_shorter_fences_as_content() {
    let answer = "### FILE: README.md\n````markdown\n# Title\n\n```sh\nmake\n```\n````\n";
    assert_eq!(
        parse(answer),
        vec![whole("README.md", "# Title\n\n```sh\nmake\n```\n")]
    );
}

#[test]
fn content_is_kept_exactly_with_one_final_newline() {
    let answer =
        "### FILE: a.txt\n```\n  indented\ttab  \n\n\n```\n### FILE: empty.txt\n```\n```\n";
    assert_eq!(
        parse(answer),
        vec![
            whole("a.txt", "  indented\ttab  \n\n\n"),
            whole("empty.txt", "")
        ]
    );
}

#[test]
fn path_on_the_line_before_the_fence_in_every_dress() {
    for line in [
        "src/a.py",
        "`src/a.py`",
        "**src/a.py**",
        "File: src/a.py",
        "file: `src/a.py`",
        "**File:** `src/a.py`",
        "# src/a.py",
        "## src/a.py",
        "`src/a.py`:",
        "src/a.py:",
    ] {
        let answer = format!("Here is the new version.\n\n{line}\n```python\nx = 1\n```\nDone.\n");
        assert_eq!(parse(&answer), vec![whole("src/a.py", "x = 1\n")], "{line}");
        let with_blank = format!("{line}\n\n```python\nx = 1\n```\n");
        assert_eq!(
            parse(&with_blank),
            vec![whole("src/a.py", "x = 1\n")],
            "{line} + blank"
        );
    }
}

#[test]
fn path_in_the_info_string() {
    for fence in [
        "```python src/a.py",
        "```src/a.py",
        "```path=src/a.py",
        "~~~py src/a.py",
    ] {
        let close = &fence[..3];
        let answer = format!("Sure:\n{fence}\nx = 1\n{close}\n");
        assert_eq!(
            parse(&answer),
            vec![whole("src/a.py", "x = 1\n")],
            "{fence}"
        );
    }
}

#[test]
fn fences_without_a_path_and_prose_lines_are_not_edits() {
    let answer = "Run it like this:\n```sh\npython3 -m unittest\n```\n\
Update `src/a.py` as follows:\n```python\nx = 1\n```\n\
Example output:\n```\nok\n```\n";
    assert_eq!(parse(answer), vec![]);
}

#[test]
fn a_cut_off_answer_writes_no_half_file() {
    let answer = "### FILE: src/a.py\n```python\ndef f():\n    return";
    assert_eq!(parse(answer), vec![]);
    let answer = "### EDIT: src/a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n";
    assert_eq!(parse(answer), vec![]);
}

#[test]
fn edit_sections_bare_and_fenced_with_several_blocks() {
    let answer = r#"The bug is in the loop.

### EDIT: src/a.py
<<<<<<< SEARCH
    for i in range(n):
=======
    for i in range(n + 1):
>>>>>>> REPLACE

<<<<<<< SEARCH
import os
=======
>>>>>>> REPLACE

### EDIT: src/b.py
```python
<<<<<<< SEARCH
a = 1
=======
a = 2
>>>>>>> REPLACE
```
That's all.
"#;
    assert_eq!(
        parse(answer),
        vec![
            sr(
                "src/a.py",
                &[
                    ("    for i in range(n):\n", "    for i in range(n + 1):\n"),
                    ("import os\n", "")
                ]
            ),
            sr("src/b.py", &[("a = 1\n", "a = 2\n")]),
        ]
    );
}

#[test]
fn search_replace_with_the_path_before_or_inside_the_fence() {
    let answer = "src/a.py\n```python\n<<<<<<< SEARCH\na = 1\n=======\na = 2\n>>>>>>> REPLACE\n```\n\
```python\nsrc/b.py\n<<<<<<< SEARCH\nb = 1\n=======\nb = 2\n>>>>>>> REPLACE\n```\n";
    assert_eq!(
        parse(answer),
        vec![
            sr("src/a.py", &[("a = 1\n", "a = 2\n")]),
            sr("src/b.py", &[("b = 1\n", "b = 2\n")]),
        ]
    );
}

#[test]
fn applies_whole_files_creating_folders_and_reports_hashes() {
    let ws = tempfile::tempdir().unwrap();
    let edits = parse("### FILE: src/deep/new.py\n```\nprint('hi')\n```\n");
    let report = apply(ws.path(), &edits, &any);
    assert!(report.usable());
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.applied[0].path.as_str(), "src/deep/new.py");
    assert_eq!(report.applied[0].bytes, 12);
    assert_eq!(report.applied[0].sha256, sha256_hex(b"print('hi')\n"));
    assert_eq!(
        std::fs::read_to_string(ws.path().join("src/deep/new.py")).unwrap(),
        "print('hi')\n"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn search_replace_exact_and_whitespace_tolerant() {
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("m.py");
    std::fs::write(&file, "class A:\n    def f(self):\n        return 1\n").unwrap();
    let answer = "### EDIT: m.py\n<<<<<<< SEARCH\nclass A:\n=======\nclass B:\n>>>>>>> REPLACE\n\
<<<<<<< SEARCH\ndef f(self):   \n    return 1\n=======\ndef f(self):\n    return 2\n>>>>>>> REPLACE\n";
    let report = apply(ws.path(), &parse(answer), &any);
    assert!(report.missed.is_empty(), "{:?}", report.missed);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "class B:\n    def f(self):\n        return 2\n"
    );
}

#[test]
fn a_missed_search_names_the_closest_lines_and_leaves_the_file() {
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("m.py");
    let original = "def a():\n    return 1\n\ndef total(xs):\n    return sum(xs)\n";
    std::fs::write(&file, original).unwrap();
    let answer = "### EDIT: m.py\n<<<<<<< SEARCH\ndef total(items):\n    return sum(items)\n=======\nX\n>>>>>>> REPLACE\n";
    let report = apply(ws.path(), &parse(answer), &any);
    assert!(!report.usable());
    assert_eq!(report.missed.len(), 1);
    assert_eq!(report.missed[0].path.as_str(), "m.py");
    assert_eq!(
        report.missed[0].closest,
        "   4 | def total(xs):\n   5 |     return sum(xs)"
    );
    assert!(report.feedback().contains("   4 | def total(xs):"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn an_ambiguous_search_is_not_applied() {
    let ws = tempfile::tempdir().unwrap();
    let file = ws.path().join("m.py");
    std::fs::write(&file, "x = 0\nx = 0\n").unwrap();
    let answer = "### EDIT: m.py\n<<<<<<< SEARCH\nx = 0\n=======\nx = 1\n>>>>>>> REPLACE\n";
    let report = apply(ws.path(), &parse(answer), &any);
    assert!(!report.usable());
    assert!(report.missed[0].reason.contains("matches 2 places"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = 0\nx = 0\n");
}

#[test]
fn an_empty_search_on_a_missing_file_creates_it() {
    let ws = tempfile::tempdir().unwrap();
    let answer = "### EDIT: pkg/new.py\n<<<<<<< SEARCH\n=======\nVALUE = 3\n>>>>>>> REPLACE\n";
    let report = apply(ws.path(), &parse(answer), &any);
    assert!(report.usable());
    assert_eq!(
        std::fs::read_to_string(ws.path().join("pkg/new.py")).unwrap(),
        "VALUE = 3\n"
    );
}

#[test]
fn unsafe_and_unlisted_paths_are_refused_and_not_written() {
    let outer = tempfile::tempdir().unwrap();
    let ws = outer.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let only_src = |p: &Path| p.starts_with("src");
    let answer = "### FILE: ../evil.py\n```\nx\n```\n\
### FILE: /tmp/forge-absolute-evil.py\n```\nx\n```\n\
### FILE: docs/notes.md\n```\nx\n```\n\
### FILE: src/ok.py\n```\nok\n```\n";
    let report = apply(&ws, &parse(answer), &only_src);
    let reasons: Vec<(&str, &str)> = report
        .refused
        .iter()
        .map(|r| (r.path.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("../evil.py", "leaves the root"),
            ("/tmp/forge-absolute-evil.py", "absolute path"),
            ("docs/notes.md", "not in `files`"),
        ]
    );
    assert!(!outer.path().join("evil.py").exists());
    assert!(!Path::new("/tmp/forge-absolute-evil.py").exists());
    assert!(!ws.join("docs/notes.md").exists());
    assert_eq!(
        std::fs::read_to_string(ws.join("src/ok.py")).unwrap(),
        "ok\n"
    );
    assert!(report.usable());
    assert!(report.feedback().contains("`../evil.py`: leaves the root"));
}

#[test]
fn a_symlinked_folder_leading_outside_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let ws = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.path().join("src")).unwrap();
    std::fs::write(outside.path().join("a.py"), "orig\n").unwrap();

    let refusal = check_path("src/a.py", &any, ws.path()).unwrap_err();
    assert_eq!(refusal.reason, "symlink leads outside the workspace");
    let refusal = check_path("src/new/b.py", &any, ws.path()).unwrap_err();
    assert_eq!(refusal.reason, "symlink leads outside the workspace");

    let answer = "### FILE: src/a.py\n```\npwned\n```\n### EDIT: src/a.py\n<<<<<<< SEARCH\norig\n=======\npwned\n>>>>>>> REPLACE\n";
    let report = apply(ws.path(), &parse(answer), &any);
    assert!(!report.usable());
    assert_eq!(report.refused.len(), 2);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("a.py")).unwrap(),
        "orig\n"
    );
    assert!(!outside.path().join("new").exists());
}

#[test]
fn a_symlink_staying_inside_the_workspace_is_fine() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir(ws.path().join("real")).unwrap();
    std::os::unix::fs::symlink("real", ws.path().join("alias")).unwrap();
    let rel = check_path("alias/a.py", &any, ws.path()).unwrap();
    assert_eq!(rel.as_str(), "alias/a.py");
}
