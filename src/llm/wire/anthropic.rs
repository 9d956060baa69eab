//! Anthropic Messages API: `POST {base_url}/v1/messages`, system prompt top-level.

use super::{RawUsage, StreamState, WireError, WireRequest, count, error_in, json};
use crate::llm::framing::SseEvent;
use crate::llm::{ChatRequest, ResolvedLlm, Role};
use serde_json::{Value, json};

pub(super) const API_VERSION: &str = "2023-06-01";

pub(super) fn build(s: &ResolvedLlm, req: &ChatRequest, stream: bool) -> WireRequest {
    let mut messages: Vec<Value> = req
        .messages
        .iter()
        .map(|m| {
            json!({"role": match m.role { Role::User => "user", Role::Assistant => "assistant" }, "content": m.content})
        })
        .collect();
    if let (Some((stable, rest)), Some(first)) = (req.split_stable(), messages.first_mut()) {
        first["content"] = cached_blocks(stable, rest);
    }
    let mut body = json!({
        "model": s.model,
        "messages": messages,
        "max_tokens": s.max_output_tokens,
        "stream": stream,
    });
    // Newer models reject sampling parameters: sent only when the user set one.
    if let Some(t) = s.temperature {
        body["temperature"] = json!(t);
    }
    if !req.system.is_empty() {
        body["system"] = json!(req.system);
    }
    WireRequest {
        url: format!("{}/v1/messages", s.base_url),
        headers: vec![("anthropic-version", API_VERSION.to_string())],
        body,
    }
}

/// The first message as text blocks with a cache breakpoint after the stable part, so the
/// system prompt and that part are cached (Anthropic caches the prefix up to a breakpoint;
/// a prefix under the model's minimum length is simply not cached). An empty rest is left
/// out: the API refuses empty text blocks.
fn cached_blocks(stable: &str, rest: &str) -> Value {
    let mut blocks = vec![json!({
        "type": "text",
        "text": stable,
        "cache_control": {"type": "ephemeral"},
    })];
    if !rest.is_empty() {
        blocks.push(json!({"type": "text", "text": rest}));
    }
    Value::Array(blocks)
}

/// Anthropic's `input_tokens` leaves out cache reads and writes; forge's `input` includes them.
/// Fields absent from `u` keep what `into` already had (message_delta repeats only some).
fn merge_usage(into: &mut RawUsage, u: &Value) {
    let plain = count(u, "input_tokens");
    let read = count(u, "cache_read_input_tokens");
    let written = count(u, "cache_creation_input_tokens");
    if plain.is_some() || read.is_some() || written.is_some() {
        into.input = Some(plain.unwrap_or(0) + read.unwrap_or(0) + written.unwrap_or(0));
        into.cached = Some(read.unwrap_or(0));
        into.cache_written = Some(written.unwrap_or(0));
    }
    // Cumulative in message_delta: the last value is the total, never a sum.
    if let Some(out) = count(u, "output_tokens") {
        into.output = Some(out);
    }
}

pub(super) fn apply_event(state: &mut StreamState, e: &SseEvent) -> Result<(), WireError> {
    let v = json(&e.data)?;
    let kind = e
        .event
        .clone()
        .or_else(|| v.get("type").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    match kind.as_str() {
        "message_start" => {
            if let Some(u) = v.pointer("/message/usage") {
                merge_usage(&mut state.usage, u);
            }
        }
        "content_block_delta" => {
            if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                state.text.push_str(t);
            }
        }
        "message_delta" => {
            if let Some(u) = v.get("usage") {
                merge_usage(&mut state.usage, u);
            }
        }
        "message_stop" => state.done = true,
        "error" => {
            return Err(WireError::Provider(error_in(&v).unwrap_or_default()));
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn parse_body(v: &Value) -> Result<StreamState, WireError> {
    let blocks = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| WireError::Malformed("the answer has no content array".into()))?;
    let text = blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect::<String>();
    let mut usage = RawUsage::default();
    if let Some(u) = v.get("usage") {
        merge_usage(&mut usage, u);
    }
    Ok(StreamState {
        text,
        usage,
        done: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ProviderKind;
    use crate::llm::ChatMessage;
    use crate::llm::wire::StreamParser;

    #[test]
    fn request_has_top_level_system_and_max_tokens() {
        let s = ResolvedLlm::new(
            ProviderKind::Anthropic,
            "claude",
            "https://api.anthropic.com/",
        );
        let req = ChatRequest {
            system: "be terse".into(),
            messages: vec![ChatMessage {
                role: Role::User,
                content: "hi".into(),
            }],
            stable_prefix: 0,
        };
        let w = build(&s, &req, true);
        assert_eq!(w.url, "https://api.anthropic.com/v1/messages");
        assert_eq!(w.body["system"], json!("be terse"));
        assert_eq!(w.body["max_tokens"], json!(4096));
        assert_eq!(
            w.body["messages"],
            json!([{"role": "user", "content": "hi"}])
        );
    }

    #[test]
    fn stable_prefix_gets_a_cache_breakpoint() {
        let s = ResolvedLlm::new(ProviderKind::Anthropic, "claude", "http://x");
        let req = |content: &str, stable_prefix| ChatRequest {
            system: "sys".into(),
            messages: vec![
                ChatMessage {
                    role: Role::User,
                    content: content.into(),
                },
                ChatMessage {
                    role: Role::Assistant,
                    content: "a".into(),
                },
            ],
            stable_prefix,
        };
        let content = |r: &ChatRequest| build(&s, r, false).body["messages"][0]["content"].clone();
        let ephemeral = json!({"type": "ephemeral"});
        assert_eq!(
            content(&req("task\nfeedback", 5)),
            json!([
                {"type": "text", "text": "task\n", "cache_control": ephemeral},
                {"type": "text", "text": "feedback"}
            ])
        );
        assert_eq!(
            content(&req("task", 4)),
            json!([{"type": "text", "text": "task", "cache_control": ephemeral}])
        );
        // No prefix, a prefix past the end or inside a character: plain text, no breakpoint.
        for (text, n) in [("task", 0), ("task", 9), ("é", 1)] {
            assert_eq!(content(&req(text, n)), json!(text));
        }
        assert_eq!(
            build(&s, &req("t", 1), false).body["messages"][1]["content"],
            json!("a")
        );
    }

    #[test]
    fn streamed_usage_includes_cache_and_takes_last_cumulative_output() {
        let mut p = StreamParser::new(ProviderKind::Anthropic);
        p.feed(b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":5,\"output_tokens\":1}}}\n\n").unwrap();
        p.feed(b"event: ping\ndata: {\"type\":\"ping\"}\n\n")
            .unwrap();
        p.feed(b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \"}}\n\n").unwrap();
        p.feed(b"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":4}}\n\n").unwrap();
        p.feed(b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"there\"}}\n\n").unwrap();
        p.feed(b"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":9}}\n\n").unwrap();
        assert!(!p.state.done);
        p.feed(b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
            .unwrap();
        assert!(p.state.done);
        assert_eq!(p.state.text, "Hi there");
        assert_eq!(
            p.state.usage,
            RawUsage {
                input: Some(115),
                output: Some(9),
                cached: Some(100),
                cache_written: Some(5),
            }
        );
    }

    #[test]
    fn error_event_inside_a_200_stream() {
        let mut p = StreamParser::new(ProviderKind::Anthropic);
        let err = p
            .feed(b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
            .unwrap_err();
        assert!(
            matches!(err, WireError::Provider(e) if e.is_transient() && e.message == "Overloaded")
        );
    }

    #[test]
    fn whole_body_joins_text_blocks() {
        let v = json!({"content":[{"type":"text","text":"a"},{"type":"tool_use"},{"type":"text","text":"b"}],
                       "usage":{"input_tokens":3,"output_tokens":2}});
        let s = parse_body(&v).unwrap();
        assert_eq!(s.text, "ab");
        assert_eq!(
            s.usage,
            RawUsage {
                input: Some(3),
                output: Some(2),
                cached: Some(0),
                cache_written: Some(0),
            }
        );
    }
}
