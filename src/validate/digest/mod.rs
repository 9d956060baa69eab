//! Failure digests: from a failed tool's raw output, the compact part a model can act on.

/// A compact digest of a failed tool's output for the model, at most `cap_tokens` tokens.
pub fn digest(output: &str, cap_tokens: usize) -> String {
    let _ = (output, cap_tokens);
    todo!("digest")
}
