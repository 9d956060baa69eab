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

/// The (system, user) messages asking a model for the synthesis as one JSON object.
pub fn prompt(raw: &RawEvidence) -> (String, String) {
    let system =
        "You write the executive summary of a software run's evidence pack for an auditor. \
        Use only the facts given; do not invent test names, files or numbers. \
        Answer with exactly one JSON object and nothing else: \
        {\"executive_summary\": string (2-4 sentences), \"key_findings\": [string], \
        \"recommendations\": [string]}."
            .to_string();
    let iterations: Vec<serde_json::Value> = raw
        .iterations
        .iter()
        .map(|it| {
            let failing: Vec<serde_json::Value> = failed(it)
                .map(|v| {
                    serde_json::json!({
                        "name": v.name, "kind": v.kind, "exit_code": v.exit_code,
                        "timed_out": v.timed_out, "skipped": v.skipped,
                        "output_excerpt": clip(&v.output_excerpt, 600),
                    })
                })
                .collect();
            serde_json::json!({
                "n": it.n, "score": it.score, "tokens": it.tokens.input + it.tokens.output,
                "edits": it.edits.len(),
                "refused_edits": it.edits.iter().filter(|e| e.refused.is_some()).count(),
                "failing_validators": failing,
            })
        })
        .collect();
    let facts = serde_json::json!({
        "outcome": raw.outcome,
        "metrics": raw.metrics,
        "iterations": iterations,
        "artifacts": raw.artifacts.iter().map(|a| &a.path).collect::<Vec<_>>(),
    });
    let user = format!(
        "Facts of the run (JSON):\n{}\n\nWrite the JSON object now.",
        serde_json::to_string_pretty(&facts).unwrap_or_else(|_| facts.to_string())
    );
    (system, user)
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
    fn prompt_carries_the_facts_and_asks_for_json() {
        let (system, user) = prompt(&raw());
        assert!(system.contains("JSON object"));
        assert!(
            user.contains("\"status\": \"converged\"") && user.contains("src/slug.py"),
            "{user}"
        );
        assert!(
            user.contains("AssertionError"),
            "failing output excerpts are included"
        );
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
