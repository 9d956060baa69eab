//! `forge diff RUN_ID`: the unified diff between the root and a run's kept files.

use super::args::DiffArgs;
use crate::approval::KeptRun;
use crate::edits::RelPath;
use crate::error::{Error, exit};
use similar::TextDiff;
use std::io::IsTerminal;

pub fn run(g: &super::Global, a: DiffArgs) -> Result<u8, Error> {
    let run = KeptRun::load(&super::project::root(g)?, &a.run_id)?;
    let text = render(&run)?;
    if text.is_empty() {
        if !g.quiet {
            super::output::err_line(&format!(
                "run {}: the root already holds its files",
                run.run_id
            ));
        }
    } else {
        super::output::out(&for_stdout(&text))?;
    }
    Ok(exit::OK)
}

/// The whole diff of a run against the root, file by file in the pack's order.
pub(super) fn render(run: &KeptRun) -> Result<String, Error> {
    let mut out = String::new();
    for (rel, new) in &run.files {
        let old = run.current(rel)?;
        out.push_str(&unified(rel, old.as_deref(), new));
    }
    Ok(out)
}

/// One file's unified diff (`git apply` / `patch -p1` take it); empty when nothing changes.
pub(super) fn unified(rel: &RelPath, old: Option<&[u8]>, new: &[u8]) -> String {
    if old == Some(new) {
        return String::new();
    }
    let from = match old {
        Some(_) => format!("a/{rel}"),
        None => "/dev/null".to_string(),
    };
    let to = format!("b/{rel}");
    let (Ok(old_text), Ok(new_text)) = (
        std::str::from_utf8(old.unwrap_or_default()),
        std::str::from_utf8(new),
    ) else {
        return format!("Binary files {from} and {to} differ\n");
    };
    TextDiff::from_lines(old_text, new_text)
        .unified_diff()
        .context_radius(3)
        .header(&from, &to)
        .to_string()
}

/// On a terminal, control characters from the files are shown escaped (a model's text must not
/// drive the terminal) and lines are coloured; piped, the diff is left exact for `git apply`.
pub(super) fn for_stdout(diff: &str) -> String {
    if !std::io::stdout().is_terminal() {
        return diff.to_string();
    }
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let safe: String = body
            .chars()
            .flat_map(|c| match c {
                '\t' => vec![c],
                c if c.is_control() => c.escape_default().collect(),
                c => vec![c],
            })
            .collect();
        let styled = match safe.as_bytes().first() {
            Some(b'+') => console::style(safe).green().to_string(),
            Some(b'-') => console::style(safe).red().to_string(),
            Some(b'@') => console::style(safe).cyan().to_string(),
            _ => safe,
        };
        out.push_str(&styled);
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(s: &str) -> RelPath {
        RelPath::normalise(s).unwrap()
    }

    /// Old bytes (None: no file), new bytes, the expected diff.
    type Case<'a> = (Option<&'a [u8]>, &'a [u8], &'a str);

    #[test]
    fn unified_diff_cases() {
        let cases: [Case; 4] = [
            (Some(b"a\nb\n"), b"a\nb\n", ""),
            (
                Some(b"a\nb\n"),
                b"a\nc\n",
                "--- a/x.txt\n+++ b/x.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
            ),
            (
                None,
                b"new\n",
                "--- /dev/null\n+++ b/x.txt\n@@ -0,0 +1 @@\n+new\n",
            ),
            (
                Some(b"\xff\x00"),
                b"x",
                "Binary files a/x.txt and b/x.txt differ\n",
            ),
        ];
        for (old, new, want) in cases {
            assert_eq!(unified(&rel("x.txt"), old, new), want, "{old:?} -> {new:?}");
        }
    }
}
