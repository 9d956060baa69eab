//! `forge serve` (SPEC §7) through the real binary on a loopback port: tokens, auth, limits,
//! the read routes over several roots, metrics, the OpenAPI document, logs and shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::history::{History, RunStatus};
use nix::sys::signal::Signal;
use reqwest::StatusCode;
use serde_json::Value;
use support::Project;
use support::records::{KEY_BYTES, key, record_run, write_signed_pack};

const A: &str = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const B: &str = "01JBBBBBBBBBBBBBBBBBBBBBBB";
const C: &str = "01JCCCCCCCCCCCCCCCCCCCCCCC";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = client().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request")
}

/// The `{"error": {...}}` of an error answer, after checking its status.
async fn error_of(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    assert!(
        resp.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = resp.json().await.expect("JSON error body");
    let e = body["error"].clone();
    assert!(e["code"].is_string() && e["message"].is_string(), "{body}");
    e
}

#[tokio::test]
async fn every_route_but_healthz_needs_a_bearer_and_the_log_never_shows_it() {
    let p = Project::new();
    let token = p.serve_token("ci-bot", &[]);
    assert!(token.starts_with("forge_") && token.len() > 40, "{token}");
    let server = p.serve(&["--root", "."]);

    let health = get(&server.url("/healthz"), None).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

    for path in [
        "/api/v1/runs",
        "/api/v1/runs/X",
        "/metrics",
        "/api/v1/openapi.json",
    ] {
        let resp = get(&server.url(path), None).await;
        assert_eq!(resp.headers()["www-authenticate"], "Bearer realm=\"forge\"");
        let e = error_of(resp, StatusCode::UNAUTHORIZED).await;
        assert_eq!(e["code"], "unauthorized", "{path}");
    }
    let e = error_of(
        get(&server.url("/api/v1/runs"), Some("forge_0000")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("unknown or revoked"),
        "{e}"
    );
    let basic = client()
        .get(server.url("/api/v1/runs"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    error_of(basic, StatusCode::UNAUTHORIZED).await;
    // A token in the query string is refused even when it is valid: it would be logged.
    let e = error_of(
        get(
            &server.url(&format!("/api/v1/runs?access_token={token}")),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        e["message"].as_str().unwrap().contains("query string"),
        "{e}"
    );

    let ok = get(&server.url("/api/v1/runs?limit=5"), Some(&token)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.json::<Value>().await.unwrap(), serde_json::json!([]));

    let line = server.wait_for_line(|l| l.contains("GET /api/v1/runs 200"));
    assert!(
        line.contains("token=ci-bot") && line.ends_with("token=ci-bot"),
        "{line}"
    );
    assert!(line.contains("ms "), "{line}");
    server.wait_for_line(|l| l.contains("GET /healthz 200") && l.contains("token=-"));
    let log = server.log();
    assert!(!log.contains(&token), "the secret reached the log:\n{log}");
    assert!(
        !log.contains("access_token"),
        "a query string reached the log:\n{log}"
    );
}

#[test]
fn tokens_are_listed_without_secrets_and_revoked_by_name() {
    let p = Project::new();
    let state = p.serve_state();
    let state = state.to_str().unwrap();
    let secret = p.serve_token(
        "alice",
        &["--rate-per-minute", "30", "--daily-tokens", "5000"],
    );
    p.serve_token("bob", &["--max-concurrent", "2"]);
    p.forge(&["serve", "token", "create", "alice", "--state", state])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("already exists"));
    p.forge(&["serve", "token", "create", "a b", "--state", state])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not valid"));
    p.forge(&[
        "serve",
        "token",
        "create",
        "z",
        "--state",
        state,
        "--rate-per-minute",
        "0",
    ])
    .assert()
    .code(2);

    let out = p
        .forge(&["serve", "token", "list", "--state", state, "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let list: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(list[0]["name"], "alice");
    assert_eq!(list[0]["rate_per_minute"], 30);
    assert_eq!(list[0]["daily_tokens"], 5000);
    assert_eq!(list[0]["max_concurrent"], Value::Null);
    assert_eq!(list[0]["used_today"], 0);
    assert_eq!(list[1]["name"], "bob");
    assert_eq!(list[1]["max_concurrent"], 2);
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains("sha256"),
        "{text}"
    );
    let table = p
        .forge(&["serve", "token", "list", "--state", state])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.starts_with("NAME") && table.contains("alice") && !table.contains(&secret),
        "{table}"
    );

    p.forge(&["serve", "token", "revoke", "alice", "--state", state])
        .assert()
        .code(0);
    p.forge(&["serve", "token", "revoke", "alice", "--state", state])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no token named `alice`"));
    let db = std::fs::read(p.serve_state().join("serve.db")).unwrap();
    assert!(!db.windows(secret.len()).any(|w| w == secret.as_bytes()));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(p.serve_state().join("serve.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "state db readable by others: {mode:o}");
}

#[tokio::test]
async fn a_revoked_token_is_refused_by_a_running_server() {
    let p = Project::new();
    let token = p.serve_token("temp", &[]);
    let server = p.serve(&["--root", "."]);
    assert_eq!(
        get(&server.url("/api/v1/runs"), Some(&token))
            .await
            .status(),
        StatusCode::OK
    );
    let state = p.serve_state();
    p.forge(&[
        "serve",
        "token",
        "revoke",
        "temp",
        "--state",
        state.to_str().unwrap(),
    ])
    .assert()
    .code(0);
    error_of(
        get(&server.url("/api/v1/runs"), Some(&token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn over_the_rate_a_token_gets_429_with_retry_after_and_others_do_not() {
    let p = Project::new();
    let slow = p.serve_token("slow", &["--rate-per-minute", "2"]);
    let free = p.serve_token("free", &[]);
    let server = p.serve(&["--root", "."]);
    for _ in 0..2 {
        assert_eq!(
            get(&server.url("/api/v1/runs"), Some(&slow)).await.status(),
            StatusCode::OK
        );
    }
    let resp = get(&server.url("/api/v1/runs"), Some(&slow)).await;
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "retry-after {wait}");
    let e = error_of(resp, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(e["code"], "rate_limited");
    for _ in 0..5 {
        assert_eq!(
            get(&server.url("/api/v1/runs"), Some(&free)).await.status(),
            StatusCode::OK
        );
    }
    server.wait_for_line(|l| l.contains("GET /api/v1/runs 429") && l.contains("token=slow"));
}

/// Two roots with runs; A and C have packs.
fn two_roots(p: &Project) {
    std::fs::create_dir_all(p.join("one")).unwrap();
    std::fs::create_dir_all(p.join("two")).unwrap();
    let h1 = History::open(&p.join("one")).unwrap();
    record_run(
        &h1,
        A,
        "slugify",
        "2026-11-21T10:00:00.000Z",
        RunStatus::Converged,
        1,
    );
    record_run(
        &h1,
        C,
        "slugify",
        "2026-11-21T12:00:00.000Z",
        RunStatus::Converged,
        2,
    );
    let h2 = History::open(&p.join("two")).unwrap();
    record_run(
        &h2,
        B,
        "parser",
        "2026-11-21T11:00:00.000Z",
        RunStatus::Stagnated,
        3,
    );
    write_signed_pack(&p.join("one"), A, &key(KEY_BYTES));
}

#[tokio::test]
async fn runs_and_packs_are_read_across_every_root() {
    let p = Project::new();
    two_roots(&p);
    let t = p.serve_token("reader", &[]);
    let server = p.serve(&["--root", "one", "--root", "two"]);

    let list: Value = get(&server.url("/api/v1/runs"), Some(&t))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [C, B, A], "newest first over both roots");
    // The same objects as `forge runs list --json` in that root.
    let cli = p
        .forge(&["runs", "list", "--json", "--root", "two"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let cli: Value = serde_json::from_slice(&cli).unwrap();
    assert_eq!(list[1], cli[0]);

    let filtered: Value = get(
        &server.url("/api/v1/runs?status=stagnated&limit=5"),
        Some(&t),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let e = error_of(
        get(&server.url("/api/v1/runs?status=bogus"), Some(&t)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("bogus"), "{e}");
    error_of(
        get(&server.url("/api/v1/runs?limit=many"), Some(&t)).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    let show: Value = get(&server.url(&format!("/api/v1/runs/{B}")), Some(&t))
        .await
        .json()
        .await
        .unwrap();
    let cli = p
        .forge(&["runs", "show", B, "--json", "--root", "two"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(show, serde_json::from_slice::<Value>(&cli).unwrap());
    assert_eq!(show["iterations"].as_array().unwrap().len(), 3);

    let e = error_of(
        get(
            &server.url("/api/v1/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ"),
            Some(&t),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e["code"], "not_found");
    for bad in [
        "/api/v1/runs/..%2F..%2Fetc/evidence",
        "/api/v1/runs/%2E%2E/evidence",
    ] {
        error_of(get(&server.url(bad), Some(&t)).await, StatusCode::NOT_FOUND).await;
    }

    let pack = get(&server.url(&format!("/api/v1/runs/{A}/evidence")), Some(&t)).await;
    assert_eq!(pack.status(), StatusCode::OK);
    let bytes = pack.bytes().await.unwrap();
    let on_disk = std::fs::read(p.join(&format!("one/.forge/runs/{A}/evidence.json"))).unwrap();
    assert_eq!(bytes.as_ref(), on_disk.as_slice(), "the pack byte for byte");
    let md = get(
        &server.url(&format!("/api/v1/runs/{A}/evidence?format=md")),
        Some(&t),
    )
    .await;
    assert!(
        md.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = md.text().await.unwrap();
    let cli = p
        .forge(&["evidence", "show", A, "--root", "one"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(md, String::from_utf8(cli).unwrap());
    error_of(
        get(
            &server.url(&format!("/api/v1/runs/{A}/evidence?format=pdf")),
            Some(&t),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let e = error_of(
        get(&server.url(&format!("/api/v1/runs/{B}/evidence")), Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(
        e["message"].as_str().unwrap().contains("no evidence pack"),
        "{e}"
    );
}

#[tokio::test]
async fn metrics_cover_every_root_and_the_server_and_pass_promtool() {
    let p = Project::new();
    two_roots(&p);
    let t = p.serve_token("prom", &[]);
    let server = p.serve(&["--root", "one", "--root", "two"]);
    get(&server.url("/api/v1/runs"), None).await;
    get(&server.url("/api/v1/runs"), Some(&t)).await;
    let resp = get(&server.url("/metrics"), Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = resp.text().await.unwrap();
    for line in [
        "forge_convergence_total{status=\"converged\"} 2",
        "forge_convergence_total{status=\"stagnated\"} 1",
        "forge_serve_runs_queued 0",
        "forge_serve_runs_active 0",
        "forge_serve_http_requests_total{code=\"401\",route=\"/api/v1/runs\"} 1",
        "forge_serve_http_requests_total{code=\"200\",route=\"/api/v1/runs\"} 1",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in\n{text}"
        );
    }
    support::tools::promtool_check(&text);
    error_of(
        get(&server.url("/metrics"), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let public = p.serve(&["--root", "one", "--metrics-public"]);
    assert_eq!(
        get(&public.url("/metrics"), None).await.status(),
        StatusCode::OK
    );
    error_of(
        get(&public.url("/api/v1/runs"), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn the_openapi_document_is_valid_3_1_and_names_the_routes() {
    let p = Project::new();
    let t = p.serve_token("docs", &[]);
    let server = p.serve(&["--root", "."]);
    let body = get(&server.url("/api/v1/openapi.json"), Some(&t))
        .await
        .bytes()
        .await
        .unwrap();
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    assert_eq!(doc["info"]["version"], forge::VERSION);
    for path in [
        "/healthz",
        "/api/v1/runs",
        "/api/v1/runs/{id}",
        "/api/v1/runs/{id}/evidence",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    for path in [
        "/api/v1/converge",
        "/api/v1/converge/{id}",
        "/api/v1/converge/{id}/events",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["paths"]["/api/v1/converge/{id}"]["delete"].is_object());
    let approval = &doc["paths"]["/api/v1/runs/{id}/approval"]["post"];
    for code in ["200", "400", "401", "404", "409", "422"] {
        assert!(
            approval["responses"][code].is_object(),
            "{code}: {approval}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    let approval_body = &schemas["ApprovalBody"];
    assert_eq!(
        approval_body["required"],
        serde_json::json!(["decision"]),
        "{approval_body}"
    );
    assert_eq!(
        approval_body["additionalProperties"], false,
        "{approval_body}"
    );
    assert_eq!(
        approval_body["properties"]["decision"]["$ref"], "#/components/schemas/Verdict",
        "{approval_body}"
    );
    assert_eq!(
        schemas["Verdict"]["enum"],
        serde_json::json!(["approve", "reject"])
    );
    assert!(
        schemas["Decided"]["properties"]["written"].is_object(),
        "{schemas}"
    );
    assert!(
        schemas["Approval"]["properties"]["pack_sha256"].is_object(),
        "{schemas}"
    );
    let schema = &doc["components"]["schemas"]["ConvergeBody"];
    assert_eq!(
        schema["required"],
        serde_json::json!(["contract"]),
        "{schema}"
    );
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown fields are refused: {schema}"
    );
    assert!(doc["components"]["schemas"]["RunSummary"]["properties"]["run_id"].is_object());
    // The run detail and the pack are typed, from the types the routes serialize
    // (tests/serve_runs.rs validates real answers against them).
    for (path, schema) in [
        ("/api/v1/runs/{id}", "RunDetail"),
        ("/api/v1/runs/{id}/evidence", "EvidencePack"),
    ] {
        assert_eq!(
            doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            format!("#/components/schemas/{schema}"),
            "{path}"
        );
    }
    assert_eq!(
        schemas["RunDetail"]["properties"]["iterations"]["items"]["$ref"],
        "#/components/schemas/IterationRow"
    );
    assert_eq!(
        schemas["EvidencePack"]["properties"]["raw_evidence"]["$ref"],
        "#/components/schemas/RawEvidence"
    );
    assert_eq!(
        schemas["IterationRow"]["properties"]["validators"]["items"]["$ref"],
        "#/components/schemas/Validation"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    if support::tools::available(
        "openapi-spec-validator",
        "pip install openapi-spec-validator",
    ) {
        let file = p.file("openapi.json", std::str::from_utf8(&body).unwrap());
        let out = std::process::Command::new("openapi-spec-validator")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openapi-spec-validator: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn trace_ids_are_echoed_and_unknown_routes_are_json_errors() {
    let p = Project::new();
    let t = p.serve_token("t", &[]);
    let server = p.serve(&["--root", "."]);
    let resp = client()
        .get(server.url("/api/v1/runs"))
        .bearer_auth(&t)
        .header("x-trace-id", "trace-123")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-trace-id"], "trace-123");
    assert_eq!(
        resp.headers()["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
    // Also on errors.
    let resp = client()
        .get(server.url("/nope"))
        .header("x-trace-id", "t2")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-trace-id"], "t2");
    error_of(resp, StatusCode::UNAUTHORIZED).await;
    let e = error_of(
        get(&server.url("/nope"), Some(&t)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e["code"], "not_found");
    let resp = client()
        .post(server.url("/api/v1/runs"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    error_of(resp, StatusCode::METHOD_NOT_ALLOWED).await;
}

#[tokio::test]
async fn a_thousand_idle_connections_do_not_stop_it_answering() {
    let p = Project::new();
    let t = p.serve_token("t", &[]);
    let server = p.serve(&["--root", "."]);
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(
            tokio::net::TcpStream::connect(server.addr())
                .await
                .expect("connect"),
        );
    }
    let resp = get(&server.url("/api/v1/runs"), Some(&t)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    drop(idle);
}

#[test]
fn sigterm_stops_it_with_exit_0_and_bad_roots_or_ports_are_clear_errors() {
    let p = Project::new();
    let mut server = p.serve(&["--root", "."]);
    let status = server.stop_with(Signal::SIGTERM);
    assert_eq!(status.code(), Some(0), "{}", server.log());
    server.wait_for_line(|l| l.contains("forge serve: stopped"));
    let mut server = p.serve(&["--root", "."]);
    assert_eq!(server.stop_with(Signal::SIGINT).code(), Some(0));

    let state = p.serve_state();
    let state = state.to_str().unwrap();
    p.forge(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        state,
        "--root",
        "missing",
    ])
    .assert()
    .code(2)
    .stderr(predicates::str::contains("--root missing"));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    p.forge(&["serve", "--listen", &addr, "--state", state, "--root", "."])
        .assert()
        .code(3)
        .stderr(predicates::str::contains(format!(
            "cannot listen on {addr}"
        )));
    p.forge(&["serve", "--jwks", "x.json", "--root", "."])
        .assert()
        .code(2);
    // Runs copy their root: a state folder inside one would reach every validator, and the
    // copy would break the database's locks. Refused before it is created.
    p.forge(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--state",
        "sub/state",
        "--root",
        ".",
    ])
    .assert()
    .code(2)
    .stderr(predicates::str::contains(
        "--state sub/state is inside the served root",
    ));
    assert!(!p.join("sub").exists());
}
