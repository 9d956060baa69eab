//! One HTTP attempt of a model call: send, wait within the timeouts, read the (streamed) body.

use super::retry::{CallContext, Failure, classify_in_band, classify_status};
use super::wire::{self, StreamParser, StreamState, WireError, WireRequest};
use super::{ApiKey, ResolvedLlm};
use crate::contract::ProviderKind;
use futures_util::StreamExt;
use std::time::{Duration, SystemTime};
use tokio::time::{Instant, timeout_at};

/// How an attempt failed, with what it had received (to count the tokens it cost).
pub(crate) struct AttemptError {
    pub failure: Failure,
    /// Set once a 200 answer began: the provider has billed the prompt by then.
    pub partial: Option<StreamState>,
}

impl From<Failure> for AttemptError {
    fn from(failure: Failure) -> Self {
        AttemptError {
            failure,
            partial: None,
        }
    }
}

fn transient(reason: String) -> Failure {
    Failure::Transient {
        reason,
        retry_after: None,
    }
}

/// Send `w` once. `on_progress` sees the answer so far each time more of it arrives.
pub(crate) async fn attempt(
    http: &reqwest::Client,
    s: &ResolvedLlm,
    w: &WireRequest,
    on_progress: &mut (dyn FnMut(&StreamState) + Send),
) -> Result<StreamState, AttemptError> {
    let deadline = Instant::now() + s.options.request_timeout;
    let mut rb = http.post(&w.url).json(&w.body);
    for (name, value) in &w.headers {
        rb = rb.header(*name, value);
    }
    rb = authorise(rb, s.provider, s.api_key.as_ref());
    let scrub = |t: &str| {
        s.api_key
            .as_ref()
            .map_or_else(|| t.to_string(), |k| k.scrub(t))
    };
    let resp = match timeout_at(deadline, rb.send()).await {
        Err(_) => {
            let reason = format!(
                "no response headers within the request timeout of {}",
                human(s.options.request_timeout)
            );
            return Err(transient(reason).into());
        }
        Ok(Err(e)) => return Err(transient(scrub(&describe(&e, &w.url))).into()),
        Ok(Ok(r)) => r,
    };
    let status = resp.status().as_u16();
    if !resp.status().is_success() {
        let wait = super::retry::retry_after(resp.headers(), SystemTime::now());
        let body = match timeout_at(deadline, resp.text()).await {
            Ok(Ok(t)) => t,
            _ => String::new(),
        };
        let ctx = context(s, &w.url);
        return Err(classify_status(&ctx, status, wait, &scrub(&body)).into());
    }

    read_answer(resp, s, &w.url, deadline, on_progress, &scrub).await
}

/// Read a 200 answer: frame by frame when streamed, within the idle and request timeouts.
async fn read_answer(
    resp: reqwest::Response,
    s: &ResolvedLlm,
    url: &str,
    deadline: Instant,
    on_progress: &mut (dyn FnMut(&StreamState) + Send),
    scrub: &(dyn Fn(&str) -> String + Sync),
) -> Result<StreamState, AttemptError> {
    // Some compatible servers ignore `stream: true` and send one JSON body.
    let whole_json = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let streamed = s.options.stream && !(whole_json && s.provider != ProviderKind::Ollama);
    let mut parser = StreamParser::new(s.provider);
    let mut body = resp.bytes_stream();
    let mut whole = Vec::new();
    let fail = |failure: Failure, state: &StreamState| AttemptError {
        failure,
        partial: Some(state.clone()),
    };
    loop {
        let until = deadline.min(Instant::now() + s.options.idle_timeout);
        let chunk = match timeout_at(until, body.next()).await {
            Ok(c) => c,
            Err(_) if Instant::now() >= deadline => {
                let reason = format!(
                    "no complete answer within the request timeout of {}",
                    human(s.options.request_timeout)
                );
                return Err(fail(transient(reason), &parser.state));
            }
            Err(_) => {
                let reason = format!(
                    "the answer went silent for {} (idle timeout)",
                    human(s.options.idle_timeout)
                );
                return Err(fail(transient(reason), &parser.state));
            }
        };
        match chunk {
            None => break,
            Some(Err(e)) => {
                let reason = format!("the answer was cut off: {}", scrub(&describe(&e, url)));
                return Err(fail(transient(reason), &parser.state));
            }
            Some(Ok(bytes)) if streamed => {
                let before = parser.state.text.len();
                if let Err(e) = parser.feed(&bytes) {
                    return Err(fail(wire_failure(s, url, e, scrub), &parser.state));
                }
                if parser.state.text.len() != before {
                    on_progress(&parser.state);
                }
            }
            Some(Ok(bytes)) => whole.extend_from_slice(&bytes),
        }
    }
    let state = if streamed {
        if let Err(e) = parser.finish() {
            return Err(fail(wire_failure(s, url, e, scrub), &parser.state));
        }
        if !parser.state.done {
            let reason = "the stream ended before the provider's final event (cut stream)";
            return Err(fail(transient(reason.to_string()), &parser.state));
        }
        parser.state
    } else {
        let state = wire::parse_body(s.provider, &whole).map_err(|e| AttemptError {
            failure: wire_failure(s, url, e, scrub),
            partial: Some(StreamState::default()),
        })?;
        on_progress(&state);
        state
    };
    // A complete answer without a word is a failed attempt (an overloaded proxy, a filtered
    // answer), not code to validate: retried, then reported.
    if state.text.trim().is_empty() {
        let reason = "the answer held no text";
        return Err(fail(transient(reason.to_string()), &state));
    }
    Ok(state)
}

/// Only the transport ever reads the key, to put it in the one header the provider expects.
/// A local OpenAI-compatible server may run without a key: then no Authorization header at all.
fn authorise(
    rb: reqwest::RequestBuilder,
    provider: ProviderKind,
    key: Option<&ApiKey>,
) -> reqwest::RequestBuilder {
    match (provider, key) {
        (ProviderKind::Openai, Some(k)) => rb.bearer_auth(k.expose()),
        (ProviderKind::Anthropic, Some(k)) => rb.header("x-api-key", k.expose()),
        _ => rb,
    }
}

fn context<'a>(s: &'a ResolvedLlm, url: &'a str) -> CallContext<'a> {
    CallContext {
        provider: s.provider.as_str(),
        model: &s.model,
        url,
        key_check: match super::settings::key_var(s.provider) {
            Some(var) => var.to_string(),
            None => format!("the server at {} (it should need no key)", s.base_url),
        },
    }
}

fn wire_failure(
    s: &ResolvedLlm,
    url: &str,
    e: WireError,
    scrub: &dyn Fn(&str) -> String,
) -> Failure {
    match e {
        WireError::Malformed(m) => transient(format!("malformed answer: {}", scrub(&m))),
        WireError::Provider(mut err) => {
            err.message = scrub(&err.message);
            classify_in_band(&context(s, url), err)
        }
    }
}

/// A reqwest error with its causes, naming the URL once (reqwest's own text may repeat it).
fn describe(e: &reqwest::Error, url: &str) -> String {
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(c) = source {
        causes.push(c.to_string());
        source = c.source();
    }
    if causes.is_empty() {
        format!("{kind} to {url}")
    } else {
        format!("{kind} to {url}: {}", causes.join(": "))
    }
}

fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_millis(
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
    ))
    .to_string()
}
