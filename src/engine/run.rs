//! One converge run: the loop tying the model, edits, workspace, validators and history together.

use super::breaker::Breaker;
use super::events::{Event, EventSink};
use super::feedback;
use super::prompt::{self, Feedback, ShownFile};
use super::stop::{Progress, StopReason, StopRules};
use super::trail::{Attempt, Trail};
use crate::contract::{Contract, PathMatcher, Validator};
use crate::edits::{self, ApplyReport, RelPath};
use crate::history::{History, IterationRow, ModelCallRow, NewRun, ValidatorRow};
use crate::llm::{
    ChatMessage, ChatRequest, ChatResponse, LlmClient, LlmError, Role, Usage, estimate_tokens,
};
use crate::validate::{self, ValidatorResult};
use crate::workspace::Workspace;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Limits and switches for one run, after flags have overridden the contract.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub threshold: f64,
    pub rules: StopRules,
    pub run_timeout: Duration,
    /// Write converged files back to the root (false with `--no-apply`).
    pub apply: bool,
    /// A converged run whose breaker opened still writes back (`--allow-degraded`).
    pub allow_degraded: bool,
    pub feedback_cap_tokens: usize,
}

impl RunSettings {
    pub fn from_contract(c: &Contract) -> Self {
        RunSettings {
            threshold: c.threshold,
            rules: StopRules {
                max_iterations: c.limits.max_iterations,
                stagnation: c.limits.stagnation,
                token_budget: c.limits.token_budget,
            },
            run_timeout: c.limits.run_timeout,
            apply: true,
            allow_degraded: false,
            feedback_cap_tokens: feedback::DEFAULT_CAP_TOKENS,
        }
    }
}

/// What the CLI needs to report a finished run and choose its exit code.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run_id: String,
    pub reason: StopReason,
    pub degraded: bool,
    pub score: f64,
    pub iterations: u32,
    pub tokens: u64,
    pub evidence: Option<std::path::PathBuf>,
    /// Files written back to the root.
    pub applied: Vec<String>,
    /// Why a converged run wrote nothing back (a file changed in the root meanwhile, or degraded).
    pub not_applied: Option<String>,
    /// The provider, workspace or history failure that ended the run, if one did.
    pub failure: Option<String>,
}

/// Everything a run talks to; the engine itself does no terminal output.
pub struct Engine<'a> {
    pub(super) contract: &'a Contract,
    pub(super) settings: RunSettings,
    pub(super) client: &'a LlmClient,
    pub(super) history: &'a History,
    pub(super) sink: &'a dyn EventSink,
    pub(super) evidence_key: &'a crate::evidence::EvidenceKey,
    /// Cancelled on Ctrl-C.
    pub(super) interrupt: CancellationToken,
    /// The contract's `files` globs, compiled once: every workspace file is tested each iteration.
    edit_matcher: PathMatcher,
}

/// Why the loop is being asked to stop from outside (signal or wall clock).
#[derive(Clone)]
pub(super) struct StopSignal {
    token: CancellationToken,
    timed_out: Arc<AtomicBool>,
}

impl StopSignal {
    /// A signal that only `token` stops (used after the loop, when the deadline no longer applies).
    pub(super) fn detached(token: CancellationToken) -> Self {
        StopSignal {
            token,
            timed_out: Arc::new(AtomicBool::new(false)),
        }
    }

    fn reason(&self) -> StopReason {
        if self.timed_out.load(Ordering::SeqCst) {
            StopReason::Timeout
        } else {
            StopReason::Interrupted
        }
    }
}

/// Why a model call gave no answer.
#[derive(Debug, thiserror::Error)]
pub(super) enum CallFailure {
    /// The provider failed after retries: the run ends with an error.
    #[error(transparent)]
    Provider(LlmError),
    /// Ctrl-C or the run's deadline cut the call short.
    #[error("cut short: the run was stopped")]
    Stopped { spent: Usage },
}

impl CallFailure {
    pub(super) fn spent(&self) -> Usage {
        match self {
            CallFailure::Provider(e) => e.spent(),
            CallFailure::Stopped { spent } => *spent,
        }
    }
}

/// The state carried from one iteration to the next.
struct Loop {
    progress: Progress,
    breakers: Vec<Breaker>,
    feedback: Option<Feedback>,
    last_score: f64,
    /// Best iteration's allowed files, kept as artifacts when the run does not converge.
    best_files: Vec<(RelPath, Vec<u8>)>,
    largest_output: u64,
    failure: Option<String>,
}

impl<'a> Engine<'a> {
    pub fn new(
        contract: &'a Contract,
        settings: RunSettings,
        client: &'a LlmClient,
        history: &'a History,
        sink: &'a dyn EventSink,
        evidence_key: &'a crate::evidence::EvidenceKey,
        interrupt: CancellationToken,
    ) -> Self {
        Engine {
            contract,
            settings,
            client,
            history,
            sink,
            evidence_key,
            interrupt,
            edit_matcher: contract.edit_matcher(),
        }
    }

    /// May the model write this root-relative path?
    pub(super) fn allows(&self, rel: &Path) -> bool {
        self.edit_matcher.matches(rel)
    }

    /// Run to a stop. Errors are only those that prevent a run from starting at all.
    pub async fn run(&self) -> Result<RunOutcome, crate::Error> {
        let started = Instant::now();
        let run_id = crate::history::new_run_id();
        let ws = Workspace::create(&self.contract.root)?;
        let s = self.client.settings();
        self.history.start_run(&NewRun {
            run_id: run_id.clone(),
            contract_name: self.contract.name.clone(),
            contract_path: self.contract.path.display().to_string(),
            contract_sha256: self.contract.sha256.clone(),
            provider: s.provider.as_str().to_string(),
            model: s.model.clone(),
            started_at: crate::timestamp::now(),
        })?;
        let mut trail = Trail::new(&run_id, self.contract, s);
        self.sink.emit(&Event::RunStarted {
            run_id: run_id.clone(),
            contract: self.contract.name.clone(),
            root: self.contract.root.display().to_string(),
            provider: s.provider.as_str().to_string(),
            model: s.model.clone(),
            max_iterations: self.settings.rules.max_iterations,
            threshold: self.settings.threshold,
        });

        let stop = self.stop_signal();
        let mut st = Loop {
            progress: Progress::default(),
            breakers: vec![Breaker::default(); self.contract.validators.len()],
            feedback: None,
            last_score: 0.0,
            best_files: Vec::new(),
            largest_output: 0,
            failure: None,
        };
        let allowed_at_start = self.allowed_files(ws.path());
        let context_matcher = self.contract.context_matcher();
        let context = super::files::collect(ws.path(), &self.contract.context, &|p| {
            context_matcher.matches(p)
        });
        let first = prompt::first(
            self.contract,
            self.settings.threshold,
            &allowed_at_start,
            &context,
        );
        let reason = self
            .iterate(
                &run_id,
                &ws,
                &first,
                &allowed_at_start,
                &stop,
                &mut st,
                &mut trail,
            )
            .await;
        stop.token.cancel();
        super::finish::finish(
            self,
            &run_id,
            &ws,
            reason,
            st.into_parts(),
            &mut trail,
            started,
        )
        .await
    }

    fn stop_signal(&self) -> StopSignal {
        let sig = StopSignal {
            token: self.interrupt.child_token(),
            timed_out: Arc::new(AtomicBool::new(false)),
        };
        let (token, flag, limit) = (
            sig.token.clone(),
            sig.timed_out.clone(),
            self.settings.run_timeout,
        );
        tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(limit) => {
                    flag.store(true, Ordering::SeqCst);
                    token.cancel();
                }
                _ = token.cancelled() => {}
            }
        });
        sig
    }

    pub(super) fn allowed_files(&self, dir: &Path) -> Vec<ShownFile> {
        super::files::collect(dir, &self.contract.files, &|p| self.allows(p))
    }

    #[allow(clippy::too_many_arguments)]
    async fn iterate(
        &self,
        run_id: &str,
        ws: &Workspace,
        first: &str,
        allowed_at_start: &[ShownFile],
        stop: &StopSignal,
        st: &mut Loop,
        trail: &mut Trail,
    ) -> StopReason {
        let system = prompt::system();
        loop {
            if stop.token.is_cancelled() {
                return stop.reason();
            }
            let n = st.progress.iterations + 1;
            let mut user = first.to_string();
            if let Some(fb) = &st.feedback {
                user.push_str(&prompt::refine(fb, self.settings.threshold));
            }
            let req = ChatRequest {
                system: system.clone(),
                messages: vec![ChatMessage {
                    role: Role::User,
                    content: user,
                }],
                stable_prefix: first.len(),
            };
            let input_estimate = req.estimated_input_tokens();
            let output_estimate = self.output_estimate(st, allowed_at_start);
            if !self
                .settings
                .rules
                .call_fits(&st.progress, input_estimate + output_estimate)
            {
                self.sink.emit(&Event::Notice {
                    message: format!(
                        "the next call (~{} tokens) would cross the token budget of {} ({} used)",
                        input_estimate + output_estimate,
                        self.settings.rules.token_budget,
                        st.progress.tokens_used
                    ),
                });
                return StopReason::BudgetExhausted;
            }
            self.sink.emit(&Event::IterationStarted { n });
            let iter_started = Instant::now();
            self.sink.emit(&Event::ModelStarted {
                n,
                estimated_input_tokens: input_estimate,
            });
            let resp = match self
                .call_model(run_id, n, "generate", &req, stop, trail)
                .await
            {
                Ok(r) => r,
                Err(f) => {
                    st.progress.tokens_used += f.spent().total();
                    if let CallFailure::Provider(e) = f {
                        st.failure = Some(e.to_string());
                        return StopReason::Error;
                    }
                    return stop.reason();
                }
            };
            let mut tokens = resp.usage.total();
            st.largest_output = st.largest_output.max(resp.usage.output);

            let proposed = edits::parse(&resp.text);
            let report = edits::apply(ws.path(), &proposed, &|p: &Path| self.allows(p));
            self.sink.emit(&Event::ModelFinished {
                n,
                input_tokens: resp.usage.input,
                output_tokens: resp.usage.output,
                latency_ms: resp.latency_ms,
                attempts: resp.attempts,
                edits_applied: report.applied.len(),
                edits_refused: report.refused.len(),
                searches_missed: report.missed.len(),
            });

            let mut results = if report.usable() {
                match self.validate_round(n, ws, stop, st).await {
                    Some(r) => r,
                    None => return stop.reason(),
                }
            } else {
                Vec::new()
            };
            tokens += self
                .review_skipped(run_id, n, ws, &mut results, st, stop, trail)
                .await;
            let round = if report.usable() {
                validate::score_round(&self.contract.validators, &results, self.settings.threshold)
            } else {
                validate::RoundScore {
                    score: 0.0,
                    converged: false,
                }
            };
            let improved = st.progress.record(round.score, tokens);
            st.last_score = round.score;
            let changed = match ws.changed_files(&|p: &Path| self.allows(p)) {
                Ok(c) => c,
                Err(e) => {
                    st.failure = Some(e.to_string());
                    return StopReason::Error;
                }
            };
            if improved {
                match ws.read_files(&changed) {
                    Ok(files) => st.best_files = files,
                    Err(e) => {
                        st.failure = Some(e.to_string());
                        return StopReason::Error;
                    }
                }
            }
            let fb = feedback::failures(&results, self.settings.feedback_cap_tokens);
            let prompt_sha = sha256_hex(
                [req.system.as_str()]
                    .into_iter()
                    .chain(req.messages.iter().map(|m| m.content.as_str())),
            );
            let response_sha = sha256_hex([resp.text.as_str()]);
            trail.iteration(Attempt {
                n,
                score: round.score,
                prompt_sha256: prompt_sha.clone(),
                response_sha256: response_sha.clone(),
                usage: resp.usage,
                report: &report,
                results: &results,
                raw_feedback_tokens: fb.raw_tokens,
                sent_feedback_tokens: fb.sent_tokens,
            });
            if let Err(e) = self.history.record_iteration(
                run_id,
                &IterationRow {
                    n,
                    score: round.score,
                    input_tokens: resp.usage.input,
                    output_tokens: resp.usage.output,
                    prompt_sha256: prompt_sha,
                    response_sha256: response_sha,
                    duration_ms: iter_started.elapsed().as_millis() as u64,
                    edits_applied: report.applied.len() as u32,
                    edits_refused: report.refused.len() as u32,
                    validators: results.iter().map(validator_row).collect(),
                },
            ) {
                st.failure = Some(e.to_string());
                return StopReason::Error;
            }
            self.sink.emit(&Event::IterationFinished {
                n,
                score: round.score,
                best_score: st.progress.best_score.unwrap_or(0.0),
                tokens,
                converged: round.converged,
            });
            if round.converged {
                return StopReason::Converged;
            }
            if let Some(reason) = self.settings.rules.after_iteration(&st.progress) {
                return reason;
            }
            st.feedback = Some(Feedback {
                iteration: n + 1,
                score: round.score,
                current_files: super::files::read(
                    ws.path(),
                    &changed.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                ),
                failures: fb.failures,
                problems: problems(&report),
            });
        }
    }

    /// Tokens the next answer may take: the largest answer so far, or before any answer the size
    /// of the files it is asked to write, never more than the output cap.
    fn output_estimate(&self, st: &Loop, allowed: &[ShownFile]) -> u64 {
        let cap = u64::from(self.client.settings().max_output_tokens);
        let guess = if st.largest_output > 0 {
            st.largest_output
        } else {
            allowed
                .iter()
                .map(|f| f.text.as_deref().map_or(0, estimate_tokens))
                .sum::<u64>()
                + 256
        };
        guess.min(cap)
    }

    /// Call the model; record the call in history and the trail however it ends, including
    /// when the run is stopped mid-call (then its cost is estimated from what had streamed).
    pub(super) async fn call_model(
        &self,
        run_id: &str,
        n: u32,
        purpose: &str,
        req: &ChatRequest,
        stop: &StopSignal,
        trail: &mut Trail,
    ) -> Result<ChatResponse, CallFailure> {
        let sink = self.sink;
        let streamed = AtomicU64::new(0);
        let on_tokens = |t: u64| {
            streamed.store(t, Ordering::Relaxed);
            sink.emit(&Event::ModelProgress {
                n,
                output_tokens: t,
            })
        };
        let started = Instant::now();
        let result = tokio::select! {
            r = self.client.chat(req, &on_tokens) => r.map_err(CallFailure::Provider),
            _ = stop.token.cancelled() => Err(CallFailure::Stopped {
                spent: Usage {
                    input: req.estimated_input_tokens(),
                    output: streamed.load(Ordering::Relaxed),
                    cached: 0,
                    cache_written: 0,
                    estimated: true,
                },
            }),
        };
        let s = self.client.settings();
        let (usage, attempts, error) = match &result {
            Ok(r) => (r.usage, r.attempts, None),
            Err(f) => (f.spent(), 0, Some(f.to_string())),
        };
        let row = ModelCallRow {
            iteration: n,
            purpose: purpose.to_string(),
            provider: s.provider.as_str().to_string(),
            model: s.model.clone(),
            input_tokens: usage.input,
            output_tokens: usage.output,
            cached_tokens: usage.cached,
            estimated: usage.estimated,
            latency_ms: started.elapsed().as_millis() as u64,
            attempts,
            ok: result.is_ok(),
            error,
        };
        trail.model_call(&row);
        if let Err(e) = self.history.record_model_call(run_id, &row) {
            sink.emit(&Event::Notice {
                message: format!("could not record the model call: {e}"),
            });
        }
        result
    }

    /// Run the validators whose breakers let them, in contract order; `None` if stopped meanwhile.
    async fn validate_round(
        &self,
        n: u32,
        ws: &Workspace,
        stop: &StopSignal,
        st: &mut Loop,
    ) -> Option<Vec<ValidatorResult>> {
        let run_now: Vec<bool> = st.breakers.iter_mut().map(Breaker::should_run).collect();
        let to_run: Vec<Validator> = self
            .contract
            .validators
            .iter()
            .zip(&run_now)
            .filter(|(_, r)| **r)
            .map(|(v, _)| v.clone())
            .collect();
        let sink = self.sink;
        let on_finished = move |r: &ValidatorResult| {
            sink.emit(&Event::ValidatorFinished {
                n,
                name: r.name.clone(),
                exit_code: r.exit_code,
                timed_out: r.timed_out,
                duration_ms: r.duration_ms,
                score: r.score,
                skipped: false,
            })
        };
        let ran = match validate::run_all_with_env(
            &to_run,
            ws.path(),
            &ws.env(),
            &stop.token,
            &on_finished,
        )
        .await
        {
            Ok(r) => r,
            Err(validate::ValidateError::Cancelled) => return None,
            Err(e) => {
                sink.emit(&Event::Notice {
                    message: e.to_string(),
                });
                return None;
            }
        };
        if stop.token.is_cancelled() {
            return None;
        }
        // Tools print absolute paths of the private copy; the model and the pack want root-relative ones.
        let prefix = format!("{}/", ws.path().display());
        let mut ran = ran.into_iter().map(|mut r| {
            r.digest = r.digest.replace(&prefix, "");
            r
        });
        let mut results = Vec::with_capacity(self.contract.validators.len());
        for ((v, breaker), runs) in self
            .contract
            .validators
            .iter()
            .zip(st.breakers.iter_mut())
            .zip(run_now)
        {
            let r = if runs {
                let Some(r) = ran.next() else { break };
                if breaker.record(r.timed_out) {
                    sink.emit(&Event::BreakerOpened {
                        n,
                        name: v.name.clone(),
                    });
                }
                r
            } else {
                let r = skipped_result(v);
                sink.emit(&Event::ValidatorFinished {
                    n,
                    name: r.name.clone(),
                    exit_code: None,
                    timed_out: false,
                    duration_ms: 0,
                    score: 0.0,
                    skipped: true,
                });
                r
            };
            results.push(r);
        }
        Some(results)
    }

    /// With `fallback.llm_review`, let the model judge each skipped validator's criterion.
    /// Returns the tokens spent.
    #[allow(clippy::too_many_arguments)]
    async fn review_skipped(
        &self,
        run_id: &str,
        n: u32,
        ws: &Workspace,
        results: &mut [ValidatorResult],
        st: &mut Loop,
        stop: &StopSignal,
        trail: &mut Trail,
    ) -> u64 {
        if !self.contract.fallback.llm_review {
            return 0;
        }
        let mut spent = 0;
        for r in results.iter_mut().filter(|r| r.skipped) {
            let Some(v) = self.contract.validators.iter().find(|v| v.name == r.name) else {
                continue;
            };
            let files = self.allowed_files(ws.path());
            let req = ChatRequest {
                system: "You review code against one criterion and answer with JSON only.".into(),
                messages: vec![ChatMessage {
                    role: Role::User,
                    content: prompt::review(self.contract, v, &files),
                }],
                stable_prefix: 0,
            };
            let estimate = req.estimated_input_tokens() + 200;
            let budget_left = Progress {
                tokens_used: st.progress.tokens_used + spent,
                ..st.progress
            };
            if !self.settings.rules.call_fits(&budget_left, estimate) {
                continue;
            }
            match self
                .call_model(run_id, n, "review", &req, stop, trail)
                .await
            {
                Ok(resp) => {
                    spent += resp.usage.total();
                    if let Some((score, reason)) = super::review::parse_verdict(&resp.text) {
                        r.score = score;
                        r.digest = format!("judged by the model (validator skipped): {reason}");
                    }
                }
                Err(f @ CallFailure::Provider(_)) => spent += f.spent().total(),
                Err(f @ CallFailure::Stopped { .. }) => {
                    spent += f.spent().total();
                    break;
                }
            }
        }
        spent
    }
}

impl Loop {
    fn into_parts(self) -> super::finish::LoopEnd {
        super::finish::LoopEnd {
            progress: self.progress,
            degraded: self.breakers.iter().any(|b| b.tripped),
            last_score: self.last_score,
            best_files: self.best_files,
            failure: self.failure,
        }
    }
}

fn skipped_result(v: &Validator) -> ValidatorResult {
    ValidatorResult {
        name: v.name.clone(),
        kind: v.kind,
        command: v.run.clone(),
        exit_code: None,
        timed_out: false,
        duration_ms: 0,
        score: 0.0,
        skipped: true,
        counts: None,
        output: Default::default(),
        digest: String::new(),
    }
}

pub(super) fn validator_row(r: &ValidatorResult) -> ValidatorRow {
    ValidatorRow {
        name: r.name.clone(),
        kind: r.kind.as_str().to_string(),
        exit_code: r.exit_code,
        timed_out: r.timed_out,
        duration_ms: r.duration_ms,
        score: r.score,
        skipped: r.skipped,
        output_bytes: r.output.total_bytes,
    }
}

/// What the model must hear about its previous answer besides validator failures.
fn problems(report: &ApplyReport) -> Vec<String> {
    let mut out = Vec::new();
    if !report.usable() {
        out.push("- Your answer contained no usable file: it scored nothing. Answer with `### FILE: path` and one fenced block per file.".to_string());
    }
    let told = report.feedback();
    if !told.is_empty() {
        out.push(told);
    }
    out
}

pub(super) fn sha256_hex<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}
