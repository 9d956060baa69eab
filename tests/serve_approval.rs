//! `POST /api/v1/runs/{id}/approval` (SPEC §12) through the real `forge serve` against the fake
//! LLM: a run started over the API with `"apply": false` is approved (written back, the token
//! named as approver, `forge evidence verify` passing) or rejected, and every refusal answers
//! its own status with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::Project;
use support::fake_llm::{FakeLlm, Provider};
use support::server::Server;

const CONTRACT: &str = "contracts/t.yaml";

/// contracts/t.yaml: make src/a.txt say done (at most `iterations` tries).
fn project(iterations: u32) -> Project {
    project_with(iterations, "grep -q done src/a.txt")
}

fn project_with(iterations: u32, validator: &str) -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        CONTRACT,
        &format!(
            "version: 1\nname: t\ntask: |\n  Make src/a.txt say done.\nfiles:\n  - src/*.txt\nroot: ..\nvalidators:\n  - name: done\n    run: {validator}\nlimits:\n  max_iterations: {iterations}\nevidence:\n  synthesis: template\n"
        ),
    );
    p
}

fn serve(p: &Project, llm: &FakeLlm) -> Server {
    let state = p.serve_state();
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        state.to_str().unwrap(),
        "--root",
        ".",
    ];
    p.spawn_server(p.command_with_llm(llm, &args))
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// `POST /api/v1/runs/{id}/approval` with `body` as JSON.
async fn decide(server: &Server, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    let url = server.url(&format!("/api/v1/runs/{id}/approval"));
    send(
        reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

/// Start a run with `"apply": false` and wait until it has finished; its id and final status.
async fn finished_run(server: &Server, token: &str) -> (String, Value) {
    let (s, body) = send(
        reqwest::Client::new()
            .post(server.url("/api/v1/converge"))
            .bearer_auth(token)
            .json(&json!({"contract": CONTRACT, "apply": false})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let id = body["convergenceId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (s, body) = send(
            reqwest::Client::new()
                .get(server.url(&format!("/api/v1/converge/{id}")))
                .bearer_auth(token),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        if body["result"].is_object() {
            return (id, body);
        }
        assert!(Instant::now() < deadline, "stuck: {body}\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn approval_json(p: &Project, id: &str) -> Option<Value> {
    let bytes = std::fs::read(p.join(&format!(".forge/runs/{id}/approval.json"))).ok()?;
    Some(serde_json::from_slice(&bytes).unwrap())
}

fn answer_done(llm: &FakeLlm) {
    llm.push_files(&[("src/a.txt", "done\n"), ("src/new.txt", "brand new\n")]);
}

#[tokio::test]
async fn approve_writes_back_names_the_token_and_verifies() {
    let p = project(3);
    let llm = FakeLlm::start(Provider::Openai);
    answer_done(&llm);
    let t = p.serve_token("lead", &[]);
    let server = serve(&p, &llm);
    let (id, done) = finished_run(&server, &t).await;
    assert_eq!(done["status"], "CONVERGED", "{done}");
    assert_eq!(
        p.read("src/a.txt"),
        "todo\n",
        "apply: false leaves the root"
    );

    // Refusals first, each with its status and nothing written.
    let url = server.url(&format!("/api/v1/runs/{id}/approval"));
    let (s, _) = send(
        reqwest::Client::new()
            .post(&url)
            .json(&json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = send(
        reqwest::Client::new()
            .post(&url)
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{\"decision\": "),
    )
    .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_json"))
    );
    let (s, body) = decide(
        &server,
        &t,
        &id,
        json!({"decision": "approve", "approver": "me"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `approver`"),
        "{body}"
    );
    let (s, body) = decide(&server, &t, &id, json!({"decision": "maybe"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "bad_decision");
    for unknown in ["01HZZZZZZZZZZZZZZZZZZZZZZZ", "not-a-run"] {
        let (s, body) = decide(&server, &t, unknown, json!({"decision": "approve"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    }
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(approval_json(&p, &id).is_none());

    let (s, body) = decide(&server, &t, &id, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{body}\n{}", server.log());
    assert_eq!(body["written"], json!(["src/a.txt", "src/new.txt"]));
    assert_eq!(body["approval"]["decision"], "approved");
    assert_eq!(body["approval"]["approver"], "lead");
    assert_eq!(body["approval"]["run_id"], id.as_str());
    assert_eq!(p.read("src/a.txt"), "done\n");
    assert_eq!(p.read("src/new.txt"), "brand new\n");
    assert_eq!(
        approval_json(&p, &id).unwrap(),
        body["approval"],
        "the answer is the record"
    );

    // forge, outside the server, checks the pack and the approval the server signed.
    let pack = format!(".forge/runs/{id}/evidence.json");
    let out = p
        .forge(&["--json", "evidence", "verify", &pack])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report}");
    let approval_checks: Vec<(&str, bool)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("approval"))
        .map(|c| (c["name"].as_str().unwrap(), c["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        approval_checks,
        [
            ("approval", true),
            ("approval pack", true),
            ("approval hash", true),
            ("approval signature", true)
        ]
    );

    // A decision is final.
    let (s, body) = decide(
        &server,
        &t,
        &id,
        json!({"decision": "reject", "reason": "late"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_decided");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already approved by lead"),
        "{body}"
    );
    assert_eq!(approval_json(&p, &id).unwrap()["decision"], "approved");

    // The route has its log line and its metrics label, as every route.
    let line =
        server.wait_for_line(|l| l.contains(&format!("POST /api/v1/runs/{id}/approval 200")));
    assert!(line.ends_with("token=lead"), "{line}");
    let metrics = server.metrics(&t).await;
    for (code, n) in [(200, 1), (400, 2), (401, 1), (404, 2), (409, 1), (422, 1)] {
        let want = format!(
            "forge_serve_http_requests_total{{code=\"{code}\",route=\"/api/v1/runs/{{id}}/approval\"}} {n}"
        );
        assert!(metrics.lines().any(|l| l == want), "{want}\n{metrics}");
    }
    support::tools::promtool_check(&metrics);
}

#[tokio::test]
async fn reject_writes_nothing_and_keeps_the_reason() {
    let p = project(3);
    let llm = FakeLlm::start(Provider::Openai);
    answer_done(&llm);
    let t = p.serve_token("reviewer", &[]);
    let server = serve(&p, &llm);
    let (id, _) = finished_run(&server, &t).await;
    let (s, body) = decide(
        &server,
        &t,
        &id,
        json!({"decision": "reject", "reason": "too clever"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["written"], json!([]));
    let record = approval_json(&p, &id).unwrap();
    assert_eq!(record["decision"], "rejected");
    assert_eq!(record["approver"], "reviewer");
    assert_eq!(record["reason"], "too clever");
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(!p.join("src/new.txt").exists());

    let (s, body) = decide(&server, &t, &id, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(p.read("src/a.txt"), "todo\n");
    // The CLI sees the same decision.
    let out = p
        .forge(&["apply", &id, "--yes", "--approver", "x@example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already rejected by reviewer"));
}

#[tokio::test]
async fn a_file_changed_since_the_run_started_is_a_conflict_and_nothing_is_written() {
    let p = project(3);
    let llm = FakeLlm::start(Provider::Openai);
    answer_done(&llm);
    let t = p.serve_token("lead", &[]);
    let server = serve(&p, &llm);
    let (id, _) = finished_run(&server, &t).await;
    p.file("src/a.txt", "someone else's edit\n");
    let (s, body) = decide(&server, &t, &id, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["paths"], json!(["src/a.txt"]));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("src/a.txt changed in the root"),
        "{body}"
    );
    assert_eq!(p.read("src/a.txt"), "someone else's edit\n");
    assert!(
        !p.join("src/new.txt").exists(),
        "nothing at all was written"
    );
    assert!(
        approval_json(&p, &id).is_none(),
        "no approval without a write-back"
    );
}

#[tokio::test]
async fn a_run_that_did_not_converge_cannot_be_approved() {
    let p = project(1);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "still todo\n")]);
    let t = p.serve_token("lead", &[]);
    let server = serve(&p, &llm);
    let (id, done) = finished_run(&server, &t).await;
    assert_eq!(done["status"], "MAX_ITERATIONS", "{done}");
    let (s, body) = decide(&server, &t, &id, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "not_converged");
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(approval_json(&p, &id).is_none());
}

#[tokio::test]
async fn a_run_still_going_cannot_be_decided_yet() {
    let p = project_with(3, "sleep 60; grep -q done src/a.txt");
    let llm = FakeLlm::start(Provider::Openai);
    answer_done(&llm);
    let t = p.serve_token("lead", &[]);
    let server = serve(&p, &llm);
    let (s, body) = send(
        reqwest::Client::new()
            .post(server.url("/api/v1/converge"))
            .bearer_auth(&t)
            .json(&json!({"contract": CONTRACT})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let id = body["convergenceId"].as_str().unwrap().to_string();
    // Until its history row exists the run is unknown (404); then it is known but unfinished.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (s, body) = loop {
        let (s, body) = decide(&server, &t, &id, json!({"decision": "approve"})).await;
        if s != StatusCode::NOT_FOUND {
            break (s, body);
        }
        assert!(Instant::now() < deadline, "{body}\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "not_finished");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains(&*p.path().to_string_lossy()),
        "no server paths: {message}"
    );
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(approval_json(&p, &id).is_none());
}
