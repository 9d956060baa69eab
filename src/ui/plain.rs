//! Plain lines on stderr, for logs and pipes: one line per step, no cursor tricks.

use super::summary::{self, IterationRow};
use super::{human_ms, styled_verdict, verdict};
use crate::engine::{Event, EventSink};
use std::io::Write;
use std::sync::Mutex;

pub struct PlainLines<W: Write + Send> {
    state: Mutex<(W, Vec<IterationRow>)>,
}

impl PlainLines<std::io::Stderr> {
    pub fn stderr() -> Self {
        Self::new(std::io::stderr())
    }
}

impl<W: Write + Send> PlainLines<W> {
    pub fn new(out: W) -> Self {
        PlainLines {
            state: Mutex::new((out, Vec::new())),
        }
    }
}

impl<W: Write + Send> EventSink for PlainLines<W> {
    fn emit(&self, event: &Event) {
        let mut guard = match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let (out, rows) = &mut *guard;
        if let Some(line) = line_for(event, rows) {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// The line for one event, also collecting the end-of-run table.
pub(crate) fn line_for(event: &Event, rows: &mut Vec<IterationRow>) -> Option<String> {
    Some(match event {
        Event::RunStarted {
            run_id,
            contract,
            provider,
            model,
            max_iterations,
            threshold,
            ..
        } => format!(
            "forge: run {run_id}: contract {contract}, model {provider}/{model}, up to {max_iterations} iterations, threshold {threshold:.2}"
        ),
        Event::IterationStarted { n } => {
            rows.push(IterationRow {
                n: *n,
                ..Default::default()
            });
            format!("iteration {n}: asking the model")
        }
        Event::ModelStarted { .. } | Event::ModelProgress { .. } => return None,
        Event::ModelFinished {
            n,
            input_tokens,
            output_tokens,
            latency_ms,
            attempts,
            edits_applied,
            edits_refused,
            searches_missed,
        } => {
            let mut s = format!(
                "iteration {n}: model answered in {} ({input_tokens} in / {output_tokens} out tokens), {edits_applied} edit(s) applied",
                human_ms(*latency_ms)
            );
            if *edits_refused > 0 {
                s.push_str(&format!(", {edits_refused} refused"));
            }
            if *searches_missed > 0 {
                s.push_str(&format!(", {searches_missed} SEARCH block(s) missed"));
            }
            if *attempts > 1 {
                s.push_str(&format!(" after {attempts} attempts"));
            }
            s
        }
        Event::ValidatorFinished {
            name,
            exit_code,
            timed_out,
            duration_ms,
            score,
            skipped,
            ..
        } => {
            let v = verdict(*exit_code, *timed_out, *skipped);
            if v != "PASS" {
                if let Some(r) = rows.last_mut() {
                    r.failed.push(name.clone());
                }
            }
            format!(
                "  {name:<20} {:<7} {score:>5.2}  {}",
                styled_verdict(v),
                human_ms(*duration_ms)
            )
        }
        Event::IterationFinished {
            n,
            score,
            best_score,
            tokens,
            ..
        } => {
            if let Some(r) = rows.last_mut() {
                r.score = *score;
                r.tokens = *tokens;
                r.done = true;
            }
            format!("iteration {n}: score {score:.2} (best {best_score:.2})")
        }
        Event::BreakerOpened { name, .. } => {
            format!(
                "validator {name} timed out 3 times in a row: its breaker is open and the run is degraded"
            )
        }
        Event::Notice { message } => format!("note: {message}"),
        Event::RunFinished {
            run_id,
            status,
            degraded,
            score,
            iterations,
            tokens,
            evidence,
            reason,
            applied,
        } => {
            let mut s = summary::render(rows);
            s.push_str(&format!(
                "run {run_id}: {status}{} — score {score:.2} after {iterations} iteration(s), {tokens} tokens",
                if *degraded { " (degraded)" } else { "" }
            ));
            if !reason.is_empty() {
                s.push_str(&format!("\n  {reason}"));
            }
            if !applied.is_empty() {
                s.push_str(&format!("\n  wrote back: {}", applied.join(", ")));
            }
            if let Some(e) = evidence {
                s.push_str(&format!("\n  evidence: {e}"));
            }
            s
        }
    })
}
