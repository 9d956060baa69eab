//! Per-validator circuit breakers: open after repeated timeouts, retry half-open after a cool-down.

/// Consecutive timeouts that open a breaker (SPEC §3).
pub const OPEN_AFTER: u32 = 3;
/// Iterations an open breaker skips its validator before letting it try once more.
pub const COOL_DOWN: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed {
        consecutive_timeouts: u32,
    },
    /// Skipping; `skipped` iterations so far in this open spell.
    Open {
        skipped: u32,
    },
    /// One trial run allowed; a timeout reopens at once, a finished run closes it.
    HalfOpen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker {
    state: BreakerState,
    /// True once the breaker has ever opened: the run is degraded from then on.
    pub tripped: bool,
}

impl Default for Breaker {
    fn default() -> Self {
        Breaker {
            state: BreakerState::Closed {
                consecutive_timeouts: 0,
            },
            tripped: false,
        }
    }
}

impl Breaker {
    /// Should the validator run this iteration? Moves Open → HalfOpen after the cool-down.
    pub fn should_run(&mut self) -> bool {
        match self.state {
            BreakerState::Closed { .. } | BreakerState::HalfOpen => true,
            BreakerState::Open { skipped } if skipped >= COOL_DOWN => {
                self.state = BreakerState::HalfOpen;
                true
            }
            BreakerState::Open { skipped } => {
                self.state = BreakerState::Open {
                    skipped: skipped + 1,
                };
                false
            }
        }
    }

    /// Record a run's outcome; returns true when this outcome opened the breaker.
    pub fn record(&mut self, timed_out: bool) -> bool {
        let (next, opened) = match (self.state, timed_out) {
            (_, false) => (
                BreakerState::Closed {
                    consecutive_timeouts: 0,
                },
                false,
            ),
            (BreakerState::HalfOpen, true) => (BreakerState::Open { skipped: 0 }, true),
            (
                BreakerState::Closed {
                    consecutive_timeouts,
                },
                true,
            ) if consecutive_timeouts + 1 >= OPEN_AFTER => {
                (BreakerState::Open { skipped: 0 }, true)
            }
            (
                BreakerState::Closed {
                    consecutive_timeouts,
                },
                true,
            ) => (
                BreakerState::Closed {
                    consecutive_timeouts: consecutive_timeouts + 1,
                },
                false,
            ),
            (open @ BreakerState::Open { .. }, true) => (open, false),
        };
        self.state = next;
        self.tripped |= opened;
        opened
    }

    #[cfg(test)]
    pub fn is_open(&self) -> bool {
        matches!(self.state, BreakerState::Open { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_three_consecutive_timeouts() {
        let mut b = Breaker::default();
        assert!(!b.record(true));
        assert!(!b.record(true));
        assert!(b.record(true));
        assert!(b.is_open() && b.tripped);
    }

    #[test]
    fn a_finished_run_resets_the_count() {
        let mut b = Breaker::default();
        b.record(true);
        b.record(true);
        b.record(false);
        b.record(true);
        assert!(!b.is_open());
    }

    #[test]
    fn half_open_after_cool_down_then_closes_on_success() {
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.record(true);
        }
        assert!(!b.should_run());
        assert!(!b.should_run());
        assert!(b.should_run(), "half-open trial after the cool-down");
        b.record(false);
        assert!(!b.is_open());
        assert!(b.tripped, "a run stays degraded once a breaker opened");
    }

    #[test]
    fn half_open_timeout_reopens() {
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.record(true);
        }
        b.should_run();
        b.should_run();
        assert!(b.should_run());
        assert!(b.record(true));
        assert!(!b.should_run());
    }
}
