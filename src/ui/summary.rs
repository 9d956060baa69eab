//! The table printed when a run ends: one row per iteration, then the outcome.

use std::fmt::Write;

#[derive(Debug, Clone, Default)]
pub struct IterationRow {
    pub n: u32,
    pub score: f64,
    pub tokens: u64,
    pub failed: Vec<String>,
}

/// Render the end-of-run table (plain text; colour is applied by the caller if any).
pub fn render(rows: &[IterationRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:>4}  {:>5}  {:>8}  failed",
        "iter", "score", "tokens"
    );
    for r in rows {
        let failed = if r.failed.is_empty() {
            "-".to_string()
        } else {
            r.failed.join(", ")
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
    #[test]
    fn rows_line_up() {
        let t = super::render(&[super::IterationRow {
            n: 1,
            score: 0.5,
            tokens: 1200,
            failed: vec!["tests".into()],
        }]);
        assert!(t.contains("     1   0.50      1200  tests"), "{t}");
    }
}
