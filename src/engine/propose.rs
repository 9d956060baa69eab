//! Step 1, propose: build the prompt, check the budget, and ask the model.

use super::events::{Activity, ModelCall};
use super::failure::RunFailure;
use super::prompt::{self, ShownFile};
use super::run::{LoopState, Run};
use super::stop::{Budget, StopReason};
use crate::llm::{ChatRequest, ChatResponse, LlmError, Usage, estimate_tokens, format_cost};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// The model's answer to a generate call, not yet applied.
pub(super) struct Answer {
    pub text: String,
    pub call: ModelCall,
    pub prompt_sha256: String,
}

/// Why a model call gave no answer.
pub(super) enum CallFailure {
    /// The provider failed after retries: the run ends with an error.
    Provider(LlmError),
    /// The run was stopped (cancel or deadline) while the model was answering.
    Stopped,
    /// The privacy guard refused the request before it was sent (`block`, or no mask key).
    Refused(crate::privacy::PrivacyError),
}

impl Run {
    pub(super) async fn propose(
        &self,
        st: &mut LoopState,
        n: u32,
        first: &str,
        allowed_at_start: &[ShownFile],
    ) -> Result<Answer, StopReason> {
        let mut user = first.to_string();
        if let Some(fb) = &st.feedback {
            user.push_str(&prompt::refine(fb, self.settings.threshold));
        }
        let req = ChatRequest::single(prompt::system(), user).with_stable_prefix(first.len());
        let output = self.output_estimate(st, allowed_at_start);
        if let Some(budget) = self.budget_crossed(st, &req, output, None) {
            let estimate = req.estimated_input_tokens() + output;
            let rules = &self.settings.rules;
            let p = &st.progress;
            let message = match (budget, rules.cost_budget) {
                (Budget::Cost, Some(limit)) => format!(
                    "the next call (~{estimate} tokens, about {}) would cross the cost budget of {} ({} spent)",
                    format_cost(self.client.settings().estimate_cost(
                        &self.client.settings().model,
                        req.estimated_input_tokens(),
                        output
                    )),
                    format_cost(Some(limit)),
                    format_cost(Some(p.cost_used))
                ),
                _ => format!(
                    "the next call (~{estimate} tokens) would cross the token budget of {} ({} used)",
                    rules.token_budget, p.tokens_used
                ),
            };
            st.progress.exhausted = Some(budget);
            self.log.emit(super::events::Event::Notice { message });
            return Err(StopReason::BudgetExhausted);
        }
        st.begin_iteration();
        self.log.emit(super::events::Event::IterationStarted { n });
        let (call, result) = self.ask(n, "generate", None, &req, &self.stop.token).await;
        match result {
            Ok((resp, prompt_sha256)) => {
                st.largest_output = st.largest_output.max(resp.usage.output);
                Ok(Answer {
                    text: resp.text,
                    call,
                    prompt_sha256,
                })
            }
            Err(f) => {
                if !matches!(f, CallFailure::Refused(_)) {
                    self.record_call(st, n, call, None);
                }
                Err(match f {
                    CallFailure::Provider(e) => st.fail(RunFailure::Provider(e)),
                    CallFailure::Refused(e) => st.fail(RunFailure::Privacy(e)),
                    CallFailure::Stopped => {
                        self.stop.requested().unwrap_or(StopReason::Interrupted)
                    }
                })
            }
        }
    }

    /// Tokens the next answer may take: the largest answer so far, or before any answer the size
    /// of the files it is asked to write, never more than the output cap.
    fn output_estimate(&self, st: &LoopState, allowed: &[ShownFile]) -> u64 {
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

    /// Call the model, stopping when `stop` fires: the one path every request takes. The
    /// privacy guard sees the request first (its findings become events; `block` ends here,
    /// before anything is sent) and the answer last, placeholders mapped back to values. The
    /// answer comes with the sha256 of the request as sent. The call is described however it
    /// ended (a call cut short is charged what had streamed); recording it is the caller's.
    pub(super) async fn ask(
        &self,
        n: u32,
        purpose: &str,
        model: Option<&str>,
        req: &ChatRequest,
        stop: &CancellationToken,
    ) -> (ModelCall, Result<(ChatResponse, String), CallFailure>) {
        let log = &self.log;
        let guarded = match self.guard.outgoing(req) {
            Ok(g) => g,
            Err(e) => return (self.unsent_call(purpose, &e), Err(CallFailure::Refused(e))),
        };
        for finding in guarded.findings {
            log.emit(super::events::Event::PrivacyFinding { n, finding });
        }
        let req = &guarded.request;
        log.activity(Activity::ModelStarted {
            n,
            estimated_input_tokens: req.estimated_input_tokens(),
        });
        let streamed = AtomicU64::new(0);
        let on_tokens = |t: u64| {
            streamed.store(t, Ordering::Relaxed);
            log.activity(Activity::ModelProgress {
                n,
                output_tokens: t,
            })
        };
        let started = Instant::now();
        let result = tokio::select! {
            r = self.client.chat_as(model, req, &on_tokens) => r.map_err(CallFailure::Provider),
            _ = stop.cancelled() => Err(CallFailure::Stopped),
        };
        let result = result.map(|mut r| {
            r.text = self.guard.incoming(&r.text);
            (r, req.sha256())
        });
        let s = self.client.settings();
        let (usage, attempts, error) = match &result {
            Ok((r, _)) => (r.usage, r.attempts, None),
            Err(CallFailure::Provider(e)) => (e.spent(), e.attempts(), Some(e.to_string())),
            Err(CallFailure::Refused(e)) => (Usage::default(), 0, Some(e.to_string())),
            Err(CallFailure::Stopped) => (
                Usage {
                    input: req.estimated_input_tokens(),
                    output: streamed.load(Ordering::Relaxed),
                    cached: 0,
                    cache_written: 0,
                    estimated: true,
                },
                1,
                Some("cut short: the run was stopped".to_string()),
            ),
        };
        let requested = model.unwrap_or(&s.model);
        let (provider, model) = match &result {
            Ok((r, _)) => (r.provider.as_str().to_string(), r.model.clone()),
            Err(_) => (s.provider.as_str().to_string(), requested.to_string()),
        };
        let call = ModelCall {
            purpose: purpose.to_string(),
            provider,
            cost_usd: s.cost_of(requested, &model, &usage),
            model,
            input_tokens: usage.input,
            output_tokens: usage.output,
            cached_tokens: usage.cached,
            cache_written_tokens: u64::from(usage.cache_written),
            estimated: usage.estimated,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempts,
            retries: result
                .as_ref()
                .map(|(r, _)| r.retries.clone())
                .unwrap_or_default(),
            ok: result.is_ok(),
            error,
        };
        (call, result)
    }

    /// A call the guard stopped before anything was sent: no attempt, no tokens.
    fn unsent_call(&self, purpose: &str, why: &crate::privacy::PrivacyError) -> ModelCall {
        let s = self.client.settings();
        ModelCall {
            purpose: purpose.to_string(),
            provider: s.provider.as_str().to_string(),
            model: s.model.clone(),
            input_tokens: 0,
            output_tokens: 0,
            cached_tokens: 0,
            cache_written_tokens: 0,
            // Nothing was sent, so nothing is owed.
            cost_usd: Some(0.0),
            estimated: false,
            latency_ms: 0,
            attempts: 0,
            retries: Vec::new(),
            ok: false,
            error: Some(why.to_string()),
        }
    }
}
