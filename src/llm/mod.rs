//! Talking to models (SPEC §2–§3): providers, streaming, retries, usage, cassettes, settings.
//!
//! One entry point: build a [`ResolvedLlm`] with [`resolve_settings`], make an [`LlmClient`] and
//! call [`LlmClient::chat`] — one request in, text and normalised [`Usage`] out.

mod cassette;
mod client;
mod config_file;
mod error;
mod framing;
mod options;
mod price;
mod retry;
mod secret;
mod settings;
mod transport;
mod wire;

pub use cassette::{CassetteEntry, request_digest};
pub use client::{ClientMode, LlmClient, ReplayedCassette};
pub use error::LlmError;
pub use options::{ClientOptions, MaxTokensParam};
pub use price::{ModelPrice, PriceTable, format_cost};
pub use secret::ApiKey;
pub use settings::{
    LlmFlags, Origin, ResolvedLlm, Setting, SettingsSource, explain_settings_from, key_var,
    resolve_settings, resolve_settings_from,
};

use crate::contract::ProviderKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

/// One model call: a system prompt and the conversation so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub messages: Vec<ChatMessage>,
    /// How many bytes at the start of the first message stay the same on every call of the run
    /// (0: none). The system prompt and this prefix are what a provider's prompt cache can keep;
    /// Anthropic needs it marked, OpenAI finds it on its own.
    pub stable_prefix: usize,
}

impl ChatRequest {
    /// The one way forge builds a request: a system prompt and one user message.
    pub fn single(system: impl Into<String>, user: impl Into<String>) -> Self {
        ChatRequest {
            system: system.into(),
            messages: vec![ChatMessage {
                role: Role::User,
                content: user.into(),
            }],
            stable_prefix: 0,
        }
    }

    /// The same request saying that the first `bytes` of its message never change during the
    /// run (see [`ChatRequest::stable_prefix`]).
    pub fn with_stable_prefix(mut self, bytes: usize) -> Self {
        self.stable_prefix = bytes;
        self
    }

    /// sha256 of exactly the text sent: the system prompt, then each message, concatenated.
    pub fn sha256(&self) -> String {
        crate::sha::sha256_hex_parts(
            std::iter::once(self.system.as_bytes())
                .chain(self.messages.iter().map(|m| m.content.as_bytes())),
        )
    }

    /// The stable prefix of the first message and the rest of it, when a non-empty prefix ends
    /// on a character boundary inside it.
    pub fn split_stable(&self) -> Option<(&str, &str)> {
        let first = &self.messages.first()?.content;
        if self.stable_prefix == 0 || !first.is_char_boundary(self.stable_prefix) {
            return None;
        }
        Some(first.split_at(self.stable_prefix))
    }

    /// Estimated input tokens, used when the provider reports none and for budgets before a call.
    pub fn estimated_input_tokens(&self) -> u64 {
        estimate_tokens(&self.system)
            + self
                .messages
                .iter()
                .map(|m| estimate_tokens(&m.content))
                .sum::<u64>()
    }
}

/// Token usage normalised over providers. `input` includes cached reads and cache writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    /// Input tokens read from the provider's prompt cache (billed at a discount).
    pub cached: u64,
    /// Input tokens written to the provider's prompt cache (Anthropic bills them above input).
    /// A u32 keeps `Usage` at 32 bytes (it travels inside every `LlmError`); a call writes at
    /// most its context window, far below 4 billion.
    #[serde(skip_serializing_if = "is_zero")]
    pub cache_written: u32,
    /// True when the provider gave no counts and these are estimates.
    pub estimated: bool,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.input + self.output
    }
}

impl std::ops::Add for Usage {
    type Output = Usage;
    fn add(self, o: Usage) -> Usage {
        Usage {
            input: self.input + o.input,
            output: self.output + o.output,
            cached: self.cached + o.cached,
            cache_written: self.cache_written.saturating_add(o.cache_written),
            estimated: self.estimated || o.estimated,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        *self = *self + o;
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub text: String,
    /// Over all attempts of this call.
    pub usage: Usage,
    pub provider: ProviderKind,
    pub model: String,
    /// 1 when the first attempt succeeded.
    pub attempts: u32,
    pub latency_ms: u64,
    /// Why each failed attempt before the successful one was retried, in order.
    pub retries: Vec<RetryNote>,
}

/// One failed attempt that was retried: what went wrong and how long forge waited after it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RetryNote {
    pub attempt: u32,
    pub reason: String,
    pub waited_ms: u64,
}

/// Rough token count for text (about 4 bytes per token), used for budgets before a call.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}
