//! Plain lines on stderr, for logs and pipes: one line per step, no cursor tricks.

use super::summary::{self, IterationRow};
use super::{human_ms, styled_verdict, verdict};
use crate::engine::{AnswerSource, Envelope, Event, Observer};
use std::io::Write;

pub struct PlainLines<W: Write + Send> {
    out: W,
    rows: Vec<IterationRow>,
}

impl PlainLines<std::io::Stderr> {
    pub fn stderr() -> Self {
        Self::new(std::io::stderr())
    }
}

impl<W: Write + Send> PlainLines<W> {
    pub fn new(out: W) -> Self {
        PlainLines {
            out,
            rows: Vec::new(),
        }
    }
}

impl<W: Write + Send> Observer for PlainLines<W> {
    fn on_event(&mut self, event: &Envelope) -> Result<(), String> {
        if let Some(line) = line_for(event, &mut self.rows) {
            let _ = writeln!(self.out, "{line}");
        }
        Ok(())
    }
}

/// The line for one event, also collecting the end-of-run table.
pub(crate) fn line_for(env: &Envelope, rows: &mut Vec<IterationRow>) -> Option<String> {
    Some(match &env.event {
        Event::RunStarted {
            contract,
            llm,
            max_iterations,
            threshold,
            ..
        } => {
            let source = match (&llm.source, &llm.cassette) {
                (AnswerSource::Replay, Some(c)) => format!("replaying {}", c.path),
                _ => format!("model {}/{}", llm.provider, llm.model),
            };
            format!(
                "forge: run {}: contract {}, {source}, up to {max_iterations} iterations, threshold {threshold:.2}",
                env.run_id, contract.name
            )
        }
        Event::IterationStarted { n } => {
            rows.push(IterationRow {
                n: *n,
                ..Default::default()
            });
            format!("iteration {n}: asking the model")
        }
        Event::ModelFinished { n, call, answer } => {
            if !call.ok {
                let why = call.error.as_deref().unwrap_or("no answer");
                return Some(format!(
                    "iteration {n}: {} call failed: {why}",
                    call.purpose
                ));
            }
            let Some(a) = answer else {
                return (call.purpose == "synthesis").then(|| {
                    format!(
                        "synthesis: written by the model ({} in / {} out tokens)",
                        call.input_tokens, call.output_tokens
                    )
                });
            };
            let mut s = format!(
                "iteration {n}: model answered in {} ({} in / {} out tokens), {} edit(s) applied",
                human_ms(call.latency_ms),
                call.input_tokens,
                call.output_tokens,
                a.applied()
            );
            if a.refused() > 0 {
                s.push_str(&format!(", {} refused", a.refused()));
            }
            if call.attempts > 1 {
                s.push_str(&format!(" after {} attempts", call.attempts));
            }
            s
        }
        Event::ValidatorFinished { validation: v, .. } => {
            let word = verdict(v.exit_code, v.timed_out, v.skipped);
            if word != "PASS" {
                if let Some(r) = rows.last_mut() {
                    r.failed.push(v.name.clone());
                }
            }
            format!(
                "  {:<20} {:<7} {:>5.2}  {}",
                v.name,
                styled_verdict(word),
                v.score,
                human_ms(v.duration_ms)
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
        Event::BreakerOpened { name, .. } => format!(
            "validator {name} timed out 3 times in a row: its breaker is open and the run is degraded"
        ),
        Event::Notice { message } => format!("note: {message}"),
        Event::ArtifactsKept { .. } | Event::SynthesisWritten { .. } => return None,
        Event::RunFinished {
            status,
            degraded,
            score,
            iterations,
            tokens,
            evidence,
            reason,
            applied,
            ..
        } => {
            let mut s = summary::render(rows);
            s.push_str(&format!(
                "run {}: {status}{} — score {score:.2} after {iterations} iteration(s), {tokens} tokens",
                env.run_id,
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
