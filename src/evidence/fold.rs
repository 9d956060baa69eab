//! The evidence builder: a pack's metadata and raw evidence are a pure fold of the run's
//! events, so the same `events.jsonl` always gives the same bytes.

use super::{
    EvidenceError, EvidencePack, Iteration, Metadata, Metrics, Outcome, RawEvidence, Synthesis,
    Tokens, ToolInvocation,
};
use crate::engine::{AnswerApplied, Envelope, Event};
use crate::history::RunStatus;
use std::path::Path;

/// What the events say so far.
#[derive(Default)]
struct Fold {
    metadata: Option<Metadata>,
    raw: RawEvidence,
    synthesis: Option<Synthesis>,
    /// The iteration being assembled: its answer and validations until `iteration_finished`.
    answer: Option<(AnswerApplied, Tokens)>,
    validations: Vec<super::Validation>,
}

impl Default for RawEvidence {
    fn default() -> Self {
        RawEvidence {
            iterations: Vec::new(),
            tool_invocations: Vec::new(),
            artifacts: Vec::new(),
            metrics: Metrics {
                total_iterations: 0,
                final_score: 0.0,
                tokens_used: 0,
                duration_ms: 0,
                raw_feedback_tokens: 0,
                sent_feedback_tokens: 0,
            },
            outcome: Outcome {
                status: RunStatus::Running,
                degraded: false,
                reason: String::new(),
            },
            events_sha256: None,
        }
    }
}

impl Fold {
    fn apply(&mut self, e: &Envelope) {
        match &e.event {
            Event::RunStarted {
                contract,
                llm,
                forge_version,
                started_at,
                ..
            } => {
                self.metadata = Some(Metadata {
                    run_id: e.run_id.clone(),
                    started_at: started_at.clone(),
                    finished_at: String::new(),
                    forge_version: forge_version.clone(),
                    contract: contract.clone(),
                    llm: llm.clone(),
                });
            }
            Event::ModelFinished { n, call, answer } => {
                self.raw.tool_invocations.push(ToolInvocation::ModelCall {
                    iteration: *n,
                    call: call.clone(),
                });
                if let Some(a) = answer {
                    let tokens = Tokens {
                        input: call.input_tokens,
                        output: call.output_tokens,
                    };
                    self.answer = Some((a.clone(), tokens));
                    self.validations.clear();
                }
            }
            Event::ValidatorFinished { n, validation } => {
                if !validation.skipped {
                    self.raw.tool_invocations.push(ToolInvocation::Process {
                        iteration: *n,
                        name: validation.name.clone(),
                        command: validation.command.clone(),
                        exit_code: validation.exit_code,
                        timed_out: validation.timed_out,
                        duration_ms: validation.duration_ms,
                    });
                }
                self.validations.push(validation.clone());
            }
            Event::IterationFinished {
                n,
                score,
                raw_feedback_tokens,
                sent_feedback_tokens,
                ..
            } => {
                let (answer, tokens) = self.answer.take().unwrap_or_else(|| {
                    let empty = AnswerApplied {
                        prompt_sha256: String::new(),
                        response_sha256: String::new(),
                        edits: Vec::new(),
                    };
                    (
                        empty,
                        Tokens {
                            input: 0,
                            output: 0,
                        },
                    )
                });
                self.raw.iterations.push(Iteration {
                    n: *n,
                    score: *score,
                    prompt_sha256: answer.prompt_sha256,
                    response_sha256: answer.response_sha256,
                    tokens,
                    edits: answer.edits,
                    validations: std::mem::take(&mut self.validations),
                });
                self.raw.metrics.raw_feedback_tokens += raw_feedback_tokens;
                self.raw.metrics.sent_feedback_tokens += sent_feedback_tokens;
            }
            Event::ArtifactsKept { artifacts } => self.raw.artifacts = artifacts.clone(),
            Event::SynthesisWritten { synthesis } => self.synthesis = Some(synthesis.clone()),
            Event::RunFinished {
                status,
                degraded,
                score,
                iterations,
                tokens,
                duration_ms,
                finished_at,
                reason,
                ..
            } => {
                let m = &mut self.raw.metrics;
                m.total_iterations = *iterations;
                m.final_score = *score;
                m.tokens_used = *tokens;
                m.duration_ms = *duration_ms;
                self.raw.outcome = Outcome {
                    status: *status,
                    degraded: *degraded,
                    reason: reason.clone(),
                };
                if let Some(md) = &mut self.metadata {
                    md.finished_at = finished_at.clone();
                }
            }
            Event::IterationStarted { .. } | Event::BreakerOpened { .. } | Event::Notice { .. } => {
            }
        }
    }
}

fn fold<'a>(events: impl IntoIterator<Item = &'a Envelope>) -> Fold {
    let mut f = Fold::default();
    for e in events {
        f.apply(e);
    }
    f
}

/// The raw evidence of the events so far (the synthesis is written from it before the end).
pub fn fold_raw<E: AsRef<Envelope>>(events: &[E]) -> RawEvidence {
    fold(events.iter().map(AsRef::as_ref)).raw
}

/// The unsigned pack of a finished run: a fold of its events plus the digest of its log.
pub fn build<E: AsRef<Envelope>>(
    events: &[E],
    events_sha256: String,
) -> Result<EvidencePack, EvidenceError> {
    let f = fold(events.iter().map(AsRef::as_ref));
    let incomplete =
        |what: &str| EvidenceError::Unsignable(format!("the run's events have no {what}"));
    let metadata = f.metadata.ok_or_else(|| incomplete("run_started"))?;
    if f.raw.outcome.status == RunStatus::Running {
        return Err(incomplete("run_finished"));
    }
    let mut raw = f.raw;
    raw.events_sha256 = Some(events_sha256);
    let synthesis = f
        .synthesis
        .unwrap_or_else(|| super::synthesis::template(&raw));
    Ok(EvidencePack {
        schema: super::SCHEMA.to_string(),
        metadata,
        raw_evidence: raw,
        synthesis,
        integrity: None,
    })
}

/// Rebuild a run's unsigned pack from its `events.jsonl` alone.
pub fn rebuild(events_file: &Path) -> Result<EvidencePack, EvidenceError> {
    let unreadable = |message: String| EvidenceError::Unreadable {
        path: events_file.display().to_string(),
        message,
    };
    let bytes = std::fs::read(events_file).map_err(|e| unreadable(e.to_string()))?;
    let mut events = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let e: Envelope = serde_json::from_slice(line)
            .map_err(|e| unreadable(format!("line {} is not a forge event: {e}", i + 1)))?;
        events.push(e);
    }
    build(&events, crate::sha::sha256_hex(&bytes))
}
