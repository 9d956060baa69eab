//! Ending a run: write back or keep the best attempt, keep artifacts, synthesise, and say so.

use super::events::{Artifact, Envelope, Event};
use super::failure::RunFailure;
use super::run::{LoopState, Run, RunOutcome};
use super::stop::{Budget, Progress, StopReason};
use crate::contract::Synthesis as SynthesisSetting;
use crate::edits::RelPath;
use crate::evidence::{self, Synthesis};
use crate::llm::{ChatRequest, format_cost};
use crate::workspace::ApplyBack;
use std::path::Path;
use std::sync::Arc;

/// The files a run leaves, and what became of writing them back.
struct Kept {
    files: Vec<(RelPath, Vec<u8>)>,
    applied: Vec<String>,
    not_applied: Option<String>,
}

impl Run {
    pub(super) async fn finish(self, reason: StopReason, mut st: LoopState) -> RunOutcome {
        let converged = reason == StopReason::Converged;
        let score = if converged {
            st.last_score
        } else {
            st.progress.best_score.unwrap_or(0.0)
        };
        let degraded = st.degraded();
        let kept = match self.write_back(reason, &mut st, degraded) {
            Ok(k) => k,
            Err(e) => {
                st.failure.get_or_insert(RunFailure::Workspace(e));
                Kept {
                    files: std::mem::take(&mut st.best_files),
                    applied: Vec::new(),
                    not_applied: None,
                }
            }
        };
        match keep_artifacts(
            &self.run_dir.join(crate::run_folder::ARTIFACTS_DIR),
            &kept.files,
        ) {
            Ok(artifacts) => {
                let paths: Vec<RelPath> = kept.files.iter().map(|(p, _)| p.clone()).collect();
                let base = self.ws.base_record(&paths).files;
                self.log.emit(Event::ArtifactsKept { artifacts, base })
            }
            Err(e) => {
                st.failure.get_or_insert(RunFailure::Record(e));
            }
        }
        let mut why = self.reason_text(reason, &st.progress, st.failure.as_ref());
        if let Some(c) = &kept.not_applied {
            why.push_str("; ");
            why.push_str(c);
        }
        let iterations = st.progress.iterations;
        let end = |p: &super::stop::Progress, synthesis_tokens: u64| Event::RunFinished {
            status: reason.status(),
            degraded,
            score,
            iterations,
            tokens: p.tokens_used,
            cost_usd: p.cost(),
            synthesis_tokens,
            duration_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            finished_at: crate::timestamp::now(),
            evidence: Some(self.run_dir.join(evidence::JSON_FILE).display().to_string()),
            reason: why.clone(),
            applied: kept.applied.clone(),
        };
        let provisional = end(&st.progress, 0);
        let before = st.progress.tokens_used;
        let synthesis = self.synthesise(reason, &mut st, provisional).await;
        self.log.emit(Event::SynthesisWritten { synthesis });
        self.log
            .emit(end(&st.progress, st.progress.tokens_used - before));
        RunOutcome {
            run_id: self.run_id.clone(),
            reason,
            degraded,
            score,
            iterations: st.progress.iterations,
            tokens: st.progress.tokens_used,
            evidence: Some(self.run_dir.join(evidence::JSON_FILE)),
            applied: kept.applied,
            not_applied: kept.not_applied,
            failure: st.failure,
        }
    }

    /// A converged run writes its changed files back (unless told not to, or degraded); any
    /// other run keeps its best attempt.
    fn write_back(
        &self,
        reason: StopReason,
        st: &mut LoopState,
        degraded: bool,
    ) -> Result<Kept, crate::workspace::WorkspaceError> {
        if reason != StopReason::Converged {
            return Ok(Kept {
                files: std::mem::take(&mut st.best_files),
                applied: Vec::new(),
                not_applied: None,
            });
        }
        let run_id = &self.run_id;
        let changed = self.ws.changed_files(&|p| self.allows(p))?;
        let mut applied = Vec::new();
        let mut not_applied = None;
        if self.settings.apply && degraded && !self.settings.allow_degraded {
            not_applied = Some(format!(
                "nothing was written back: the run is degraded (a validator's breaker opened); the files are kept under .forge/runs/{run_id}/artifacts/, and --allow-degraded accepts such a run"
            ));
        } else if self.settings.apply {
            match self.ws.apply_back(&self.contract.root, &changed)? {
                ApplyBack::Written { paths } => {
                    applied = paths.iter().map(|p| p.to_string()).collect()
                }
                ApplyBack::Conflict { paths } => {
                    let names = paths
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    not_applied = Some(format!(
                        "nothing was written back: {names} changed in the root during the run; the converged files are kept under .forge/runs/{run_id}/artifacts/"
                    ));
                }
            }
        }
        Ok(Kept {
            files: self.ws.read_files(&changed)?,
            applied,
            not_applied,
        })
    }

    fn reason_text(
        &self,
        reason: StopReason,
        p: &Progress,
        failure: Option<&RunFailure>,
    ) -> String {
        let best = p.best_score.unwrap_or(0.0);
        let s = &self.settings;
        let mut text = match reason {
            StopReason::Converged => format!(
                "score reached the threshold {:.2} and every required validator passed",
                s.threshold
            ),
            StopReason::MaxIterations => format!(
                "reached max_iterations ({}) with best score {best:.2}",
                s.rules.max_iterations
            ),
            StopReason::Stagnated => format!(
                "no better score for {} iterations (best {best:.2})",
                s.rules.stagnation
            ),
            StopReason::BudgetExhausted => match (p.exhausted, s.rules.cost_budget) {
                (Some(Budget::Cost), Some(limit)) => format!(
                    "the next call would cross the cost budget of {} ({} spent)",
                    format_cost(Some(limit)),
                    format_cost(Some(p.cost_used))
                ),
                (None, Some(limit)) if s.rules.cost_spent(p) => format!(
                    "the cost budget of {} is spent ({})",
                    format_cost(Some(limit)),
                    format_cost(Some(p.cost_used))
                ),
                _ => format!(
                    "the next call would cross the token budget of {} ({} used)",
                    s.rules.token_budget, p.tokens_used
                ),
            },
            StopReason::Timeout => format!(
                "run_timeout of {} reached",
                humantime::format_duration(s.run_timeout)
            ),
            StopReason::Interrupted => "interrupted by the user".to_string(),
            StopReason::Error => "the run failed".to_string(),
        };
        if let Some(f) = failure {
            text.push_str(&format!(": {f}"));
        }
        text
    }

    /// The pack's synthesis: one model call when the contract asks for it and the run can afford
    /// it, else the deterministic template. `off` leaves it empty.
    async fn synthesise(
        &self,
        reason: StopReason,
        st: &mut LoopState,
        provisional_end: Event,
    ) -> Synthesis {
        let mut events = self.log.events();
        events.push(Arc::new(Envelope {
            run_id: self.run_id.clone(),
            seq: 0,
            event: provisional_end,
        }));
        let raw = evidence::fold_raw(&events);
        match self.contract.evidence.synthesis {
            SynthesisSetting::Off => return evidence::synthesis::empty(),
            SynthesisSetting::Template => return evidence::synthesis::template(&raw),
            SynthesisSetting::Llm => {}
        }
        let (system, user) = evidence::synthesis::prompt(&raw);
        let req = ChatRequest::single(system, user);
        let can_call = !matches!(reason, StopReason::Interrupted | StopReason::Error);
        let model = self.contract.evidence.synthesis_model.clone();
        if can_call
            && self
                .budget_crossed(st, &req, 600, model.as_deref())
                .is_none()
        {
            let n = st.progress.iterations;
            let (call, result) = self
                .ask(n, "synthesis", model.as_deref(), &req, &self.cancel)
                .await;
            if call.attempts > 0 {
                self.record_call(st, n, call, None);
            }
            if let Some(s) = result
                .ok()
                .and_then(|(resp, _)| evidence::synthesis::parse_llm(&resp.text))
            {
                return s;
            }
        }
        evidence::synthesis::template(&raw)
    }
}

/// Copy the final (or best) files under `dir` and describe them for the record.
fn keep_artifacts(dir: &Path, files: &[(RelPath, Vec<u8>)]) -> Result<Vec<Artifact>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Synced with the rest of the run folder when the pack is sealed.
    for (path, bytes) in files {
        crate::fsutil::write_atomic_unsynced(&path.under(dir), bytes, None)
            .map_err(|e| format!("cannot keep the artifacts under {}: {e}", dir.display()))?;
    }
    let mut out = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        out.push(Artifact {
            path: path.to_string(),
            sha256: crate::sha::sha256_hex(bytes),
            size: bytes.len() as u64,
        });
    }
    Ok(out)
}
