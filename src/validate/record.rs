//! The recorded fact of one validator run: the one shape events, history and the pack share.

use super::ValidatorResult;
use crate::contract::ValidatorKind;
use serde::{Deserialize, Serialize};

/// Characters of validator output kept as an excerpt (its digest, or its tail).
const EXCERPT_CHARS: usize = 4_000;

/// What one validator did in one iteration, as it is kept. The full output stays with the
/// runner's [`ValidatorResult`]; this holds its digest, an excerpt and its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Validation {
    pub name: String,
    pub kind: ValidatorKind,
    pub command: String,
    /// Exit status; a signal N is reported as 128+N. None when skipped or killed.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub duration_ms: u64,
    /// In [0, 1].
    pub score: f64,
    #[serde(default)]
    pub output_sha256: String,
    #[serde(default)]
    pub output_excerpt: String,
    #[serde(default)]
    pub output_bytes: u64,
    /// Present (true) only when the validator's circuit breaker was open and it did not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

impl Validation {
    /// How it ended, in words: "exit 1", "timed out", "killed", or "skipped: circuit breaker open".
    pub fn result_words(&self) -> String {
        if self.skipped {
            "skipped: circuit breaker open".to_string()
        } else if self.timed_out {
            "timed out".to_string()
        } else {
            match self.exit_code {
                Some(c) => format!("exit {c}"),
                None => "killed".to_string(),
            }
        }
    }

    pub fn passed(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }
}

impl ValidatorResult {
    /// The record of this result: the output reduced to its hash, size and an excerpt.
    pub fn record(&self) -> Validation {
        let text = self.output.text();
        let excerpt_source = if self.digest.is_empty() {
            text.as_str()
        } else {
            self.digest.as_str()
        };
        Validation {
            name: self.name.clone(),
            kind: self.kind,
            command: self.command.clone(),
            exit_code: self.exit_code,
            timed_out: self.timed_out,
            duration_ms: self.duration_ms,
            score: self.score,
            output_sha256: crate::sha::sha256_hex(text.as_bytes()),
            output_excerpt: tail_chars(excerpt_source, EXCERPT_CHARS),
            output_bytes: self.output.total_bytes,
            skipped: self.skipped,
        }
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        s.chars().skip(count - n).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(super::tail_chars("abcdef", 3), "def");
        assert_eq!(super::tail_chars("ab", 3), "ab");
    }
}
