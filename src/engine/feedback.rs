//! Compact feedback for the next prompt: the failed validators' digests sharing the per-iteration cap.

use crate::llm::estimate_tokens;
use crate::validate::ValidatorResult;

/// Default token cap for all failure digests of one iteration (SPEC §3).
pub const DEFAULT_CAP_TOKENS: usize = 2_000;

/// The failures to show the model, and what they cost against what the raw logs would have.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FailureFeedback {
    pub failures: Vec<(String, String)>,
    /// Tokens the failed validators' full output would have taken.
    pub raw_tokens: u64,
    /// Tokens of the digests actually sent.
    pub sent_tokens: u64,
}

/// Digest each failed validator, sharing `cap_tokens` evenly between them.
pub fn failures(results: &[ValidatorResult], cap_tokens: usize) -> FailureFeedback {
    let failed: Vec<&ValidatorResult> = results
        .iter()
        .filter(|r| !r.passed() && !r.skipped)
        .collect();
    let mut fb = FailureFeedback::default();
    if failed.is_empty() {
        return fb;
    }
    let share = (cap_tokens / failed.len()).max(1);
    for r in failed {
        fb.raw_tokens += r.output.total_bytes.div_ceil(4);
        // The runner's digest already says what forge knows (a timeout, a missing command) and
        // is bounded by the whole iteration's cap; several failures share that cap here.
        let text = truncate_to_tokens(&r.digest, share);
        fb.sent_tokens += estimate_tokens(&text);
        fb.failures.push((r.name.clone(), text));
    }
    fb
}

/// Cut `text` at a line boundary so it stays within `tokens`.
fn truncate_to_tokens(text: &str, tokens: usize) -> String {
    if estimate_tokens(text) as usize <= tokens {
        return text.to_string();
    }
    let max_bytes = tokens.saturating_mul(4).saturating_sub(40);
    let mut cut = max_bytes.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    let head = head.rfind('\n').map_or(head, |i| &head[..i]);
    format!("{head}\n[feedback truncated]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_within_cap_at_line_boundary() {
        let text = "line one\n".repeat(200);
        let t = truncate_to_tokens(&text, 50);
        assert!(estimate_tokens(&t) <= 50, "{}", t.len());
        assert!(t.ends_with("line one\n[feedback truncated]"), "{t}");
    }

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate_to_tokens("ok", 10), "ok");
    }
}
