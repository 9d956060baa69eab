//! Tuning for model calls: attempts, backoff, timeouts, streaming (config file `[llm]` keys).

use std::time::Duration;

/// How retries and timeouts behave. Defaults suit hosted APIs; tests shrink them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientOptions {
    /// Attempts per call, including the first (>= 1).
    pub max_attempts: u32,
    /// First backoff ceiling; doubles per retry up to `backoff_max` (full jitter below it).
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// The longest `retry-after` / `retry-after-ms` forge will honour.
    pub retry_after_cap: Duration,
    pub connect_timeout: Duration,
    /// Wall clock for one attempt, from sending to the last byte.
    pub request_timeout: Duration,
    /// The longest silence allowed inside a streamed answer.
    pub idle_timeout: Duration,
    /// Ask for a streamed answer (SSE / NDJSON); otherwise one JSON body.
    pub stream: bool,
    /// OpenAI only: which field carries the output limit; `None` picks by host and model.
    pub max_tokens_param: Option<MaxTokensParam>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(600),
            idle_timeout: Duration::from_secs(120),
            stream: true,
            max_tokens_param: None,
        }
    }
}

/// The name of OpenAI's output-limit field: older and compatible servers take `max_tokens`,
/// api.openai.com and reasoning models take `max_completion_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxTokensParam {
    MaxTokens,
    MaxCompletionTokens,
}

impl MaxTokensParam {
    pub fn field(self) -> &'static str {
        match self {
            MaxTokensParam::MaxTokens => "max_tokens",
            MaxTokensParam::MaxCompletionTokens => "max_completion_tokens",
        }
    }
}
