//! The history folded into the numbers `forge metrics` and `GET /metrics` expose (SPEC §8).

use super::{History, HistoryError, RunStatus};
use rusqlite::types::Type;

/// One finished run, as the metrics' histograms see it.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    pub run_id: String,
    pub status: RunStatus,
    pub iterations: u32,
    pub tokens: u64,
    /// From `started_at` to `finished_at`; None when either cannot be read as a time.
    pub duration_seconds: Option<f64>,
    /// Validator output it would have sent unabridged and what it sent, in tokens; None for a
    /// run recorded before the history kept them (its pack has them).
    pub feedback_tokens: Option<(u64, u64)>,
}

/// Everything the history says about runs that ended, in one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryStats {
    /// Runs that ended, in no particular order. Runs still going are left out: they are
    /// counted when they end, so the totals only ever grow.
    pub finished: Vec<FinishedRun>,
    /// Validator executions that ran (not skipped by an open breaker) in finished runs.
    pub validator_runs: u64,
    /// Of those, the ones that hit their timeout.
    pub validator_timeouts: u64,
    /// Model tokens over every recorded call of finished runs.
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cached_tokens: u64,
}

impl History {
    /// Fold every finished run of this history into [`HistoryStats`].
    pub fn stats(&self) -> Result<HistoryStats, HistoryError> {
        let mut stats = HistoryStats::default();
        let mut runs = self
            .conn
            .prepare(
                // Every column is in `runs_for_metrics`: one scan of that index, no table reads.
                "SELECT run_id, status, iterations, tokens,
                        (julianday(finished_at) - julianday(started_at)) * 86400.0,
                        raw_feedback_tokens, sent_feedback_tokens
                 FROM runs INDEXED BY runs_for_metrics WHERE status <> 'running'",
            )
            .map_err(|e| self.sql_err(e))?;
        stats.finished = runs
            .query_map([], |r| {
                let status: String = r.get(1)?;
                let status = RunStatus::parse(&status).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        Type::Text,
                        format!("unknown run status `{status}`").into(),
                    )
                })?;
                let duration: Option<f64> = r.get(4)?;
                Ok(FinishedRun {
                    run_id: r.get(0)?,
                    status,
                    iterations: r.get(2)?,
                    tokens: r.get(3)?,
                    // A clock stepped back between start and finish reads as no duration,
                    // never as a negative one.
                    duration_seconds: duration.filter(|d| d.is_finite() && *d >= 0.0),
                    feedback_tokens: match (r.get::<_, Option<u64>>(5)?, r.get(6)?) {
                        (Some(raw), Some(sent)) => Some((raw, sent)),
                        _ => None,
                    },
                })
            })
            .and_then(|rows| rows.collect::<Result<_, _>>())
            .map_err(|e| self.sql_err(e))?;

        let (runs, timeouts) = self
            .conn
            .query_row(
                // The runs still going are few: leaving them out by a list beats looking each
                // result's run up; the covering index spares reading the output excerpts.
                "SELECT count(*), coalesce(sum(timed_out), 0)
                 FROM validator_results INDEXED BY validator_results_for_metrics
                 WHERE skipped = 0
                   AND run_id NOT IN (SELECT run_id FROM runs WHERE status = 'running')",
                [],
                |r| Ok((r.get::<_, u64>(0)?, r.get::<_, u64>(1)?)),
            )
            .map_err(|e| self.sql_err(e))?;
        stats.validator_runs = runs;
        stats.validator_timeouts = timeouts;

        let (input, output, cached) = self
            .conn
            .query_row(
                "SELECT coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
                        coalesce(sum(cached_tokens), 0)
                 FROM model_calls INDEXED BY model_calls_by_run
                 WHERE run_id NOT IN (SELECT run_id FROM runs WHERE status = 'running')",
                [],
                |r| {
                    Ok((
                        r.get::<_, u64>(0)?,
                        r.get::<_, u64>(1)?,
                        r.get::<_, u64>(2)?,
                    ))
                },
            )
            .map_err(|e| self.sql_err(e))?;
        stats.input_tokens = input;
        stats.output_tokens = output;
        stats.cached_tokens = cached;
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ModelCall;
    use crate::history::{NewRun, RunEnd};

    fn start(h: &History, id: &str, started_at: &str) {
        h.start_run(&NewRun {
            run_id: id.to_string(),
            contract_name: "c".to_string(),
            contract_path: "c.yaml".to_string(),
            contract_sha256: "0".repeat(64),
            provider: "openai".to_string(),
            model: "m".to_string(),
            started_at: started_at.to_string(),
        })
        .unwrap();
    }

    fn finish(h: &History, id: &str, status: RunStatus, finished_at: &str) {
        h.finish_run(
            id,
            &RunEnd {
                status,
                degraded: false,
                score: 1.0,
                iterations: 2,
                tokens: 300,
                finished_at: finished_at.to_string(),
                evidence_path: None,
                reason: String::new(),
                raw_feedback_tokens: 400,
                sent_feedback_tokens: 40,
            },
        )
        .unwrap();
    }

    fn call(input: u64, output: u64, cached: u64) -> ModelCall {
        ModelCall {
            purpose: "generate".to_string(),
            provider: "openai".to_string(),
            model: "m".to_string(),
            input_tokens: input,
            output_tokens: output,
            cached_tokens: cached,
            cache_written_tokens: 0,
            cost_usd: None,
            estimated: false,
            latency_ms: 1,
            attempts: 1,
            retries: Vec::new(),
            ok: true,
            error: None,
        }
    }

    #[test]
    fn folds_finished_runs_and_leaves_running_ones_out() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap();
        start(&h, "A", "2026-11-21T10:00:00.000Z");
        h.record_model_call("A", 1, &call(100, 40, 10)).unwrap();
        finish(&h, "A", RunStatus::Converged, "2026-11-21T10:01:30.500Z");
        start(&h, "B", "2026-11-21T11:00:00.000Z");
        h.record_model_call("B", 1, &call(7, 3, 0)).unwrap();
        // Finished before it started: a clock step, not a negative duration.
        finish(&h, "B", RunStatus::Timeout, "2026-11-21T10:59:00.000Z");
        start(&h, "C", "2026-11-21T12:00:00.000Z");
        h.record_model_call("C", 1, &call(1000, 1000, 1000))
            .unwrap();

        let s = h.stats().unwrap();
        let ids: Vec<&str> = s.finished.iter().map(|r| r.run_id.as_str()).collect();
        assert_eq!(ids, ["A", "B"]);
        assert_eq!(s.finished[0].status, RunStatus::Converged);
        let d = s.finished[0].duration_seconds.unwrap();
        assert!((d - 90.5).abs() < 0.01, "{d}");
        assert_eq!(s.finished[1].duration_seconds, None);
        assert_eq!(
            (s.input_tokens, s.output_tokens, s.cached_tokens),
            (107, 43, 10)
        );
    }

    #[test]
    fn an_empty_history_has_no_runs_and_zero_totals() {
        let dir = tempfile::tempdir().unwrap();
        let s = History::open_read_only(dir.path())
            .unwrap()
            .stats()
            .unwrap();
        assert_eq!(s, HistoryStats::default());
    }
}
