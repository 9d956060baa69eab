//! The one check every write passes: no line of an answer's format (SEARCH/REPLACE markers,
//! patch headers, fences, elision placeholders) may land in a file unless it was already there.

use super::elide::is_placeholder;

/// What a suspicious line is, in words for the model; `None` for ordinary content.
fn format_line(line: &str, path: &str) -> Option<&'static str> {
    let t = line.trim();
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    let doc = ["md", "markdown", "mdx", "rst", "adoc", "txt"].contains(&ext.as_str());
    let patch_file = ["diff", "patch"].contains(&ext.as_str());
    let run = |c: char| t.len() - t.trim_start_matches(c).len();
    if (5..=9).contains(&run('<'))
        && t[run('<')..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Some("a SEARCH/REPLACE marker");
    }
    if (5..=9).contains(&run('>'))
        && t[run('>')..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Some("a SEARCH/REPLACE marker");
    }
    // Exactly seven, the marker's length: other runs of `=` are headings and rulers.
    if !doc && t == "=======" {
        return Some("a SEARCH/REPLACE divider");
    }
    if t.starts_with("*** Begin Patch")
        || t.starts_with("*** End Patch")
        || t.starts_with("*** Update File:")
        || t.starts_with("*** Add File:")
    {
        return Some("a patch marker");
    }
    if !patch_file
        && (line.starts_with("@@ ") && t.len() > 3 && t[2..].contains("@@")
            || line.starts_with("+++ b/")
            || line.starts_with("--- a/"))
    {
        return Some("a diff header");
    }
    if t != "..." && t != "…" && is_placeholder(t, false) {
        return Some("an elision placeholder standing for code that was left out");
    }
    None
}

/// A fence line opening or closing the whole text: an answer's fence wrapped twice. Fences
/// inside (a docstring's example) are content.
fn wrapping_fence(line: &str, n: usize, first: usize, last: usize, path: &str) -> bool {
    let t = line.trim();
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    let doc = ["md", "markdown", "mdx", "rst", "adoc", "txt"].contains(&ext.as_str());
    !doc && (n == first || n == last) && (t.starts_with("```") || t.starts_with("~~~"))
}

/// `Err` with a reason for the model when `after` holds a format line `before` did not hold as
/// often.
pub(super) fn check(path: &str, before: Option<&str>, after: &str) -> Result<(), String> {
    let count = |text: &str, wanted: &str| text.lines().filter(|l| l.trim() == wanted).count();
    let non_blank: Vec<usize> = after
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, _)| n)
        .collect();
    let (first, last) = (
        non_blank.first().copied().unwrap_or(0),
        non_blank.last().copied().unwrap_or(0),
    );
    for (n, line) in after.lines().enumerate() {
        let what = match format_line(line, path) {
            Some(what) => what,
            None if wrapping_fence(line, n, first, last, path) => "a Markdown fence",
            None => continue,
        };
        let t = line.trim();
        let had = before.map_or(0, |b| count(b, t));
        if count(after, t) > had {
            return Err(format!(
                "line {} would be `{}`, {what} rather than code; nothing was written to this file. Check that each edit is complete and quotes the code it keeps",
                n + 1,
                t.chars().take(80).collect::<String>()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lines_are_refused_unless_already_there() {
        for bad in [
            "x = 1\n<<<<<<< SEARCH\n",
            "x = 1\n=======\n",
            ">>>>>>> REPLACE\n",
            "```python\nx = 1\n```\n",
            "@@ -1,2 +1,2 @@\n",
            "*** Begin Patch\n",
            "    # ... existing code ...\n",
        ] {
            let err = check("a.py", Some("x = 1\n"), bad).unwrap_err();
            assert!(err.contains("nothing was written"), "{bad}: {err}");
        }
        assert!(
            check(
                "a.py",
                Some("s = '''\n=======\n'''\n"),
                "s = '''\n=======\n'''\nt = 2\n"
            )
            .is_ok()
        );
        assert!(check("README.md", None, "Title\n=======\n\n```sh\nmake\n```\n").is_ok());
        assert!(check("a.py", None, "def f():\n    ...\n").is_ok());
        assert!(check("a.py", None, "x = a <<<<<<< b\n").is_ok());
        let docstring = "\"\"\"\nTitle\n=====\n```python\n>>> f()\n```\n\"\"\"\n";
        assert!(check("a.py", None, docstring).is_ok());
        assert!(check("a.py", None, "\n```python\nx = 1\n").is_err());
    }

    #[test]
    fn the_reason_names_the_line() {
        let err = check("a.py", None, "a\nb\n>>>>>>> REPLACE\n").unwrap_err();
        assert!(
            err.starts_with("line 3 would be `>>>>>>> REPLACE`"),
            "{err}"
        );
    }
}
