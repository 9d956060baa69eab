//! Talking to models (SPEC §2–§3): providers, streaming, retries, usage, cassettes, settings.

use crate::contract::ProviderKind;

/// Why a model call failed after retries. Messages never contain a key.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("{message}")]
    Fatal {
        message: String,
        /// Tokens spent by failed attempts still count toward the budget.
        spent: Usage,
    },
}

impl LlmError {
    pub fn spent(&self) -> Usage {
        match self {
            LlmError::Fatal { spent, .. } => *spent,
        }
    }
}

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
}

/// Token usage normalised over providers. `input` includes cached tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cached: u64,
    /// True when the provider gave no counts and these are estimates.
    pub estimated: bool,
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
}

/// Settings after precedence (flag > env > contract > config file > defaults) is applied.
#[derive(Debug, Clone)]
pub struct ResolvedLlm {
    pub provider: ProviderKind,
    pub model: String,
    pub base_url: String,
    pub temperature: f64,
    pub max_output_tokens: u32,
}

/// The one client the engine calls: a live provider, or a cassette being replayed,
/// optionally recording every exchange.
pub struct LlmClient {}

impl LlmClient {
    /// `on_tokens` is called with the running count of output tokens while the answer streams.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        on_tokens: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let _ = (req, on_tokens);
        todo!("llm chat")
    }

    pub fn settings(&self) -> &ResolvedLlm {
        todo!("settings")
    }
}

/// Rough token count for text (about 4 bytes per token), used for budgets before a call.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}
