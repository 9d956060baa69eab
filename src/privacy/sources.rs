//! Where a line of a prompt came from: a file shown in a `### FILE: path` block (and its line
//! in that file), the task, a validator's output, an earlier answer, or the prompt itself.
//! Reads the layout `engine::prompt` writes; anything else is attributed to `default`.

/// The source and 1-based line of each line of one message, in order.
pub fn attribute(text: &str, default: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut section = Section::Part(default.to_string(), 0);
    let mut pending_file: Option<String> = None;
    for raw in text.split('\n') {
        let line = raw.trim_end_matches('\r');
        match &mut section {
            Section::File {
                path,
                fence,
                line: n,
            } => {
                if line.trim_end() == fence {
                    out.push((default.to_string(), 0));
                    section = Section::Part(default.to_string(), 0);
                } else {
                    *n += 1;
                    out.push((path.clone(), *n));
                }
                continue;
            }
            Section::Part(..) => {}
        }
        if let Some(path) = line.strip_prefix("### FILE: ") {
            pending_file = Some(path.trim().to_string());
            out.push((default.to_string(), 0));
            continue;
        }
        if let Some(path) = pending_file.take() {
            if line.len() >= 3 && line.bytes().all(|b| b == b'`') {
                out.push((default.to_string(), 0));
                section = Section::File {
                    path,
                    fence: line.to_string(),
                    line: 0,
                };
                continue;
            }
        }
        let current = match &section {
            Section::Part(label, _) => label.as_str(),
            Section::File { .. } => default,
        };
        if let Some(label) = heading(line, current, default) {
            section = Section::Part(label, 0);
        }
        if let Section::Part(label, n) = &mut section {
            *n += 1;
            out.push((label.clone(), *n));
        }
    }
    out
}

const FAILURES: &str = "validator output";

enum Section {
    Part(String, usize),
    File {
        path: String,
        fence: String,
        line: usize,
    },
}

/// The part a heading of the prompt templates starts: `### name` under `## What failed`
/// is that validator's output.
fn heading(line: &str, current: &str, default: &str) -> Option<String> {
    let in_failures = current == FAILURES || current.starts_with("validator ");
    if line.starts_with("# Task") {
        Some("task".into())
    } else if line.starts_with("## What failed") {
        Some(FAILURES.into())
    } else if let Some(name) = line.strip_prefix("### ").filter(|_| in_failures) {
        Some(format!("validator {}", name.trim()))
    } else if line.starts_with("## ") || line.starts_with("# ") {
        Some(default.to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_task_and_validators_are_told_apart() {
        let text = "# Task: demo\n\nkey here\n\n## Files you may create or change\n### FILE: src/a.py\n```\nx = 1\nsecret\n```\n\n## What failed\n### tests\nboom\n";
        let got = attribute(text, "prompt");
        let at = |i: usize| (got[i].0.as_str(), got[i].1);
        assert_eq!(at(2), ("task", 3));
        assert_eq!(at(7), ("src/a.py", 1));
        assert_eq!(at(8), ("src/a.py", 2));
        assert_eq!(at(9).0, "prompt");
        assert_eq!(at(13), ("validator tests", 2));
        assert_eq!(got.len(), text.split('\n').count());
    }
}
