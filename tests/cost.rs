//! What runs cost, through the real binary and the loopback fake provider: the prompt-cache
//! breakpoint Anthropic receives, cached tokens read back from every provider.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::Project;
use support::fake_llm::{FakeLlm, Provider, Reply};

/// The model must write `done` into src/a.txt; synthesis off so only generate calls are made.
const CONTRACT: &str = "version: 1
name: cost
task: Write the word done into src/a.txt.
files:
  - src/a.txt
root: .
validators:
  - name: done
    run: grep -q done src/a.txt
    required: true
threshold: 0.85
limits:
  max_iterations: 3
  stagnation: 3
evidence:
  synthesis: off
";

fn project() -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file("contract.yaml", CONTRACT);
    p
}

fn file_answer(text: &str) -> String {
    format!("### FILE: src/a.txt\n```\n{text}\n```\n")
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// The pack of the project's only run.
fn only_pack(p: &Project) -> Value {
    let out = p
        .forge(&["runs", "list", "--json"])
        .output()
        .expect("runs list");
    let runs = json_of(&out.stdout);
    let id = runs[0]["run_id"].as_str().expect("run_id").to_string();
    let bytes = std::fs::read(Path::new(p.path()).join(format!(".forge/runs/{id}/evidence.json")))
        .expect("evidence.json");
    json_of(&bytes)
}

/// Model calls of the pack, in order.
fn model_calls(pack: &Value) -> Vec<Value> {
    pack["raw_evidence"]["tool_invocations"]
        .as_array()
        .expect("tool_invocations")
        .iter()
        .filter(|t| t["type"] == "model_call")
        .cloned()
        .collect()
}

/// A two-iteration run: the first answer fails the validator, the second passes.
fn two_iterations(llm: &FakeLlm, first: Reply, second: Reply) -> Project {
    let p = project();
    llm.push(first);
    llm.push(second);
    let out = p
        .forge_with_llm(llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    p
}

#[test]
fn anthropic_gets_a_cache_breakpoint_after_the_stable_prompt() {
    let llm = FakeLlm::start(Provider::Anthropic);
    let p = two_iterations(
        &llm,
        Reply::text(file_answer("not yet"))
            .usage(1000, 40)
            .cache_written(900),
        Reply::text(file_answer("done")).usage(1200, 40).cached(900),
    );
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    let blocks = |i: usize| reqs[i].body["messages"][0]["content"].clone();
    let (first, second) = (blocks(0), blocks(1));
    let ephemeral = json!({"type": "ephemeral"});

    // First call: the whole first prompt is the stable part, marked for caching.
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(first[0]["cache_control"], ephemeral);
    let stable = first[0]["text"].as_str().expect("text block");
    assert!(
        stable.contains("Write the word done into src/a.txt."),
        "{stable}"
    );

    // Second call: the same bytes, still marked, and the feedback after the breakpoint.
    assert_eq!(second.as_array().map(Vec::len), Some(2), "{second}");
    assert_eq!(second[0]["text"], first[0]["text"]);
    assert_eq!(second[0]["cache_control"], ephemeral);
    assert!(second[1].get("cache_control").is_none(), "{second}");
    let feedback = second[1]["text"].as_str().expect("text block");
    assert!(
        feedback.contains("not yet") && !feedback.contains("Write the word done"),
        "{feedback}"
    );
    assert_eq!(reqs[0].body["system"], reqs[1].body["system"]);

    // Cache reads come back as cached tokens, cache writes stay part of the input.
    let calls = model_calls(&only_pack(&p));
    let counts: Vec<(u64, u64)> = calls
        .iter()
        .map(|c| {
            (
                c["input_tokens"].as_u64().unwrap_or(u64::MAX),
                c["cached_tokens"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    assert_eq!(counts, vec![(1000, 0), (1200, 900)]);
}

#[test]
fn openai_and_ollama_requests_stay_plain_text_and_cached_counts_are_read() {
    for (provider, cached) in [(Provider::Openai, 700), (Provider::Ollama, 0)] {
        let llm = FakeLlm::start(provider);
        let p = two_iterations(
            &llm,
            Reply::text(file_answer("not yet")).usage(1000, 40),
            Reply::text(file_answer("done")).usage(1200, 40).cached(700),
        );
        for r in llm.requests() {
            let content = r.body["messages"]
                .as_array()
                .and_then(|m| m.iter().find(|m| m["role"] == "user"))
                .map(|m| m["content"].clone())
                .expect("a user message");
            assert!(content.is_string(), "{provider:?}: {content}");
            assert!(!r.raw.contains("cache_control"), "{provider:?}");
        }
        let calls = model_calls(&only_pack(&p));
        assert_eq!(
            calls[1]["cached_tokens"].as_u64(),
            Some(cached),
            "{provider:?}: {calls:?}"
        );
    }
}
