//! The table printed when a run ends: one row per iteration, then the outcome.

use std::fmt::Write;

#[derive(Debug, Clone, Default)]
pub struct IterationRow {
    pub n: u32,
    pub score: f64,
    pub tokens: u64,
    pub failed: Vec<String>,
    /// False for an iteration cut short (provider failure, Ctrl-C): it has no score to show.
    pub done: bool,
}

/// What the end-of-run summary adds up while the run goes: the iterations and the synthesis
/// call, whose tokens count in the run's total like any other.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub rows: Vec<IterationRow>,
}

/// Render the end-of-run table (plain text; colour is applied by the caller if any).
pub fn render(rows: &[IterationRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:>4}  {:>5}  {:>8}  failed",
        "iter", "score", "tokens"
    );
    for r in rows.iter().filter(|r| r.done) {
        let failed = if r.failed.is_empty() {
            "-".to_string()
        } else {
            crate::term::safe_line(&r.failed.join(", ")).into_owned()
        };
        let _ = writeln!(
            out,
            "  {:>4}  {:>5.2}  {:>8}  {failed}",
            r.n, r.score, r.tokens
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{IterationRow, render};

    fn row(n: u32, done: bool) -> IterationRow {
        IterationRow {
            n,
            score: 0.5,
            tokens: 1200,
            failed: vec!["tests".into()],
            done,
        }
    }

    #[test]
    fn rows_line_up() {
        let t = render(&[row(1, true)]);
        assert!(t.contains("     1   0.50      1200  tests"), "{t}");
    }

    #[test]
    fn iterations_cut_short_are_left_out() {
        let t = render(&[row(1, true), row(2, false)]);
        assert_eq!(t.lines().count(), 2, "{t}");
    }
}
