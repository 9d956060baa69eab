//! Step 1, propose: build the prompt, check the budget, and ask the model.

use super::events::{Activity, ModelCall};
use super::failure::RunFailure;
use super::prompt::{self, ShownFile};
use super::run::{LoopState, Run};
use super::stop::StopReason;
use crate::llm::{ChatRequest, ChatResponse, LlmError, Usage, estimate_tokens};
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
        let req = ChatRequest::single(prompt::system(), user);
        let estimate = req.estimated_input_tokens() + self.output_estimate(st, allowed_at_start);
        let rules = &self.settings.rules;
        if !rules.call_fits(&st.progress, estimate) {
            self.log.emit(super::events::Event::Notice {
                message: format!(
                    "the next call (~{estimate} tokens) would cross the token budget of {} ({} used)",
                    rules.token_budget, st.progress.tokens_used
                ),
            });
            return Err(StopReason::BudgetExhausted);
        }
        st.begin_iteration();
        self.log.emit(super::events::Event::IterationStarted { n });
        let (call, result) = self.ask(n, "generate", &req, &self.stop.token).await;
        match result {
            Ok(resp) => {
                st.largest_output = st.largest_output.max(resp.usage.output);
                Ok(Answer {
                    text: resp.text,
                    call,
                    prompt_sha256: req.sha256(),
                })
            }
            Err(f) => {
                self.record_call(st, n, call, None);
                Err(match f {
                    CallFailure::Provider(e) => st.fail(RunFailure::Provider(e)),
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

    /// Call the model, stopping when `stop` fires. The call is described however it ended (a
    /// call cut short is charged what had streamed); recording it is the caller's.
    pub(super) async fn ask(
        &self,
        n: u32,
        purpose: &str,
        req: &ChatRequest,
        stop: &CancellationToken,
    ) -> (ModelCall, Result<ChatResponse, CallFailure>) {
        let log = &self.log;
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
            r = self.client.chat(req, &on_tokens) => r.map_err(CallFailure::Provider),
            _ = stop.cancelled() => Err(CallFailure::Stopped),
        };
        let s = self.client.settings();
        let (usage, attempts, error) = match &result {
            Ok(r) => (r.usage, r.attempts, None),
            Err(CallFailure::Provider(e)) => (e.spent(), e.attempts(), Some(e.to_string())),
            Err(CallFailure::Stopped) => (
                Usage {
                    input: req.estimated_input_tokens(),
                    output: streamed.load(Ordering::Relaxed),
                    cached: 0,
                    estimated: true,
                },
                1,
                Some("cut short: the run was stopped".to_string()),
            ),
        };
        let (provider, model) = match &result {
            Ok(r) => (r.provider.as_str().to_string(), r.model.clone()),
            Err(_) => (s.provider.as_str().to_string(), s.model.clone()),
        };
        let call = ModelCall {
            purpose: purpose.to_string(),
            provider,
            model,
            input_tokens: usage.input,
            output_tokens: usage.output,
            cached_tokens: usage.cached,
            estimated: usage.estimated,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempts,
            retries: result
                .as_ref()
                .map(|r| r.retries.clone())
                .unwrap_or_default(),
            ok: result.is_ok(),
            error,
        };
        (call, result)
    }
}
