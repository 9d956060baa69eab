//! The engine's writes: a run starts, records its model calls and iterations, and finishes.

use super::liveness;
use super::{History, HistoryError, IterationRow, NewRun, RunEnd, RunStatus};
use crate::engine::ModelCall;
use rusqlite::params;

impl History {
    /// Record a run as `running`, with this process's pid and start time so that a later open
    /// can tell whether it died without finishing.
    pub fn start_run(&self, run: &NewRun) -> Result<(), HistoryError> {
        let pid = std::process::id();
        let start = liveness::start_time(pid).and_then(|s| i64::try_from(s).ok());
        self.write(|c| {
            c.execute(
                "INSERT INTO runs (run_id, contract_name, contract_path, contract_sha256, provider,
                                   model, started_at, status, pid, pid_start_time, cost_usd)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0.0)",
                params![
                    run.run_id,
                    run.contract_name,
                    run.contract_path,
                    run.contract_sha256,
                    run.provider,
                    run.model,
                    run.started_at,
                    RunStatus::Running.as_str(),
                    pid,
                    start
                ],
            )
            .map_err(|e| self.sql_err(e))?;
            Ok(())
        })
    }

    /// Record one model call and add its tokens to the run's total.
    pub fn record_model_call(
        &self,
        run_id: &str,
        iteration: u32,
        call: &ModelCall,
    ) -> Result<(), HistoryError> {
        self.write(|c| {
            // Every token a run spends is counted here, when the call ends, so a run that is
            // killed later still shows what it cost. A call without a price makes the run's
            // cost unknown for good (NULL + x is NULL).
            let updated = c
                .execute(
                    "UPDATE runs SET tokens = tokens + ?2, cost_usd = cost_usd + ?3 WHERE run_id = ?1",
                    params![run_id, call.tokens(), call.cost_usd],
                )
                .map_err(|e| self.sql_err(e))?;
            if updated == 0 {
                return Err(HistoryError::UnknownRun(run_id.to_string()));
            }
            c.execute(
                "INSERT INTO model_calls (run_id, iteration, purpose, provider, model, input_tokens,
                     output_tokens, cached_tokens, estimated, latency_ms, attempts, ok, error,
                     cost_usd)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    run_id,
                    iteration,
                    call.purpose,
                    call.provider,
                    call.model,
                    call.input_tokens,
                    call.output_tokens,
                    call.cached_tokens,
                    call.estimated,
                    call.latency_ms,
                    call.attempts,
                    call.ok,
                    call.error,
                    call.cost_usd
                ],
            )
            .map_err(|e| self.sql_err(e))?;
            Ok(())
        })
    }

    /// Record one iteration with its validator results, all or nothing, and keep the run's
    /// running totals (iterations, best score) current for `forge runs` meanwhile.
    pub fn record_iteration(&self, run_id: &str, it: &IterationRow) -> Result<(), HistoryError> {
        self.write(|c| {
            let updated = c
                .execute(
                    "UPDATE runs SET iterations = max(iterations, ?2),
                                     score = max(coalesce(score, ?3), ?3)
                     WHERE run_id = ?1",
                    params![run_id, it.n, it.score],
                )
                .map_err(|e| self.sql_err(e))?;
            if updated == 0 {
                return Err(HistoryError::UnknownRun(run_id.to_string()));
            }
            c.execute(
                "INSERT INTO iterations (run_id, n, score, input_tokens, output_tokens, prompt_sha256,
                     response_sha256, duration_ms, edits_applied, edits_refused)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run_id,
                    it.n,
                    it.score,
                    it.input_tokens,
                    it.output_tokens,
                    it.prompt_sha256,
                    it.response_sha256,
                    it.duration_ms,
                    it.edits_applied,
                    it.edits_refused
                ],
            )
            .map_err(|e| self.sql_err(e))?;
            let mut insert = c
                .prepare(
                    "INSERT INTO validator_results (run_id, iteration, name, kind, exit_code,
                         timed_out, duration_ms, score, skipped, output_bytes, command,
                         output_sha256, output_excerpt)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(|e| self.sql_err(e))?;
            for v in &it.validators {
                insert
                    .execute(params![
                        run_id,
                        it.n,
                        v.name,
                        v.kind.as_str(),
                        v.exit_code,
                        v.timed_out,
                        v.duration_ms,
                        v.score,
                        v.skipped,
                        v.output_bytes,
                        v.command,
                        v.output_sha256,
                        v.output_excerpt
                    ])
                    .map_err(|e| self.sql_err(e))?;
            }
            Ok(())
        })
    }

    /// Not synced on its own: sealing the run follows at once, and its durable commit (the
    /// pack's place in the chain, or the row saying the pack is missing) syncs the WAL, this
    /// row with it. A crash of forge in between loses nothing; only power loss could.
    pub fn finish_run(&self, run_id: &str, end: &RunEnd) -> Result<(), HistoryError> {
        self.write(|c| {
            let updated = c
                .execute(
                    "UPDATE runs SET status = ?2, degraded = ?3, score = ?4, iterations = ?5,
                         tokens = ?6, finished_at = ?7, evidence_path = ?8, reason = ?9,
                         raw_feedback_tokens = ?10, sent_feedback_tokens = ?11
                     WHERE run_id = ?1",
                    params![
                        run_id,
                        end.status.as_str(),
                        end.degraded,
                        end.score,
                        end.iterations,
                        end.tokens,
                        end.finished_at,
                        end.evidence_path,
                        end.reason,
                        end.raw_feedback_tokens,
                        end.sent_feedback_tokens
                    ],
                )
                .map_err(|e| self.sql_err(e))?;
            if updated == 0 {
                return Err(HistoryError::UnknownRun(run_id.to_string()));
            }
            Ok(())
        })
    }

    /// The run ended but its pack could not be written: say so in its row.
    pub fn evidence_missing(&self, run_id: &str, why: &str) -> Result<(), HistoryError> {
        self.write_durable(|c| {
            c.execute(
                "UPDATE runs SET evidence_path = NULL,
                     reason = coalesce(reason, '') || '; no evidence pack: ' || ?2
                 WHERE run_id = ?1",
                params![run_id, why],
            )
            .map_err(|e| self.sql_err(e))?;
            Ok(())
        })
    }

    /// Mark runs still `running` whose forge is gone (or whose pid now belongs to another
    /// process) as `interrupted`. Returns their ids.
    pub(super) fn recover_interrupted(&self) -> Result<Vec<String>, HistoryError> {
        self.write(|c| {
            let mut stmt = c
                .prepare("SELECT run_id, pid, pid_start_time FROM runs WHERE status = 'running'")
                .map_err(|e| self.sql_err(e))?;
            let running = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, Option<i64>>(2)?))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| self.sql_err(e))?;
            let mut recovered = Vec::new();
            for (run_id, pid, start) in running {
                if self.is_alive(&run_id, pid, start) {
                    continue;
                }
                let reason = format!(
                    "forge stopped without finishing (process {} is gone); found at {}",
                    pid.map_or_else(|| "?".to_string(), |p| p.to_string()),
                    crate::timestamp::now()
                );
                c.execute(
                    "UPDATE runs SET status = ?2, reason = ?3 WHERE run_id = ?1 AND status = 'running'",
                    params![run_id, RunStatus::Interrupted.as_str(), reason],
                )
                .map_err(|e| self.sql_err(e))?;
                recovered.push(run_id);
            }
            Ok(recovered)
        })
    }
}
