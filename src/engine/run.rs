//! One run: the loop of propose → apply → evaluate → decide, and what it carries between steps.

use super::breaker::Breaker;
use super::events::{Event, ModelCall};
use super::failure::RunFailure;
use super::log::EventLog;
use super::prompt::{Feedback, ShownFile};
use super::stop::{Progress, StopReason, StopRules};
use crate::contract::{Contract, PathMatcher};
use crate::edits::RelPath;
use crate::llm::LlmClient;
use crate::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
            feedback_cap_tokens: super::feedback::DEFAULT_CAP_TOKENS,
        }
    }
}

/// How a run ended, for whoever started it (exit code, server status).
#[derive(Debug)]
pub struct RunOutcome {
    pub run_id: String,
    pub reason: StopReason,
    pub degraded: bool,
    pub score: f64,
    pub iterations: u32,
    pub tokens: u64,
    pub evidence: Option<PathBuf>,
    /// Files written back to the root.
    pub applied: Vec<String>,
    /// Why a converged run wrote nothing back (a file changed in the root meanwhile, or degraded).
    pub not_applied: Option<String>,
    /// What ended the run when something failed (provider, validator, workspace, records).
    pub failure: Option<RunFailure>,
}

/// Why the loop is being asked to stop from outside (cancel or wall clock).
#[derive(Clone)]
pub(super) struct StopSignal {
    pub token: CancellationToken,
    timed_out: Arc<AtomicBool>,
}

impl StopSignal {
    /// A signal that fires when `cancel` does or when `limit` has passed.
    pub fn new(cancel: &CancellationToken, limit: Duration) -> Self {
        let sig = StopSignal {
            token: cancel.child_token(),
            timed_out: Arc::new(AtomicBool::new(false)),
        };
        let (token, flag) = (sig.token.clone(), sig.timed_out.clone());
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

    pub fn requested(&self) -> Option<StopReason> {
        self.token.is_cancelled().then(|| {
            if self.timed_out.load(Ordering::SeqCst) {
                StopReason::Timeout
            } else {
                StopReason::Interrupted
            }
        })
    }
}

/// Everything one run works with. The engine writes nothing but events, the workspace, and
/// (at the end) the root and the run's artifacts.
pub(super) struct Run {
    pub run_id: String,
    pub contract: Arc<Contract>,
    pub settings: RunSettings,
    pub client: LlmClient,
    pub log: Arc<EventLog>,
    pub stop: StopSignal,
    /// Cancelled by the caller (Ctrl-C, DELETE); the stop signal above derives from it.
    pub cancel: CancellationToken,
    pub ws: Workspace,
    pub run_dir: PathBuf,
    /// The contract's `files` globs, compiled once: every workspace file is tested each iteration.
    pub edit_matcher: PathMatcher,
    pub started: Instant,
}

/// What the loop carries from one iteration to the next.
#[derive(Default)]
pub(super) struct LoopState {
    pub progress: Progress,
    pub breakers: Vec<Breaker>,
    pub feedback: Option<Feedback>,
    pub last_score: f64,
    /// Best iteration's allowed files, kept as artifacts when the run does not converge.
    pub best_files: Vec<(RelPath, Vec<u8>)>,
    pub largest_output: u64,
    pub failure: Option<RunFailure>,
    iteration_began: Option<Instant>,
    tokens_before_iteration: u64,
}

impl LoopState {
    pub fn degraded(&self) -> bool {
        self.breakers.iter().any(|b| b.tripped)
    }

    pub fn begin_iteration(&mut self) {
        self.iteration_began = Some(Instant::now());
        self.tokens_before_iteration = self.progress.tokens_used;
    }

    /// Tokens spent since the current iteration began.
    pub fn iteration_tokens(&self) -> u64 {
        self.progress.tokens_used - self.tokens_before_iteration
    }

    pub fn iteration_ms(&self) -> u64 {
        self.iteration_began.map_or(0, |t| {
            u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
        })
    }

    /// Stop with `failure` as the reason.
    pub fn fail(&mut self, failure: RunFailure) -> StopReason {
        self.failure = Some(failure);
        StopReason::Error
    }
}

impl Run {
    /// May the model write this root-relative path?
    pub fn allows(&self, rel: &Path) -> bool {
        self.edit_matcher.matches(rel)
    }

    pub fn allowed_files(&self) -> Vec<ShownFile> {
        super::files::collect(self.ws.path(), &self.contract.files, &|p| self.allows(p))
    }

    /// Record a model call: its tokens count against the budget whatever became of it.
    pub fn record_call(
        &self,
        st: &mut LoopState,
        n: u32,
        call: ModelCall,
        answer: Option<super::events::AnswerApplied>,
    ) {
        st.progress.spend(call.tokens());
        self.log.emit(Event::ModelFinished { n, call, answer });
    }

    /// Run to a stop and record how it ended.
    pub async fn execute(self) -> RunOutcome {
        let mut st = LoopState {
            breakers: vec![Breaker::default(); self.contract.validators.len()],
            ..LoopState::default()
        };
        let context_matcher = self.contract.context_matcher();
        let context = super::files::collect(self.ws.path(), &self.contract.context, &|p| {
            context_matcher.matches(p)
        });
        let allowed_at_start = self.allowed_files();
        let first = super::prompt::first(
            &self.contract,
            self.settings.threshold,
            &allowed_at_start,
            &context,
        );
        let reason = loop {
            if let Some(r) = self.stop.requested() {
                break r;
            }
            let n = st.progress.iterations + 1;
            let answer = match self.propose(&mut st, n, &first, &allowed_at_start).await {
                Ok(a) => a,
                Err(r) => break r,
            };
            let applied = match self.apply(&mut st, n, answer).await {
                Ok(a) => a,
                Err(r) => break r,
            };
            let evaluation = match self.evaluate(&mut st, n, &applied).await {
                Ok(e) => e,
                Err(r) => break r,
            };
            if let Some(r) = self.decide(&mut st, n, &applied, evaluation) {
                break r;
            }
        };
        self.stop.token.cancel();
        self.finish(reason, st).await
    }
}
