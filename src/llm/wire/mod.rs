//! The three wire formats: request bodies, streamed frames, whole bodies and error objects,
//! with usage normalised into [`Usage`]. Pure functions over bytes and JSON; no I/O here.

mod anthropic;
mod ollama;
mod openai;

use super::framing::{LineDecoder, SseDecoder};
use super::{ChatRequest, ResolvedLlm, Usage, estimate_tokens};
use crate::contract::ProviderKind;
use serde_json::Value;

/// What a request needs besides the key: where it goes, its fixed headers and its JSON body.
#[derive(Debug, Clone)]
pub(crate) struct WireRequest {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

pub(crate) fn build(settings: &ResolvedLlm, req: &ChatRequest, stream: bool) -> WireRequest {
    match settings.provider {
        ProviderKind::Openai => openai::build(settings, req, stream),
        ProviderKind::Anthropic => anthropic::build(settings, req, stream),
        ProviderKind::Ollama => ollama::build(settings, req, stream),
    }
}

/// Token counts as a provider reported them; `None` where it said nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RawUsage {
    pub input: Option<u64>,
    pub output: Option<u64>,
    pub cached: Option<u64>,
    pub cache_written: Option<u64>,
}

impl RawUsage {
    /// Fill what the provider left out with estimates (and say so), so usage is never silently 0.
    pub fn normalise(&self, req: &ChatRequest, text: &str) -> Usage {
        Usage {
            input: self.input.unwrap_or_else(|| req.estimated_input_tokens()),
            output: self.output.unwrap_or_else(|| estimate_tokens(text)),
            cached: self.cached.unwrap_or(0),
            cache_written: self
                .cache_written
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
            estimated: self.input.is_none() || self.output.is_none(),
        }
    }
}

/// A body that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WireError {
    /// Not the JSON or events the provider's format promises.
    Malformed(String),
    /// The provider put an error object inside a 200 answer.
    Provider(ProviderError),
}

/// An error object from a provider, in whatever shape it uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProviderError {
    /// `type` and `code` fields when present (e.g. `overloaded_error`, `insufficient_quota`).
    pub kinds: Vec<String>,
    pub message: String,
}

impl ProviderError {
    /// Overloaded, rate-limited and server-side errors are worth another attempt.
    pub fn is_transient(&self) -> bool {
        self.kinds.iter().any(|k| {
            [
                "overloaded",
                "server_error",
                "api_error",
                "rate_limit",
                "timeout",
                "internal",
            ]
            .iter()
            .any(|t| k.contains(t))
        })
    }

    pub fn is_kind(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }

    pub fn describe(&self) -> String {
        match self.kinds.first() {
            Some(k) => format!("{k}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// The error object in a JSON body, if it has one: `{"error": {...}}` (OpenAI, Anthropic) or
/// `{"error": "text"}` (Ollama).
pub(crate) fn error_in(v: &Value) -> Option<ProviderError> {
    match v.get("error")? {
        Value::String(s) => Some(ProviderError {
            kinds: Vec::new(),
            message: s.clone(),
        }),
        Value::Object(o) => {
            let kinds = ["type", "code"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_string))
                .collect();
            let message = o
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .to_string();
            Some(ProviderError { kinds, message })
        }
        Value::Null => None,
        other => Some(ProviderError {
            kinds: Vec::new(),
            message: other.to_string(),
        }),
    }
}

/// The error in a non-200 body, or the body itself (shortened) when it is not an error object.
pub(crate) fn error_in_body(body: &str) -> ProviderError {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| error_in(&v))
        .unwrap_or_else(|| ProviderError {
            kinds: Vec::new(),
            message: shorten(body.trim()),
        })
}

/// At most 300 characters, so a provider's HTML error page does not flood the terminal.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None if text.is_empty() => "(empty body)".to_string(),
        None => text.to_string(),
    }
}

/// What a streamed answer has said so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct StreamState {
    pub text: String,
    pub usage: RawUsage,
    /// The provider's terminal event arrived; EOF before it is a cut stream.
    pub done: bool,
}

impl StreamState {
    /// What an attempt that failed midway cost: the counts seen so far, with the output
    /// estimated from the text when the provider's running count is behind it.
    pub fn spent(&self, req: &ChatRequest) -> Usage {
        let mut u = self.usage.normalise(req, &self.text);
        let shown = estimate_tokens(&self.text);
        if shown > u.output {
            u.output = shown;
            u.estimated = true;
        }
        u
    }
}

enum Framing {
    Sse(SseDecoder),
    Lines(LineDecoder),
}

/// Turns streamed bytes into [`StreamState`] for one provider.
pub(crate) struct StreamParser {
    provider: ProviderKind,
    framing: Framing,
    pub state: StreamState,
}

impl StreamParser {
    pub fn new(provider: ProviderKind) -> Self {
        let framing = match provider {
            ProviderKind::Ollama => Framing::Lines(LineDecoder::default()),
            ProviderKind::Openai | ProviderKind::Anthropic => Framing::Sse(SseDecoder::default()),
        };
        StreamParser {
            provider,
            framing,
            state: StreamState::default(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        match &mut self.framing {
            Framing::Sse(d) => {
                let events = d.feed(bytes).map_err(WireError::Malformed)?;
                self.apply_events(events)
            }
            Framing::Lines(d) => {
                let lines = d.feed(bytes).map_err(WireError::Malformed)?;
                self.apply_lines(lines)
            }
        }
    }

    /// The body ended: flush what is left. Whether it ended too early is `state.done`.
    pub fn finish(&mut self) -> Result<(), WireError> {
        match &mut self.framing {
            Framing::Sse(d) => {
                let events = d.finish().map_err(WireError::Malformed)?;
                self.apply_events(events)
            }
            Framing::Lines(d) => {
                let lines = d.finish().map_err(WireError::Malformed)?;
                self.apply_lines(lines.into_iter().collect())
            }
        }
    }

    fn apply_events(&mut self, events: Vec<super::framing::SseEvent>) -> Result<(), WireError> {
        for e in events {
            match self.provider {
                ProviderKind::Anthropic => anthropic::apply_event(&mut self.state, &e)?,
                _ => openai::apply_event(&mut self.state, &e)?,
            }
        }
        Ok(())
    }

    fn apply_lines(&mut self, lines: Vec<String>) -> Result<(), WireError> {
        for l in lines.iter().filter(|l| !l.trim().is_empty()) {
            ollama::apply_line(&mut self.state, l)?;
        }
        Ok(())
    }
}

/// Text and usage out of a whole (non-streamed) 200 body.
pub(crate) fn parse_body(provider: ProviderKind, body: &[u8]) -> Result<StreamState, WireError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| WireError::Malformed(format!("the answer is not JSON ({e})")))?;
    if let Some(err) = error_in(&v) {
        return Err(WireError::Provider(err));
    }
    match provider {
        ProviderKind::Openai => openai::parse_body(&v),
        ProviderKind::Anthropic => anthropic::parse_body(&v),
        ProviderKind::Ollama => ollama::parse_body(&v),
    }
}

/// JSON out of one frame, or a malformed-body error naming what arrived.
fn json(data: &str) -> Result<Value, WireError> {
    serde_json::from_str(data).map_err(|e| {
        WireError::Malformed(format!(
            "a stream frame is not JSON ({e}): {}",
            shorten(data)
        ))
    })
}

/// The most tokens forge believes one call used: far beyond any model's context, yet small
/// enough that adding up a run's calls can neither overflow nor leave SQLite's i64 range.
pub(crate) const MAX_CALL_TOKENS: u64 = 1 << 40;

/// A token count from the provider, capped at [`MAX_CALL_TOKENS`] (a proxy that reports
/// 9223372036854775807 tokens must not overflow the run's totals or the history).
fn count(v: &Value, key: &str) -> Option<u64> {
    v.get(key)
        .and_then(Value::as_u64)
        .map(|n| n.min(MAX_CALL_TOKENS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ChatMessage, Role};
    use serde_json::json;

    fn req() -> ChatRequest {
        ChatRequest {
            system: "s".repeat(40),
            messages: vec![ChatMessage {
                role: Role::User,
                content: "u".repeat(40),
            }],
            stable_prefix: 0,
        }
    }

    #[test]
    fn missing_counts_are_estimated_and_flagged() {
        let u = RawUsage::default().normalise(&req(), "abcdefgh");
        assert_eq!(
            u,
            Usage {
                input: 20,
                output: 2,
                cached: 0,
                cache_written: 0,
                estimated: true
            }
        );
        let exact = RawUsage {
            input: Some(7),
            output: Some(3),
            cached: Some(1),
            cache_written: None,
        };
        assert_eq!(
            exact.normalise(&req(), "x"),
            Usage {
                input: 7,
                output: 3,
                cached: 1,
                cache_written: 0,
                estimated: false
            }
        );
    }

    #[test]
    fn absurd_counts_are_capped_for_every_provider() {
        let huge = u64::MAX;
        let bodies = [
            (
                ProviderKind::Openai,
                json!({"choices":[{"message":{"content":"x"}}],
                       "usage":{"prompt_tokens": huge, "completion_tokens": 9223372036854775807_u64,
                                "prompt_tokens_details":{"cached_tokens": huge}}}),
            ),
            (
                ProviderKind::Anthropic,
                json!({"content":[{"type":"text","text":"x"}],
                       "usage":{"input_tokens": huge, "cache_read_input_tokens": huge,
                                "cache_creation_input_tokens": huge, "output_tokens": huge}}),
            ),
            (
                ProviderKind::Ollama,
                json!({"message":{"content":"x"},"done":true,
                       "prompt_eval_count": huge, "eval_count": huge}),
            ),
        ];
        for (provider, body) in bodies {
            let s = parse_body(provider, body.to_string().as_bytes()).unwrap();
            let u = s.usage.normalise(&req(), &s.text);
            assert!(u.input <= 3 * MAX_CALL_TOKENS, "{provider:?}: {u:?}");
            assert!(u.output <= MAX_CALL_TOKENS, "{provider:?}: {u:?}");
            assert!(u.cached <= MAX_CALL_TOKENS, "{provider:?}: {u:?}");
            assert!(i64::try_from(u.input + u.output).is_ok());
        }
    }

    #[test]
    fn a_cut_attempt_costs_at_least_the_text_it_showed() {
        let state = StreamState {
            text: "x".repeat(40),
            usage: RawUsage {
                input: Some(9),
                output: Some(1),
                cached: Some(0),
                cache_written: None,
            },
            done: false,
        };
        assert_eq!(
            state.spent(&req()),
            Usage {
                input: 9,
                output: 10,
                cached: 0,
                cache_written: 0,
                estimated: true
            }
        );
    }

    #[test]
    fn error_objects_in_every_shape() {
        let oa = error_in_body(
            r#"{"error":{"message":"no","type":"insufficient_quota","code":"insufficient_quota"}}"#,
        );
        assert!(oa.is_kind("insufficient_quota"));
        let an = error_in_body(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#,
        );
        assert!(an.is_transient());
        assert_eq!(an.describe(), "overloaded_error: busy");
        assert_eq!(
            error_in_body(r#"{"error":"model 'x' not found"}"#).message,
            "model 'x' not found"
        );
        assert_eq!(
            error_in_body("<html>bad gateway</html>").message,
            "<html>bad gateway</html>"
        );
        assert_eq!(error_in_body("").message, "(empty body)");
    }

    #[test]
    fn malformed_json_body_is_malformed() {
        assert!(matches!(
            parse_body(ProviderKind::Openai, b"{not json"),
            Err(WireError::Malformed(_))
        ));
    }
}
