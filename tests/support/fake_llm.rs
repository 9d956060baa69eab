//! A real loopback LLM server for tests: speaks the OpenAI, Anthropic and Ollama wire formats
//! (streamed and whole), answers from a per-test script of replies and faults, and records every
//! request. It runs on its own threads, so it serves the library in-process and a `forge`
//! subprocess alike.
//!
//! ```ignore
//! let llm = FakeLlm::start(Provider::Openai);
//! llm.push_files(&[("src/slug.py", "def slugify(t): ...")]);   // iteration 1
//! llm.push(Fault::status(503));                                // iteration 2: retried ...
//! llm.push_reply("### FILE: src/slug.py\n```python\n...\n```");  // ... and answered
//! project.forge_with_llm(&llm, &["converge", "contracts/slug.yaml"]).assert().code(0);
//! assert_eq!(llm.requests().len(), 3);
//! ```
#![allow(dead_code)]

pub use forge::contract::ProviderKind as Provider;

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The key tests hand to forge (via `env_vars`); assert it only ever shows up in its header.
pub const FAKE_KEY: &str = "sk-fake-test-key-0123456789abcdef";
pub const FAKE_MODEL: &str = "fake-model";

/// How a streamed body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`, one HTTP chunk per frame.
    Chunked,
    /// No length: the body ends when the server closes the connection.
    CloseDelimited,
}

/// Token counts the fake reports, in forge's terms (`input` includes `cached` and
/// `cache_written`); rendered in each provider's own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FakeUsage {
    pub input: u64,
    pub output: u64,
    pub cached: u64,
    /// Anthropic only: tokens written to the prompt cache.
    pub cache_written: u64,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub text: String,
    /// `None`: the answer carries no usage at all.
    pub usage: Option<FakeUsage>,
    /// Characters of text per streamed frame.
    pub chunk_chars: usize,
    /// Pause between streamed frames.
    pub chunk_delay: Duration,
    pub framing: Framing,
    /// Answer with one JSON body even when the request asked for a stream.
    pub whole_body: bool,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Reply {
            text: text.into(),
            usage: Some(FakeUsage {
                input: 100,
                output: 50,
                cached: 0,
                cache_written: 0,
            }),
            chunk_chars: 8,
            chunk_delay: Duration::ZERO,
            framing: Framing::Chunked,
            whole_body: false,
        }
    }
    pub fn usage(mut self, input: u64, output: u64) -> Self {
        let (cached, cache_written) = self.usage.map_or((0, 0), |u| (u.cached, u.cache_written));
        self.usage = Some(FakeUsage {
            input,
            output,
            cached,
            cache_written,
        });
        self
    }
    /// Of `input`, this many were served from the provider's prompt cache.
    pub fn cached(mut self, cached: u64) -> Self {
        let u = self.usage.get_or_insert(FakeUsage {
            input: 100,
            output: 50,
            cached: 0,
            cache_written: 0,
        });
        u.cached = cached;
        self
    }
    /// Of `input`, this many were written to the prompt cache (Anthropic's
    /// `cache_creation_input_tokens`).
    pub fn cache_written(mut self, written: u64) -> Self {
        let u = self.usage.get_or_insert(FakeUsage {
            input: 100,
            output: 50,
            cached: 0,
            cache_written: 0,
        });
        u.cache_written = written;
        self
    }
    pub fn no_usage(mut self) -> Self {
        self.usage = None;
        self
    }
    pub fn chunk_delay(mut self, d: Duration) -> Self {
        self.chunk_delay = d;
        self
    }
    pub fn framing(mut self, f: Framing) -> Self {
        self.framing = f;
        self
    }
    pub fn whole_body(mut self) -> Self {
        self.whole_body = true;
        self
    }
}

/// A scripted failure.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An error status with extra headers (`retry-after`, `retry-after-ms`) and a body;
    /// `body: None` sends the provider's usual error object.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: Option<String>,
    },
    /// Nothing for `delay`, then a normal reply (too late for a client with a short timeout).
    SlowHeaders { delay: Duration },
    /// The stream starts, sends `after_frames` frames, then the connection closes.
    Cut { after_frames: usize },
    /// The stream sends `after_frames` frames, goes silent for `pause`, then finishes.
    Stall {
        after_frames: usize,
        pause: Duration,
    },
    /// A 200 whose body is not the format's JSON.
    Malformed,
    /// A 200 stream carrying the provider's error event (e.g. `overloaded_error`, `server_error`).
    ErrorInStream { kind: String, message: String },
    /// 429 out of quota: OpenAI `insufficient_quota`, Anthropic credit balance / spend limit.
    InsufficientQuota,
    /// The connection is closed without any answer.
    Drop,
    /// A 200 stream of exactly these frames (each already in the provider's framing), for
    /// shapes only some servers send (e.g. an Ollama proxy's `done_reason: "error"`).
    Frames(Vec<String>),
}

impl Fault {
    pub fn status(code: u16) -> Self {
        Fault::Status {
            code,
            headers: Vec::new(),
            body: None,
        }
    }
    pub fn status_with_header(code: u16, name: &str, value: &str) -> Self {
        Fault::Status {
            code,
            headers: vec![(name.into(), value.into())],
            body: None,
        }
    }
    pub fn status_with_body(code: u16, body: &str) -> Self {
        Fault::Status {
            code,
            headers: Vec::new(),
            body: Some(body.into()),
        }
    }
    pub fn error_in_stream(kind: &str, message: &str) -> Self {
        Fault::ErrorInStream {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Step {
    Reply(Reply),
    Fault(Fault),
}

impl From<Reply> for Step {
    fn from(r: Reply) -> Self {
        Step::Reply(r)
    }
}

impl From<Fault> for Step {
    fn from(f: Fault) -> Self {
        Step::Fault(f)
    }
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body as JSON (`Null` if it was not JSON).
    pub body: Value,
    /// Everything received: request line, headers and body, for "nothing leaked" checks.
    pub raw: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The text of the last user message in the body (its text blocks joined, when the
    /// content is Anthropic's list of blocks).
    pub fn last_user_message(&self) -> String {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
            .map(|m| content_text(&m["content"]))
            .unwrap_or_default()
    }
}

/// A message's content as text: a plain string, or the concatenated `text` of its blocks.
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b["text"].as_str()).collect(),
        _ => String::new(),
    }
}

struct Shared {
    provider: Provider,
    script: Mutex<VecDeque<Step>>,
    requests: Mutex<Vec<Recorded>>,
}

/// The fake provider. Stops when dropped.
pub struct FakeLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

impl FakeLlm {
    pub fn start(provider: Provider) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            provider,
            script: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                thread::spawn(move || serve(conn, &s));
            }
        });
        FakeLlm { addr, shared, stop }
    }

    pub fn provider(&self) -> Provider {
        self.shared.provider
    }

    /// The API root as a user of this provider would write it.
    pub fn base_url(&self) -> String {
        match self.shared.provider {
            Provider::Openai => format!("http://{}/v1", self.addr),
            Provider::Anthropic | Provider::Ollama => format!("http://{}", self.addr),
        }
    }

    pub fn push(&self, step: impl Into<Step>) -> &Self {
        self.shared
            .script
            .lock()
            .expect("script")
            .push_back(step.into());
        self
    }

    pub fn push_reply(&self, text: &str) -> &Self {
        self.push(Reply::text(text))
    }

    /// A reply holding whole files in forge's `### FILE: path` + fenced block format.
    pub fn push_files(&self, files: &[(&str, &str)]) -> &Self {
        let mut text = String::from("Here are the files.\n\n");
        for (path, body) in files {
            let body = body.strip_suffix('\n').unwrap_or(body);
            text.push_str(&format!("### FILE: {path}\n```\n{body}\n```\n\n"));
        }
        self.push_reply(&text)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("requests").clone()
    }

    /// Scripted steps not yet used.
    pub fn remaining(&self) -> usize {
        self.shared.script.lock().expect("script").len()
    }

    /// Environment for a `forge` subprocess: provider, base URL, model and the fake key.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let mut v = vec![
            (
                "FORGE_PROVIDER".to_string(),
                self.shared.provider.as_str().to_string(),
            ),
            ("FORGE_BASE_URL".to_string(), self.base_url()),
            ("FORGE_MODEL".to_string(), FAKE_MODEL.to_string()),
        ];
        match self.shared.provider {
            Provider::Openai => v.push(("OPENAI_API_KEY".into(), FAKE_KEY.into())),
            Provider::Anthropic => v.push(("ANTHROPIC_API_KEY".into(), FAKE_KEY.into())),
            Provider::Ollama => {}
        }
        v
    }
}

/// `[llm]` tuning that keeps retries in a test to milliseconds.
pub const FAST_RETRY_CONFIG: &str = "[llm]\nmax_attempts = 3\nbackoff_base_ms = 1\nbackoff_max_ms = 5\nretry_after_cap_ms = 50\nconnect_timeout_ms = 2000\nrequest_timeout_ms = 10000\nidle_timeout_ms = 5000\n";

impl super::Project {
    /// `forge ARGS` talking to `llm`, with fast retries configured in the private config home.
    pub fn forge_with_llm(&self, llm: &FakeLlm, args: &[&str]) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.command_with_llm(llm, args))
    }

    /// [`Project::forge_with_llm`] as a plain `std` command, for runs a test must spawn.
    pub fn command_with_llm(&self, llm: &FakeLlm, args: &[&str]) -> std::process::Command {
        let dir = self.config_home.path().join("forge");
        std::fs::create_dir_all(&dir).expect("config dir");
        let config = dir.join("config.toml");
        if !config.exists() {
            std::fs::write(&config, FAST_RETRY_CONFIG).expect("write config.toml");
        }
        let mut cmd = self.command(args);
        cmd.envs(llm.env_vars());
        cmd
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(conn: TcpStream, shared: &Shared) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(req) = read_request(&conn) else {
        return;
    };
    let wants_stream = match shared.provider {
        Provider::Ollama => req
            .body
            .get("stream")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        _ => req
            .body
            .get("stream")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let expected = match shared.provider {
        Provider::Openai => "/v1/chat/completions",
        Provider::Anthropic => "/v1/messages",
        Provider::Ollama => "/api/chat",
    };
    let n = {
        let mut r = shared.requests.lock().expect("requests");
        r.push(req.clone());
        r.len()
    };
    let mut out = conn;
    if req.path != expected {
        let body = error_body(
            shared.provider,
            404,
            &format!("fake LLM: no route {}", req.path),
        );
        let _ = write_head(&mut out, 404, "application/json", &[], Some(body.len()));
        let _ = out.write_all(body.as_bytes());
        return;
    }
    let step = shared.script.lock().expect("script").pop_front();
    let w = Writer {
        provider: shared.provider,
        stream: wants_stream,
        include_usage: include_usage(&req),
    };
    let _ = match step {
        Some(Step::Reply(r)) => w.reply(&mut out, &r, None),
        Some(Step::Fault(f)) => w.fault(&mut out, f),
        None => {
            let msg = format!("fake LLM: the script has no response left for request {n}");
            let body = error_body(shared.provider, 400, &msg);
            write_head(&mut out, 400, "application/json", &[], Some(body.len()))
                .and_then(|()| out.write_all(body.as_bytes()))
        }
    };
    let _ = out.flush();
}

fn include_usage(req: &Recorded) -> bool {
    req.body
        .pointer("/stream_options/include_usage")
        .and_then(Value::as_bool)
        == Some(true)
}

fn read_request(conn: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(conn);
    let mut head = String::new();
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    head.push_str(&first);
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let text = String::from_utf8_lossy(&body).to_string();
    Some(Recorded {
        method,
        path,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        raw: format!("{head}{text}"),
    })
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// `len: Some` → Content-Length; `None` with `chunked` header in `extra` → chunked; else
/// close-delimited.
fn write_head(
    out: &mut TcpStream,
    code: u16,
    content_type: &str,
    extra: &[(String, String)],
    len: Option<usize>,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {code} {}\r\ncontent-type: {content_type}\r\nconnection: close\r\n",
        reason(code)
    );
    if let Some(n) = len {
        head.push_str(&format!("content-length: {n}\r\n"));
    }
    for (n, v) in extra {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.flush()
}

/// The provider's usual error object.
fn error_body(provider: Provider, code: u16, message: &str) -> String {
    let kind = match code {
        401 | 403 => "authentication_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        500..=599 => "api_error",
        _ => "invalid_request_error",
    };
    match provider {
        Provider::Openai => {
            let kind = if code >= 500 { "server_error" } else { kind };
            json!({"error": {"message": message, "type": kind, "code": null}}).to_string()
        }
        Provider::Anthropic => {
            json!({"type": "error", "error": {"type": kind, "message": message}}).to_string()
        }
        Provider::Ollama => json!({"error": message}).to_string(),
    }
}

struct Writer {
    provider: Provider,
    stream: bool,
    include_usage: bool,
}

impl Writer {
    fn fault(&self, out: &mut TcpStream, f: Fault) -> std::io::Result<()> {
        match f {
            Fault::Status {
                code,
                headers,
                body,
            } => {
                let body = body.unwrap_or_else(|| {
                    error_body(self.provider, code, &format!("fake LLM scripted {code}"))
                });
                write_head(out, code, "application/json", &headers, Some(body.len()))?;
                out.write_all(body.as_bytes())
            }
            Fault::InsufficientQuota => {
                let body = match self.provider {
                    Provider::Openai => json!({"error": {
                        "message": "You exceeded your current quota, please check your plan and billing details.",
                        "type": "insufficient_quota", "code": "insufficient_quota"}})
                    .to_string(),
                    Provider::Anthropic => json!({"type": "error", "error": {
                        "type": "rate_limit_error",
                        "message": "You have reached your specified API usage limits (spend limit)."}})
                    .to_string(),
                    Provider::Ollama => json!({"error": "quota exceeded"}).to_string(),
                };
                write_head(out, 429, "application/json", &[], Some(body.len()))?;
                out.write_all(body.as_bytes())
            }
            Fault::SlowHeaders { delay } => {
                thread::sleep(delay);
                self.reply(out, &Reply::text("late"), None)
            }
            Fault::Cut { after_frames } => self.reply(
                out,
                &Reply::text("this answer will be cut off before its end"),
                Some(Cut::Close(after_frames)),
            ),
            Fault::Stall {
                after_frames,
                pause,
            } => self.reply(
                out,
                &Reply::text("this answer stalls in the middle"),
                Some(Cut::Pause(after_frames, pause)),
            ),
            Fault::Malformed => {
                let (ct, body) = if self.stream {
                    match self.provider {
                        Provider::Ollama => (
                            "application/x-ndjson",
                            "{\"message\": {\"content\": \"x\"}, \"do\n".to_string(),
                        ),
                        _ => (
                            "text/event-stream",
                            "data: {this is not json\n\n".to_string(),
                        ),
                    }
                } else {
                    (
                        "application/json",
                        "{\"choices\": [ {\"message\"".to_string(),
                    )
                };
                write_head(out, 200, ct, &[], Some(body.len()))?;
                out.write_all(body.as_bytes())
            }
            Fault::ErrorInStream { kind, message } => {
                let frame = match self.provider {
                    Provider::Openai => sse(
                        None,
                        &json!({"error": {"message": message, "type": kind, "code": null}}),
                    ),
                    Provider::Anthropic => sse(
                        Some("error"),
                        &json!({"type": "error", "error": {"type": kind, "message": message}}),
                    ),
                    Provider::Ollama => format!("{}\n", json!({"error": message})),
                };
                let mut frames = self.frames(&Reply::text("partial "));
                frames.truncate(2);
                frames.push(frame);
                self.send_frames(out, &frames, Framing::Chunked, Duration::ZERO, None)
            }
            Fault::Drop => Ok(()),
            Fault::Frames(frames) => {
                self.send_frames(out, &frames, Framing::Chunked, Duration::ZERO, None)
            }
        }
    }

    fn reply(&self, out: &mut TcpStream, r: &Reply, cut: Option<Cut>) -> std::io::Result<()> {
        if !self.stream || r.whole_body {
            let body = self.whole(r).to_string();
            write_head(out, 200, "application/json", &[], Some(body.len()))?;
            return out.write_all(body.as_bytes());
        }
        let frames = self.frames(r);
        self.send_frames(out, &frames, r.framing, r.chunk_delay, cut)
    }

    fn send_frames(
        &self,
        out: &mut TcpStream,
        frames: &[String],
        framing: Framing,
        delay: Duration,
        cut: Option<Cut>,
    ) -> std::io::Result<()> {
        let ct = match self.provider {
            Provider::Ollama => "application/x-ndjson",
            _ => "text/event-stream",
        };
        let chunked = framing == Framing::Chunked;
        let extra = if chunked {
            vec![("transfer-encoding".to_string(), "chunked".to_string())]
        } else {
            Vec::new()
        };
        write_head(out, 200, ct, &extra, None)?;
        for (i, f) in frames.iter().enumerate() {
            match cut {
                Some(Cut::Close(n)) if i == n => return out.flush(),
                Some(Cut::Pause(n, d)) if i == n => thread::sleep(d),
                _ => {}
            }
            if i > 0 && !delay.is_zero() {
                thread::sleep(delay);
            }
            if chunked {
                write!(out, "{:x}\r\n{f}\r\n", f.len())?;
            } else {
                out.write_all(f.as_bytes())?;
            }
            out.flush()?;
        }
        if chunked {
            out.write_all(b"0\r\n\r\n")?;
        }
        out.flush()
    }

    fn whole(&self, r: &Reply) -> Value {
        let u = r.usage;
        match self.provider {
            Provider::Openai => {
                let mut v = json!({"id": "chatcmpl-fake", "object": "chat.completion", "model": FAKE_MODEL,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": r.text}, "finish_reason": "stop"}]});
                if let Some(u) = u {
                    v["usage"] = openai_usage(u);
                }
                v
            }
            Provider::Anthropic => {
                let mut v = json!({"id": "msg_fake", "type": "message", "role": "assistant", "model": FAKE_MODEL,
                    "content": [{"type": "text", "text": r.text}], "stop_reason": "end_turn"});
                if let Some(u) = u {
                    v["usage"] = anthropic_usage(u, u.output);
                }
                v
            }
            Provider::Ollama => {
                let mut v = json!({"model": FAKE_MODEL, "message": {"role": "assistant", "content": r.text},
                    "done": true, "done_reason": "stop"});
                if let Some(u) = u {
                    v["prompt_eval_count"] = json!(u.input);
                    v["eval_count"] = json!(u.output);
                }
                v
            }
        }
    }

    /// The streamed answer, one wire frame per element.
    fn frames(&self, r: &Reply) -> Vec<String> {
        let pieces = split(&r.text, r.chunk_chars.max(1));
        let u = r.usage;
        let mut f = Vec::new();
        match self.provider {
            Provider::Openai => {
                let chunk = |delta: Value, finish: Value| {
                    sse(
                        None,
                        &json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": FAKE_MODEL,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
                    )
                };
                f.push(chunk(
                    json!({"role": "assistant", "content": ""}),
                    Value::Null,
                ));
                f.extend(
                    pieces
                        .iter()
                        .map(|p| chunk(json!({"content": p}), Value::Null)),
                );
                f.push(chunk(json!({}), json!("stop")));
                if let (Some(u), true) = (u, self.include_usage) {
                    f.push(sse(
                        None,
                        &json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                        "choices": [], "usage": openai_usage(u)}),
                    ));
                }
                f.push("data: [DONE]\n\n".to_string());
            }
            Provider::Anthropic => {
                let mut message = json!({"id": "msg_fake", "type": "message", "role": "assistant",
                    "model": FAKE_MODEL, "content": []});
                if let Some(u) = u {
                    // Anthropic reports output_tokens 1 here, then the cumulative total later.
                    message["usage"] = anthropic_usage(u, 1);
                }
                f.push(sse(
                    Some("message_start"),
                    &json!({"type": "message_start", "message": message}),
                ));
                f.push(sse(
                    Some("content_block_start"),
                    &json!({"type": "content_block_start", "index": 0,
                    "content_block": {"type": "text", "text": ""}}),
                ));
                f.push(sse(Some("ping"), &json!({"type": "ping"})));
                f.extend(pieces.iter().map(|p| {
                    sse(
                        Some("content_block_delta"),
                        &json!({"type": "content_block_delta", "index": 0,
                        "delta": {"type": "text_delta", "text": p}}),
                    )
                }));
                f.push(sse(
                    Some("content_block_stop"),
                    &json!({"type": "content_block_stop", "index": 0}),
                ));
                let mut delta =
                    json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}});
                if let Some(u) = u {
                    delta["usage"] = json!({"output_tokens": u.output});
                }
                f.push(sse(Some("message_delta"), &delta));
                f.push(sse(Some("message_stop"), &json!({"type": "message_stop"})));
            }
            Provider::Ollama => {
                f.extend(pieces.iter().map(|p| {
                    format!("{}\n", json!({"model": FAKE_MODEL, "message": {"role": "assistant", "content": p}, "done": false}))
                }));
                let mut last = json!({"model": FAKE_MODEL, "message": {"role": "assistant", "content": ""},
                    "done": true, "done_reason": "stop"});
                if let Some(u) = u {
                    last["prompt_eval_count"] = json!(u.input);
                    last["eval_count"] = json!(u.output);
                }
                f.push(format!("{last}\n"));
            }
        }
        f
    }
}

#[derive(Debug, Clone, Copy)]
enum Cut {
    Close(usize),
    Pause(usize, Duration),
}

fn sse(event: Option<&str>, data: &Value) -> String {
    match event {
        Some(e) => format!("event: {e}\ndata: {data}\n\n"),
        None => format!("data: {data}\n\n"),
    }
}

fn openai_usage(u: FakeUsage) -> Value {
    json!({"prompt_tokens": u.input, "completion_tokens": u.output, "total_tokens": u.input + u.output,
           "prompt_tokens_details": {"cached_tokens": u.cached}})
}

/// Anthropic's `input_tokens` leaves cache reads and writes out.
fn anthropic_usage(u: FakeUsage, output: u64) -> Value {
    json!({"input_tokens": u.input - u.cached - u.cache_written, "cache_read_input_tokens": u.cached,
           "cache_creation_input_tokens": u.cache_written, "output_tokens": output})
}

fn split(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}
