//! The client the engine calls: a live provider with retries, or a cassette, optionally recording.

use super::cassette::{CassetteEntry, Player, Recorder, request_digest};
use super::retry::{Failure, wait_before_next};
use super::settings::key_var;
use super::{
    ChatRequest, ChatResponse, LlmError, ResolvedLlm, RetryNote, Usage, estimate_tokens, transport,
    wire,
};
use crate::contract::ProviderKind;
use std::path::PathBuf;
use std::time::Instant;

/// Where answers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMode {
    /// The provider in the settings, over the network.
    Live,
    /// A cassette file; no network and no key.
    Replay(PathBuf),
}

enum Source {
    Live(reqwest::Client),
    Replay(Player),
}

/// The one client the engine calls: a live provider, or a cassette being replayed,
/// optionally recording every exchange.
pub struct LlmClient {
    settings: ResolvedLlm,
    source: Source,
    recorders: Vec<Recorder>,
}

/// A replayed cassette: where it is, its digest, and who answered when it was recorded (None
/// for a hand-written script that names no model).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayedCassette {
    pub path: PathBuf,
    pub sha256: String,
    pub answered_by: Option<(ProviderKind, String)>,
}

impl LlmClient {
    /// Check the key (live mode) or load the cassette (replay), and open `record` for appending.
    pub fn new(
        settings: ResolvedLlm,
        mode: ClientMode,
        record: Option<PathBuf>,
    ) -> Result<LlmClient, LlmError> {
        let source = match mode {
            ClientMode::Live => {
                if let Some(var) = key_var(settings.provider) {
                    // A local OpenAI-compatible server (llama.cpp, vLLM, ...) often runs keyless.
                    let key_optional =
                        settings.provider == ProviderKind::Openai && settings.is_local();
                    if settings.api_key.is_none() && !key_optional {
                        return Err(LlmError::MissingKey {
                            provider: settings.provider.as_str(),
                            var,
                        });
                    }
                }
                let http = reqwest::Client::builder()
                    .connect_timeout(settings.options.connect_timeout)
                    .user_agent(concat!("forge/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| LlmError::Settings {
                        message: format!("cannot set up the HTTP client: {e}"),
                    })?;
                Source::Live(http)
            }
            ClientMode::Replay(path) => Source::Replay(Player::load(&path)?),
        };
        let recorders = record.as_deref().map(Recorder::open).transpose()?;
        Ok(LlmClient {
            settings,
            source,
            recorders: recorders.into_iter().collect(),
        })
    }

    /// Also write every exchange to `path` (a run keeps its own cassette beside `--record`'s).
    pub fn also_record(mut self, path: &std::path::Path) -> Result<Self, LlmError> {
        self.recorders.push(Recorder::open(path)?);
        Ok(self)
    }

    /// The cassette answers come from, when replaying.
    pub fn replayed(&self) -> Option<ReplayedCassette> {
        match &self.source {
            Source::Live(_) => None,
            Source::Replay(p) => Some(ReplayedCassette {
                path: p.path().to_path_buf(),
                sha256: p.sha256().to_string(),
                answered_by: p.answered_by(),
            }),
        }
    }

    pub fn settings(&self) -> &ResolvedLlm {
        &self.settings
    }

    /// `on_tokens` is called with the running count of output tokens while the answer streams.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        on_tokens: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let digest = request_digest(self.settings.provider, &self.settings.model, req);
        let response = match &self.source {
            Source::Live(http) => self.live(http, req, on_tokens).await?,
            Source::Replay(player) => self.replay(player, req, &digest, on_tokens)?,
        };
        let entry = CassetteEntry {
            request_sha256: Some(digest),
            provider: Some(response.provider),
            model: Some(response.model.clone()),
            response: response.text.clone(),
            usage: Some(response.usage),
            attempts: Some(response.attempts),
            recorded_at: Some(crate::timestamp::now()),
            note: None,
        };
        for rec in &self.recorders {
            rec.append(&entry)
                .map_err(|e| e.with_spent(response.usage))?;
        }
        Ok(response)
    }

    async fn live(
        &self,
        http: &reqwest::Client,
        req: &ChatRequest,
        on_tokens: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let s = &self.settings;
        let started = Instant::now();
        let w = wire::build(s, req, s.options.stream);
        let mut spent = Usage::default();
        let mut retries = Vec::new();
        let mut progress = |state: &wire::StreamState| {
            on_tokens(
                state
                    .usage
                    .output
                    .unwrap_or_else(|| estimate_tokens(&state.text)),
            );
        };
        let mut attempt = 1;
        loop {
            match transport::attempt(http, s, &w, &mut progress).await {
                Ok(state) => {
                    let usage = state.usage.normalise(req, &state.text);
                    on_tokens(usage.output);
                    return Ok(ChatResponse {
                        text: state.text,
                        usage: spent + usage,
                        provider: s.provider,
                        model: s.model.clone(),
                        attempts: attempt,
                        latency_ms: millis(started),
                        retries,
                    });
                }
                Err(e) => {
                    if let Some(partial) = &e.partial {
                        spent += partial.spent(req);
                    }
                    match e.failure {
                        Failure::Fatal(err) => return Err(err.with_spent(spent)),
                        Failure::Transient { reason, .. } if attempt >= s.options.max_attempts => {
                            return Err(LlmError::Exhausted {
                                provider: s.provider.as_str(),
                                attempts: attempt,
                                last: reason,
                                spent,
                            });
                        }
                        Failure::Transient {
                            reason,
                            retry_after,
                        } => {
                            let wait = wait_before_next(&s.options, attempt, retry_after);
                            retries.push(RetryNote {
                                attempt,
                                reason,
                                waited_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                            });
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                        }
                    }
                }
            }
        }
    }

    /// The cassette's answer, fed to `on_tokens` line by line so progress looks as it did live.
    fn replay(
        &self,
        player: &Player,
        req: &ChatRequest,
        digest: &str,
        on_tokens: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let entry = player.next(digest)?;
        let mut shown = 0;
        for line in entry.response.split_inclusive('\n') {
            shown += line.len();
            on_tokens(estimate_tokens(&entry.response[..shown]));
        }
        let usage = entry.usage.unwrap_or_else(|| Usage {
            input: req.estimated_input_tokens(),
            output: estimate_tokens(&entry.response),
            cached: 0,
            estimated: true,
        });
        on_tokens(usage.output);
        Ok(ChatResponse {
            text: entry.response,
            usage,
            provider: entry.provider.unwrap_or(self.settings.provider),
            model: entry.model.unwrap_or_else(|| self.settings.model.clone()),
            attempts: 1,
            latency_ms: 0,
            retries: Vec::new(),
        })
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
