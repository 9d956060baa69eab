//! Stop rules (SPEC §3): pure decisions from the run's counters, so they are easy to test.

use crate::history::RunStatus;

/// Why a run ended; `status()` is what history and evidence record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Converged,
    MaxIterations,
    Stagnated,
    BudgetExhausted,
    Timeout,
    Interrupted,
    Error,
}

impl StopReason {
    /// The status stored in history and evidence for a run that stopped this way.
    pub fn status(self) -> RunStatus {
        match self {
            StopReason::Converged => RunStatus::Converged,
            StopReason::MaxIterations => RunStatus::MaxIterations,
            StopReason::Stagnated => RunStatus::Stagnated,
            StopReason::BudgetExhausted => RunStatus::BudgetExhausted,
            StopReason::Timeout => RunStatus::Timeout,
            StopReason::Interrupted => RunStatus::Interrupted,
            StopReason::Error => RunStatus::Error,
        }
    }
}

/// The limits in force for one run (contract limits with flag overrides applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopRules {
    pub max_iterations: u32,
    pub stagnation: u32,
    pub token_budget: u64,
}

/// Progress so far, as the stop rules see it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub iterations: u32,
    pub best_score: Option<f64>,
    /// Iterations since the best score last improved.
    pub since_improvement: u32,
    pub tokens_used: u64,
}

impl Progress {
    /// Count the tokens of a model call, whatever became of it.
    pub fn spend(&mut self, tokens: u64) {
        self.tokens_used = self.tokens_used.saturating_add(tokens);
    }

    /// Count a finished iteration's score; returns true when it beat the best so far.
    pub fn record(&mut self, score: f64) -> bool {
        self.iterations += 1;
        let better = self.best_score.is_none_or(|b| score > b);
        if better {
            self.best_score = Some(score);
            self.since_improvement = 0;
        } else {
            self.since_improvement += 1;
        }
        better
    }
}

impl StopRules {
    /// After an iteration that did not converge: should the run stop, and why?
    pub fn after_iteration(&self, p: &Progress) -> Option<StopReason> {
        if p.iterations >= self.max_iterations {
            Some(StopReason::MaxIterations)
        } else if self.stagnation > 0 && p.since_improvement >= self.stagnation {
            Some(StopReason::Stagnated)
        } else if p.tokens_used >= self.token_budget {
            Some(StopReason::BudgetExhausted)
        } else {
            None
        }
    }

    /// Before a model call: would a call estimated at `estimate` tokens cross the budget?
    pub fn call_fits(&self, p: &Progress, estimate: u64) -> bool {
        p.tokens_used.saturating_add(estimate) <= self.token_budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> StopRules {
        StopRules {
            max_iterations: 5,
            stagnation: 2,
            token_budget: 1000,
        }
    }

    #[test]
    fn first_iteration_always_improves() {
        let mut p = Progress::default();
        assert!(p.record(0.0));
        assert_eq!(p.best_score, Some(0.0));
        assert_eq!(rules().after_iteration(&p), None);
    }

    #[test]
    fn stagnation_counts_iterations_without_a_better_best() {
        let mut p = Progress::default();
        p.spend(10);
        p.record(0.5);
        p.spend(10);
        p.record(0.5);
        assert_eq!(rules().after_iteration(&p), None);
        p.spend(10);
        p.record(0.4);
        assert_eq!(rules().after_iteration(&p), Some(StopReason::Stagnated));
    }

    #[test]
    fn improvement_resets_stagnation() {
        let mut p = Progress::default();
        p.spend(10);
        p.record(0.5);
        p.spend(10);
        p.record(0.4);
        assert!(p.record(0.6));
        assert_eq!(p.since_improvement, 0);
    }

    #[test]
    fn max_iterations_wins_over_stagnation() {
        let r = StopRules {
            max_iterations: 3,
            stagnation: 2,
            token_budget: 1000,
        };
        let mut p = Progress::default();
        for _ in 0..3 {
            p.spend(1);
            p.record(0.1);
        }
        assert_eq!(r.after_iteration(&p), Some(StopReason::MaxIterations));
    }

    #[test]
    fn budget_is_checked_before_a_call() {
        let mut p = Progress::default();
        p.spend(900);
        p.record(0.1);
        assert!(rules().call_fits(&p, 100));
        assert!(!rules().call_fits(&p, 101));
    }

    #[test]
    fn spent_budget_stops_the_run() {
        let mut p = Progress::default();
        p.spend(1000);
        p.record(0.1);
        assert_eq!(
            rules().after_iteration(&p),
            Some(StopReason::BudgetExhausted)
        );
    }
}
