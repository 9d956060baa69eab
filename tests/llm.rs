//! The model layer through real sockets: each provider's wire format, usage accounting, retry
//! and fault classes, timeouts, cassettes and settings precedence, against the fake LLM server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::contract::{LlmSettings, ProviderKind};
use forge::llm::{
    ApiKey, ChatMessage, ChatRequest, ChatResponse, ClientMode, LlmClient, LlmError, LlmFlags,
    ResolvedLlm, Role, SettingsSource, resolve_settings_from,
};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use support::fake_llm::{FAKE_KEY, FAKE_MODEL, FakeLlm, Fault, Framing, Provider, Reply};

fn request(text: &str) -> ChatRequest {
    ChatRequest {
        system: "You write Python.".into(),
        messages: vec![ChatMessage {
            role: Role::User,
            content: text.into(),
        }],
    }
}

/// Settings for `llm` with the fake key and millisecond retries.
fn settings(llm: &FakeLlm) -> ResolvedLlm {
    let mut s = ResolvedLlm::new(llm.provider(), FAKE_MODEL, &llm.base_url());
    s.api_key = Some(ApiKey::new(FAKE_KEY));
    s.options.max_attempts = 3;
    s.options.backoff_base = Duration::from_millis(1);
    s.options.backoff_max = Duration::from_millis(5);
    s.options.retry_after_cap = Duration::from_millis(100);
    s.options.request_timeout = Duration::from_secs(10);
    s.options.idle_timeout = Duration::from_secs(5);
    s
}

fn client(s: ResolvedLlm) -> LlmClient {
    LlmClient::new(s, ClientMode::Live, None).expect("client")
}

/// One chat call; returns the result and every value passed to `on_tokens`.
async fn chat(c: &LlmClient, text: &str) -> (Result<ChatResponse, LlmError>, Vec<u64>) {
    let seen = Mutex::new(Vec::new());
    let on_tokens = |n: u64| seen.lock().unwrap().push(n);
    let r = c.chat(&request(text), &on_tokens).await;
    (r, seen.into_inner().unwrap())
}

// ---------- request shapes and usage, per provider ----------

#[tokio::test]
async fn openai_streamed_request_shape_and_usage_with_cache() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(
        Reply::text("def slugify(t):\n    return t\n")
            .usage(120, 7)
            .cached(100),
    );
    let (r, ticks) = chat(&client(settings(&llm)), "write slugify").await;
    let r = r.unwrap();
    assert_eq!(r.text, "def slugify(t):\n    return t\n");
    assert_eq!(
        (
            r.usage.input,
            r.usage.output,
            r.usage.cached,
            r.usage.estimated
        ),
        (120, 7, 100, false)
    );
    assert_eq!(
        (r.attempts, r.provider, r.model.as_str()),
        (1, ProviderKind::Openai, FAKE_MODEL)
    );
    assert!(
        ticks.len() > 2,
        "on_tokens called as chunks arrive: {ticks:?}"
    );
    assert_eq!(ticks.last(), Some(&7));

    let req = &llm.requests()[0];
    assert_eq!(req.path, "/v1/chat/completions");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {FAKE_KEY}").as_str())
    );
    assert_eq!(req.header("x-api-key"), None);
    let b = &req.body;
    assert_eq!(b["model"], FAKE_MODEL);
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"]["include_usage"], true);
    assert_eq!(b["messages"][0]["role"], "system");
    assert_eq!(b["messages"][0]["content"], "You write Python.");
    assert_eq!(b["messages"][1]["content"], "write slugify");
    assert_eq!(b["max_tokens"], 4096, "a compatible server gets max_tokens");
    assert!(b.get("max_completion_tokens").is_none());
    assert_eq!(b["temperature"], 0.2);
}

#[tokio::test]
async fn openai_whole_body_when_not_streaming() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text("hello").usage(30, 2).cached(10));
    let mut s = settings(&llm);
    s.options.stream = false;
    let (r, ticks) = chat(&client(s), "hi").await;
    let r = r.unwrap();
    assert_eq!(
        (
            r.text.as_str(),
            r.usage.input,
            r.usage.output,
            r.usage.cached
        ),
        ("hello", 30, 2, 10)
    );
    assert_eq!(ticks.last(), Some(&2));
    assert_eq!(llm.requests()[0].body["stream"], false);
    assert!(llm.requests()[0].body.get("stream_options").is_none());
}

#[tokio::test]
async fn anthropic_streamed_usage_counts_cache_and_takes_cumulative_output_once() {
    let llm = FakeLlm::start(Provider::Anthropic);
    llm.push(
        Reply::text("the answer, streamed in pieces")
            .usage(120, 9)
            .cached(100),
    );
    let (r, ticks) = chat(&client(settings(&llm)), "go").await;
    let r = r.unwrap();
    assert_eq!(r.text, "the answer, streamed in pieces");
    // input_tokens 20 + cache_read 100; output 9, not 1 + 9.
    assert_eq!(
        (
            r.usage.input,
            r.usage.output,
            r.usage.cached,
            r.usage.estimated
        ),
        (120, 9, 100, false)
    );
    assert_eq!(ticks.last(), Some(&9));

    let req = &llm.requests()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some(FAKE_KEY));
    assert_eq!(req.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.body["system"], "You write Python.");
    assert_eq!(req.body["max_tokens"], 4096);
    assert_eq!(
        req.body["messages"].as_array().unwrap().len(),
        1,
        "system is not a message"
    );
    assert_eq!(req.body["stream"], true);
}

#[tokio::test]
async fn anthropic_whole_body() {
    let llm = FakeLlm::start(Provider::Anthropic);
    llm.push(Reply::text("whole").usage(50, 3).cached(20));
    let mut s = settings(&llm);
    s.options.stream = false;
    let r = chat(&client(s), "go").await.0.unwrap();
    assert_eq!(
        (
            r.text.as_str(),
            r.usage.input,
            r.usage.output,
            r.usage.cached
        ),
        ("whole", 50, 3, 20)
    );
}

#[tokio::test]
async fn ollama_ndjson_stream_and_whole_body_without_a_key() {
    let llm = FakeLlm::start(Provider::Ollama);
    llm.push(Reply::text("streamed lines").usage(40, 4));
    llm.push(Reply::text("whole").usage(41, 5));
    let mut s = settings(&llm);
    s.api_key = None;
    let c = client(s.clone());
    let r = chat(&c, "go").await.0.unwrap();
    assert_eq!(
        (r.text.as_str(), r.usage.input, r.usage.output),
        ("streamed lines", 40, 4)
    );
    s.options.stream = false;
    let r = chat(&client(s), "go").await.0.unwrap();
    assert_eq!(
        (r.text.as_str(), r.usage.input, r.usage.output),
        ("whole", 41, 5)
    );

    let reqs = llm.requests();
    assert_eq!(reqs[0].path, "/api/chat");
    assert_eq!(reqs[0].body["stream"], true);
    assert_eq!(reqs[0].body["options"]["num_predict"], 4096);
    assert_eq!(reqs[0].body["messages"][0]["role"], "system");
    assert_eq!(reqs[1].body["stream"], false);
    assert!(
        reqs.iter()
            .all(|r| r.header("authorization").is_none() && r.header("x-api-key").is_none())
    );
}

#[tokio::test]
async fn missing_usage_is_estimated_never_zero() {
    for provider in [Provider::Openai, Provider::Anthropic, Provider::Ollama] {
        let llm = FakeLlm::start(provider);
        llm.push(Reply::text("x".repeat(400)).no_usage());
        let r = chat(&client(settings(&llm)), "y".repeat(80).as_str())
            .await
            .0
            .unwrap();
        assert!(r.usage.estimated, "{provider:?}");
        assert_eq!(r.usage.output, 100, "{provider:?}: 400 chars ≈ 100 tokens");
        assert!(r.usage.input >= 20, "{provider:?}: {:?}", r.usage);
    }
}

#[tokio::test]
async fn close_delimited_stream_and_json_answer_to_a_stream_request_both_work() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text("no length, ends at close").framing(Framing::CloseDelimited));
    llm.push(Reply::text("server ignored stream=true").whole_body());
    let c = client(settings(&llm));
    assert_eq!(
        chat(&c, "a").await.0.unwrap().text,
        "no length, ends at close"
    );
    assert_eq!(
        chat(&c, "b").await.0.unwrap().text,
        "server ignored stream=true"
    );
}

#[tokio::test]
async fn local_openai_server_runs_without_a_key_and_gets_no_authorization() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_reply("ok");
    let mut s = settings(&llm);
    s.api_key = None;
    assert_eq!(chat(&client(s), "a").await.0.unwrap().text, "ok");
    assert_eq!(llm.requests()[0].header("authorization"), None);
}

#[test]
fn a_live_provider_without_a_key_names_the_variable() {
    let mut s = ResolvedLlm::new(
        ProviderKind::Anthropic,
        "claude",
        "https://api.anthropic.com",
    );
    s.api_key = None;
    let err = LlmClient::new(s.clone(), ClientMode::Live, None)
        .err()
        .unwrap();
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
    let s = ResolvedLlm::new(
        ProviderKind::Openai,
        "gpt-4o-mini",
        "https://api.openai.com/v1",
    );
    let err = LlmClient::new(s, ClientMode::Live, None).err().unwrap();
    assert!(err.to_string().contains("OPENAI_API_KEY"), "{err}");
}

// ---------- retried faults ----------

#[tokio::test]
async fn retried_statuses_succeed_on_the_next_attempt() {
    let llm = FakeLlm::start(Provider::Openai);
    let c = client(settings(&llm));
    for code in [408, 409, 429, 500, 502, 503, 529] {
        llm.push(Fault::status(code));
        llm.push(Reply::text(format!("after {code}")).usage(10, 2));
        let r = chat(&c, "go")
            .await
            .0
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(r.text, format!("after {code}"));
        assert_eq!(r.attempts, 2, "{code}");
        assert!(
            r.retries[0].reason.contains(&code.to_string()),
            "{:?}",
            r.retries
        );
        assert_eq!(
            r.usage.total(),
            12,
            "{code}: an error status costs no tokens"
        );
    }
    assert_eq!(llm.requests().len(), 14);
}

#[tokio::test]
async fn retry_after_headers_are_honoured_up_to_the_cap() {
    let llm = FakeLlm::start(Provider::Anthropic);
    let c = client(settings(&llm));
    llm.push(Fault::status_with_header(429, "retry-after-ms", "40"));
    llm.push_reply("ok");
    assert_eq!(chat(&c, "a").await.0.unwrap().retries[0].waited_ms, 40);

    llm.push(Fault::status_with_header(529, "retry-after", "30"));
    llm.push_reply("ok");
    assert_eq!(
        chat(&c, "b").await.0.unwrap().retries[0].waited_ms,
        100,
        "capped at retry_after_cap"
    );

    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(5));
    llm.push(Fault::status_with_header(503, "retry-after", &past));
    llm.push_reply("ok");
    assert_eq!(
        chat(&c, "c").await.0.unwrap().retries[0].waited_ms,
        0,
        "a date in the past means now"
    );
}

#[tokio::test]
async fn cut_streams_are_retried_and_their_tokens_still_count() {
    for (provider, framing) in [
        (Provider::Openai, Framing::Chunked),
        (Provider::Anthropic, Framing::Chunked),
        (Provider::Ollama, Framing::Chunked),
        (Provider::Openai, Framing::CloseDelimited),
    ] {
        let llm = FakeLlm::start(provider);
        llm.push(Fault::Cut { after_frames: 4 });
        llm.push(Reply::text("complete").usage(10, 2).framing(framing));
        let r = chat(&client(settings(&llm)), "go").await.0.unwrap();
        assert_eq!(r.text, "complete", "{provider:?}");
        assert_eq!(r.attempts, 2);
        assert!(r.retries[0].reason.contains("cut"), "{:?}", r.retries);
        assert!(
            r.usage.input > 10 && r.usage.output > 2,
            "{provider:?}: cut attempt counted: {:?}",
            r.usage
        );
    }
}

#[tokio::test]
async fn close_delimited_cut_is_detected_by_the_missing_final_event() {
    let llm = FakeLlm::start(Provider::Openai);
    // A close-delimited body that simply stops: no [DONE].
    llm.push(Reply::text("x").framing(Framing::CloseDelimited));
    llm.push(Fault::Cut { after_frames: 2 });
    llm.push_reply("after the cut");
    let c = client(settings(&llm));
    assert_eq!(chat(&c, "a").await.0.unwrap().attempts, 1);
    let r = chat(&c, "b").await.0.unwrap();
    assert_eq!((r.text.as_str(), r.attempts), ("after the cut", 2));
}

#[tokio::test]
async fn malformed_bodies_are_retried_streamed_or_whole() {
    for stream in [true, false] {
        for provider in [Provider::Openai, Provider::Anthropic, Provider::Ollama] {
            let llm = FakeLlm::start(provider);
            llm.push(Fault::Malformed);
            llm.push_reply("fine");
            let mut s = settings(&llm);
            s.options.stream = stream;
            let r = chat(&client(s), "go").await.0.unwrap();
            assert_eq!(
                (r.text.as_str(), r.attempts),
                ("fine", 2),
                "{provider:?} stream={stream}"
            );
            assert!(r.retries[0].reason.contains("malformed"), "{:?}", r.retries);
        }
    }
}

#[tokio::test]
async fn an_overloaded_error_inside_a_200_stream_is_retried() {
    for (provider, kind) in [
        (Provider::Anthropic, "overloaded_error"),
        (Provider::Openai, "server_error"),
        (Provider::Ollama, ""),
    ] {
        let llm = FakeLlm::start(provider);
        llm.push(Fault::error_in_stream(kind, "Overloaded"));
        llm.push_reply("second try");
        let r = chat(&client(settings(&llm)), "go").await.0.unwrap();
        assert_eq!(
            (r.text.as_str(), r.attempts),
            ("second try", 2),
            "{provider:?}"
        );
        assert!(
            r.retries[0].reason.contains("Overloaded"),
            "{:?}",
            r.retries
        );
    }
}

#[tokio::test]
async fn a_request_error_inside_a_200_stream_fails_at_once() {
    let llm = FakeLlm::start(Provider::Anthropic);
    llm.push(Fault::error_in_stream(
        "invalid_request_error",
        "prompt is too long",
    ));
    llm.push_reply("never reached");
    let err = chat(&client(settings(&llm)), "go").await.0.unwrap_err();
    assert!(matches!(err, LlmError::BadRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("prompt is too long"), "{err}");
    assert_eq!(llm.requests().len(), 1);
}

#[tokio::test]
async fn a_stream_that_goes_silent_hits_the_idle_timeout_and_is_retried() {
    let llm = FakeLlm::start(Provider::Ollama);
    llm.push(Fault::Stall {
        after_frames: 1,
        pause: Duration::from_secs(3),
    });
    llm.push_reply("awake");
    let mut s = settings(&llm);
    s.options.idle_timeout = Duration::from_millis(300);
    let r = chat(&client(s), "go").await.0.unwrap();
    assert_eq!((r.text.as_str(), r.attempts), ("awake", 2));
    assert!(
        r.retries[0].reason.contains("idle timeout"),
        "{:?}",
        r.retries
    );
}

#[tokio::test]
async fn slow_headers_hit_the_request_timeout_and_are_retried() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::SlowHeaders {
        delay: Duration::from_secs(3),
    });
    llm.push_reply("in time");
    let mut s = settings(&llm);
    s.options.request_timeout = Duration::from_millis(300);
    let r = chat(&client(s), "go").await.0.unwrap();
    assert_eq!((r.text.as_str(), r.attempts), ("in time", 2));
    assert!(
        r.retries[0].reason.contains("request timeout"),
        "{:?}",
        r.retries
    );
}

#[tokio::test]
async fn dropped_connections_are_retried_and_a_dead_server_exhausts_the_attempts() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::Drop);
    llm.push_reply("back");
    assert_eq!(
        chat(&client(settings(&llm)), "go")
            .await
            .0
            .unwrap()
            .attempts,
        2
    );

    let mut s = settings(&llm);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.base_url = format!("http://127.0.0.1:{port}/v1");
    let err = chat(&client(s), "go").await.0.unwrap_err();
    assert!(
        matches!(err, LlmError::Exhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cannot connect"), "{err}");
}

#[tokio::test]
async fn exhausted_attempts_report_the_last_error_and_the_tokens_spent() {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(503));
    llm.push(Fault::Cut { after_frames: 4 });
    llm.push(Fault::status(500));
    llm.push_reply("too late");
    let err = chat(&client(settings(&llm)), "go").await.0.unwrap_err();
    assert!(
        matches!(err, LlmError::Exhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    assert!(
        err.spent().input > 0,
        "the cut attempt's tokens count: {:?}",
        err.spent()
    );
    assert_eq!(llm.requests().len(), 3);
    assert_eq!(llm.remaining(), 1);
}

// ---------- never retried ----------

#[tokio::test]
async fn client_errors_fail_at_once_saying_what_to_check() {
    let llm = FakeLlm::start(Provider::Openai);
    let c = client(settings(&llm));
    let cases: [(u16, &str); 6] = [
        (400, "refused the request (HTTP 400)"),
        (401, "OPENAI_API_KEY"),
        (403, "OPENAI_API_KEY"),
        (404, "check the model name and the base URL"),
        (413, "too large"),
        (422, "refused the request (HTTP 422)"),
    ];
    for (code, expect) in cases {
        llm.push(Fault::status(code));
        let before = llm.requests().len();
        let err = chat(&c, "go").await.0.unwrap_err();
        assert!(err.to_string().contains(expect), "{code}: {err}");
        assert_eq!(llm.requests().len(), before + 1, "{code} is not retried");
        if code == 404 {
            assert!(err.to_string().contains(FAKE_MODEL), "{err}");
            assert!(err.to_string().contains(&llm.base_url()), "{err}");
        }
    }
}

#[tokio::test]
async fn anthropic_auth_failure_names_its_key_variable() {
    let llm = FakeLlm::start(Provider::Anthropic);
    llm.push(Fault::status(401));
    let err = chat(&client(settings(&llm)), "go").await.0.unwrap_err();
    assert!(matches!(err, LlmError::Auth { status: 401, .. }), "{err:?}");
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
}

#[tokio::test]
async fn quota_and_spend_limit_429s_are_not_retried() {
    for provider in [Provider::Openai, Provider::Anthropic] {
        let llm = FakeLlm::start(provider);
        llm.push(Fault::InsufficientQuota);
        llm.push_reply("never reached");
        let err = chat(&client(settings(&llm)), "go").await.0.unwrap_err();
        assert!(
            matches!(err, LlmError::Quota { .. }),
            "{provider:?}: {err:?}"
        );
        assert!(err.to_string().contains("billing"), "{err}");
        assert_eq!(llm.requests().len(), 1);
    }
}

#[tokio::test]
async fn the_key_never_appears_in_error_messages() {
    let llm = FakeLlm::start(Provider::Openai);
    let echo = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {FAKE_KEY}","type":"invalid_request_error"}}}}"#
    );
    llm.push(Fault::status_with_body(401, &echo));
    let c = client(settings(&llm));
    let err = chat(&c, "go").await.0.unwrap_err();
    assert!(
        err.to_string().contains("Incorrect API key provided"),
        "{err}"
    );
    for f in [
        Fault::status_with_body(500, &echo),
        Fault::status_with_body(502, &echo),
        Fault::status_with_body(503, &echo),
    ] {
        llm.push(f);
    }
    let err2 = chat(&c, "go").await.0.unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err2.to_string(),
        format!("{err2:?}"),
    ] {
        assert!(!text.contains(FAKE_KEY), "key leaked: {text}");
    }
    assert!(!format!("{:?}", settings(&llm)).contains(FAKE_KEY));
}

// ---------- cassettes ----------

#[tokio::test]
async fn record_then_replay_with_the_server_gone() {
    let dir = tempfile::tempdir().unwrap();
    let cassette = dir.path().join("run.jsonl");
    let llm = FakeLlm::start(Provider::Anthropic);
    llm.push(Fault::status(503));
    llm.push(Reply::text("first answer\nwith two lines\n").usage(100, 8));
    llm.push(Reply::text("second answer").usage(150, 3).cached(50));
    let live_settings = settings(&llm);
    let live = LlmClient::new(
        live_settings.clone(),
        ClientMode::Live,
        Some(cassette.clone()),
    )
    .unwrap();
    let a = chat(&live, "one").await.0.unwrap();
    let b = chat(&live, "two").await.0.unwrap();
    drop(live);
    drop(llm);

    let text = std::fs::read_to_string(&cassette).unwrap();
    assert_eq!(text.lines().count(), 2);
    for banned in [FAKE_KEY, "x-api-key", "authorization", "Bearer"] {
        assert!(
            !text.to_lowercase().contains(&banned.to_lowercase()),
            "{banned} in cassette:\n{text}"
        );
    }
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["provider"], "anthropic");
    assert_eq!(first["response"], "first answer\nwith two lines\n");
    assert_eq!(first["request_sha256"].as_str().unwrap().len(), 64);

    let mut offline = live_settings;
    offline.api_key = None;
    offline.base_url = "http://127.0.0.1:9".into();
    let replay = LlmClient::new(offline, ClientMode::Replay(cassette.clone()), None).unwrap();
    // Asked in the other order: digests still pick the right exchange.
    let (b2, _) = chat(&replay, "two").await;
    let (a2, ticks) = chat(&replay, "one").await;
    let (a2, b2) = (a2.unwrap(), b2.unwrap());
    assert_eq!((a2.text.as_str(), a2.usage), (a.text.as_str(), a.usage));
    assert_eq!((b2.text.as_str(), b2.usage), (b.text.as_str(), b.usage));
    let replayed = replay
        .replayed()
        .expect("a replaying client names its cassette");
    assert_eq!(replayed.path, cassette);
    assert_eq!(
        replayed.answered_by,
        Some((forge::contract::ProviderKind::Anthropic, a.model.clone()))
    );
    assert!(
        ticks.len() >= 2 && ticks.last() == Some(&8),
        "replay still reports progress: {ticks:?}"
    );

    let err = chat(&replay, "three").await.0.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LlmError::Cassette { .. }));
    assert!(
        msg.contains("run.jsonl")
            && msg.contains("holds 2 exchange(s)")
            && msg.contains("exchange 3"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_scripted_cassette_answers_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let cassette = dir.path().join("scripted.jsonl");
    std::fs::write(
        &cassette,
        "{\"response\": \"### FILE: a.py\\n```\\nx = 1\\n```\\n\"}\n{\"response\": \"second\", \"usage\": {\"input\": 10, \"output\": 2}}\n",
    )
    .unwrap();
    let s = ResolvedLlm::new(
        ProviderKind::Openai,
        "gpt-4o-mini",
        "https://api.openai.com/v1",
    );
    let c = LlmClient::new(s, ClientMode::Replay(cassette), None).unwrap();
    let first = chat(&c, "anything").await.0.unwrap();
    assert!(first.text.starts_with("### FILE: a.py"));
    assert!(
        first.usage.estimated && first.usage.input > 0 && first.usage.output > 0,
        "{:?}",
        first.usage
    );
    let second = chat(&c, "anything else").await.0.unwrap();
    assert_eq!(
        (
            second.usage.input,
            second.usage.output,
            second.usage.estimated
        ),
        (10, 2, false)
    );
}

#[test]
fn a_missing_cassette_is_a_clear_error() {
    let s = ResolvedLlm::new(ProviderKind::Openai, "m", "https://api.openai.com/v1");
    let err = LlmClient::new(
        s,
        ClientMode::Replay(PathBuf::from("/nonexistent/c.jsonl")),
        None,
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("/nonexistent/c.jsonl"), "{err}");
}

// ---------- settings ----------

fn source(env: &[(&str, &str)], config: Option<&str>) -> (SettingsSource, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    if let Some(c) = config {
        std::fs::write(dir.path().join("config.toml"), c).unwrap();
    }
    let src = SettingsSource {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        config_dir: Some(dir.path().to_path_buf()),
    };
    (src, dir)
}

#[test]
fn settings_precedence_flag_env_contract_config_default() {
    let config = "[llm]\nprovider = \"ollama\"\nmodel = \"cfg-model\"\nbase_url = \"http://cfg:1\"\ntemperature = 0.7\nmax_output_tokens = 100\nmax_attempts = 9\nidle_timeout_ms = 1234\nmax_tokens_param = \"max_completion_tokens\"\n";
    let contract = LlmSettings {
        provider: Some(ProviderKind::Anthropic),
        model: Some("contract-model".into()),
        base_url: Some("http://contract:2".into()),
        temperature: Some(0.5),
        max_output_tokens: None,
    };
    let env = [
        ("FORGE_PROVIDER", "openai"),
        ("FORGE_MODEL", "env-model"),
        ("FORGE_BASE_URL", "http://env:3/"),
    ];
    let flags = LlmFlags {
        provider: Some("ollama".into()),
        model: Some("flag-model".into()),
        base_url: Some("http://flag:4/".into()),
    };

    let (src, _d) = source(&env, Some(config));
    let s = resolve_settings_from(&flags, &contract, &src).unwrap();
    assert_eq!(
        (s.provider, s.model.as_str(), s.base_url.as_str()),
        (ProviderKind::Ollama, "flag-model", "http://flag:4")
    );

    let s = resolve_settings_from(&LlmFlags::default(), &contract, &src).unwrap();
    assert_eq!(
        (s.provider, s.model.as_str(), s.base_url.as_str()),
        (ProviderKind::Openai, "env-model", "http://env:3")
    );

    let (src, _d) = source(&[], Some(config));
    let s = resolve_settings_from(&LlmFlags::default(), &contract, &src).unwrap();
    assert_eq!(
        (s.provider, s.model.as_str(), s.base_url.as_str()),
        (
            ProviderKind::Anthropic,
            "contract-model",
            "http://contract:2"
        )
    );
    assert_eq!((s.temperature, s.max_output_tokens), (0.5, 100));
    assert_eq!(
        (s.options.max_attempts, s.options.idle_timeout),
        (9, Duration::from_millis(1234))
    );

    let s = resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &src).unwrap();
    assert_eq!(
        (
            s.provider,
            s.model.as_str(),
            s.base_url.as_str(),
            s.temperature
        ),
        (ProviderKind::Ollama, "cfg-model", "http://cfg:1", 0.7)
    );

    let (src, _d) = source(&[], None);
    let s = resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &src).unwrap();
    assert_eq!(
        (s.provider, s.model.as_str(), s.base_url.as_str()),
        (
            ProviderKind::Openai,
            "gpt-4o-mini",
            "https://api.openai.com/v1"
        )
    );
    assert_eq!(
        (s.temperature, s.max_output_tokens, s.options.max_attempts),
        (0.2, 4096, 5)
    );
    assert!(s.api_key.is_none());

    // A provider chosen without a base URL gets that provider's default root.
    let flags = LlmFlags {
        provider: Some("anthropic".into()),
        ..LlmFlags::default()
    };
    let (src, _d) = source(
        &[
            ("ANTHROPIC_API_KEY", "sk-ant-x"),
            ("OPENAI_API_KEY", "sk-o"),
        ],
        None,
    );
    let s = resolve_settings_from(&flags, &LlmSettings::default(), &src).unwrap();
    assert_eq!(s.base_url, "https://api.anthropic.com");
    assert_eq!(s.api_key, Some(ApiKey::new("sk-ant-x")));
}

#[test]
fn bad_settings_are_clear_errors() {
    let (src, dir) = source(&[], Some("[llm\nmodel = 1"));
    let err =
        resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &src).unwrap_err();
    assert!(
        err.to_string()
            .contains(&dir.path().join("config.toml").display().to_string()),
        "{err}"
    );

    let (src, _d) = source(&[("FORGE_PROVIDER", "gemini")], None);
    let err =
        resolve_settings_from(&LlmFlags::default(), &LlmSettings::default(), &src).unwrap_err();
    assert!(
        err.to_string().contains("gemini") && err.to_string().contains("FORGE_PROVIDER"),
        "{err}"
    );

    let flags = LlmFlags {
        base_url: Some("api.openai.com".into()),
        ..LlmFlags::default()
    };
    let (src, _d) = source(&[], None);
    let err = resolve_settings_from(&flags, &LlmSettings::default(), &src).unwrap_err();
    assert!(err.to_string().contains("api.openai.com"), "{err}");
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_changes_nothing() {
    for provider in [Provider::Openai, Provider::Anthropic, Provider::Ollama] {
        let llm = FakeLlm::start(provider);
        llm.push_reply("ok");
        let flags = LlmFlags {
            provider: Some(provider.as_str().into()),
            model: Some(FAKE_MODEL.into()),
            base_url: Some(format!("{}/", llm.base_url())),
        };
        let (src, _d) = source(
            &[
                ("OPENAI_API_KEY", FAKE_KEY),
                ("ANTHROPIC_API_KEY", FAKE_KEY),
            ],
            None,
        );
        let s = resolve_settings_from(&flags, &LlmSettings::default(), &src).unwrap();
        assert_eq!(
            chat(&client(s), "go").await.0.unwrap().text,
            "ok",
            "{provider:?}"
        );
        let path = &llm.requests()[0].path;
        assert!(!path.contains("//"), "{provider:?}: {path}");
    }
}

#[test]
fn a_chat_call_can_run_on_any_runtime_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let s = ResolvedLlm::new(ProviderKind::Ollama, "m", "http://127.0.0.1:9");
    let c = client(s);
    let req = request("x");
    let on_tokens = |_: u64| {};
    assert_send(&c.chat(&req, &on_tokens));
}
