//! Plain lines on stderr, for logs and pipes: one line per step, no cursor tricks.

use super::summary::{self, IterationRow, Tally};
use super::{human_ms, styled_verdict, verdict};
use crate::engine::{Activity, AnswerSource, Envelope, Event, Observer};
use crate::term::{safe_line, safe_text};
use std::io::Write;

pub struct PlainLines<W: Write + Send> {
    out: W,
    tally: Tally,
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
            tally: Tally::default(),
        }
    }
}

impl<W: Write + Send> Observer for PlainLines<W> {
    fn on_event(&mut self, event: &Envelope) -> Result<(), String> {
        if let Some(line) = line_for(event, &mut self.tally) {
            let _ = writeln!(self.out, "{line}");
        }
        Ok(())
    }

    /// A log cannot show a ticking clock, but it can say what is running: a long `cargo test`
    /// does not look like a hang, and its line on finishing gives the time it took.
    fn on_activity(&mut self, activity: &Activity) {
        if let Activity::ValidatorStarted { n, name } = activity {
            let _ = writeln!(self.out, "iteration {n}: running {}", safe_line(name));
        }
    }
}

/// The line for one event, also collecting the end-of-run summary. Every piece of text from a
/// model, a provider, a tool or the contract goes through `term::safe_line`.
pub(crate) fn line_for(env: &Envelope, tally: &mut Tally) -> Option<String> {
    let rows = &mut tally.rows;
    Some(match &env.event {
        Event::RunStarted {
            contract,
            llm,
            max_iterations,
            threshold,
            ..
        } => {
            let source = match (&llm.source, &llm.cassette) {
                (AnswerSource::Replay, Some(c)) => format!("replaying {}", safe_line(&c.path)),
                _ => format!("model {}/{}", llm.provider, safe_line(&llm.model)),
            };
            format!(
                "forge: run {}: contract {}, {source}, up to {max_iterations} iterations, threshold {threshold:.2}",
                env.run_id,
                safe_line(&contract.name)
            )
        }
        // What is missing is said once on stderr by the sandbox policy itself (for `check` too).
        Event::Sandbox { .. } => return None,
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
                    "iteration {n}: {} call failed: {}",
                    call.purpose,
                    safe_text(why)
                ));
            }
            let Some(a) = answer else {
                if call.purpose != "synthesis" {
                    return None;
                }
                return Some(format!(
                    "synthesis: written by the model ({} in / {} out tokens)",
                    call.input_tokens, call.output_tokens
                ));
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
                safe_line(&v.name),
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
            "validator {} timed out 3 times in a row: its breaker is open and the run is degraded",
            safe_line(name)
        ),
        Event::Notice { message } => format!("note: {}", safe_text(message)),
        Event::PrivacyFinding { n, finding: f } => format!(
            "iteration {n}: privacy: {}:{}: {} {} ({}x)",
            safe_line(&f.source),
            f.line,
            f.kind,
            f.action.as_str(),
            f.count
        ),
        Event::PrivacyPolicy { .. } => return None,
        Event::ArtifactsKept { .. } | Event::SynthesisWritten { .. } => return None,
        Event::RunFinished {
            status,
            degraded,
            score,
            iterations,
            tokens,
            cost_usd,
            synthesis_tokens,
            evidence,
            reason,
            applied,
            ..
        } => {
            let mut s = summary::render(rows);
            // The total counts every call; say which part the table's rows do not show.
            let synthesis = if *synthesis_tokens > 0 {
                format!(" ({synthesis_tokens} of them for the synthesis)")
            } else {
                String::new()
            };
            s.push_str(&format!(
                "run {}: {status}{} — score {score:.2} after {iterations} iteration(s), {tokens} tokens{synthesis}, {}",
                env.run_id,
                if *degraded { " (degraded)" } else { "" },
                crate::llm::format_cost(*cost_usd)
            ));
            if !reason.is_empty() {
                s.push_str(&format!("\n  {}", safe_text(reason)));
            }
            if !applied.is_empty() {
                s.push_str(&format!(
                    "\n  wrote back: {}",
                    safe_line(&applied.join(", "))
                ));
            }
            if let Some(e) = evidence {
                s.push_str(&format!("\n  evidence: {}", safe_line(e)));
            }
            s
        }
    })
}
