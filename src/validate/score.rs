//! Scores: one validator's partial credit, and a round's weighted mean and convergence rule.

use super::{TestCounts, ValidatorResult};
use crate::contract::Validator;

/// Scores within this of the threshold count as meeting it, so float rounding of a weighted
/// mean (e.g. 0.8499999999) does not fail a round that is exactly at the threshold.
const EPSILON: f64 = 1e-9;

/// The weighted score of one round and whether it meets the contract.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundScore {
    pub score: f64,
    /// score >= threshold and every required validator passed.
    pub converged: bool,
}

/// passed/total when a parser found counts, else 1 for exit 0 and 0 otherwise; a timed-out
/// validator scores 0 whatever it printed.
pub fn score_validator(counts: Option<TestCounts>, exit_code: Option<i32>, timed_out: bool) -> f64 {
    if timed_out {
        return 0.0;
    }
    match counts {
        Some(c) if c.total > 0 => c.passed.min(c.total) as f64 / c.total as f64,
        _ if exit_code == Some(0) => 1.0,
        _ => 0.0,
    }
}

/// Weighted mean and the convergence rule of SPEC §1. Results are matched to validators by
/// name; a validator without a result scores 0 and has not passed.
pub fn score_round(
    validators: &[Validator],
    results: &[ValidatorResult],
    threshold: f64,
) -> RoundScore {
    let mut weighted = 0.0;
    let mut weights = 0.0;
    let mut required_passed = true;
    for v in validators {
        let result = results.iter().find(|r| r.name == v.name);
        let score = result.map_or(0.0, |r| r.score.clamp(0.0, 1.0));
        weighted += v.weight * score;
        weights += v.weight;
        if v.required && !result.is_some_and(ValidatorResult::passed) {
            required_passed = false;
        }
    }
    let score = if weights > 0.0 {
        weighted / weights
    } else {
        0.0
    };
    RoundScore {
        score,
        converged: required_passed && score + EPSILON >= threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Parser, ValidatorKind};
    use crate::sandbox::{Mode, SandboxSettings};
    use std::time::Duration;

    fn validator(name: &str, weight: f64, required: bool) -> Validator {
        Validator {
            name: name.into(),
            kind: ValidatorKind::Custom,
            run: "true".into(),
            weight,
            required,
            timeout: Duration::from_secs(30),
            parse: Parser::ExitCode,
            env: Vec::new(),
            sandbox: SandboxSettings {
                mode: Mode::Off,
                ..SandboxSettings::default()
            },
        }
    }

    fn result(name: &str, exit_code: i32, score: f64) -> ValidatorResult {
        ValidatorResult {
            name: name.into(),
            kind: ValidatorKind::Custom,
            command: "true".into(),
            exit_code: Some(exit_code),
            timed_out: false,
            duration_ms: 1,
            score,
            skipped: false,
            counts: None,
            output: Default::default(),
            digest: String::new(),
        }
    }

    #[test]
    fn validator_score_prefers_counts_then_exit_code() {
        let c = |passed, total| Some(TestCounts { passed, total });
        assert_eq!(score_validator(c(3, 4), Some(1), false), 0.75);
        assert_eq!(score_validator(c(0, 0), Some(0), false), 1.0);
        assert_eq!(score_validator(c(0, 0), Some(2), false), 0.0);
        assert_eq!(score_validator(None, Some(0), false), 1.0);
        assert_eq!(score_validator(None, Some(1), false), 0.0);
        assert_eq!(score_validator(c(4, 4), Some(0), true), 0.0);
    }

    #[test]
    fn weights_make_the_mean() {
        let vs = [
            validator("tests", 3.0, false),
            validator("lint", 1.0, false),
        ];
        let rs = [result("tests", 1, 0.5), result("lint", 0, 1.0)];
        let round = score_round(&vs, &rs, 0.85);
        assert!((round.score - 0.625).abs() < 1e-12);
        assert!(!round.converged);
    }

    #[test]
    fn exactly_at_threshold_converges() {
        let vs = [
            validator("a", 1.0, false),
            validator("b", 1.0, false),
            validator("c", 1.0, false),
        ];
        let rs = [
            result("a", 0, 1.0),
            result("b", 0, 1.0),
            result("c", 1, 0.55),
        ];
        assert!(score_round(&vs, &rs, 0.85).converged);
        assert!(!score_round(&vs, &rs, 0.851).converged);
    }

    #[test]
    fn a_failed_required_validator_blocks_convergence() {
        let vs = [
            validator("tests", 9.0, false),
            validator("types", 1.0, true),
        ];
        let rs = [result("tests", 0, 1.0), result("types", 1, 0.0)];
        let round = score_round(&vs, &rs, 0.85);
        assert!((round.score - 0.9).abs() < 1e-12);
        assert!(!round.converged);
    }

    #[test]
    fn required_needs_exit_zero_not_just_full_score() {
        let vs = [validator("tests", 1.0, true)];
        let rs = [result("tests", 1, 1.0)];
        assert!(!score_round(&vs, &rs, 0.5).converged);
    }

    #[test]
    fn skipped_validators_count_with_the_score_they_carry() {
        let vs = [validator("slow", 1.0, false), validator("fast", 1.0, false)];
        let mut skipped = result("slow", 0, 0.0);
        skipped.exit_code = None;
        skipped.skipped = true;
        let rs = [skipped, result("fast", 0, 1.0)];
        let round = score_round(&vs, &rs, 0.5);
        assert_eq!(round.score, 0.5);
        assert!(round.converged);
    }

    #[test]
    fn a_missing_result_scores_zero() {
        let vs = [validator("a", 1.0, false), validator("b", 1.0, true)];
        let round = score_round(&vs, &[result("a", 0, 1.0)], 0.5);
        assert_eq!(round.score, 0.5);
        assert!(!round.converged);
    }
}
