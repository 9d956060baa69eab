//! The history writer: an event consumer that keeps the run's rows current on a thread of its
//! own, so SQLite never blocks the async runtime.

use super::{History, IterationRow, NewRun, RunEnd};
use crate::engine::{Envelope, Event, Observer};
use crate::validate::Validation;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct HistoryRecorder {
    tx: Option<Sender<Arc<Envelope>>>,
    thread: Option<JoinHandle<History>>,
    failure: Arc<Mutex<Option<String>>>,
    handback: HistoryHandback,
}

/// Where the recorder leaves its history once closed, for the pack's seal to use the same
/// connection rather than open another.
#[derive(Clone, Default)]
pub struct HistoryHandback(Arc<Mutex<Option<History>>>);

impl HistoryHandback {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<History>> {
        match self.0.lock() {
            Ok(h) => h,
            Err(p) => p.into_inner(),
        }
    }

    /// The recorder's history, once it has closed (None before, or when its thread died).
    pub fn take(&self) -> Option<History> {
        self.slot().take()
    }
}

impl HistoryRecorder {
    /// Start writing into `history` (already open, so opening errors surface before the run).
    pub fn start(history: History) -> std::io::Result<(Self, HistoryHandback)> {
        let (tx, rx) = channel();
        let failure = Arc::new(Mutex::new(None));
        let seen = failure.clone();
        let thread = std::thread::Builder::new()
            .name("forge-history".into())
            .spawn(move || write_all(history, rx, &seen))?;
        let handback = HistoryHandback::default();
        let recorder = HistoryRecorder {
            tx: Some(tx),
            thread: Some(thread),
            failure,
            handback: handback.clone(),
        };
        Ok((recorder, handback))
    }

    fn failure(&self) -> Option<String> {
        match self.failure.lock() {
            Ok(f) => f.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

impl Observer for HistoryRecorder {
    fn on_event(&mut self, event: &Envelope) -> Result<(), String> {
        if let Some(tx) = &self.tx {
            if tx.send(Arc::new(event.clone())).is_err() {
                return Err("the history writer stopped".to_string());
            }
        }
        self.failure().map_or(Ok(()), Err)
    }

    fn close(&mut self) -> Result<(), String> {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            match t.join() {
                Ok(history) => *self.handback.slot() = Some(history),
                Err(_) => return Err("the history writer stopped".to_string()),
            }
        }
        self.failure().map_or(Ok(()), Err)
    }
}

/// What one iteration has told so far, until `iteration_finished` writes it as one row.
#[derive(Default)]
struct Pending {
    generate: Option<(u64, u64, String, String, u32, u32)>,
    validators: Vec<Validation>,
    /// The run's feedback so far, raw and sent, in tokens (as the pack's metrics sum them).
    feedback: (u64, u64),
}

fn write_all(
    history: History,
    rx: Receiver<Arc<Envelope>>,
    failure: &Mutex<Option<String>>,
) -> History {
    let mut pending = Pending::default();
    for e in rx {
        if let Err(message) = write_one(&history, &e, &mut pending) {
            if let Ok(mut f) = failure.lock() {
                f.get_or_insert(message);
            }
        }
    }
    history
}

fn write_one(h: &History, e: &Envelope, p: &mut Pending) -> Result<(), String> {
    let id = e.run_id.as_str();
    let r = match &e.event {
        Event::RunStarted {
            contract,
            llm,
            started_at,
            ..
        } => h.start_run(&NewRun {
            run_id: id.to_string(),
            contract_name: contract.name.clone(),
            contract_path: contract.path.clone(),
            contract_sha256: contract.sha256.clone(),
            provider: llm.provider.clone(),
            model: llm.model.clone(),
            started_at: started_at.clone(),
        }),
        Event::ModelFinished { n, call, answer } => {
            if let Some(a) = answer {
                p.generate = Some((
                    call.input_tokens,
                    call.output_tokens,
                    a.prompt_sha256.clone(),
                    a.response_sha256.clone(),
                    u32::try_from(a.applied()).unwrap_or(u32::MAX),
                    u32::try_from(a.refused()).unwrap_or(u32::MAX),
                ));
                p.validators.clear();
            }
            h.record_model_call(id, *n, call)
        }
        Event::ValidatorFinished { validation, .. } => {
            p.validators.push(validation.clone());
            Ok(())
        }
        // Kept in the pack; the history has no column for it.
        Event::Sandbox { .. } => Ok(()),
        Event::IterationFinished {
            n,
            score,
            duration_ms,
            raw_feedback_tokens,
            sent_feedback_tokens,
            ..
        } => {
            p.feedback.0 += raw_feedback_tokens;
            p.feedback.1 += sent_feedback_tokens;
            let (input, output, prompt, response, applied, refused) =
                p.generate.take().unwrap_or_default();
            h.record_iteration(
                id,
                &IterationRow {
                    n: *n,
                    score: *score,
                    input_tokens: input,
                    output_tokens: output,
                    prompt_sha256: prompt,
                    response_sha256: response,
                    duration_ms: *duration_ms,
                    edits_applied: applied,
                    edits_refused: refused,
                    validators: std::mem::take(&mut p.validators),
                },
            )
        }
        Event::RunFinished {
            status,
            degraded,
            score,
            iterations,
            tokens,
            finished_at,
            evidence,
            reason,
            ..
        } => h.finish_run(
            id,
            &RunEnd {
                status: *status,
                degraded: *degraded,
                score: *score,
                iterations: *iterations,
                tokens: *tokens,
                finished_at: finished_at.clone(),
                evidence_path: evidence.clone(),
                reason: reason.clone(),
                raw_feedback_tokens: p.feedback.0,
                sent_feedback_tokens: p.feedback.1,
            },
        ),
        Event::IterationStarted { .. }
        | Event::BreakerOpened { .. }
        | Event::Notice { .. }
        | Event::ArtifactsKept { .. }
        | Event::SynthesisWritten { .. }
        | Event::PrivacyPolicy { .. }
        | Event::PrivacyFinding { .. } => Ok(()),
    };
    r.map_err(|e| e.to_string())
}
