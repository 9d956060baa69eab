//! evidence.md, rendered from the pack alone through templates/evidence.md.
//!
//! The template holds `{{name}}` placeholders; each is replaced once, in a single pass, by a
//! block built here, so text from the pack (which may itself contain `{{...}}`) is never
//! expanded again. Same pack, same bytes.

use super::synthesis::duration_words;
use super::{EvidencePack, GeneratedBy, Iteration, LlmRef, ToolInvocation, Validation};
use crate::engine::AnswerSource;
use std::fmt::Write;

const TEMPLATE: &str = include_str!("../../templates/evidence.md");

pub fn render_markdown(pack: &EvidencePack) -> String {
    let md = &pack.metadata;
    let raw = &pack.raw_evidence;
    let m = &raw.metrics;
    let o = &raw.outcome;
    let status = o.status.as_str();
    let headline = format!(
        "{}{} — score {:.2} after {} iteration(s)",
        status,
        if o.degraded { " (degraded)" } else { "" },
        m.final_score,
        m.total_iterations
    );
    let values: Vec<(&str, String)> = vec![
        ("contract_name", inline(&md.contract.name)),
        ("headline", inline(&headline)),
        (
            "executive_summary",
            pack.synthesis.executive_summary.trim().to_string(),
        ),
        (
            "key_findings",
            bullets("Key findings", &pack.synthesis.key_findings),
        ),
        (
            "recommendations",
            bullets("Recommendations", &pack.synthesis.recommendations),
        ),
        (
            "generated_by",
            match (pack.synthesis.generated_by, md.llm.source) {
                (GeneratedBy::Llm, AnswerSource::Replay) => {
                    "llm (an answer replayed from the cassette)".to_string()
                }
                (g, _) => format!("{g:?}").to_lowercase(),
            },
        ),
        ("provenance", provenance(&md.llm)),
        ("run_id", cell(&md.run_id)),
        ("contract_path", cell(&md.contract.path)),
        ("contract_sha256", cell(&md.contract.sha256)),
        (
            "llm",
            cell(&match &md.llm.host {
                Some(host) => format!("{} / {} ({host})", md.llm.provider, md.llm.model),
                None => format!("{} / {} (replayed)", md.llm.provider, md.llm.model),
            }),
        ),
        ("started_at", cell(&md.started_at)),
        ("finished_at", cell(&md.finished_at)),
        ("status", status.to_string()),
        (
            "degraded",
            if o.degraded { "yes" } else { "no" }.to_string(),
        ),
        ("reason", cell(&o.reason)),
        ("final_score", format!("{:.2}", m.final_score)),
        ("total_iterations", m.total_iterations.to_string()),
        ("tokens_used", m.tokens_used.to_string()),
        ("duration", duration_words(m.duration_ms)),
        (
            "feedback_tokens",
            format!(
                "{} tokens of raw output sent as {} tokens",
                m.raw_feedback_tokens, m.sent_feedback_tokens
            ),
        ),
        ("forge_version", cell(&md.forge_version)),
        ("iteration_table", iteration_table(&raw.iterations)),
        ("validator_details", validator_details(&raw.iterations)),
        ("tool_invocations", tool_table(&raw.tool_invocations)),
        ("artifacts", artifact_table(pack)),
        ("integrity", integrity(pack)),
        (
            "pack_path",
            format!(".forge/runs/{}/evidence.json", md.run_id),
        ),
    ];
    fill(TEMPLATE, &values)
}

/// Replace every `{{name}}` in `template` with its value, in one left-to-right pass. Unknown
/// names are kept as written.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// Text safe inside a table cell: `|` escaped, line breaks folded.
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// Text on one line.
fn inline(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn bullets(title: &str, items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = format!("**{title}**\n\n");
    for i in items {
        let _ = writeln!(out, "- {}", inline(i));
    }
    out.trim_end().to_string()
}

fn failed_summary(it: &Iteration) -> String {
    let failed: Vec<String> = it
        .validations
        .iter()
        .filter_map(|v| {
            let why = if v.skipped {
                "skipped"
            } else if v.timed_out {
                "timed out"
            } else if v.exit_code == Some(0) {
                return None;
            } else {
                "failed"
            };
            Some(format!("{} ({why})", v.name))
        })
        .collect();
    if failed.is_empty() {
        "—".to_string()
    } else {
        cell(&failed.join(", "))
    }
}

fn iteration_table(its: &[Iteration]) -> String {
    if its.is_empty() {
        return "_No iterations were recorded._".to_string();
    }
    let mut out = String::from(
        "| n | score | tokens in / out | validation time | edits | what failed |\n|---:|---:|---:|---:|---|---|\n",
    );
    for it in its {
        let time: u64 = it
            .validations
            .iter()
            .map(|v| v.duration_ms)
            .max()
            .unwrap_or(0);
        let refused = it.edits.iter().filter(|e| e.refused.is_some()).count();
        let edits = if refused > 0 {
            format!("{} ({refused} refused)", it.edits.len())
        } else {
            it.edits.len().to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {:.2} | {} / {} | {} | {} | {} |",
            it.n,
            it.score,
            it.tokens.input,
            it.tokens.output,
            duration_words(time),
            edits,
            failed_summary(it)
        );
    }
    out.trim_end().to_string()
}

fn validator_details(its: &[Iteration]) -> String {
    let mut out = String::new();
    for it in its {
        let _ = writeln!(out, "### Iteration {}\n", it.n);
        for e in &it.edits {
            match &e.refused {
                Some(why) => {
                    let _ = writeln!(out, "- edit `{}` refused: {}", inline(&e.path), inline(why));
                }
                None => {
                    let _ = writeln!(out, "- edit `{}` (sha256 `{}`)", inline(&e.path), e.sha256);
                }
            }
        }
        if !it.edits.is_empty() {
            out.push('\n');
        }
        for v in &it.validations {
            out.push_str(&validation_block(v));
        }
    }
    if out.is_empty() {
        "_None._".to_string()
    } else {
        out.trim_end().to_string()
    }
}

fn validation_block(v: &Validation) -> String {
    let result = v.result_words();
    let mut out = format!(
        "**{}** ({}) — {result}, score {:.2}, {}\n\n`{}`  \noutput sha256 `{}`\n\n",
        inline(&v.name),
        inline(v.kind.as_str()),
        v.score,
        duration_words(v.duration_ms),
        inline(&v.command).replace('`', "'"),
        v.output_sha256
    );
    if !v.output_excerpt.trim().is_empty() {
        let fence = "`".repeat(longest_backtick_run(&v.output_excerpt).max(2) + 1);
        let _ = writeln!(
            out,
            "{fence}text\n{}\n{fence}\n",
            v.output_excerpt.trim_end()
        );
    }
    out
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn tool_table(calls: &[ToolInvocation]) -> String {
    if calls.is_empty() {
        return "_None recorded._".to_string();
    }
    let mut out =
        String::from("| # | iteration | what | result | time |\n|---:|---:|---|---|---:|\n");
    for (i, call) in calls.iter().enumerate() {
        let (iteration, what, result, ms) = match call {
            ToolInvocation::Process {
                iteration,
                name,
                command,
                exit_code,
                timed_out,
                duration_ms,
            } => {
                let result = match (timed_out, exit_code) {
                    (true, _) => "timed out".to_string(),
                    (false, Some(c)) => format!("exit {c}"),
                    (false, None) => "killed".to_string(),
                };
                (
                    *iteration,
                    format!("process {name}: `{}`", inline(command).replace('`', "'")),
                    result,
                    *duration_ms,
                )
            }
            ToolInvocation::ModelCall { iteration, call } => {
                let crate::engine::ModelCall {
                    purpose,
                    provider,
                    model,
                    input_tokens,
                    output_tokens,
                    cached_tokens,
                    estimated,
                    latency_ms,
                    attempts,
                    ok,
                    error,
                    ..
                } = call;
                let est = if *estimated { " (estimated)" } else { "" };
                let mut result = format!(
                    "{} in / {} out / {} cached tokens{est}, {} attempt(s)",
                    input_tokens, output_tokens, cached_tokens, attempts
                );
                if !ok {
                    let _ = write!(
                        result,
                        ", failed: {}",
                        error.as_deref().unwrap_or("unknown error")
                    );
                }
                (
                    *iteration,
                    format!("model {purpose}: {provider} / {model}"),
                    result,
                    *latency_ms,
                )
            }
        };
        let _ = writeln!(
            out,
            "| {} | {iteration} | {} | {} | {} |",
            i + 1,
            cell(&what),
            cell(&result),
            duration_words(ms)
        );
    }
    out.trim_end().to_string()
}

fn artifact_table(pack: &EvidencePack) -> String {
    let artifacts = &pack.raw_evidence.artifacts;
    if artifacts.is_empty() {
        return "_No final files._".to_string();
    }
    let mut out = String::from("| path | size | sha256 |\n|---|---:|---|\n");
    for a in artifacts {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` |",
            cell(&a.path),
            a.size,
            cell(&a.sha256)
        );
    }
    out.trim_end().to_string()
}

fn integrity(pack: &EvidencePack) -> String {
    match &pack.integrity {
        None => "_This pack is not signed._".to_string(),
        Some(i) => format!(
            "| | |\n|---|---|\n| Canonicalization | {} |\n| sha256 | `{}` |\n| Algorithm | {} |\n| Key id | `{}` |\n| Signature | `{}` |",
            cell(&i.canonicalization),
            cell(&i.sha256),
            cell(&i.algorithm),
            cell(&i.key_id),
            cell(&i.signature)
        ),
    }
}

/// The first thing an auditor reads: whether a live model answered, or a cassette did.
fn provenance(llm: &LlmRef) -> String {
    match (&llm.source, &llm.cassette) {
        (AnswerSource::Replay, Some(c)) => format!(
            "> **Replayed run**: every answer came from the cassette `{}` (sha256 `{}`); no live model answered.",
            inline(&c.path).replace('`', "'"),
            inline(&c.sha256)
        ),
        (AnswerSource::Replay, None) => {
            "> **Replayed run**: every answer came from a cassette; no live model answered."
                .to_string()
        }
        (AnswerSource::Live, _) => format!(
            "> Live run: answers came from {} / {}{}.",
            inline(&llm.provider),
            inline(&llm.model),
            llm.host
                .as_deref()
                .map(|h| format!(" at {}", inline(h)))
                .unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> EvidencePack {
        serde_json::from_str(include_str!("../../tests/data/evidence/pack.json")).unwrap()
    }

    #[test]
    fn same_pack_same_bytes_and_every_placeholder_filled() {
        let p = pack();
        let a = render_markdown(&p);
        assert_eq!(a, render_markdown(&p.clone()));
        assert!(!a.contains("{{"), "{a}");
        assert!(a.contains(
            "forge evidence verify .forge/runs/01JTESTRUN0000000000000000/evidence.json"
        ));
        assert!(a.contains("| 2 | 1.00 |"), "{a}");
        assert!(a.contains("tests (failed)"), "{a}");
    }

    #[test]
    fn pipes_in_cells_are_escaped_and_pack_text_is_not_expanded() {
        let mut p = pack();
        p.raw_evidence.outcome.reason = "a | b {{run_id}}".to_string();
        let md = render_markdown(&p);
        assert!(md.contains("| Stop reason | a \\| b {{run_id}} |"), "{md}");
    }

    #[test]
    fn fill_keeps_unknown_placeholders_and_unclosed_braces() {
        let v = vec![("a", "1".to_string())];
        assert_eq!(fill("{{a}} {{b}} {{a", &v), "1 {{b}} {{a");
    }

    #[test]
    fn output_fence_is_longer_than_any_backticks_inside() {
        assert_eq!(longest_backtick_run("a ```` b ` c"), 4);
        let mut p = pack();
        p.raw_evidence.iterations[0].validations[0].output_excerpt = "x ```` y".to_string();
        assert!(render_markdown(&p).contains("`````text\nx ```` y\n`````"));
    }
}
