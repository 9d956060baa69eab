//! OpenAI chat completions (and compatible servers): `POST {base_url}/chat/completions`.

use super::{RawUsage, StreamState, WireError, WireRequest, count, error_in, json};
use crate::llm::framing::SseEvent;
use crate::llm::{ChatRequest, MaxTokensParam, ResolvedLlm, Role};
use serde_json::{Value, json};

pub(super) fn build(s: &ResolvedLlm, req: &ChatRequest, stream: bool) -> WireRequest {
    let mut messages = vec![json!({"role": "system", "content": req.system})];
    messages.extend(req.messages.iter().map(|m| {
        json!({"role": match m.role { Role::User => "user", Role::Assistant => "assistant" }, "content": m.content})
    }));
    let mut body = json!({"model": s.model, "messages": messages, "stream": stream});
    let param = s
        .options
        .max_tokens_param
        .unwrap_or_else(|| default_param(s));
    body[param.field()] = json!(s.max_output_tokens);
    // Sent only when set; reasoning models refuse any temperature but the default.
    if let Some(t) = s.temperature.filter(|_| !is_reasoning_model(&s.model)) {
        body["temperature"] = json!(t);
    }
    if stream {
        body["stream_options"] = json!({"include_usage": true});
    }
    WireRequest {
        url: format!("{}/chat/completions", s.base_url),
        headers: Vec::new(),
        body,
    }
}

/// api.openai.com and reasoning models want `max_completion_tokens`; compatible servers
/// mostly know only `max_tokens`.
fn default_param(s: &ResolvedLlm) -> MaxTokensParam {
    if s.host() == "api.openai.com" || is_reasoning_model(&s.model) {
        MaxTokensParam::MaxCompletionTokens
    } else {
        MaxTokensParam::MaxTokens
    }
}

/// o1/o3/o4/gpt-5 families, also behind a router prefix such as `openai/o3-mini`.
fn is_reasoning_model(model: &str) -> bool {
    let name = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    name.starts_with("gpt-5")
        || ["o1", "o3", "o4"]
            .iter()
            .any(|f| name == *f || name.starts_with(&format!("{f}-")))
}

fn usage(u: &Value) -> RawUsage {
    RawUsage {
        input: count(u, "prompt_tokens"),
        output: count(u, "completion_tokens"),
        cached: u
            .get("prompt_tokens_details")
            .and_then(|d| count(d, "cached_tokens")),
        // OpenAI caches on its own and does not bill writes.
        cache_written: None,
    }
}

pub(super) fn apply_event(state: &mut StreamState, e: &SseEvent) -> Result<(), WireError> {
    if e.data.trim() == "[DONE]" {
        state.done = true;
        return Ok(());
    }
    let v = json(&e.data)?;
    if let Some(err) = error_in(&v) {
        return Err(WireError::Provider(err));
    }
    if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
        state.usage = usage(u);
    }
    if let Some(choice) = v.get("choices").and_then(|c| c.get(0)) {
        if let Some(t) = choice.pointer("/delta/content").and_then(Value::as_str) {
            state.text.push_str(t);
        }
    }
    Ok(())
}

pub(super) fn parse_body(v: &Value) -> Result<StreamState, WireError> {
    let text = v.pointer("/choices/0/message/content").ok_or_else(|| {
        WireError::Malformed("the answer has no choices[0].message.content".into())
    })?;
    Ok(StreamState {
        text: text.as_str().unwrap_or_default().to_string(),
        usage: v.get("usage").map(usage).unwrap_or_default(),
        done: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ProviderKind;
    use crate::llm::wire::StreamParser;

    /// With a temperature set, to see where it is (not) sent.
    fn settings(model: &str, base: &str) -> ResolvedLlm {
        let mut s = ResolvedLlm::new(ProviderKind::Openai, model, base);
        s.temperature = Some(0.2);
        s
    }

    #[test]
    fn temperature_is_sent_only_when_set() {
        let req = ChatRequest::single("s", "");
        let unset = ResolvedLlm::new(ProviderKind::Openai, "gpt-4o-mini", "http://x/v1");
        assert!(build(&unset, &req, false).body.get("temperature").is_none());
        let set = settings("gpt-4o-mini", "http://x/v1");
        assert_eq!(build(&set, &req, false).body["temperature"], json!(0.2));
    }

    #[test]
    fn output_limit_field_follows_host_and_model() {
        let req = ChatRequest {
            system: "s".into(),
            messages: vec![],
            stable_prefix: 0,
        };
        let field = |m: &str, b: &str| {
            let body = build(&settings(m, b), &req, false).body;
            (
                body.get("max_tokens").is_some(),
                body.get("max_completion_tokens").is_some(),
                body.get("temperature").is_some(),
            )
        };
        assert_eq!(
            field("gpt-4o-mini", "https://api.openai.com/v1"),
            (false, true, true)
        );
        assert_eq!(
            field("llama3", "http://127.0.0.1:8080/v1"),
            (true, false, true)
        );
        assert_eq!(
            field("o3-mini", "http://127.0.0.1:8080/v1"),
            (false, true, false)
        );
        assert_eq!(
            field("openai/gpt-5.1", "https://openrouter.ai/api/v1"),
            (false, true, false)
        );
        assert_eq!(field("o1x", "http://127.0.0.1/v1"), (true, false, true));
        let mut s = settings("gpt-4o", "https://api.openai.com/v1");
        s.options.max_tokens_param = Some(MaxTokensParam::MaxTokens);
        assert_eq!(build(&s, &req, true).body["max_tokens"], json!(4096));
        assert_eq!(
            build(&s, &req, true).body["stream_options"],
            json!({"include_usage": true})
        );
    }

    #[test]
    fn streamed_text_and_usage_with_cached_tokens() {
        let mut p = StreamParser::new(ProviderKind::Openai);
        p.feed(
            b"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n",
        )
        .unwrap();
        p.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n").unwrap();
        assert!(!p.state.done);
        p.feed(b"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":100}}}\n\ndata: [DONE]\n\n").unwrap();
        assert_eq!(p.state.text, "Hello");
        assert!(p.state.done);
        assert_eq!(
            p.state.usage,
            RawUsage {
                input: Some(120),
                output: Some(2),
                cached: Some(100),
                cache_written: None,
            }
        );
    }

    #[test]
    fn error_object_inside_stream_is_an_error() {
        let mut p = StreamParser::new(ProviderKind::Openai);
        let err = p
            .feed(b"data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n")
            .unwrap_err();
        assert!(matches!(err, WireError::Provider(e) if e.is_transient()));
    }

    #[test]
    fn whole_body() {
        let v = json!({"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"completion_tokens":1}});
        let s = parse_body(&v).unwrap();
        assert_eq!(
            (s.text.as_str(), s.usage.input, s.usage.cached),
            ("hi", Some(5), None)
        );
        assert!(parse_body(&json!({"choices":[]})).is_err());
    }
}
