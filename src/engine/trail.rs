//! The run's evidence as it accumulates: iterations and every tool invocation, in order.

use crate::contract::Contract;
use crate::edits::ApplyReport;
use crate::evidence::{
    ContractRef, Edit, Iteration, LlmRef, Metadata, Tokens, ToolInvocation, Validation,
};
use crate::history::ModelCallRow;
use crate::llm::{ResolvedLlm, Usage};
use crate::validate::ValidatorResult;
use sha2::{Digest, Sha256};

/// Characters of validator output kept in the pack as an excerpt (its digest, or its tail).
const EXCERPT_CHARS: usize = 4_000;

pub struct Trail {
    pub metadata: Metadata,
    pub iterations: Vec<Iteration>,
    pub tool_invocations: Vec<ToolInvocation>,
    pub raw_feedback_tokens: u64,
    pub sent_feedback_tokens: u64,
}

/// One finished iteration, as the loop hands it over.
pub struct Attempt<'a> {
    pub n: u32,
    pub score: f64,
    pub prompt_sha256: String,
    pub response_sha256: String,
    pub usage: Usage,
    pub report: &'a ApplyReport,
    pub results: &'a [ValidatorResult],
    pub raw_feedback_tokens: u64,
    pub sent_feedback_tokens: u64,
}

impl Trail {
    pub fn new(run_id: &str, contract: &Contract, llm: &ResolvedLlm) -> Self {
        Trail {
            metadata: Metadata {
                run_id: run_id.to_string(),
                started_at: crate::timestamp::now(),
                finished_at: String::new(),
                forge_version: crate::VERSION.to_string(),
                contract: ContractRef {
                    name: contract.name.clone(),
                    path: contract.path.display().to_string(),
                    sha256: contract.sha256.clone(),
                },
                llm: LlmRef {
                    provider: llm.provider.as_str().to_string(),
                    model: llm.model.clone(),
                    host: llm.host(),
                },
                previous: None,
            },
            iterations: Vec::new(),
            tool_invocations: Vec::new(),
            raw_feedback_tokens: 0,
            sent_feedback_tokens: 0,
        }
    }

    pub fn model_call(&mut self, row: &ModelCallRow) {
        self.tool_invocations.push(ToolInvocation::ModelCall {
            iteration: row.iteration,
            purpose: row.purpose.clone(),
            provider: row.provider.clone(),
            model: row.model.clone(),
            input_tokens: row.input_tokens,
            output_tokens: row.output_tokens,
            cached_tokens: row.cached_tokens,
            estimated: row.estimated,
            latency_ms: row.latency_ms,
            attempts: row.attempts,
            ok: row.ok,
            error: row.error.clone(),
        });
    }

    pub fn iteration(&mut self, a: Attempt<'_>) {
        for r in a.results.iter().filter(|r| !r.skipped) {
            self.tool_invocations.push(ToolInvocation::Process {
                iteration: a.n,
                name: r.name.clone(),
                command: r.command.clone(),
                exit_code: r.exit_code,
                timed_out: r.timed_out,
                duration_ms: r.duration_ms,
            });
        }
        let mut edits: Vec<Edit> = a
            .report
            .applied
            .iter()
            .map(|e| Edit {
                path: e.path.to_string(),
                sha256: e.sha256.clone(),
                refused: None,
            })
            .collect();
        edits.extend(a.report.refused.iter().map(|r| Edit {
            path: r.path.clone(),
            sha256: String::new(),
            refused: Some(r.reason.clone()),
        }));
        edits.extend(a.report.missed.iter().map(|m| Edit {
            path: m.path.to_string(),
            sha256: String::new(),
            refused: Some("SEARCH block did not match".to_string()),
        }));
        self.iterations.push(Iteration {
            n: a.n,
            score: a.score,
            prompt_sha256: a.prompt_sha256,
            response_sha256: a.response_sha256,
            tokens: Tokens {
                input: a.usage.input,
                output: a.usage.output,
            },
            edits,
            validations: a.results.iter().map(validation).collect(),
        });
        self.raw_feedback_tokens += a.raw_feedback_tokens;
        self.sent_feedback_tokens += a.sent_feedback_tokens;
    }
}

fn validation(r: &ValidatorResult) -> Validation {
    let text = r.output.text();
    let excerpt_source = if r.digest.is_empty() {
        text.as_str()
    } else {
        r.digest.as_str()
    };
    Validation {
        name: r.name.clone(),
        kind: r.kind.as_str().to_string(),
        command: r.command.clone(),
        exit_code: r.exit_code,
        timed_out: r.timed_out,
        duration_ms: r.duration_ms,
        score: r.score,
        output_sha256: hex::encode(Sha256::digest(text.as_bytes())),
        output_excerpt: tail_chars(excerpt_source, EXCERPT_CHARS),
        skipped: r.skipped,
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        s.chars().skip(count - n).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(super::tail_chars("abcdef", 3), "def");
        assert_eq!(super::tail_chars("ab", 3), "ab");
    }
}
