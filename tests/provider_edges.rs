//! Provider edge cases over real sockets against the fake LLM: empty answers, Ollama's
//! in-stream errors, sampling parameters only when set, a model for every provider, and a key
//! scrubber that leaves ordinary words alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::contract::{LlmSettings, ProviderKind};
use forge::llm::{
    ApiKey, ChatRequest, ClientMode, LlmClient, LlmError, LlmFlags, ResolvedLlm, SettingsSource,
    resolve_settings_from,
};
use std::time::Duration;
use support::Project;
use support::fake_llm::{FAKE_KEY, FAKE_MODEL, FakeLlm, Fault, Provider, Reply};

fn request() -> ChatRequest {
    ChatRequest::single("sys", "write it")
}

fn client(llm: &FakeLlm, temperature: Option<f64>) -> LlmClient {
    let mut s = ResolvedLlm::new(llm.provider(), FAKE_MODEL, &llm.base_url());
    s.api_key = Some(ApiKey::new(FAKE_KEY));
    s.temperature = temperature;
    s.options.max_attempts = 3;
    s.options.backoff_base = Duration::from_millis(1);
    s.options.backoff_max = Duration::from_millis(5);
    LlmClient::new(s, ClientMode::Live, None).expect("client")
}

#[tokio::test]
async fn an_answer_without_text_is_a_failed_attempt_for_every_provider() {
    for provider in [Provider::Openai, Provider::Anthropic, Provider::Ollama] {
        for whole in [false, true] {
            let llm = FakeLlm::start(provider);
            let empty = || {
                let r = Reply::text("");
                if whole { r.whole_body() } else { r }
            };
            llm.push(empty()).push(Reply::text("  \n")).push(empty());
            let err = client(&llm, None)
                .chat(&request(), &|_| {})
                .await
                .expect_err("an empty answer is not an answer");
            assert!(
                matches!(&err, LlmError::Exhausted { attempts: 3, .. }),
                "{provider:?}: {err}"
            );
            assert!(err.to_string().contains("no text"), "{err}");
            assert_eq!(llm.requests().len(), 3, "{provider:?}: retried");

            // One empty answer, then a real one: the call succeeds on its second attempt.
            llm.push(empty()).push(Reply::text("code"));
            let ok = client(&llm, None).chat(&request(), &|_| {}).await.unwrap();
            assert_eq!((ok.text.as_str(), ok.attempts), ("code", 2));
        }
    }
}

#[tokio::test]
async fn ollama_done_reason_error_for_a_bad_model_is_not_retried() {
    let llm = FakeLlm::start(Provider::Ollama);
    llm.push(Fault::Frames(vec![
        "{\"model\":\"nope\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"error\",\"error\":\"model 'nope' not found\"}\n".into(),
    ]));
    let err = client(&llm, None)
        .chat(&request(), &|_| {})
        .await
        .expect_err("a bad model fails");
    assert_eq!(llm.requests().len(), 1, "not retried: {err}");
    assert!(err.to_string().contains("model 'nope' not found"), "{err}");
    assert!(!err.is_bad_input());

    // An error line about a missing model is permanent too; a crashed runner is retried.
    llm.push(Fault::error_in_stream(
        "",
        "model \"x\" not found, try pulling it first",
    ));
    client(&llm, None)
        .chat(&request(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(llm.requests().len(), 2);
    llm.push(Fault::error_in_stream(
        "",
        "llama runner process has terminated",
    ))
    .push(Reply::text("ok"));
    let ok = client(&llm, None).chat(&request(), &|_| {}).await.unwrap();
    assert_eq!(ok.attempts, 2);
}

#[tokio::test]
async fn temperature_reaches_the_wire_only_when_set() {
    for provider in [Provider::Openai, Provider::Anthropic, Provider::Ollama] {
        let llm = FakeLlm::start(provider);
        llm.push(Reply::text("a")).push(Reply::text("b"));
        client(&llm, None).chat(&request(), &|_| {}).await.unwrap();
        client(&llm, Some(0.3))
            .chat(&request(), &|_| {})
            .await
            .unwrap();
        let sent: Vec<_> = llm
            .requests()
            .iter()
            .map(|r| {
                let b = &r.body;
                b.get("temperature")
                    .or_else(|| b.get("options").and_then(|o| o.get("temperature")))
                    .cloned()
            })
            .collect();
        assert_eq!(
            sent,
            vec![None, Some(serde_json::json!(0.3))],
            "{provider:?}"
        );
    }
}

#[test]
fn a_provider_other_than_openai_needs_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let source = SettingsSource {
        env: [("FORGE_PROVIDER".to_string(), "ollama".to_string())].into(),
        config_dir: Some(dir.path().to_path_buf()),
    };
    let err = resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &source)
        .expect_err("no gpt-4o-mini for ollama");
    let said = err.to_string();
    assert!(said.contains("no model given for ollama"), "{said}");
    assert!(said.contains("ollama list"), "{said}");
    assert!(err.is_bad_input());
    let flags = LlmFlags {
        model: Some("qwen2.5-coder".into()),
        ..LlmFlags::default()
    };
    let s = resolve_settings_from(&flags, &LlmSettings::default(), &source).unwrap();
    assert_eq!(
        (s.provider, s.model.as_str()),
        (ProviderKind::Ollama, "qwen2.5-coder")
    );
}

#[test]
fn converge_with_ollama_and_no_model_asks_for_one_before_any_request() {
    let p = Project::new();
    p.file(
        "c.yaml",
        "version: 1\nname: o\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: v\n    run: 'true'\n",
    );
    let llm = FakeLlm::start(Provider::Ollama);
    let out = p
        .command(&[
            "converge",
            "c.yaml",
            "--provider",
            "ollama",
            "--base-url",
            &llm.base_url(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no model given for ollama"), "{stderr}");
    assert!(llm.requests().is_empty());
}

#[tokio::test]
async fn a_short_key_is_not_scrubbed_out_of_ordinary_words() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status_with_body(
        400,
        "{\"error\":{\"message\":\"expected max_tokens; key x is invalid\",\"type\":\"invalid_request_error\"}}",
    ));
    let mut s = ResolvedLlm::new(ProviderKind::Openai, FAKE_MODEL, &llm.base_url());
    s.api_key = Some(ApiKey::new("x"));
    let err = LlmClient::new(s, ClientMode::Live, None)
        .unwrap()
        .chat(&request(), &|_| {})
        .await
        .unwrap_err();
    let said = err.to_string();
    assert!(
        said.contains("expected max_tokens; key [redacted] is invalid"),
        "{said}"
    );
}

#[test]
fn absurd_config_timeouts_and_attempts_are_refused_not_overflowed() {
    for (line, want) in [
        (
            "request_timeout_ms = 18446744073709551615",
            "request_timeout_ms is 18446744073709551615 ms",
        ),
        ("idle_timeout_ms = 86400001", "expected at most 86400000"),
        ("retry_after_cap_ms = 99999999999", "retry_after_cap_ms"),
        ("max_attempts = 4000000000", "max_attempts is 4000000000"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), format!("[llm]\n{line}\n")).unwrap();
        let source = SettingsSource {
            env: Default::default(),
            config_dir: Some(dir.path().to_path_buf()),
        };
        let err = resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &source)
            .expect_err(line);
        assert!(err.to_string().contains(want), "{line}: {err}");
        assert!(err.is_bad_input());
    }
}

#[tokio::test]
async fn a_refusal_after_retries_reports_every_attempt() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(503))
        .push(Fault::status(503))
        .push(Fault::status(401));
    let err = client(&llm, None)
        .chat(&request(), &|_| {})
        .await
        .expect_err("refused");
    assert!(matches!(err, LlmError::Auth { .. }), "{err:?}");
    assert_eq!(err.attempts(), 3);
    // HTTP errors are refusals the provider does not bill: nothing is counted for them.
    assert_eq!(err.spent().total(), 0);
}

#[test]
fn a_failed_run_records_the_real_attempts_of_its_model_call() {
    let p = Project::new();
    p.file("a.txt", "todo\n");
    p.file(
        "c.yaml",
        "version: 1\nname: a\ntask: t\nfiles: [a.txt]\nroot: .\nevidence:\n  synthesis: template\nvalidators:\n  - name: v\n    run: grep -q done a.txt\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(500)).push(Fault::status(404));
    let out = p
        .command_with_llm(&llm, &["converge", "c.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let runs = std::fs::read_dir(p.join(".forge/runs")).unwrap();
    let dir = runs.flatten().next().expect("a run folder").path();
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("evidence.json")).unwrap()).unwrap();
    let calls: Vec<&serde_json::Value> = pack["raw_evidence"]["tool_invocations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["type"] == "model_call")
        .collect();
    assert_eq!(calls.len(), 1, "{pack}");
    assert_eq!(calls[0]["attempts"], 2, "{}", calls[0]);
    assert_eq!(calls[0]["ok"], false);
}
