//! What runs cost, through the real binary and the loopback fake provider: the prompt-cache
//! breakpoint Anthropic receives, cached tokens read back from every provider, the cost of each
//! call, iteration and run wherever a run is shown, the cost budget, and the synthesis model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::Project;
use support::fake_llm::{FAKE_MODEL, FAST_RETRY_CONFIG, FakeLlm, Provider, Reply};

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

/// `FAKE_MODEL` at $1 per million input tokens, $0.10 cached, $10 out; `cheap` at a tenth.
fn priced(p: &Project) {
    let dir = p.config_home.path().join("forge");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "{FAST_RETRY_CONFIG}\n[prices.openai.\"{FAKE_MODEL}\"]\ninput = 1.0\ncached_input = 0.1\noutput = 10.0\n\
             [prices.openai.\"cheap\"]\ninput = 0.1\noutput = 1.0\n"
        ),
    )
    .expect("config.toml");
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn runs_json(p: &Project, args: &[&str]) -> Value {
    let out = p.forge(args).output().expect("forge runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    json_of(&out.stdout)
}

#[test]
fn cost_is_shown_in_the_summary_history_pack_and_markdown() {
    let p = project();
    p.file(
        "contract.yaml",
        &CONTRACT.replace("synthesis: off", "synthesis: llm"),
    );
    priced(&p);
    let llm = FakeLlm::start(Provider::Openai);
    // 1,000 in (400 cached) + 100 out = (600 x 1 + 400 x 0.1 + 100 x 10) / 1e6 = $0.00164
    llm.push(
        Reply::text(file_answer("not yet"))
            .usage(1000, 100)
            .cached(400),
    );
    // 2,000 in + 200 out = $0.004
    llm.push(Reply::text(file_answer("done")).usage(2000, 200));
    // The synthesis: 300 in + 50 out = $0.0008
    llm.push(
        Reply::text(r#"{"executive_summary": "Done.", "key_findings": [], "recommendations": []}"#)
            .usage(300, 50),
    );
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let total = 0.00164 + 0.004 + 0.0008;

    let summary = text(&out.stderr);
    assert!(
        summary.contains("3650 tokens (350 of them for the synthesis), $0.0064"),
        "{summary}"
    );

    let pack = only_pack(&p);
    let costs: Vec<f64> = model_calls(&pack)
        .iter()
        .map(|c| c["cost_usd"].as_f64().expect("a known cost"))
        .collect();
    assert_eq!(costs.len(), 3);
    for (got, want) in costs.iter().zip([0.00164, 0.004, 0.0008]) {
        assert!(close(*got, want), "{costs:?}");
    }
    let iterations = pack["raw_evidence"]["iterations"]
        .as_array()
        .expect("iterations");
    let per_iteration: Vec<f64> = iterations
        .iter()
        .map(|it| it["cost_usd"].as_f64().unwrap_or(f64::NAN))
        .collect();
    assert!(
        close(per_iteration[0], 0.00164) && close(per_iteration[1], 0.004),
        "{per_iteration:?}"
    );
    let metrics = &pack["raw_evidence"]["metrics"];
    assert!(
        close(metrics["cost_usd"].as_f64().unwrap_or(f64::NAN), total),
        "{metrics}"
    );
    assert_eq!(metrics["synthesis_tokens"], 350);

    let run = &runs_json(&p, &["runs", "list", "--json"])[0];
    let id = run["run_id"].as_str().expect("run_id");
    assert!(
        close(run["cost_usd"].as_f64().unwrap_or(f64::NAN), total),
        "{run}"
    );
    let shown = runs_json(&p, &["runs", "show", id, "--json"]);
    assert!(
        close(shown["cost_usd"].as_f64().unwrap_or(f64::NAN), total),
        "{shown}"
    );
    let list = p.forge(&["runs", "list"]).output().expect("runs list");
    let list = text(&list.stdout);
    assert!(list.contains("COST") && list.contains("$0.0064"), "{list}");

    let md = std::fs::read_to_string(p.path().join(format!(".forge/runs/{id}/evidence.md")))
        .expect("evidence.md");
    assert!(
        md.contains("| Cost | $0.0064; the synthesis took 350 tokens |"),
        "{md}"
    );
}

#[test]
fn a_model_without_a_price_has_an_unknown_cost_never_zero() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text(file_answer("done")).usage(1000, 100));
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cost unknown"),
        "{}",
        text(&out.stderr)
    );
    let pack = only_pack(&p);
    assert_eq!(model_calls(&pack)[0]["cost_usd"], Value::Null);
    assert_eq!(pack["raw_evidence"]["metrics"]["cost_usd"], Value::Null);
    let run = &runs_json(&p, &["runs", "list", "--json"])[0];
    assert_eq!(run["cost_usd"], Value::Null);
    let list = p.forge(&["runs", "list"]).output().expect("runs list");
    let row = text(&list.stdout);
    let row = row.lines().nth(1).expect("a row");
    assert!(row.contains(" ? "), "{row}");
}

#[test]
fn cost_budget_never_starts_a_call_that_would_cross_it() {
    let p = project();
    p.file(
        "contract.yaml",
        &CONTRACT.replace(
            "max_iterations: 3",
            "max_iterations: 5\n  cost_budget: 0.005",
        ),
    );
    priced(&p);
    let llm = FakeLlm::start(Provider::Openai);
    for i in 0..5 {
        // Each call: 1,000 in + 200 out = $0.003.
        llm.push(Reply::text(file_answer(&format!("attempt {i}"))).usage(1000, 200));
    }
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml", "--json"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    // $0.003 spent; a second call estimated at about that much would end above $0.005.
    assert_eq!(llm.requests().len(), 1);
    let stdout = text(&out.stdout);
    let lines: Vec<Value> = stdout.lines().map(|l| json_of(l.as_bytes())).collect();
    let notice = lines
        .iter()
        .filter_map(|l| l["message"].as_str())
        .find(|m| m.contains("cost budget"))
        .unwrap_or_else(|| panic!("no cost budget notice in {stdout}"));
    assert!(notice.contains("$0.0030 spent"), "{notice}");
    let last = lines.last().expect("run_finished");
    assert_eq!(last["status"], "budget_exhausted");
    assert!(
        close(last["cost_usd"].as_f64().unwrap_or(f64::NAN), 0.003),
        "{last}"
    );
    let run = &runs_json(&p, &["runs", "list", "--json"])[0];
    assert_eq!(run["status"], "budget_exhausted");
    assert!(
        run["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("cost budget"),
        "{run}"
    );
}

#[test]
fn cost_budget_with_an_unpriced_model_refuses_to_start() {
    let p = project();
    p.file(
        "contract.yaml",
        &CONTRACT.replace("max_iterations: 3", "max_iterations: 3\n  cost_budget: 1"),
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text(file_answer("done")));
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(2), "stderr: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("`{FAKE_MODEL}` has no known price"))
            && err.contains(&format!("[prices.openai.\"{FAKE_MODEL}\"]")),
        "{err}"
    );
    assert!(llm.requests().is_empty(), "no call was made");
}

#[test]
fn synthesis_goes_to_the_synthesis_model_and_is_priced_as_it() {
    let p = project();
    p.file(
        "contract.yaml",
        &CONTRACT.replace("synthesis: off", "synthesis: llm\n  synthesis_model: cheap"),
    );
    priced(&p);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text(file_answer("done")).usage(1000, 100));
    llm.push(
        Reply::text(r#"{"executive_summary": "Done.", "key_findings": [], "recommendations": []}"#)
            .usage(1000, 100),
    );
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body["model"], FAKE_MODEL);
    assert_eq!(reqs[1].body["model"], "cheap");
    let calls = model_calls(&only_pack(&p));
    assert_eq!(calls[1]["purpose"], "synthesis");
    // 1,000 in + 100 out at $0.10 / $1 per million, not the run model's $1 / $10.
    assert!(
        close(calls[1]["cost_usd"].as_f64().unwrap_or(f64::NAN), 0.0002),
        "{calls:?}"
    );
    assert!(
        close(calls[0]["cost_usd"].as_f64().unwrap_or(f64::NAN), 0.002),
        "{calls:?}"
    );
}
