//! Step 4, decide: score the iteration, remember the best files, and stop or prepare feedback.

use super::apply::Applied;
use super::evaluate::Evaluation;
use super::events::Event;
use super::failure::RunFailure;
use super::prompt::Feedback;
use super::run::{LoopState, Run};
use super::stop::StopReason;

impl Run {
    pub(super) fn decide(
        &self,
        st: &mut LoopState,
        n: u32,
        applied: &Applied,
        ev: Evaluation,
    ) -> Option<StopReason> {
        let score = ev.round.score;
        let improved = st.progress.record(score);
        st.last_score = score;
        let changed = match self.ws.changed_files(&|p| self.allows(p)) {
            Ok(c) => c,
            Err(e) => return Some(st.fail(RunFailure::Workspace(e))),
        };
        if improved {
            match self.ws.read_files(&changed) {
                Ok(files) => st.best_files = files,
                Err(e) => return Some(st.fail(RunFailure::Workspace(e))),
            }
        }
        let fb = super::feedback::failures(&ev.results, self.settings.feedback_cap_tokens);
        self.log.emit(Event::IterationFinished {
            n,
            score,
            best_score: st.progress.best_score.unwrap_or(0.0),
            tokens: st.iteration_tokens(),
            converged: ev.round.converged,
            duration_ms: st.iteration_ms(),
            raw_feedback_tokens: fb.raw_tokens,
            sent_feedback_tokens: fb.sent_tokens,
        });
        if let Some(fault) = self.log.fault() {
            return Some(st.fail(RunFailure::Record(fault)));
        }
        if ev.round.converged {
            return Some(StopReason::Converged);
        }
        if let Some(reason) = self.settings.rules.after_iteration(&st.progress) {
            return Some(reason);
        }
        st.feedback = Some(Feedback {
            iteration: n + 1,
            score,
            current_files: super::files::read(
                self.ws.path(),
                &changed.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            ),
            failures: fb.failures,
            problems: problems(applied),
        });
        None
    }
}

/// What the model must hear about its previous answer besides validator failures.
fn problems(applied: &Applied) -> Vec<String> {
    let mut out = Vec::new();
    if !applied.report.usable() {
        out.push("- Your answer contained no usable file: it scored nothing. Answer with `### FILE: path` and one fenced block per file.".to_string());
    }
    let told = applied.report.feedback();
    if !told.is_empty() {
        out.push(told);
    }
    out
}
