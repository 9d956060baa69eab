//! Ollama: `POST {base_url}/api/chat`, streamed as newline-delimited JSON.

use super::{ProviderError, RawUsage, StreamState, WireError, WireRequest, count, error_in, json};
use crate::llm::{ChatRequest, ResolvedLlm, Role};
use serde_json::{Value, json};

pub(super) fn build(s: &ResolvedLlm, req: &ChatRequest, stream: bool) -> WireRequest {
    let mut messages = vec![json!({"role": "system", "content": req.system})];
    messages.extend(req.messages.iter().map(|m| {
        json!({"role": match m.role { Role::User => "user", Role::Assistant => "assistant" }, "content": m.content})
    }));
    let mut options = json!({"num_predict": s.max_output_tokens});
    // Sent only when set: otherwise the model's own default (its Modelfile) applies.
    if let Some(t) = s.temperature {
        options["temperature"] = json!(t);
    }
    WireRequest {
        url: format!("{}/api/chat", s.base_url),
        headers: Vec::new(),
        body: json!({
            "model": s.model,
            "messages": messages,
            "stream": stream,
            "options": options,
        }),
    }
}

/// Ollama leaves `prompt_eval_count` out when the prompt was cached, so either may be missing.
fn usage(v: &Value) -> RawUsage {
    RawUsage {
        input: count(v, "prompt_eval_count"),
        output: count(v, "eval_count"),
        cached: None,
        cache_written: None,
    }
}

pub(super) fn apply_line(state: &mut StreamState, line: &str) -> Result<(), WireError> {
    let v = json(line)?;
    let done_with_error = v.get("done_reason").and_then(Value::as_str) == Some("error");
    if let Some(mut err) = error_in(&v) {
        // Ollama's in-stream errors carry no type. A run that ended with `done_reason: "error"`
        // (a bad model name through a proxy) or names a missing model fails the same way
        // every time; others (a crashed runner) come from the server side and may pass.
        if !done_with_error && !is_permanent(&err.message) {
            err.kinds.push("server_error".into());
        }
        return Err(WireError::Provider(err));
    }
    if done_with_error {
        return Err(WireError::Provider(ProviderError {
            kinds: vec!["done_reason_error".into()],
            message: "the model stopped with done_reason \"error\" and no message".into(),
        }));
    }
    if let Some(t) = v.pointer("/message/content").and_then(Value::as_str) {
        state.text.push_str(t);
    }
    if v.get("done").and_then(Value::as_bool) == Some(true) {
        state.usage = usage(&v);
        state.done = true;
    }
    Ok(())
}

/// Messages that mean the request itself is wrong, which no retry fixes.
fn is_permanent(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "not found",
        "no such model",
        "does not exist",
        "invalid",
        "unknown model",
    ]
    .iter()
    .any(|p| m.contains(p))
}

pub(super) fn parse_body(v: &Value) -> Result<StreamState, WireError> {
    let text = v
        .pointer("/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| WireError::Malformed("the answer has no message.content".into()))?;
    Ok(StreamState {
        text: text.to_string(),
        usage: usage(v),
        done: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ProviderKind;
    use crate::llm::wire::StreamParser;

    #[test]
    fn ndjson_stream_with_missing_prompt_count() {
        let mut p = StreamParser::new(ProviderKind::Ollama);
        p.feed(b"{\"message\":{\"role\":\"assistant\",\"content\":\"He\"},\"done\":false}\n{\"message\":{\"content\":\"y\"},\"do").unwrap();
        assert_eq!(p.state.text, "He");
        p.feed(b"ne\":false}\n{\"message\":{\"content\":\"\"},\"done\":true,\"eval_count\":2}")
            .unwrap();
        assert!(!p.state.done);
        p.finish().unwrap();
        assert!(p.state.done);
        assert_eq!(p.state.text, "Hey");
        assert_eq!(
            p.state.usage,
            RawUsage {
                input: None,
                output: Some(2),
                cached: None,
                cache_written: None,
            }
        );
    }

    #[test]
    fn error_line_is_transient() {
        let mut p = StreamParser::new(ProviderKind::Ollama);
        let err = p
            .feed(b"{\"error\":\"model runner crashed\"}\n")
            .unwrap_err();
        assert!(matches!(err, WireError::Provider(e) if e.is_transient()));
    }

    #[test]
    fn done_reason_error_and_missing_models_are_not_transient() {
        for line in [
            "{\"model\":\"nope\",\"done\":true,\"done_reason\":\"error\",\"error\":\"boom\"}\n",
            "{\"model\":\"nope\",\"done\":true,\"done_reason\":\"error\"}\n",
            "{\"error\":\"model 'nope' not found, try pulling it first\"}\n",
        ] {
            let mut p = StreamParser::new(ProviderKind::Ollama);
            let err = p.feed(line.as_bytes()).unwrap_err();
            assert!(
                matches!(&err, WireError::Provider(e) if !e.is_transient()),
                "{line}: {err:?}"
            );
        }
    }

    #[test]
    fn request_shape() {
        let s = ResolvedLlm::new(ProviderKind::Ollama, "llama3", "http://localhost:11434/");
        let w = build(
            &s,
            &ChatRequest {
                system: "sys".into(),
                messages: vec![],
                stable_prefix: 0,
            },
            true,
        );
        assert_eq!(w.url, "http://localhost:11434/api/chat");
        assert_eq!(w.body["options"]["num_predict"], json!(4096));
        assert_eq!(
            w.body["messages"][0],
            json!({"role": "system", "content": "sys"})
        );
    }
}
