//! The token cap: whole items until the next would not fit, then a note of how many were cut.

use crate::llm::estimate_tokens;

fn fits(text: &str, cap_tokens: usize) -> bool {
    estimate_tokens(text) <= cap_tokens as u64
}

fn truncation_note(more: usize) -> String {
    format!("[digest truncated: {more} more items]")
}

/// `parts` joined by newlines within `cap_tokens`. Cuts only between parts, except that a
/// first part too large on its own is cut at a line (or character) boundary so the digest is
/// never empty while something fits.
pub fn fit(parts: &[String], cap_tokens: usize) -> String {
    let mut out = String::new();
    for (n, part) in parts.iter().enumerate() {
        let before = out.len();
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(part);
        let more = parts.len() - n - 1;
        // Counting the note apart can only overestimate, so the whole stays within the cap.
        let note_tokens = if more == 0 {
            0
        } else {
            estimate_tokens(&format!("\n{}", truncation_note(more)))
        };
        if estimate_tokens(&out) + note_tokens <= cap_tokens as u64 {
            continue;
        }
        out.truncate(before);
        return close(out, part, parts.len() - n, cap_tokens);
    }
    out
}

/// Ends a cut digest: the note if it fits; with nothing yet shown, as much of `part` as fits.
fn close(mut out: String, part: &str, more: usize, cap_tokens: usize) -> String {
    if out.is_empty() {
        let note = truncation_note(more);
        let budget = cap_tokens.saturating_mul(4).saturating_sub(note.len() + 1);
        let mut cut = prefix(part, budget);
        if let Some(at) = cut.rfind('\n') {
            cut = &cut[..at];
        }
        if !cut.is_empty() {
            out.push_str(cut);
            out.push('\n');
        }
        out.push_str(&note);
        if !fits(&out, cap_tokens) {
            return prefix(&out, cap_tokens.saturating_mul(4)).to_string();
        }
        return out;
    }
    let note = truncation_note(more);
    if fits(&format!("{out}\n{note}"), cap_tokens) {
        out.push('\n');
        out.push_str(&note);
    }
    out
}

/// The longest prefix of `text` of at most `max` bytes ending on a char boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("item {i}: {}", "x".repeat(30)))
            .collect()
    }

    #[test]
    fn everything_fits_untouched() {
        assert_eq!(
            fit(&parts(2), 1000),
            format!("{}\n{}", parts(2)[0], parts(2)[1])
        );
    }

    #[test]
    fn cuts_between_items_and_counts_the_rest() {
        let out = fit(&parts(100), 100);
        assert!(
            estimate_tokens(&out) <= 100,
            "{} tokens",
            estimate_tokens(&out)
        );
        assert!(out.starts_with("item 0: "));
        let shown = out.lines().filter(|l| l.starts_with("item ")).count();
        assert!(shown > 1);
        assert!(
            out.ends_with(&format!("[digest truncated: {} more items]", 100 - shown)),
            "{out}"
        );
    }

    #[test]
    fn a_huge_first_item_is_cut_not_dropped() {
        let huge = vec![
            (0..1000)
                .map(|i| format!("line {i}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        let out = fit(&huge, 50);
        assert!(estimate_tokens(&out) <= 50);
        assert!(out.starts_with("line 0\nline 1\n"));
        assert!(out.ends_with("[digest truncated: 1 more items]"));
    }

    #[test]
    fn tiny_caps_are_still_respected() {
        for cap in 0..12 {
            assert!(estimate_tokens(&fit(&parts(5), cap)) <= cap as u64);
        }
    }
}
