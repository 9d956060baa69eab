//! Python tracebacks: the last frames and the exception, wherever they appear.

use super::item::{Findings, Item, Severity, clip, shape};

const HEADER: &str = "Traceback (most recent call last):";
/// Frames kept from the end of a traceback: usually the test line and the line that raised.
const FRAMES_KEPT: usize = 2;
/// Exception lines kept (messages and unittest's diffs).
const EXCEPTION_LINES: usize = 12;

/// The useful part of a traceback block: its last frames (without caret-only lines) and the
/// exception with its message.
pub fn compact(block: &[&str]) -> Vec<String> {
    let start = block
        .iter()
        .rposition(|l| l.trim() == HEADER)
        .map_or(0, |i| i + 1);
    let block = &block[start..];
    let frames: Vec<usize> = block
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(' ') && l.trim_start().starts_with("File \""))
        .map(|(i, _)| i)
        .collect();
    let exception_at = block
        .iter()
        .enumerate()
        .skip(frames.last().map_or(0, |&i| i + 1))
        .find(|(_, l)| !l.is_empty() && !l.starts_with(' '))
        .map_or(block.len(), |(i, _)| i);
    let mut out = Vec::new();
    let first_kept = frames.len().saturating_sub(FRAMES_KEPT);
    if let Some(&from) = frames.get(first_kept) {
        out.extend(
            block[from..exception_at]
                .iter()
                .filter(|l| !is_caret_line(l) && !l.trim().is_empty())
                .map(|l| clip(l)),
        );
    }
    let exception: Vec<&str> = block[exception_at..]
        .iter()
        .copied()
        .take_while(|l| !is_separator(l))
        .collect();
    let exception = trim_blank_ends(&exception);
    out.extend(exception.iter().take(EXCEPTION_LINES).map(|l| clip(l)));
    if exception.len() > EXCEPTION_LINES {
        out.push(format!(
            "… ({} more lines)",
            exception.len() - EXCEPTION_LINES
        ));
    }
    out
}

/// The exception line of a compacted traceback (its first line at column 0).
pub fn exception_line(compacted: &[String]) -> Option<&str> {
    compacted
        .iter()
        .find(|l| !l.is_empty() && !l.starts_with(' '))
        .map(String::as_str)
}

/// Python's `~~~^^^` markers under a code line.
fn is_caret_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| matches!(c, '^' | '~' | ' '))
}

/// unittest's `=====` / `-----` rules.
pub fn is_separator(line: &str) -> bool {
    line.len() >= 20 && (line.bytes().all(|b| b == b'=') || line.bytes().all(|b| b == b'-'))
}

fn trim_blank_ends<'a>(lines: &'a [&'a str]) -> &'a [&'a str] {
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    &lines[start..end]
}

/// Uncaught Python exceptions anywhere in the output (a script that crashed).
pub fn recognise(lines: &[&str]) -> Findings {
    let mut found = Findings::default();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != HEADER {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < lines.len() && (lines[end].starts_with(' ') || lines[end].is_empty()) {
            end += 1;
        }
        // The exception line, then any continuation of a multi-line message.
        while end < lines.len() && !lines[end].trim().is_empty() && end - start < 200 {
            end += 1;
            if lines.get(end).is_some_and(|l| l.trim_start() == HEADER) {
                break;
            }
        }
        let body = compact(&lines[start..end]);
        let exception = exception_line(&body).unwrap_or(HEADER).to_string();
        found.items.push(Item {
            text: body.join("\n"),
            lines: start..end,
            severity: Severity::Error,
            fold_key: Some(format!("traceback|{}", shape(&exception))),
            label: exception,
        });
        i = end.max(i + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_last_frames_and_exception() {
        let block = [
            "Traceback (most recent call last):",
            "  File \"/x/a.py\", line 1, in <module>",
            "    main()",
            "  File \"/x/a.py\", line 5, in main",
            "    load()",
            "  File \"/x/b.py\", line 9, in load",
            "    return cfg[\"port\"]",
            "           ~~~^^^^^^^^",
            "KeyError: 'port'",
        ];
        let out = compact(&block);
        assert_eq!(
            out,
            [
                "  File \"/x/a.py\", line 5, in main",
                "    load()",
                "  File \"/x/b.py\", line 9, in load",
                "    return cfg[\"port\"]",
                "KeyError: 'port'",
            ]
        );
        assert_eq!(exception_line(&out), Some("KeyError: 'port'"));
    }
}
