//! Prometheus exposition (SPEC §8): the history's numbers, and a server's own, in the text
//! format `promtool check metrics` and node_exporter's textfile collector read.

use crate::history::{History, HistoryError, HistoryStats, RunStatus};
use prometheus::{Encoder, Gauge, Histogram, HistogramOpts, IntCounterVec, Opts, Registry};
use std::path::Path;

/// The content type of [`encode`]'s text.
pub const CONTENT_TYPE: &str = prometheus::TEXT_FORMAT;

const ITERATION_BUCKETS: [f64; 8] = [1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 13.0, 20.0];
const TOKEN_BUCKETS: [f64; 9] = [
    1_000.0,
    2_500.0,
    5_000.0,
    10_000.0,
    25_000.0,
    50_000.0,
    100_000.0,
    250_000.0,
    1_000_000.0,
];
const DURATION_BUCKETS: [f64; 10] = [
    1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1_800.0, 3_600.0,
];

/// A metric that could not be built or registered: only a programming error (a bad name or
/// two metrics of the same name) gets here.
#[derive(Debug, thiserror::Error)]
#[error("cannot build metric: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl From<MetricsError> for crate::Error {
    fn from(e: MetricsError) -> Self {
        crate::Error::Environment(e.to_string())
    }
}

/// One root's history, read for metrics: its runs plus the feedback token counts from its packs.
#[derive(Debug, Clone, Default)]
pub struct RootNumbers {
    pub stats: HistoryStats,
    /// Validator output the engine would have sent unabridged, in tokens (sum over packs).
    pub raw_feedback_tokens: u64,
    /// What it sent after digesting and capping.
    pub sent_feedback_tokens: u64,
}

/// Read ROOT's history, with each finished run's feedback counts: from its row, or for a run
/// recorded before rows kept them, from its evidence pack. A pack that is missing or
/// unreadable (a disk that was full, a folder cleaned by hand) contributes nothing rather than
/// failing the whole read.
pub fn read_root(root: &Path) -> Result<RootNumbers, HistoryError> {
    let stats = History::open_read_only(root)?.stats()?;
    let mut numbers = RootNumbers {
        stats,
        ..RootNumbers::default()
    };
    for run in &numbers.stats.finished {
        let (raw, sent) = match run.feedback_tokens {
            Some(counts) => counts,
            None => {
                let pack = crate::layout::run_dir(root, &run.run_id).join("evidence.json");
                match crate::evidence::read_pack(&pack) {
                    Ok(pack) => {
                        let m = &pack.raw_evidence.metrics;
                        (m.raw_feedback_tokens, m.sent_feedback_tokens)
                    }
                    Err(_) => (0, 0),
                }
            }
        };
        numbers.raw_feedback_tokens += raw;
        numbers.sent_feedback_tokens += sent;
    }
    Ok(numbers)
}

fn histogram(name: &str, help: &str, buckets: &[f64]) -> Result<Histogram, prometheus::Error> {
    Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets.to_vec()))
}

/// Register the SPEC §8 metrics, summed over `roots`, in `registry`.
pub fn register_history(registry: &Registry, roots: &[RootNumbers]) -> Result<(), MetricsError> {
    let total = IntCounterVec::new(
        Opts::new(
            "forge_convergence_total",
            "Runs that ended, by how they ended",
        ),
        &["status"],
    )?;
    let iterations = histogram(
        "forge_convergence_iterations",
        "Iterations per ended run",
        &ITERATION_BUCKETS,
    )?;
    let tokens = histogram(
        "forge_convergence_tokens",
        "Model tokens per ended run",
        &TOKEN_BUCKETS,
    )?;
    let duration = histogram(
        "forge_convergence_duration_seconds",
        "Wall-clock time per ended run",
        &DURATION_BUCKETS,
    )?;
    let model_tokens = IntCounterVec::new(
        Opts::new(
            "forge_model_tokens_total",
            "Model tokens over every recorded model call, by kind",
        ),
        &["kind"],
    )?;
    // Every label value is exposed, at 0 until it happens, so a dashboard's series exist
    // before the first such run.
    for status in RunStatus::ALL
        .into_iter()
        .filter(|s| *s != RunStatus::Running)
    {
        total.with_label_values(&[status.as_str()]);
    }
    let (mut finished, mut converged) = (0u64, 0u64);
    let (mut validator_runs, mut timeouts) = (0u64, 0u64);
    let (mut raw, mut sent) = (0u64, 0u64);
    let (mut input, mut output, mut cached) = (0u64, 0u64, 0u64);
    for root in roots {
        let s = &root.stats;
        for run in &s.finished {
            total.with_label_values(&[run.status.as_str()]).inc();
            finished += 1;
            converged += u64::from(run.status == RunStatus::Converged);
            iterations.observe(f64::from(run.iterations));
            tokens.observe(run.tokens as f64);
            if let Some(d) = run.duration_seconds {
                duration.observe(d);
            }
        }
        validator_runs += s.validator_runs;
        timeouts += s.validator_timeouts;
        raw += root.raw_feedback_tokens;
        sent += root.sent_feedback_tokens;
        input += s.input_tokens;
        output += s.output_tokens;
        cached += s.cached_tokens;
    }
    for (kind, n) in [("input", input), ("output", output), ("cached", cached)] {
        model_tokens.with_label_values(&[kind]).inc_by(n);
    }
    registry.register(Box::new(total))?;
    registry.register(Box::new(ratio(
        "forge_convergence_success_ratio",
        "Share of ended runs that converged (NaN before the first run ends)",
        converged,
        finished,
    )?))?;
    registry.register(Box::new(iterations))?;
    registry.register(Box::new(tokens))?;
    registry.register(Box::new(duration))?;
    registry.register(Box::new(ratio(
        "forge_validator_timeout_ratio",
        "Share of validator executions (not skipped by a breaker) that hit their timeout",
        timeouts,
        validator_runs,
    )?))?;
    registry.register(Box::new(model_tokens))?;
    registry.register(Box::new(ratio(
        "forge_feedback_token_savings_ratio",
        "1 - sent/raw validator feedback tokens over all evidence packs",
        raw.saturating_sub(sent),
        raw,
    )?))?;
    Ok(())
}

fn ratio(name: &str, help: &str, part: u64, whole: u64) -> Result<Gauge, prometheus::Error> {
    let g = Gauge::new(name, help)?;
    g.set(if whole == 0 {
        f64::NAN
    } else {
        part as f64 / whole as f64
    });
    Ok(g)
}

/// The registry as exposition text.
pub fn encode(registry: &Registry) -> Result<String, MetricsError> {
    let mut out = Vec::new();
    prometheus::TextEncoder::new().encode(&registry.gather(), &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `forge metrics`: the text for the histories of `roots`.
pub fn history_text(roots: &[&Path]) -> Result<String, crate::Error> {
    let numbers = roots
        .iter()
        .map(|r| read_root(r))
        .collect::<Result<Vec<_>, _>>()?;
    let registry = Registry::new();
    register_history(&registry, &numbers)?;
    Ok(encode(&registry)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::FinishedRun;

    fn run(status: RunStatus, iterations: u32) -> FinishedRun {
        FinishedRun {
            run_id: "X".to_string(),
            status,
            iterations,
            tokens: 1_500,
            duration_seconds: Some(42.0),
            feedback_tokens: Some((400, 40)),
        }
    }

    fn text(roots: &[RootNumbers]) -> String {
        let registry = Registry::new();
        register_history(&registry, roots).unwrap();
        encode(&registry).unwrap()
    }

    #[test]
    fn sums_roots_and_names_every_spec_metric() {
        let a = RootNumbers {
            stats: HistoryStats {
                finished: vec![run(RunStatus::Converged, 2), run(RunStatus::Timeout, 5)],
                validator_runs: 8,
                validator_timeouts: 2,
                input_tokens: 100,
                output_tokens: 50,
                cached_tokens: 10,
            },
            raw_feedback_tokens: 1_000,
            sent_feedback_tokens: 250,
        };
        let b = RootNumbers {
            stats: HistoryStats {
                finished: vec![run(RunStatus::Converged, 1)],
                validator_runs: 2,
                validator_timeouts: 0,
                input_tokens: 1,
                output_tokens: 2,
                cached_tokens: 3,
            },
            ..RootNumbers::default()
        };
        let t = text(&[a, b]);
        for line in [
            "forge_convergence_total{status=\"converged\"} 2",
            "forge_convergence_total{status=\"timeout\"} 1",
            "forge_convergence_total{status=\"stagnated\"} 0",
            "forge_convergence_iterations_count 3",
            "forge_convergence_iterations_sum 8",
            "forge_convergence_iterations_bucket{le=\"1\"} 1",
            "forge_convergence_tokens_count 3",
            "forge_convergence_duration_seconds_sum 126",
            "forge_validator_timeout_ratio 0.2",
            "forge_model_tokens_total{kind=\"input\"} 101",
            "forge_model_tokens_total{kind=\"cached\"} 13",
            "forge_feedback_token_savings_ratio 0.75",
        ] {
            assert!(t.lines().any(|l| l == line), "missing `{line}` in\n{t}");
        }
        let success = t
            .lines()
            .find_map(|l| l.strip_prefix("forge_convergence_success_ratio "))
            .unwrap();
        assert!((success.parse::<f64>().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert!(!t.contains("status=\"running\""), "{t}");
    }

    #[test]
    fn ratios_over_nothing_are_nan_not_zero() {
        let t = text(&[RootNumbers::default()]);
        assert!(t.contains("forge_convergence_success_ratio NaN"), "{t}");
        assert!(t.contains("forge_feedback_token_savings_ratio NaN"), "{t}");
        assert!(
            t.contains("forge_model_tokens_total{kind=\"output\"} 0"),
            "{t}"
        );
    }
}
