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
    /// US dollars (`limits.cost_budget`); `None`: no limit.
    pub cost_budget: Option<f64>,
}

/// The budget a run ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Tokens,
    Cost,
}

/// Progress so far, as the stop rules see it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub iterations: u32,
    pub best_score: Option<f64>,
    /// Iterations since the best score last improved.
    pub since_improvement: u32,
    pub tokens_used: u64,
    /// Dollars spent on calls with a known cost.
    pub cost_used: f64,
    /// A call had no known cost, so the run's total is unknown.
    pub cost_unknown: bool,
    /// The budget that stopped (or is about to stop) the run.
    pub exhausted: Option<Budget>,
}

impl Progress {
    /// Count the tokens of a model call, whatever became of it.
    pub fn spend(&mut self, tokens: u64) {
        self.tokens_used = self.tokens_used.saturating_add(tokens);
    }

    /// Count what a model call cost, when it is known.
    pub fn spend_cost(&mut self, cost: Option<f64>) {
        match cost {
            Some(c) => self.cost_used += c,
            None => self.cost_unknown = true,
        }
    }

    /// The run's cost so far, `None` when a call had no price.
    pub fn cost(&self) -> Option<f64> {
        (!self.cost_unknown).then_some(self.cost_used)
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
        } else if p.tokens_used >= self.token_budget || self.cost_spent(p) {
            Some(StopReason::BudgetExhausted)
        } else {
            None
        }
    }

    /// Before a model call estimated at `tokens` tokens and `cost` dollars: the budget it would
    /// cross, if any. A call whose cost cannot be estimated never fits a cost budget.
    pub fn call_crosses(&self, p: &Progress, tokens: u64, cost: Option<f64>) -> Option<Budget> {
        if p.tokens_used.saturating_add(tokens) > self.token_budget {
            return Some(Budget::Tokens);
        }
        match (self.cost_budget, cost) {
            (Some(budget), Some(c)) if p.cost_used + c > budget => Some(Budget::Cost),
            (Some(_), None) => Some(Budget::Cost),
            _ => None,
        }
    }

    /// Whether the run has spent its whole cost budget.
    pub fn cost_spent(&self, p: &Progress) -> bool {
        self.cost_budget.is_some_and(|b| p.cost_used >= b)
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
            cost_budget: None,
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
            cost_budget: None,
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
        assert_eq!(rules().call_crosses(&p, 100, None), None);
        assert_eq!(rules().call_crosses(&p, 101, None), Some(Budget::Tokens));
    }

    #[test]
    fn cost_budget_is_checked_before_a_call_and_after_an_iteration() {
        let r = StopRules {
            cost_budget: Some(0.10),
            ..rules()
        };
        let mut p = Progress::default();
        p.spend_cost(Some(0.06));
        p.spend_cost(None);
        p.record(0.1);
        let cases = [
            (Some(0.04), None),
            (Some(0.041), Some(Budget::Cost)),
            (None, Some(Budget::Cost)),
        ];
        for (estimate, crossed) in cases {
            assert_eq!(r.call_crosses(&p, 10, estimate), crossed, "{estimate:?}");
        }
        assert_eq!(rules().call_crosses(&p, 10, None), None, "no cost budget");
        assert_eq!(r.after_iteration(&p), None);
        p.spend_cost(Some(0.04));
        assert_eq!(r.after_iteration(&p), Some(StopReason::BudgetExhausted));
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
