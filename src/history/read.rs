//! The views behind `forge runs list` and `forge runs show`.

use super::{History, HistoryError, IterationRow, RunDetail, RunStatus, RunSummary};
use crate::validate::Validation;
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, params};

const SUMMARY_COLUMNS: &str = "run_id, contract_name, status, degraded, score, iterations, tokens,
    started_at, finished_at, contract_path, provider, model, reason, evidence_path, pid,
    pid_start_time, cost_usd";

impl History {
    /// Up to `limit` runs, newest first, optionally only those with `status`.
    pub fn list_runs(
        &self,
        limit: usize,
        status: Option<&str>,
    ) -> Result<Vec<RunSummary>, HistoryError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM runs WHERE (?1 IS NULL OR status = ?1
                 OR (?1 = 'interrupted' AND status = 'running'))
             ORDER BY started_at DESC, run_id DESC LIMIT ?2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql_err(e))?;
        let rows: Vec<(RunSummary, Option<i64>, Option<i64>)> = stmt
            .query_map(params![status, limit], summary)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| self.as_seen(r))
            .filter(|r| status.is_none_or(|st| r.status.as_str() == st))
            .collect())
    }

    /// The full id of the one run whose id is `run_id` or starts with it (as git abbreviates
    /// commits; case does not matter, ids are Crockford base32).
    pub fn resolve_run_id(&self, run_id: &str) -> Result<String, HistoryError> {
        // One more than shown, to say that the list goes on.
        const SHOWN: usize = 8;
        let mut stmt = self
            .conn
            .prepare(
                // Range scans of the primary key, one per spelling of the prefix (ids forge
                // makes are upper case; older ones may not be), never a scan of every run.
                // `~` sorts after every character a run id may hold.
                "SELECT run_id FROM runs WHERE run_id = ?1
                 UNION SELECT run_id FROM (SELECT run_id FROM runs
                    WHERE (run_id >= upper(?1) AND run_id < upper(?1) || '~')
                       OR (run_id >= lower(?1) AND run_id < lower(?1) || '~')
                       OR (run_id >= ?1 AND run_id < ?1 || '~')
                    ORDER BY run_id LIMIT ?2)",
            )
            .map_err(|e| self.sql_err(e))?;
        let ids: Vec<String> = stmt
            .query_map(params![run_id, (SHOWN + 1) as i64], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql_err(e))?;
        if run_id.is_empty() {
            return Err(HistoryError::UnknownRun(run_id.to_string()));
        }
        if let Some(exact) = ids.iter().find(|id| *id == run_id) {
            return Ok(exact.clone());
        }
        match ids.as_slice() {
            [] => Err(HistoryError::UnknownRun(run_id.to_string())),
            [one] => Ok(one.clone()),
            many => {
                let mut candidates: Vec<String> = many.iter().take(SHOWN).cloned().collect();
                if many.len() > SHOWN {
                    candidates.push("...".into());
                }
                Err(HistoryError::AmbiguousRun {
                    prefix: run_id.to_string(),
                    candidates,
                })
            }
        }
    }

    /// One run with its iterations and their validator results; `run_id` may be abbreviated
    /// to a unique prefix.
    pub fn show_run(&self, run_id: &str) -> Result<RunDetail, HistoryError> {
        let full = self.resolve_run_id(run_id)?;
        let run_id = full.as_str();
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE run_id = ?1");
        let summary = self
            .conn
            .query_row(&sql, [run_id], summary)
            .optional()
            .map_err(|e| self.sql_err(e))?
            .map(|r| self.as_seen(r))
            .ok_or_else(|| HistoryError::UnknownRun(run_id.to_string()))?;
        let mut its = self
            .conn
            .prepare(
                "SELECT n, score, input_tokens, output_tokens, prompt_sha256, response_sha256,
                        duration_ms, edits_applied, edits_refused
                 FROM iterations WHERE run_id = ?1 ORDER BY n",
            )
            .map_err(|e| self.sql_err(e))?;
        let mut iterations: Vec<IterationRow> = its
            .query_map([run_id], |r| {
                Ok(IterationRow {
                    n: r.get(0)?,
                    score: r.get(1)?,
                    input_tokens: r.get(2)?,
                    output_tokens: r.get(3)?,
                    prompt_sha256: r.get(4)?,
                    response_sha256: r.get(5)?,
                    duration_ms: r.get(6)?,
                    edits_applied: r.get(7)?,
                    edits_refused: r.get(8)?,
                    validators: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<Result<_, _>>())
            .map_err(|e| self.sql_err(e))?;
        let mut vals = self
            .conn
            .prepare(
                "SELECT iteration, name, kind, exit_code, timed_out, duration_ms, score, skipped,
                        output_bytes, command, output_sha256, output_excerpt
                 FROM validator_results WHERE run_id = ?1 ORDER BY iteration, rowid",
            )
            .map_err(|e| self.sql_err(e))?;
        let rows: Vec<(u32, Validation)> = vals
            .query_map([run_id], |r| {
                let kind: String = r.get(2)?;
                let kind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                    .map_err(|_| {
                        rusqlite::Error::FromSqlConversionFailure(
                            2,
                            Type::Text,
                            format!("unknown validator kind `{kind}`").into(),
                        )
                    })?;
                Ok((
                    r.get(0)?,
                    Validation {
                        name: r.get(1)?,
                        kind,
                        exit_code: r.get(3)?,
                        timed_out: r.get(4)?,
                        duration_ms: r.get(5)?,
                        score: r.get(6)?,
                        skipped: r.get(7)?,
                        output_bytes: r.get(8)?,
                        command: r.get(9)?,
                        output_sha256: r.get(10)?,
                        output_excerpt: r.get(11)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<Result<_, _>>())
            .map_err(|e| self.sql_err(e))?;
        for (n, v) in rows {
            if let Some(it) = iterations.iter_mut().find(|it| it.n == n) {
                it.validators.push(v);
            }
        }
        Ok(RunDetail {
            summary,
            iterations,
        })
    }
}

impl History {
    /// A run as a reader should see it: one still recorded `running` whose forge is gone is
    /// shown `interrupted` (the next writer records it so).
    fn as_seen(&self, (mut s, pid, start): (RunSummary, Option<i64>, Option<i64>)) -> RunSummary {
        if s.status == RunStatus::Running && !self.is_alive(&s.run_id, pid, start) {
            s.status = RunStatus::Interrupted;
            s.reason
                .get_or_insert_with(|| "forge stopped without finishing".to_string());
        }
        s
    }
}

fn summary(r: &Row<'_>) -> rusqlite::Result<(RunSummary, Option<i64>, Option<i64>)> {
    let status: String = r.get(2)?;
    let status = RunStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            Type::Text,
            format!("unknown run status `{status}`").into(),
        )
    })?;
    let summary = RunSummary {
        run_id: r.get(0)?,
        contract: r.get(1)?,
        status,
        degraded: r.get(3)?,
        score: r.get(4)?,
        iterations: r.get(5)?,
        tokens: r.get(6)?,
        started_at: r.get(7)?,
        finished_at: r.get(8)?,
        contract_path: r.get(9)?,
        provider: r.get(10)?,
        model: r.get(11)?,
        reason: r.get(12)?,
        evidence: r.get(13)?,
        cost_usd: r.get(16)?,
    };
    Ok((summary, r.get(14)?, r.get(15)?))
}
