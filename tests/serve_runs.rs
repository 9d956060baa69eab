//! `forge serve` runs (SPEC §7) through the real binary against the fake LLM: submit, follow
//! over a WebSocket, queue, cancel, quotas, bad input, shutdown and kill -9 mid-run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use futures_util::StreamExt;
use nix::sys::signal::Signal;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::Project;
use support::fake_llm::{FakeLlm, Provider, Reply};
use support::server::Server;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::Message;

const CONTRACT: &str = "contracts/t.yaml";

/// contracts/t.yaml: make src/a.txt say done; `validator` decides.
fn project(validator: &str) -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        CONTRACT,
        &format!(
            "version: 1\nname: t\ntask: |\n  Make src/a.txt say done.\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: done\n    run: {validator}\nlimits:\n  max_iterations: 3\nevidence:\n  synthesis: template\n"
        ),
    );
    p
}

const DONE: &str = "grep -q done src/a.txt";
/// Slow enough to cancel, kill or shut down under; cancellation kills it.
const SLOW: &str = "sleep 60; grep -q done src/a.txt";

fn serve(p: &Project, llm: &FakeLlm, args: &[&str]) -> Server {
    let state = p.serve_state();
    let mut all = vec![
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        state.to_str().unwrap(),
        "--root",
        ".",
    ];
    all.extend_from_slice(args);
    p.spawn_server(p.command_with_llm(llm, &all))
}

async fn post(server: &Server, token: &str, body: Value) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/converge"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn get_json(server: &Server, token: &str, path: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Poll `GET /api/v1/converge/{id}` until `pred` holds (60 s at most).
async fn wait_until(
    server: &Server,
    token: &str,
    id: &str,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s, body) = get_json(server, token, &format!("/api/v1/converge/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        if pred(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "run {id} stuck at {body}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn finished(v: &Value) -> bool {
    v["result"].is_object()
}

/// Submit the test contract and wait for the run to finish: its id and final status.
async fn run_to_end(server: &Server, token: &str) -> (String, Value) {
    let (s, run) = post(server, token, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let id = run["convergenceId"].as_str().unwrap().to_string();
    let status = wait_until(server, token, &id, finished).await;
    (id, status)
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(server: &Server, token: &str, id: &str) -> Ws {
    let url = format!("ws://{}/api/v1/converge/{id}/events", server.addr());
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .expect("WebSocket")
        .0
}

/// Every text frame until the server closes the socket.
async fn frames(ws: &mut Ws) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .expect("a frame or close within 60 s");
        match msg {
            Some(Ok(Message::Text(t))) => out.push(serde_json::from_str(&t).expect("JSON frame")),
            Some(Ok(Message::Close(_))) | None => return out,
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("WebSocket error after {} frames: {e}", out.len()),
        }
    }
}

fn events_jsonl(p: &Project, id: &str) -> Vec<Value> {
    p.read(&format!(".forge/runs/{id}/events.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn a_submitted_run_converges_streams_its_events_and_leaves_the_root_alone() {
    let p = project(DONE);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);

    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/converge"))
        .bearer_auth(&t)
        .header("x-trace-id", "trace-42")
        .json(&json!({"contract": CONTRACT, "config": {"maxIterations": 2}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    assert_eq!(resp.headers()["x-trace-id"], "trace-42");
    let accepted: Value = resp.json().await.unwrap();
    let id = accepted["convergenceId"].as_str().unwrap().to_string();
    assert!(
        ["QUEUED", "RUNNING"].contains(&accepted["status"].as_str().unwrap()),
        "{accepted}"
    );
    assert_eq!(accepted["progress"]["iteration"], 0);

    let mut ws = subscribe(&server, &t, &id).await;
    let got = frames(&mut ws).await;
    let done = wait_until(&server, &t, &id, finished).await;
    assert_eq!(done["status"], "CONVERGED", "{done}");
    assert_eq!(done["result"]["status"], "converged");
    assert_eq!(done["result"]["iterations"], 1);
    assert_eq!(done["progress"]["iteration"], 1);
    assert_eq!(done["progress"]["score"], 1.0);
    let evidence = done["result"]["evidence"].as_str().unwrap();
    assert!(std::path::Path::new(evidence).is_file(), "{evidence}");

    // The frames are events.jsonl, from seq 1, ending with run_finished.
    assert_eq!(got, events_jsonl(&p, &id));
    assert_eq!(got[0]["seq"], 1);
    assert_eq!(got[0]["event"], "run_started");
    assert_eq!(got[0]["trace_id"], "trace-42");
    assert_eq!(got.last().unwrap()["event"], "run_finished");
    // A server run writes back only with "apply": true.
    assert_eq!(p.read("src/a.txt"), "todo\n");
    // It is in the history like any run.
    let (_, runs) = get_json(&server, &t, "/api/v1/runs").await;
    assert_eq!(runs[0]["run_id"], id.as_str());
    let line = server.wait_for_line(|l| l.contains("POST /api/v1/converge 202"));
    assert!(line.ends_with("token=ci"), "{line}");

    // A late subscriber gets the whole run from the start, then the close.
    let mut late = subscribe(&server, &t, &id).await;
    assert_eq!(frames(&mut late).await, got);
}

/// The body of `GET path`, as text.
async fn get_text(server: &Server, token: &str, path: &str) -> String {
    let resp = reqwest::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_openapi_schemas_of_the_run_and_its_pack_describe_the_real_answers() {
    if !support::tools::python_jsonschema() {
        return;
    }
    let p = project(DONE);
    let llm = FakeLlm::start(Provider::Openai);
    // Two iterations: a refused edit and a failing validator, then the answer that converges.
    llm.push_files(&[("src/a.txt", "not yet\n"), ("elsewhere.txt", "x\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let t = p.serve_token("docs", &[]);
    let server = serve(&p, &llm, &[]);
    let (s, run) = post(&server, &t, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let id = run["convergenceId"].as_str().unwrap().to_string();
    let done = wait_until(&server, &t, &id, finished).await;
    assert_eq!(done["result"]["iterations"], 2, "{done}");

    let doc = p.file(
        "answers/openapi.json",
        &get_text(&server, &t, "/api/v1/openapi.json").await,
    );
    let detail = get_text(&server, &t, &format!("/api/v1/runs/{id}")).await;
    let pack = get_text(&server, &t, &format!("/api/v1/runs/{id}/evidence")).await;
    // The answers hold what the schemas must describe: both kinds of tool invocation, a
    // refused edit, validations.
    let v: Value = serde_json::from_str(&pack).unwrap();
    let kinds: Vec<&str> = v["raw_evidence"]["tool_invocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"model_call") && kinds.contains(&"process"),
        "{kinds:?}"
    );
    assert!(
        v["raw_evidence"]["iterations"][0]["edits"][1]["refused"].is_string(),
        "{pack}"
    );
    let d: Value = serde_json::from_str(&detail).unwrap();
    assert!(
        d["iterations"][0]["validators"][0]["name"] == "done",
        "{detail}"
    );
    let detail = p.file("answers/run.json", &detail);
    let pack = p.file("answers/evidence.json", &pack);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/openapi_body.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&doc)
        .args(["RunDetail".as_ref(), detail.as_os_str()])
        .args(["EvidencePack".as_ref(), pack.as_os_str()])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("RunDetail: ") && said.contains("EvidencePack: "),
        "{said}"
    );
}

#[tokio::test]
async fn apply_true_writes_the_converged_files_back() {
    let p = project(DONE);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    let (s, body) = post(&server, &t, json!({"contract": CONTRACT, "apply": true})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let id = body["convergenceId"].as_str().unwrap();
    let done = wait_until(&server, &t, id, finished).await;
    assert_eq!(done["status"], "CONVERGED");
    assert_eq!(p.read("src/a.txt"), "done\n");
}

#[tokio::test]
async fn runs_over_max_concurrent_wait_as_queued_and_cancel_ends_them_interrupted() {
    let p = project(SLOW);
    let llm = FakeLlm::start(Provider::Openai);
    for _ in 0..3 {
        llm.push_files(&[("src/a.txt", "done\n")]);
    }
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &["--max-concurrent", "1"]);
    let (_, first) = post(&server, &t, json!({"contract": CONTRACT})).await;
    let first = first["convergenceId"].as_str().unwrap().to_string();
    wait_until(&server, &t, &first, |v| v["status"] == "RUNNING").await;
    let (s, second) = post(&server, &t, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(second["status"], "QUEUED", "{second}");
    let second = second["convergenceId"].as_str().unwrap().to_string();

    let metrics = server.metrics(&t).await;
    assert!(
        metrics.lines().any(|l| l == "forge_serve_runs_queued 1"),
        "{metrics}"
    );
    assert!(
        metrics.lines().any(|l| l == "forge_serve_runs_active 1"),
        "{metrics}"
    );
    support::tools::promtool_check(&metrics);

    // Cancel the running one: it ends interrupted with evidence, and the queued one starts.
    let del = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/converge/{first}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::ACCEPTED);
    let done = wait_until(&server, &t, &first, finished).await;
    assert_eq!(done["status"], "INTERRUPTED", "{done}");
    assert!(std::path::Path::new(done["result"]["evidence"].as_str().unwrap()).is_file());
    // Cancelling twice answers the same end, with 200.
    let again = reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/converge/{first}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        again.json::<Value>().await.unwrap()["status"],
        "INTERRUPTED"
    );
    wait_until(&server, &t, &second, |v| v["status"] == "RUNNING").await;

    // A queued run cancelled before it starts is still recorded as interrupted.
    let (_, third) = post(&server, &t, json!({"contract": CONTRACT})).await;
    let third = third["convergenceId"].as_str().unwrap().to_string();
    assert_eq!(
        wait_until(&server, &t, &third, |_| true).await["status"],
        "QUEUED"
    );
    for id in [&third, &second] {
        reqwest::Client::new()
            .delete(server.url(&format!("/api/v1/converge/{id}")))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
    }
    for id in [&second, &third] {
        let v = wait_until(&server, &t, id, finished).await;
        assert_eq!(v["status"], "INTERRUPTED", "{v}");
    }
    let (s, e) = get_json(&server, &t, "/api/v1/converge/01JZZZZZZZZZZZZZZZZZZZZZZZ").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let del = reqwest::Client::new()
        .delete(server.url("/api/v1/converge/01JZZZZZZZZZZZZZZZZZZZZZZZ"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_per_token_concurrency_quota_answers_429() {
    let p = project(SLOW);
    let llm = FakeLlm::start(Provider::Openai);
    for _ in 0..4 {
        llm.push(Reply::text("### FILE: src/a.txt\n```\ndone\n```\n").usage(500, 100));
    }
    let one = p.serve_token("one", &["--max-concurrent", "1"]);
    let other = p.serve_token("other", &[]);
    let server = serve(&p, &llm, &[]);
    let (s, first) = post(&server, &one, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, e) = post(&server, &one, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
    assert_eq!(e["error"]["code"], "concurrency_quota");
    let (s, _) = post(&server, &other, json!({"contract": CONTRACT})).await;
    assert_eq!(
        s,
        StatusCode::ACCEPTED,
        "other tokens are not limited by it"
    );
    let first = first["convergenceId"].as_str().unwrap();
    reqwest::Client::new()
        .delete(server.url(&format!("/api/v1/converge/{first}")))
        .bearer_auth(&one)
        .send()
        .await
        .unwrap();
    wait_until(&server, &one, first, finished).await;
    let (s, _) = post(&server, &one, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "a finished run frees the slot");
}

/// A reply writing `text` to src/a.txt, for which the provider reports `input` + `output` tokens.
fn answer(text: &str, input: u64, output: u64) -> Reply {
    Reply::text(format!("### FILE: src/a.txt\n```\n{text}\n```\n")).usage(input, output)
}

/// `forge serve token list --json` entry of `name`: its quotas and what it used today.
fn token_entry(p: &Project, name: &str) -> Value {
    let state = p.serve_state();
    let out = p
        .forge(&[
            "serve",
            "token",
            "list",
            "--json",
            "--state",
            state.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no token {name} in {list}"))
}

/// A 429 for the daily quota: its retry-after (seconds) and message.
async fn over_daily_quota(server: &Server, token: &str) -> (u64, String) {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/converge"))
        .bearer_auth(token)
        .json(&json!({"contract": CONTRACT}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let wait = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let e: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{e}");
    assert_eq!(e["error"]["code"], "daily_token_quota", "{e}");
    (
        wait.expect("retry-after"),
        e["error"]["message"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_run_is_capped_at_the_daily_tokens_left_and_stops_on_its_budget() {
    // The validator never passes: only the budget can stop the run before 10 iterations.
    let p = project("grep -q never src/a.txt");
    let llm = FakeLlm::start(Provider::Openai);
    // The second call fits the estimate made before it (10 100 used + its prompt and the
    // 100-token answer before it <= 20 000) but reports more than was left.
    llm.push(answer("one", 10_000, 100));
    llm.push(answer("two", 15_000, 500));
    llm.push(answer("three", 10, 10));
    let t = p.serve_token("small", &["--daily-tokens", "20000"]);
    let server = serve(&p, &llm, &[]);
    let (s, run) = post(
        &server,
        &t,
        json!({"contract": CONTRACT, "config": {"maxIterations": 10}}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let id = run["convergenceId"].as_str().unwrap().to_string();
    server.wait_for_line(|l| {
        l.contains(&format!("run {id} accepted for token=small"))
            && l.contains("token budget 50000 capped at 20000")
    });
    let done = wait_until(&server, &t, &id, finished).await;
    assert_eq!(done["status"], "BUDGET_EXHAUSTED", "{done}");
    let reason = done["result"]["reason"].as_str().unwrap();
    assert!(reason.contains("token budget of 20000"), "{reason}");
    assert_eq!(done["result"]["tokens"], 25_600, "{done}");
    assert_eq!(
        llm.requests().len(),
        2,
        "no call after the budget was crossed"
    );
    // Recorded as the calls answered: the day's usage is the run's two calls.
    let used = token_entry(&p, "small")["used_today"].as_u64().unwrap();
    assert_eq!(used, 25_600);
    // The overshoot is what the last call spent beyond its estimate: less than that call.
    let calls: Vec<u64> = events_jsonl(&p, &id)
        .iter()
        .filter(|e| e["event"] == "model_finished")
        .map(|e| {
            e["call"]["input_tokens"].as_u64().unwrap()
                + e["call"]["output_tokens"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(calls, vec![10_100, 15_500]);
    assert!(used - 20_000 < calls[1], "{used}");

    let (wait, message) = over_daily_quota(&server, &t).await;
    assert!((1..=86_400).contains(&wait), "{wait}");
    assert!(message.contains("used 25600 of its 20000"), "{message}");
}

#[tokio::test]
async fn daily_usage_counts_as_each_call_answers_and_survives_a_restart() {
    let p = project(SLOW);
    let llm = FakeLlm::start(Provider::Openai);
    // Run A's one call spends more than A's own budget (its estimate fitted); B's one call
    // spends the rest of the day.
    llm.push(answer("a", 15_000, 100));
    llm.push(answer("b", 15_000, 0));
    let t = p.serve_token("day", &["--daily-tokens", "30000"]);
    let mut server = serve(&p, &llm, &[]);
    let (s, a) = post(
        &server,
        &t,
        json!({"contract": CONTRACT, "config": {"tokenBudget": 12000}}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{a}");
    let a = a["convergenceId"].as_str().unwrap().to_string();
    // A is in its (slow) validator once its call has answered.
    let running = wait_until(&server, &t, &a, |v| v["progress"]["tokensUsed"] == 15_100).await;
    assert_eq!(running["status"], "RUNNING", "{running}");
    assert_eq!(token_entry(&p, "day")["used_today"], 15_100);

    // B gets what is left after what A spent, not after what A was granted (30000 - 12000).
    let (s, b) = post(&server, &t, json!({"contract": CONTRACT})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let b = b["convergenceId"].as_str().unwrap().to_string();
    server.wait_for_line(|l| {
        l.contains(&format!("run {b} accepted for token=day")) && l.contains("capped at 14900")
    });
    wait_until(&server, &t, &b, |v| v["progress"]["tokensUsed"] == 15_000).await;
    // Both runs still going, the day is spent.
    for id in [&a, &b] {
        let (_, v) = get_json(&server, &t, &format!("/api/v1/converge/{id}")).await;
        assert_eq!(v["status"], "RUNNING", "{v}");
    }
    let (wait, message) = over_daily_quota(&server, &t).await;
    assert!((1..=86_400).contains(&wait), "{wait}");
    assert!(message.contains("used 30100 of its 30000"), "{message}");

    // A server killed mid-run has persisted every call that answered.
    server.stop_with(Signal::SIGKILL);
    let server = serve(&p, &llm, &[]);
    let (_, message) = over_daily_quota(&server, &t).await;
    assert!(message.contains("used 30100 of its 30000"), "{message}");
    assert_eq!(token_entry(&p, "day")["used_today"], 30_100);
}

#[tokio::test]
async fn bad_requests_get_clear_statuses_and_start_nothing() {
    let p = project(DONE);
    p.file("contracts/bad.yaml", "version: 1\nname: t\ntask: x\nfiles: [src/a.txt]\nvalidators:\n  - name: v\n    run: true\n    wieght: 2\n");
    std::fs::create_dir_all(p.join("../outside-forge-serve-test")).ok();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("c.yaml"), "version: 1\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("c.yaml"), p.join("contracts/link.yaml"))
        .unwrap();
    let llm = FakeLlm::start(Provider::Openai);
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    let client = reqwest::Client::new();
    let raw = |body: Vec<u8>, ctype: &'static str| {
        client
            .post(server.url("/api/v1/converge"))
            .bearer_auth(&t)
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let cases: Vec<(reqwest::Response, StatusCode, &str)> = vec![
        (
            raw(b"{\"contract\": ".to_vec(), "application/json")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            raw(
                b"{\"contract\": \"contracts/t.yaml\", \"aply\": true}".to_vec(),
                "application/json",
            )
            .await
            .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                b"{\"contract\": \"contracts/t.yaml\"}".to_vec(),
                "text/plain",
            )
            .await
            .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            raw(vec![b' '; 2 * 1024 * 1024], "application/json")
                .await
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (resp, status, code) in cases {
        assert_eq!(resp.status(), status);
        let e: Value = resp.json().await.unwrap();
        assert_eq!(e["error"]["code"], code, "{e}");
    }
    p.file(
        "contracts/escape.yaml",
        &p.read(CONTRACT)
            .replace("root: ..", &format!("root: {}", outside.path().display())),
    );
    let outside_path = outside.path().join("c.yaml");
    for (body, status, code) in [
        (
            json!({"contract": "../../etc/passwd"}),
            StatusCode::FORBIDDEN,
            "outside_roots",
        ),
        (
            json!({"contract": outside_path.to_str().unwrap()}),
            StatusCode::FORBIDDEN,
            "outside_roots",
        ),
        (
            json!({"contract": "contracts/link.yaml"}),
            StatusCode::FORBIDDEN,
            "outside_roots",
        ),
        (
            json!({"contract": CONTRACT, "replay": "../../../etc/passwd"}),
            StatusCode::FORBIDDEN,
            "outside_roots",
        ),
        (
            json!({"contract": "contracts/escape.yaml"}),
            StatusCode::FORBIDDEN,
            "outside_roots",
        ),
        (
            json!({"contract": "contracts/none.yaml"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_found",
        ),
        (
            json!({"contract": CONTRACT, "config": {"minScore": 2}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_config",
        ),
        (
            json!({"contract": CONTRACT, "config": {"maxIterations": 0}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_config",
        ),
        (
            json!({"contract": CONTRACT, "llm": {"baseUrl": "http://attacker.example/v1"}}),
            StatusCode::FORBIDDEN,
            "base_url_not_allowed",
        ),
    ] {
        let (s, e) = post(&server, &t, body.clone()).await;
        assert_eq!(s, status, "{body}: {e}");
        assert_eq!(e["error"]["code"], code, "{body}: {e}");
    }
    let (s, e) = post(&server, &t, json!({"contract": "contracts/bad.yaml"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "invalid_contract");
    assert_eq!(e["error"]["line"], 8, "{e}");
    assert_eq!(e["error"]["column"], 5, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("wieght"),
        "{e}"
    );

    assert!(
        llm.requests().is_empty(),
        "a refused request reached the model"
    );
    let (_, runs) = get_json(&server, &t, "/api/v1/runs").await;
    assert_eq!(runs, json!([]));
}

#[tokio::test]
async fn the_same_idempotency_key_answers_the_first_run() {
    let p = project(DONE);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let a = p.serve_token("a", &[]);
    let b = p.serve_token("b", &[]);
    let server = serve(&p, &llm, &[]);
    let submit = |token: String| {
        let url = server.url("/api/v1/converge");
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("idempotency-key", "build-7")
                .json(&json!({"contract": CONTRACT}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let first = submit(a.clone()).await;
    let again = submit(a.clone()).await;
    assert_eq!(first["convergenceId"], again["convergenceId"]);
    let other = submit(b.clone()).await;
    assert_ne!(
        first["convergenceId"], other["convergenceId"],
        "keys are per caller"
    );
    for (token, v) in [(&a, &first), (&b, &other)] {
        wait_until(
            &server,
            token,
            v["convergenceId"].as_str().unwrap(),
            finished,
        )
        .await;
    }
    let (_, runs) = get_json(&server, &a, "/api/v1/runs").await;
    assert_eq!(runs.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn sigterm_mid_run_interrupts_it_with_evidence_closes_the_stream_and_exits_0() {
    let p = project(SLOW);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let t = p.serve_token("ci", &[]);
    let mut server = serve(&p, &llm, &[]);
    let (_, run) = post(&server, &t, json!({"contract": CONTRACT})).await;
    let id = run["convergenceId"].as_str().unwrap().to_string();
    let mut ws = subscribe(&server, &t, &id).await;
    // Wait until its validator runs.
    loop {
        let msg = ws.next().await.unwrap().unwrap();
        if msg
            .to_text()
            .unwrap()
            .contains("\"event\":\"model_finished\"")
        {
            break;
        }
    }
    let status = server.stop_with(Signal::SIGTERM);
    let rest = frames(&mut ws).await;
    assert_eq!(rest.last().unwrap()["event"], "run_finished", "{rest:?}");
    assert_eq!(rest.last().unwrap()["status"], "interrupted");
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let list: Value = serde_json::from_slice(
        &p.forge(&["runs", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(list[0]["run_id"], id.as_str());
    assert_eq!(list[0]["status"], "interrupted");
    assert!(p.join(&format!(".forge/runs/{id}/evidence.json")).is_file());
}

#[tokio::test]
async fn a_server_killed_mid_run_leaves_the_run_interrupted() {
    let p = project(SLOW);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let t = p.serve_token("ci", &[]);
    let mut server = serve(&p, &llm, &[]);
    let (_, run) = post(&server, &t, json!({"contract": CONTRACT})).await;
    let id = run["convergenceId"].as_str().unwrap().to_string();
    wait_until(&server, &t, &id, |v| v["status"] == "RUNNING").await;
    let mut ws = subscribe(&server, &t, &id).await;
    loop {
        let msg = ws.next().await.unwrap().unwrap();
        if msg
            .to_text()
            .unwrap()
            .contains("\"event\":\"model_finished\"")
        {
            break;
        }
    }
    server.stop_with(Signal::SIGKILL);
    let list: Value = serde_json::from_slice(
        &p.forge(&["runs", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(list[0]["run_id"], id.as_str());
    assert_eq!(list[0]["status"], "interrupted", "{list}");
    // A new server answers for it from the history.
    let server = serve(&p, &llm, &[]);
    let (s, v) = get_json(&server, &t, &format!("/api/v1/converge/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "INTERRUPTED", "{v}");
}

#[tokio::test]
async fn a_client_that_never_reads_does_not_stall_the_run_and_still_gets_every_event() {
    let p = project("grep -q never-passes src/a.txt");
    p.file(
        CONTRACT,
        &p.read(CONTRACT)
            .replace("max_iterations: 3", "max_iterations: 40\n  stagnation: 100"),
    );
    let llm = FakeLlm::start(Provider::Openai);
    for i in 0..40 {
        llm.push_files(&[("src/a.txt", &format!("try {i}\n"))]);
    }
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    let (_, run) = post(&server, &t, json!({"contract": CONTRACT})).await;
    let id = run["convergenceId"].as_str().unwrap().to_string();
    // Subscribed, but not reading a single frame until the run is over.
    let mut idle = subscribe(&server, &t, &id).await;
    let done = wait_until(&server, &t, &id, finished).await;
    assert_eq!(done["status"], "MAX_ITERATIONS", "{done}");
    let got = frames(&mut idle).await;
    let seqs: Vec<u64> = got.iter().map(|f| f["seq"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "no gaps, no repeats");
    assert_eq!(got, events_jsonl(&p, &id));
    // A client that hangs up early does not disturb anything either.
    let mut gone = subscribe(&server, &t, &id).await;
    gone.close(None).await.ok();
}

#[tokio::test]
async fn a_replayed_run_needs_no_provider_and_says_so_in_its_pack() {
    let p = project(DONE);
    let answer = "### FILE: src/a.txt\n```\ndone\n```\n";
    p.file(
        "cassettes/done.jsonl",
        &format!("{}\n", json!({ "response": answer })),
    );
    let llm = FakeLlm::start(Provider::Openai);
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    let (s, run) = post(
        &server,
        &t,
        json!({"contract": format!("file://{}", p.path().canonicalize().unwrap().join(CONTRACT).display()),
               "replay": "cassettes/done.jsonl"}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let id = run["convergenceId"].as_str().unwrap();
    let done = wait_until(&server, &t, id, finished).await;
    assert_eq!(done["status"], "CONVERGED", "{done}");
    assert!(llm.requests().is_empty(), "a replay asked the provider");
    let (_, pack) = get_json(&server, &t, &format!("/api/v1/runs/{id}/evidence")).await;
    assert_eq!(
        pack["metadata"]["llm"]["source"], "replay",
        "{}",
        pack["metadata"]
    );
}

/// Copy `rel` (a folder of this repository) into the project.
fn copy_from_repo(p: &Project, rel: &str) {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&from)
        .arg(p.join(rel).parent().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn the_readme_walkthrough_runs_the_example_below_the_served_root() {
    // The example contract's `root:` is examples/slugify, a folder below the served root: its
    // history is found there for the run list, the status, the late feed and the metrics.
    let p = Project::new();
    copy_from_repo(&p, "contracts");
    copy_from_repo(&p, "examples");
    let llm = FakeLlm::start(Provider::Openai);
    let t = p.serve_token("demo", &[]);
    let server = serve(&p, &llm, &[]);
    let (s, run) = post(
        &server,
        &t,
        json!({"contract": "contracts/slugify.yaml", "replay": "contracts/cassettes/slugify.jsonl",
               "config": {"maxIterations": 5}}),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    let id = run["convergenceId"].as_str().unwrap().to_string();
    let done = wait_until(&server, &t, &id, finished).await;
    assert_eq!(done["status"], "CONVERGED", "{done}");
    assert_eq!(done["result"]["iterations"], 2);
    let (_, runs) = get_json(&server, &t, "/api/v1/runs").await;
    assert_eq!(runs[0]["run_id"], id.as_str(), "{runs}");
    let md = reqwest::Client::new()
        .get(server.url(&format!("/api/v1/runs/{id}/evidence?format=md")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(md.status(), StatusCode::OK);
    let mut late = subscribe(&server, &t, &id).await;
    let frames = frames(&mut late).await;
    assert_eq!(frames.last().unwrap()["event"], "run_finished");
    let metrics = server.metrics(&t).await;
    assert!(
        metrics
            .lines()
            .any(|l| l == "forge_convergence_total{status=\"converged\"} 1"),
        "{metrics}"
    );
    // The example itself is untouched: server runs write back only with "apply": true.
    let original = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slugify/src/slug.py"),
    )
    .unwrap();
    assert_eq!(p.read("examples/slugify/src/slug.py"), original);
}

/// `status` and `reason` of the runs of contract `name`, read straight from the history file.
fn history_rows(p: &Project, name: &str) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(p.join(".forge/history.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT status, coalesce(reason, '') FROM runs WHERE contract_name = ?1")
        .unwrap();
    stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_cli_run_killed_while_the_server_is_up_is_marked_interrupted_by_the_servers_next_run() {
    let p = project(DONE);
    let marks = tempfile::tempdir().unwrap();
    let (pid_file, marker) = (marks.path().join("pid"), marks.path().join("validating"));
    let slow = format!(
        "echo $$ > {} && touch {} && exec sleep 30",
        pid_file.display(),
        marker.display()
    );
    // The test watches the validator from outside: host pids, a marker folder.
    p.file(
        "contracts/slow.yaml",
        &format!(
            "version: 1\nname: slow\ntask: t\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: slow\n    run: {slow}\nsandbox: {{mode: off}}\nevidence:\n  synthesis: template\n"
        ),
    );
    let _orphan = support::Orphan {
        pid_file: pid_file.clone(),
    };
    let llm = FakeLlm::start(Provider::Openai);
    for _ in 0..3 {
        llm.push_files(&[("src/a.txt", "done\n")]);
    }
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    // A first run leaves the server holding the root's history open between runs.
    run_to_end(&server, &t).await;

    let mut cli = p
        .command_with_llm(&llm, &["converge", "contracts/slow.yaml"])
        .env("TMPDIR", marks.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the CLI run never validated");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cli.kill().unwrap();
    cli.wait().unwrap();
    assert_eq!(history_rows(&p, "slow")[0].0, "running");

    let (_, next) = run_to_end(&server, &t).await;
    assert_eq!(next["status"], "CONVERGED", "{next}");
    let rows = history_rows(&p, "slow");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "interrupted", "{rows:?}");
    assert!(
        rows[0].1.contains("forge stopped without finishing"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_history_removed_while_the_server_is_up_is_made_again_by_its_next_run() {
    let p = project(DONE);
    let llm = FakeLlm::start(Provider::Openai);
    for _ in 0..2 {
        llm.push_files(&[("src/a.txt", "done\n")]);
    }
    let t = p.serve_token("ci", &[]);
    let server = serve(&p, &llm, &[]);
    run_to_end(&server, &t).await;

    std::fs::remove_dir_all(p.join(".forge")).unwrap();
    let (id, done) = run_to_end(&server, &t).await;
    assert_eq!(done["status"], "CONVERGED", "{done}");
    let list: Value = serde_json::from_slice(
        &p.forge(&["runs", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["run_id"].as_str())
        .collect();
    assert_eq!(ids, [id.as_str()], "{list}");
    let rows = history_rows(&p, "t");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "converged", "{rows:?}");
    assert!(p.join(&format!(".forge/runs/{id}/evidence.json")).is_file());
    p.forge(&["evidence", "verify-chain"]).assert().code(0);
}
