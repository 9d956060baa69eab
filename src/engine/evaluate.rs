//! Step 3, evaluate: run the validators whose breakers allow it, let the model judge the
//! skipped ones when the contract asks, and score the round.

use super::apply::Applied;
use super::events::{Activity, Event};
use super::failure::RunFailure;
use super::propose::CallFailure;
use super::run::{LoopState, Run};
use super::stop::StopReason;
use crate::contract::Validator;
use crate::llm::ChatRequest;
use crate::validate::{self, RoundScore, ValidateError, ValidatorResult};

/// A scored round, in contract order.
pub(super) struct Evaluation {
    pub results: Vec<ValidatorResult>,
    pub round: RoundScore,
}

impl Run {
    pub(super) async fn evaluate(
        &self,
        st: &mut LoopState,
        n: u32,
        applied: &Applied,
    ) -> Result<Evaluation, StopReason> {
        if !applied.report.usable() {
            return Ok(Evaluation {
                results: Vec::new(),
                round: RoundScore {
                    score: 0.0,
                    converged: false,
                },
            });
        }
        let mut results = self.validate_round(st, n).await?;
        self.review_skipped(st, n, &mut results).await;
        for r in results.iter().filter(|r| r.skipped) {
            self.log.emit(Event::ValidatorFinished {
                n,
                validation: r.record(),
            });
        }
        let round =
            validate::score_round(&self.contract.validators, &results, self.settings.threshold);
        Ok(Evaluation { results, round })
    }

    /// Run the validators whose breakers let them, concurrently; results in contract order.
    async fn validate_round(
        &self,
        st: &mut LoopState,
        n: u32,
    ) -> Result<Vec<ValidatorResult>, StopReason> {
        let run_now: Vec<bool> = st.breakers.iter_mut().map(|b| b.should_run()).collect();
        let to_run: Vec<Validator> = self
            .contract
            .validators
            .iter()
            .zip(&run_now)
            .filter(|(_, r)| **r)
            .map(|(v, _)| v.clone())
            .collect();
        for v in &to_run {
            self.log.activity(Activity::ValidatorStarted {
                n,
                name: v.name.clone(),
            });
        }
        let log = &self.log;
        let on_finished = move |r: &ValidatorResult| {
            log.emit(Event::ValidatorFinished {
                n,
                validation: r.record(),
            })
        };
        let ran = validate::run_all_with_env(
            &to_run,
            self.ws.path(),
            &self.ws.env(),
            &self.stop.token,
            &on_finished,
        )
        .await;
        let ran = match ran {
            Ok(r) => r,
            Err(ValidateError::Cancelled) => {
                return Err(self.stop.requested().unwrap_or(StopReason::Interrupted));
            }
            Err(e) => return Err(st.fail(RunFailure::Validator(e))),
        };
        if let Some(r) = self.stop.requested() {
            return Err(r);
        }
        let mut ran = ran.into_iter();
        let mut results = Vec::with_capacity(self.contract.validators.len());
        for ((v, breaker), runs) in self
            .contract
            .validators
            .iter()
            .zip(st.breakers.iter_mut())
            .zip(run_now)
        {
            if !runs {
                results.push(ValidatorResult::skipped(v));
                continue;
            }
            let Some(r) = ran.next() else { break };
            if breaker.record(r.timed_out) {
                self.log.emit(Event::BreakerOpened {
                    n,
                    name: v.name.clone(),
                });
            }
            results.push(r);
        }
        Ok(results)
    }

    /// With `fallback.llm_review`, the model judges each skipped validator's criterion.
    async fn review_skipped(&self, st: &mut LoopState, n: u32, results: &mut [ValidatorResult]) {
        if !self.contract.fallback.llm_review {
            return;
        }
        for r in results.iter_mut().filter(|r| r.skipped) {
            let Some(v) = self.contract.validators.iter().find(|v| v.name == r.name) else {
                continue;
            };
            let req = ChatRequest::single(
                "You review code against one criterion and answer with JSON only.",
                super::prompt::review(&self.contract, v, &self.allowed_files()),
            );
            let estimate = req.estimated_input_tokens() + 200;
            if !self.settings.rules.call_fits(&st.progress, estimate) {
                continue;
            }
            let (call, result) = self.ask(n, "review", &req, &self.stop.token).await;
            self.record_call(st, n, call, None);
            match result {
                Ok(resp) => {
                    if let Some((score, reason)) = super::review::parse_verdict(&resp.text) {
                        r.score = score;
                        r.digest = format!("judged by the model (validator skipped): {reason}");
                    }
                }
                Err(CallFailure::Provider(_)) => {}
                Err(CallFailure::Stopped) => break,
            }
        }
    }
}
