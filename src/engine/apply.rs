//! Step 2, apply: parse the answer and write its edits into the workspace, off the async
//! runtime and abandoned at once when the run is stopped.

use super::events::{AnswerApplied, Edit};
use super::failure::RunFailure;
use super::propose::Answer;
use super::run::{LoopState, Run};
use super::stop::StopReason;
use crate::edits::{self, ApplyReport};

/// An answer after it was applied: what the model hears back about it.
pub(super) struct Applied {
    pub report: ApplyReport,
}

impl Run {
    pub(super) async fn apply(
        &self,
        st: &mut LoopState,
        n: u32,
        answer: Answer,
    ) -> Result<Applied, StopReason> {
        let dir = self.ws.path().to_path_buf();
        let matcher = self.edit_matcher.clone();
        let text = answer.text.clone();
        let work = tokio::task::spawn_blocking(move || {
            let proposed = edits::parse(&text);
            edits::apply(&dir, &proposed, &|p| matcher.matches(p))
        });
        let report = tokio::select! {
            r = work => r,
            _ = self.stop.token.cancelled() => {
                self.record_call(st, n, answer.call, None);
                return Err(self.stop.requested().unwrap_or(StopReason::Interrupted));
            }
        };
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                self.record_call(st, n, answer.call, None);
                return Err(st.fail(RunFailure::Apply(e.to_string())));
            }
        };
        let applied = AnswerApplied {
            prompt_sha256: answer.prompt_sha256,
            response_sha256: crate::sha::sha256_hex(answer.text.as_bytes()),
            edits: edits_of(&report),
        };
        self.record_call(st, n, answer.call, Some(applied));
        Ok(Applied { report })
    }
}

/// Every proposed file with its outcome: written (with its digest) or refused (with why).
fn edits_of(report: &ApplyReport) -> Vec<Edit> {
    let written = report.applied.iter().map(|e| Edit {
        path: e.path.to_string(),
        sha256: e.sha256.clone(),
        refused: None,
    });
    let refused = report.refused.iter().map(|r| Edit {
        path: r.path.clone(),
        sha256: String::new(),
        refused: Some(r.reason.clone()),
    });
    let missed = report.missed.iter().map(|m| Edit {
        path: m.path.to_string(),
        sha256: String::new(),
        refused: Some(format!("SEARCH block did not match: {}", m.reason)),
    });
    written.chain(refused).chain(missed).collect()
}
