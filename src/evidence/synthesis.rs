//! The pack's `synthesis`: a deterministic summary from the facts, or the prompt for (and the
//! parser of) an optional LLM-written one.

use super::{GeneratedBy, Iteration, RawEvidence, Synthesis, Validation};
use crate::history::RunStatus;
use serde::Deserialize;

/// `evidence.synthesis: off`: no summary at all, and no model call for one.
pub fn empty() -> Synthesis {
    Synthesis {
        executive_summary: String::new(),
        key_findings: Vec::new(),
        recommendations: Vec::new(),
        generated_by: GeneratedBy::Template,
    }
}

/// A summary built from the raw evidence alone; same evidence, same words.
pub fn template(raw: &RawEvidence) -> Synthesis {
    let m = &raw.metrics;
    let o = &raw.outcome;
    let degraded = if o.degraded { ", degraded" } else { "" };
    let executive_summary = format!(
        "The run {} after {} {} with a final score of {:.2}{degraded}. It used {} tokens in {}.",
        status_phrase(o.status),
        m.total_iterations,
        plural(m.total_iterations, "iteration", "iterations"),
        m.final_score,
        m.tokens_used,
        duration_words(m.duration_ms),
    );

    let mut key_findings = Vec::new();
    if !raw.iterations.is_empty() {
        key_findings.push(trajectory(&raw.iterations));
    }
    let last = raw.iterations.last();
    let failing: Vec<&Validation> = last.map(|it| failed(it).collect()).unwrap_or_default();
    if let Some(it) = last {
        if failing.is_empty() {
            key_findings.push(format!(
                "In the last iteration ({}) every validator passed.",
                it.n
            ));
        } else {
            let names: Vec<String> = failing.iter().map(|v| why_failed(v)).collect();
            key_findings.push(format!(
                "Still failing in the last iteration ({}): {}.",
                it.n,
                names.join(", ")
            ));
        }
    }
    let broken = breakers(raw);
    if !broken.is_empty() {
        key_findings.push(format!(
            "Circuit breaker opened for {}: skipped after repeated timeouts, so the run is degraded.",
            broken.join(", ")
        ));
    }
    let refused: usize = raw
        .iterations
        .iter()
        .flat_map(|it| &it.edits)
        .filter(|e| e.refused.is_some())
        .count();
    if refused > 0 {
        key_findings.push(format!(
            "{refused} proposed {} refused.",
            plural(refused as u32, "edit was", "edits were")
        ));
    }
    if !o.reason.is_empty() {
        key_findings.push(format!("Stop reason: {}", o.reason));
    }
    key_findings.push(format!(
        "Tokens: {} used; validator feedback compacted from {} to {} tokens.",
        m.tokens_used, m.raw_feedback_tokens, m.sent_feedback_tokens
    ));

    let mut recommendations = Vec::new();
    if !broken.is_empty() {
        recommendations.push(format!(
            "Find out why {} kept timing out (raise its `timeout` or fix the hang), then rerun without the fallback.",
            broken.join(", ")
        ));
    }
    for v in &failing {
        recommendations.push(format!(
            "Read the output of `{}` (`{}`): it still failed at the end.",
            v.name, v.command
        ));
    }
    if let Some(r) = status_advice(o.status) {
        recommendations.push(r.to_string());
    }
    if o.status == RunStatus::Converged && !o.degraded {
        recommendations.push("Review the applied changes before committing them.".to_string());
    }
    Synthesis {
        executive_summary,
        key_findings,
        recommendations,
        generated_by: GeneratedBy::Template,
    }
}

/// Iteration lines the synthesis prompt shows at most: the first two and the last six.
const SHOWN_ITERATIONS: (usize, usize) = (2, 6);
/// Failing validators named per iteration, and files named, at most.
const SHOWN_NAMES: usize = 5;
const SHOWN_FILES: usize = 10;

/// The (system, user) messages asking a model for the synthesis as one JSON object. The user
/// message states the run's facts in a few short lines (outcome, numbers, what failed when,
/// which files): no tool output and no prompts, and bounded whatever the run's length, so the
/// summary costs a small fixed amount next to the run.
pub fn prompt(raw: &RawEvidence) -> (String, String) {
    let system = "Summarise this code-generation run for an auditor from these facts only, as \
        one JSON object: {\"executive_summary\": \"2-4 sentences\", \"key_findings\": [\"...\"], \
        \"recommendations\": [\"...\"]}."
        .to_string();
    let (m, o) = (&raw.metrics, &raw.outcome);
    let degraded = if o.degraded { ", degraded" } else { "" };
    // A converged run's reason only restates the threshold; any other says what stopped it.
    let reason = if o.status == RunStatus::Converged && !o.degraded {
        String::new()
    } else {
        format!(" ({})", clip(&o.reason, 200))
    };
    let mut lines = vec![
        format!("status: {}{degraded}{reason}", o.status.as_str()),
        format!(
            "{} {}, final score {:.2}, {} tokens, {}",
            m.total_iterations,
            plural(m.total_iterations, "iteration", "iterations"),
            m.final_score,
            m.tokens_used,
            duration_words(m.duration_ms)
        ),
        format!(
            "validator feedback: {} tokens raw, {} sent",
            m.raw_feedback_tokens, m.sent_feedback_tokens
        ),
    ];
    let its = &raw.iterations;
    let (head, tail) = SHOWN_ITERATIONS;
    for (i, it) in its.iter().enumerate() {
        if i == head && its.len() > head + tail {
            lines.push(format!("({} iterations left out)", its.len() - head - tail));
        }
        if i < head || i + tail >= its.len() {
            lines.push(iteration_line(it));
        }
    }
    let files: Vec<&str> = raw.artifacts.iter().map(|a| a.path.as_str()).collect();
    lines.push(format!(
        "files: {}",
        names_line(&files, SHOWN_FILES, "none")
    ));
    (system, lines.join("\n"))
}

/// "iteration 2: score 0.40, 1 edit (1 refused), failing: tests (exit 1)".
fn iteration_line(it: &Iteration) -> String {
    let refused = it.edits.iter().filter(|e| e.refused.is_some()).count();
    let refused = if refused > 0 {
        format!(" ({refused} refused)")
    } else {
        String::new()
    };
    let failing: Vec<String> = failed(it).map(why_failed).collect();
    let failing: Vec<&str> = failing.iter().map(String::as_str).collect();
    format!(
        "iteration {}: score {:.2}, {} {}{refused}, failing: {}",
        it.n,
        it.score,
        it.edits.len(),
        plural(it.edits.len() as u32, "edit", "edits"),
        names_line(&failing, SHOWN_NAMES, "none")
    )
}

/// At most `max` names, each clipped, then how many more there were.
fn names_line(names: &[&str], max: usize, none: &str) -> String {
    if names.is_empty() {
        return none.to_string();
    }
    let mut shown: Vec<String> = names.iter().take(max).map(|n| clip(n, 80)).collect();
    if names.len() > max {
        shown.push(format!("and {} more", names.len() - max));
    }
    shown.join(", ")
}

/// The synthesis in a model's answer: a JSON object, bare, fenced, or amid prose.
pub fn parse_llm(text: &str) -> Option<Synthesis> {
    #[derive(Deserialize)]
    struct Answer {
        executive_summary: String,
        #[serde(default)]
        key_findings: Vec<String>,
        #[serde(default)]
        recommendations: Vec<String>,
    }
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let answer: Answer = serde_json::from_str(text.get(start..=end)?).ok()?;
    let summary = answer.executive_summary.trim();
    if summary.is_empty() {
        return None;
    }
    Some(Synthesis {
        executive_summary: summary.to_string(),
        key_findings: answer.key_findings,
        recommendations: answer.recommendations,
        generated_by: GeneratedBy::Llm,
    })
}

/// Validators that did not pass (skipped ones included: their criterion was not met by a run).
fn failed(it: &Iteration) -> impl Iterator<Item = &Validation> {
    it.validations
        .iter()
        .filter(|v| v.skipped || v.timed_out || v.exit_code != Some(0))
}

fn why_failed(v: &Validation) -> String {
    format!("{} ({})", v.name, v.result_words())
}

fn breakers(raw: &RawEvidence) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for v in raw
        .iterations
        .iter()
        .flat_map(|it| &it.validations)
        .filter(|v| v.skipped)
    {
        if !names.contains(&v.name) {
            names.push(v.name.clone());
        }
    }
    names
}

fn trajectory(its: &[Iteration]) -> String {
    let scores: Vec<String> = its.iter().map(|it| format!("{:.2}", it.score)).collect();
    let best = its.iter().fold(None::<&Iteration>, |best, it| match best {
        Some(b) if b.score >= it.score => Some(b),
        _ => Some(it),
    });
    match best {
        Some(b) => format!(
            "Score by iteration: {} (best {:.2} at iteration {}).",
            scores.join(" → "),
            b.score,
            b.n
        ),
        None => String::new(),
    }
}

fn status_phrase(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Converged => "converged",
        RunStatus::MaxIterations => "stopped at the iteration limit without converging",
        RunStatus::Stagnated => "stopped because the score stopped improving",
        RunStatus::BudgetExhausted => "stopped when the token budget ran out",
        RunStatus::Timeout => "stopped at the run timeout",
        RunStatus::Interrupted => "was interrupted",
        RunStatus::Error => "stopped on an error",
        RunStatus::Running => "was still running",
    }
}

fn status_advice(s: RunStatus) -> Option<&'static str> {
    match s {
        RunStatus::MaxIterations => {
            Some("Raise `limits.max_iterations`, or make the task or context more specific.")
        }
        RunStatus::Stagnated => {
            Some("Sharpen the task or add `context` files: the model stopped improving.")
        }
        RunStatus::BudgetExhausted => Some("Raise `limits.token_budget` or narrow the task."),
        RunStatus::Timeout => Some("Raise `limits.run_timeout` or speed up the validators."),
        RunStatus::Interrupted => Some("Rerun: the run was stopped before it finished."),
        RunStatus::Error => Some("Fix the problem named in the stop reason and rerun."),
        RunStatus::Converged | RunStatus::Running => None,
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// "350 ms", "12.3 s", "4m 05s".
pub(crate) fn duration_words(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        let s = ms / 1000;
        format!("{}m {:02}s", s / 60, s % 60)
    }
}

fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidencePack;

    fn raw() -> RawEvidence {
        let p: EvidencePack =
            serde_json::from_str(include_str!("../../tests/data/evidence/pack.json")).unwrap();
        p.raw_evidence
    }

    #[test]
    fn template_states_the_facts_deterministically() {
        let s = template(&raw());
        assert_eq!(s, template(&raw()));
        assert_eq!(s.generated_by, GeneratedBy::Template);
        assert!(
            s.executive_summary
                .contains("converged after 2 iterations with a final score of 1.00"),
            "{}",
            s.executive_summary
        );
        assert!(
            s.key_findings
                .iter()
                .any(|f| f.contains("0.40 → 1.00 (best 1.00 at iteration 2)")),
            "{:?}",
            s.key_findings
        );
        assert!(
            s.key_findings
                .iter()
                .any(|f| f.contains("every validator passed"))
        );
        assert!(
            s.key_findings
                .iter()
                .any(|f| f.contains("1 proposed edit was refused"))
        );
    }

    #[test]
    fn template_names_what_failed_last_and_open_breakers() {
        let mut r = raw();
        r.outcome.status = RunStatus::MaxIterations;
        r.outcome.degraded = true;
        let last = r.iterations.last_mut().unwrap();
        last.validations[0].exit_code = Some(1);
        last.validations[1].skipped = true;
        last.validations[1].exit_code = None;
        let s = template(&r);
        assert!(
            s.executive_summary.contains("iteration limit")
                && s.executive_summary.contains("degraded")
        );
        assert!(
            s.key_findings
                .iter()
                .any(|f| f.contains("tests (exit 1), syntax (skipped: circuit breaker open)")),
            "{:?}",
            s.key_findings
        );
        assert!(
            s.key_findings
                .iter()
                .any(|f| f.contains("Circuit breaker opened for syntax"))
        );
        assert!(
            s.recommendations
                .iter()
                .any(|r| r.contains("max_iterations"))
        );
    }

    #[test]
    fn prompt_states_the_facts_without_transcripts() {
        let (system, user) = prompt(&raw());
        assert!(system.contains("JSON object"));
        let lines: Vec<&str> = user.lines().collect();
        assert_eq!(lines[0], "status: converged");
        assert_eq!(
            lines[1],
            "2 iterations, final score 1.00, 2790 tokens, 1m 30s"
        );
        assert_eq!(
            lines[3],
            "iteration 1: score 0.40, 2 edits (1 refused), failing: tests (exit 1)"
        );
        assert!(lines[4].starts_with("iteration 2: score 1.00"), "{user}");
        assert!(lines[4].ends_with("failing: none"), "{user}");
        assert_eq!(lines.last(), Some(&"files: src/slug.py"));
        assert!(!user.contains("AssertionError"), "no tool output: {user}");
    }

    #[test]
    fn prompt_stays_small_however_long_the_run() {
        let mut r = raw();
        let template = r.iterations[0].clone();
        r.iterations = (1..=200)
            .map(|n| {
                let mut it = template.clone();
                it.n = n;
                for v in &mut it.validations {
                    v.output_excerpt = "x".repeat(4000);
                }
                let failing = it.validations[0].clone();
                it.validations = (0..40)
                    .map(|i| Validation {
                        name: format!("validator-{i}"),
                        exit_code: Some(1),
                        ..failing.clone()
                    })
                    .collect();
                it
            })
            .collect();
        r.outcome.reason = "r".repeat(5000);
        r.outcome.status = RunStatus::MaxIterations;
        let (system, user) = prompt(&r);
        let status = user.lines().next().unwrap_or_default();
        assert!(
            status.starts_with("status: max_iterations (rrr") && status.chars().count() < 240,
            "{status}"
        );
        assert!(user.contains("(192 iterations left out)"), "{user}");
        assert!(user.contains("iteration 200:") && user.contains("and 35 more"));
        assert!(system.len() + user.len() < 2000, "{}", user.len());
    }

    #[test]
    fn parse_llm_accepts_fenced_or_wrapped_json_and_rejects_the_rest() {
        let fenced = "Here you go:\n```json\n{\"executive_summary\": \"Done.\", \"key_findings\": [\"a\"], \"recommendations\": []}\n```";
        let s = parse_llm(fenced).unwrap();
        assert_eq!(s.executive_summary, "Done.");
        assert_eq!(s.key_findings, vec!["a"]);
        assert_eq!(s.generated_by, GeneratedBy::Llm);
        assert!(parse_llm("no json here").is_none());
        assert!(parse_llm("{\"executive_summary\": \"  \"}").is_none());
        assert!(parse_llm("{\"key_findings\": []}").is_none());
        assert!(parse_llm("{ broken").is_none());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(350), "350 ms");
        assert_eq!(duration_words(12_340), "12.3 s");
        assert_eq!(duration_words(245_000), "4m 05s");
    }
}
