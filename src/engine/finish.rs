//! Ending a run: write back or keep artifacts, synthesise, sign and write the pack, close history.

use super::events::Event;
use super::run::{Engine, RunOutcome};
use super::stop::{Progress, StopReason};
use super::trail::Trail;
use crate::contract::Synthesis as SynthesisSetting;
use crate::edits::RelPath;
use crate::evidence::{self, Artifact, EvidencePack, Metrics, Outcome, RawEvidence, Synthesis};
use crate::history::RunEnd;
use crate::llm::{ChatMessage, ChatRequest, Role};
use crate::workspace::{ApplyBack, Workspace};
use std::path::Path;
use std::time::Instant;

/// What the loop hands over when it stops.
pub struct LoopEnd {
    pub progress: Progress,
    pub degraded: bool,
    pub last_score: f64,
    pub best_files: Vec<(RelPath, Vec<u8>)>,
    pub failure: Option<String>,
}

pub async fn finish(
    engine: &Engine<'_>,
    run_id: &str,
    ws: &Workspace,
    reason: StopReason,
    end: LoopEnd,
    trail: &mut Trail,
    started: Instant,
) -> Result<RunOutcome, crate::Error> {
    let root = &engine.contract.root;
    let allowed = |p: &Path| engine.allows(p);
    let score = if reason == StopReason::Converged {
        end.last_score
    } else {
        end.progress.best_score.unwrap_or(0.0)
    };
    let mut applied = Vec::new();
    let mut not_applied = None;
    let final_files = if reason == StopReason::Converged {
        let changed = ws.changed_files(&allowed)?;
        if engine.settings.apply && end.degraded && !engine.settings.allow_degraded {
            not_applied = Some(format!(
                "nothing was written back: the run is degraded (a validator's breaker opened); the files are kept under .forge/runs/{run_id}/artifacts/, and --allow-degraded accepts such a run"
            ));
        } else if engine.settings.apply {
            match ws.apply_back(root, &changed)? {
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
        ws.read_files(&changed)?
    } else {
        end.best_files
    };
    let run_dir = crate::layout::run_dir(root, run_id);
    let artifacts = keep_artifacts(&run_dir.join("artifacts"), &final_files)?;
    let kept: Vec<RelPath> = final_files.iter().map(|(p, _)| p.clone()).collect();
    ws.base_record(&kept).write(&run_dir)?;

    let mut why = reason_text(engine, reason, &end.progress, end.failure.as_deref());
    if let Some(c) = &not_applied {
        why.push_str("; ");
        why.push_str(c);
    }
    trail.metadata.finished_at = crate::timestamp::now();
    let mut raw = RawEvidence {
        iterations: std::mem::take(&mut trail.iterations),
        tool_invocations: std::mem::take(&mut trail.tool_invocations),
        artifacts,
        metrics: Metrics {
            total_iterations: end.progress.iterations,
            final_score: score,
            tokens_used: end.progress.tokens_used,
            duration_ms: started.elapsed().as_millis() as u64,
            raw_feedback_tokens: trail.raw_feedback_tokens,
            sent_feedback_tokens: trail.sent_feedback_tokens,
        },
        outcome: Outcome {
            status: reason.status(),
            degraded: end.degraded,
            reason: why.clone(),
        },
    };
    let synthesis = synthesise(engine, run_id, reason, &end.progress, &mut raw, trail).await;
    let mut pack = EvidencePack {
        schema: evidence::SCHEMA.to_string(),
        metadata: trail.metadata.clone(),
        raw_evidence: raw,
        synthesis,
        integrity: None,
    };
    evidence::sign(&mut pack, engine.evidence_key)?;
    let paths = evidence::write_pack(&run_dir, &pack)?;
    let evidence_path = paths.json.clone();
    let tokens = pack.raw_evidence.metrics.tokens_used;
    engine.history.finish_run(
        run_id,
        &RunEnd {
            status: reason.status(),
            degraded: end.degraded,
            score,
            iterations: end.progress.iterations,
            tokens,
            finished_at: pack.metadata.finished_at.clone(),
            evidence_path: Some(evidence_path.display().to_string()),
            reason: why.clone(),
        },
    )?;
    engine.sink.emit(&Event::RunFinished {
        run_id: run_id.to_string(),
        status: reason.status().as_str().to_string(),
        degraded: end.degraded,
        score,
        iterations: end.progress.iterations,
        tokens,
        evidence: Some(evidence_path.display().to_string()),
        reason: why,
        applied: applied.clone(),
    });
    Ok(RunOutcome {
        run_id: run_id.to_string(),
        reason,
        degraded: end.degraded,
        score,
        iterations: end.progress.iterations,
        tokens,
        evidence: Some(evidence_path),
        applied,
        not_applied,
        failure: end.failure,
    })
}

fn reason_text(
    engine: &Engine<'_>,
    reason: StopReason,
    p: &Progress,
    failure: Option<&str>,
) -> String {
    let best = p.best_score.unwrap_or(0.0);
    let s = &engine.settings;
    match reason {
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
        StopReason::BudgetExhausted => {
            format!(
                "the next call would cross the token budget of {} ({} used)",
                s.rules.token_budget, p.tokens_used
            )
        }
        StopReason::Timeout => format!(
            "run_timeout of {} reached",
            humantime::format_duration(s.run_timeout)
        ),
        StopReason::Interrupted => "interrupted by the user".to_string(),
        StopReason::Error => format!("the run failed: {}", failure.unwrap_or("unknown error")),
    }
}

/// Copy the final (or best) files under `dir` and describe them for the pack.
fn keep_artifacts(dir: &Path, files: &[(RelPath, Vec<u8>)]) -> Result<Vec<Artifact>, crate::Error> {
    let mut out = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        crate::fsutil::write_atomic(&path.under(dir), bytes, None).map_err(|e| {
            crate::Error::Environment(format!(
                "cannot keep artifact {path} under {}: {e}",
                dir.display()
            ))
        })?;
        out.push(Artifact {
            path: path.to_string(),
            sha256: sha256_bytes(bytes),
            size: bytes.len() as u64,
        });
    }
    Ok(out)
}

fn sha256_bytes(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// The pack's synthesis: one model call when the contract asks for it and the run can afford
/// it, else the deterministic template. `off` leaves it empty.
async fn synthesise(
    engine: &Engine<'_>,
    run_id: &str,
    reason: StopReason,
    progress: &Progress,
    raw: &mut RawEvidence,
    trail: &mut Trail,
) -> Synthesis {
    match engine.contract.evidence.synthesis {
        SynthesisSetting::Off => return evidence::synthesis::empty(),
        SynthesisSetting::Template => return evidence::synthesis::template(raw),
        SynthesisSetting::Llm => {}
    }
    let can_call = !matches!(reason, StopReason::Interrupted | StopReason::Error);
    let (system, user) = evidence::synthesis::prompt(raw);
    let req = ChatRequest {
        system,
        messages: vec![ChatMessage {
            role: Role::User,
            content: user,
        }],
    };
    let estimate = req.estimated_input_tokens() + 600;
    if can_call && engine.settings.rules.call_fits(progress, estimate) {
        let stop = super::run::StopSignal::detached(engine.interrupt.child_token());
        let result = engine
            .call_model(run_id, progress.iterations, "synthesis", &req, &stop, trail)
            .await;
        let spent = match &result {
            Ok(r) => r.usage.total(),
            Err(f) => f.spent().total(),
        };
        raw.metrics.tokens_used += spent;
        raw.tool_invocations.append(&mut trail.tool_invocations);
        if let Some(s) = result
            .ok()
            .and_then(|resp| evidence::synthesis::parse_llm(&resp.text))
        {
            return s;
        }
    }
    evidence::synthesis::template(raw)
}
