//! The daily model-token quota: the tokens each caller spent today, persisted as each model call
//! answers, and the part of the quota its unfinished runs hold as their token budgets.
//!
//! A run is granted `min(its budget, quota − used − held)` as its token budget, and the engine
//! makes no call that its estimate says would cross that budget. So a day's usage can pass the
//! quota only by what a budget-crossing call spent beyond its estimate: at most one call per run
//! that was unfinished when the last run of the day was granted.

use super::error::ServeError;
use super::store::Store;
use crate::engine::{Envelope, Event, Observer};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

/// Seconds before a caller whose quota is held by its own runs may try again.
const HELD_RETRY_S: u64 = 5;

/// Why a caller may start no run now.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    #[error("token `{caller}` used {used} of its {quota} model tokens today (UTC)")]
    Spent {
        caller: String,
        used: u64,
        quota: u64,
    },
    #[error(
        "token `{caller}` used {used} of its {quota} model tokens today (UTC); its {runs} \
         unfinished run(s) hold the other {held} as their token budgets, and give back what they \
         do not spend when they end"
    )]
    Held {
        caller: String,
        used: u64,
        held: u64,
        runs: usize,
        quota: u64,
    },
    #[error(transparent)]
    State(#[from] ServeError),
}

impl QuotaError {
    /// When to try again: UTC midnight for a spent quota, soon for one held by running runs.
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            QuotaError::Spent { .. } => Some(seconds_to_utc_midnight()),
            QuotaError::Held { .. } => Some(HELD_RETRY_S),
            QuotaError::State(_) => None,
        }
    }
}

/// What one unfinished run may spend of its caller's quota, and what it has spent.
#[derive(Debug)]
struct Hold {
    cap: u64,
    spent: u64,
}

impl Hold {
    fn unspent(&self) -> u64 {
        self.cap.saturating_sub(self.spent)
    }
}

/// Every caller's usage: today's (in the state database) and what its runs hold (in memory: a
/// restarted server has no unfinished runs).
#[derive(Debug)]
pub struct Ledger {
    store: Arc<Store>,
    /// caller → run id → hold; only for callers with a daily quota.
    holds: Mutex<HashMap<String, HashMap<String, Hold>>>,
}

impl Ledger {
    pub fn new(store: Arc<Store>) -> Self {
        Ledger {
            store,
            holds: Mutex::new(HashMap::new()),
        }
    }

    fn holds(&self) -> MutexGuard<'_, HashMap<String, HashMap<String, Hold>>> {
        match self.holds.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The tokens `caller` may still give a run today: quota − used − held, or why none.
    fn left(
        &self,
        holds: &HashMap<String, HashMap<String, Hold>>,
        caller: &str,
        quota: u64,
        day: &str,
    ) -> Result<u64, QuotaError> {
        let used = self.store.tokens_used(caller, day)?;
        let own = holds.get(caller);
        let held: u64 = own.map_or(0, |runs| runs.values().map(Hold::unspent).sum());
        let left = quota.saturating_sub(used.saturating_add(held));
        if left > 0 {
            return Ok(left);
        }
        if used >= quota {
            return Err(QuotaError::Spent {
                caller: caller.to_string(),
                used,
                quota,
            });
        }
        Err(QuotaError::Held {
            caller: caller.to_string(),
            used,
            held: quota - used,
            runs: own.map_or(0, HashMap::len),
            quota,
        })
    }

    /// Whether `caller` may start a run at all (before the request is worked on).
    pub fn check(&self, caller: &str, quota: Option<u64>) -> Result<(), QuotaError> {
        let Some(quota) = quota else { return Ok(()) };
        let holds = self.holds();
        self.left(&holds, caller, quota, &utc_day()).map(|_| ())
    }

    /// Grant run `run_id` of `caller` at most `wanted` tokens (its token budget). With a daily
    /// quota the grant's `cap` is what the run may spend, and it is held until the grant drops.
    pub fn grant(
        self: &Arc<Self>,
        caller: &str,
        quota: Option<u64>,
        run_id: &str,
        wanted: u64,
    ) -> Result<Grant, QuotaError> {
        self.grant_on(caller, quota, run_id, wanted, &utc_day())
    }

    fn grant_on(
        self: &Arc<Self>,
        caller: &str,
        quota: Option<u64>,
        run_id: &str,
        wanted: u64,
        day: &str,
    ) -> Result<Grant, QuotaError> {
        let cap = match quota {
            None => None,
            Some(quota) => {
                // One lock over the read and the hold: two submissions racing share what is left.
                let mut holds = self.holds();
                let cap = wanted.min(self.left(&holds, caller, quota, day)?);
                holds
                    .entry(caller.to_string())
                    .or_default()
                    .insert(run_id.to_string(), Hold { cap, spent: 0 });
                Some(cap)
            }
        };
        Ok(Grant {
            ledger: self.clone(),
            caller: caller.to_string(),
            run_id: run_id.to_string(),
            cap,
        })
    }

    /// Record `tokens` spent by a run on `day`: in the state database first, then off its hold,
    /// so the quota never looks larger than it is. If the write fails the hold keeps the tokens
    /// while the run lasts.
    fn spend(&self, caller: &str, run_id: &str, tokens: u64, day: &str) -> Result<(), ServeError> {
        let mut holds = self.holds();
        self.store.add_tokens_used(caller, day, tokens)?;
        if let Some(hold) = holds.get_mut(caller).and_then(|runs| runs.get_mut(run_id)) {
            hold.spent = hold.spent.saturating_add(tokens);
        }
        Ok(())
    }

    fn release(&self, caller: &str, run_id: &str) {
        let mut holds = self.holds();
        if let Some(runs) = holds.get_mut(caller) {
            runs.remove(run_id);
            if runs.is_empty() {
                holds.remove(caller);
            }
        }
    }
}

/// One run's share of its caller's quota. What the run does not spend goes back when it drops.
#[derive(Debug)]
pub struct Grant {
    ledger: Arc<Ledger>,
    caller: String,
    run_id: String,
    /// The token budget the run may spend; None when its caller has no daily quota.
    pub cap: Option<u64>,
}

impl Grant {
    /// Count a model call's tokens to the caller's day, off the async workers.
    pub async fn spend(&self, tokens: u64) {
        let (ledger, caller, run_id) = (
            self.ledger.clone(),
            self.caller.clone(),
            self.run_id.clone(),
        );
        let day = utc_day();
        let done =
            tokio::task::spawn_blocking(move || ledger.spend(&caller, &run_id, tokens, &day)).await;
        let failure = match done {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        crate::cli::output::err_line(&format!(
            "forge serve: cannot record {tokens} tokens used by {} (run {}): {failure}",
            self.caller, self.run_id
        ));
    }

    /// Wait for `run` while counting each model call it reports as the call answers. Every call
    /// reported before `run` finished is counted when this returns.
    pub async fn meter<T>(
        &self,
        calls: &mut mpsc::UnboundedReceiver<u64>,
        run: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::pin!(run);
        let out = loop {
            tokio::select! {
                out = &mut run => break out,
                Some(tokens) = calls.recv() => self.spend(tokens).await,
            }
        };
        while let Ok(tokens) = calls.try_recv() {
            self.spend(tokens).await;
        }
        out
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        self.ledger.release(&self.caller, &self.run_id);
    }
}

/// The usage consumer of a run's event stream: each model call's tokens (generate, review and
/// synthesis alike), handed on without ever making the run wait.
pub struct ModelCalls(mpsc::UnboundedSender<u64>);

impl ModelCalls {
    pub fn new() -> (Self, mpsc::UnboundedReceiver<u64>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (ModelCalls(tx), rx)
    }
}

impl Observer for ModelCalls {
    fn on_event(&mut self, e: &Envelope) -> Result<(), String> {
        if let Event::ModelFinished { call, .. } = &e.event {
            // The receiver lives as long as the run's task; once it is gone nobody counts.
            let _ = self.0.send(call.tokens());
        }
        Ok(())
    }
}

/// Today in UTC, `YYYY-MM-DD`: daily token quotas reset at UTC midnight.
pub fn utc_day() -> String {
    crate::timestamp::now().chars().take(10).collect()
}

fn seconds_to_utc_midnight() -> u64 {
    let day = 86_400;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    day - now % day
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: &str = "2026-11-21";

    fn ledger() -> (tempfile::TempDir, Arc<Ledger>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path()).unwrap());
        (dir, Arc::new(Ledger::new(store)))
    }

    #[test]
    fn runs_share_what_is_left_and_give_back_what_they_did_not_spend() {
        let (_dir, l) = ledger();
        let a = l.grant_on("ci", Some(1_000), "A", 600, DAY).unwrap();
        assert_eq!(a.cap, Some(600), "the run's own budget is smaller");
        let b = l.grant_on("ci", Some(1_000), "B", 50_000, DAY).unwrap();
        assert_eq!(b.cap, Some(400), "capped at what A does not hold");
        let e = l.grant_on("ci", Some(1_000), "C", 10, DAY).unwrap_err();
        assert!(
            matches!(
                e,
                QuotaError::Held {
                    used: 0,
                    held: 1_000,
                    runs: 2,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(e.retry_after_s(), Some(HELD_RETRY_S));
        l.spend("ci", "A", 100, DAY).unwrap();
        drop(a);
        // A spent 100 and gave back 500: B still holds 400.
        let c = l.grant_on("ci", Some(1_000), "C", 50_000, DAY).unwrap();
        assert_eq!(c.cap, Some(500));
        assert!(
            l.grant_on("other", Some(1_000), "D", 50_000, DAY).is_ok(),
            "callers do not share"
        );
        let free = l.grant_on("free", None, "E", 50_000, DAY).unwrap();
        assert_eq!(free.cap, None);
    }

    #[test]
    fn spending_past_a_cap_counts_and_a_spent_day_waits_for_midnight() {
        let (_dir, l) = ledger();
        let a = l.grant_on("ci", Some(1_000), "A", 50_000, DAY).unwrap();
        // A call answered with more than its estimate: it counts in full.
        l.spend("ci", "A", 1_200, DAY).unwrap();
        assert_eq!(l.store.tokens_used("ci", DAY).unwrap(), 1_200);
        let e = l.grant_on("ci", Some(1_000), "B", 10, DAY).unwrap_err();
        assert!(
            matches!(
                e,
                QuotaError::Spent {
                    used: 1_200,
                    quota: 1_000,
                    ..
                }
            ),
            "{e}"
        );
        let wait = e.retry_after_s().unwrap();
        assert!((1..=86_400).contains(&wait), "{wait}");
        drop(a);
        assert!(l.grant_on("ci", Some(1_000), "B", 10, DAY).is_err());
        assert_eq!(
            l.grant_on("ci", Some(1_000), "B", 10, "2026-11-22")
                .unwrap()
                .cap,
            Some(10),
            "a new day"
        );
    }

    #[test]
    fn model_calls_of_every_purpose_are_counted_and_nothing_else() {
        let (mut calls, mut rx) = ModelCalls::new();
        let call = |purpose: &str, input, output| crate::engine::ModelCall {
            purpose: purpose.to_string(),
            provider: "openai".to_string(),
            model: "m".to_string(),
            input_tokens: input,
            output_tokens: output,
            cached_tokens: 0,
            cache_written_tokens: 0,
            cost_usd: None,
            estimated: false,
            latency_ms: 1,
            attempts: 1,
            retries: Vec::new(),
            ok: true,
            error: None,
        };
        let events = [
            Event::IterationStarted { n: 1 },
            Event::ModelFinished {
                n: 1,
                call: call("generate", 100, 20),
                answer: None,
            },
            Event::ModelFinished {
                n: 1,
                call: call("review", 7, 3),
                answer: None,
            },
            Event::Notice {
                message: "x".to_string(),
            },
            Event::ModelFinished {
                n: 1,
                call: call("synthesis", 50, 5),
                answer: None,
            },
        ];
        for (seq, event) in events.into_iter().enumerate() {
            let e = Envelope {
                run_id: "R".to_string(),
                seq: seq as u64 + 1,
                event,
            };
            calls.on_event(&e).unwrap();
        }
        let mut got = Vec::new();
        while let Ok(t) = rx.try_recv() {
            got.push(t);
        }
        assert_eq!(got, vec![120, 10, 55]);
    }
}
