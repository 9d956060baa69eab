//! Which provider, model and tuning a run uses: flag > env > contract > config file > defaults.

use super::config_file::{self, ConfigLlm};
use super::{ApiKey, ClientOptions, LlmError};
use crate::contract::{LlmSettings, ProviderKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub const DEFAULT_PROVIDER: ProviderKind = ProviderKind::Openai;
/// The model used when none is given, for the default provider only: another provider's
/// models have other names, and a local server has whatever was pulled, so forge asks.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 4096;
/// The longest wait or timeout config.toml may set.
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);
/// The most attempts per call config.toml may set.
const MAX_ATTEMPTS: u32 = 100;

/// The environment variables forge reads for model settings and keys.
const ENV_VARS: [&str; 5] = [
    "FORGE_PROVIDER",
    "FORGE_MODEL",
    "FORGE_BASE_URL",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
];

/// The `converge` flags that choose a model; `None` when not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmFlags {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
}

/// Where settings come from besides flags and the contract: the environment and the config dir.
/// A value rather than the process state so precedence can be tested without touching globals.
#[derive(Debug, Clone, Default)]
pub struct SettingsSource {
    /// Only the variables forge reads; empty values count as unset.
    pub env: BTreeMap<String, String>,
    /// `$XDG_CONFIG_HOME/forge`, holding `config.toml`.
    pub config_dir: Option<PathBuf>,
}

impl SettingsSource {
    /// The real environment and config dir of this process.
    pub fn from_process() -> Self {
        let env = ENV_VARS
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
            .collect();
        SettingsSource {
            env,
            config_dir: crate::layout::config_dir(),
        }
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// Settings after precedence (flag > env > contract > config file > defaults) is applied.
#[derive(Debug, Clone)]
pub struct ResolvedLlm {
    pub provider: ProviderKind,
    pub model: String,
    /// The provider's API root without a trailing slash.
    pub base_url: String,
    /// Sent only when set (contract or config file); otherwise the provider's default.
    pub temperature: Option<f64>,
    pub max_output_tokens: u32,
    pub options: ClientOptions,
    /// From `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`; never printed.
    pub api_key: Option<ApiKey>,
}

impl ResolvedLlm {
    /// Settings for `provider` with every other value at its default and no key.
    pub fn new(provider: ProviderKind, model: impl Into<String>, base_url: &str) -> Self {
        ResolvedLlm {
            provider,
            model: model.into(),
            base_url: base_url.trim_end_matches('/').to_string(),
            temperature: None,
            max_output_tokens: DEFAULT_MAX_OUTPUT_TOKENS,
            options: ClientOptions::default(),
            api_key: None,
        }
    }

    /// The host (and port) of `base_url`, for evidence metadata.
    pub fn host(&self) -> String {
        reqwest::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_default()
    }

    /// True when `base_url` points at this machine, where a key is optional.
    pub fn is_local(&self) -> bool {
        reqwest::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .is_some_and(|h| matches!(h.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1"))
    }
}

/// The environment variable holding `provider`'s key; `None` for providers that need none.
pub fn key_var(provider: ProviderKind) -> Option<&'static str> {
    match provider {
        ProviderKind::Openai => Some("OPENAI_API_KEY"),
        ProviderKind::Anthropic => Some("ANTHROPIC_API_KEY"),
        ProviderKind::Ollama => None,
    }
}

pub fn default_base_url(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::Openai => "https://api.openai.com/v1",
        ProviderKind::Anthropic => "https://api.anthropic.com",
        ProviderKind::Ollama => "http://localhost:11434",
    }
}

/// Resolve settings from the flags, the process environment, the contract and the config file.
pub fn resolve_settings(flags: &LlmFlags, contract: &LlmSettings) -> Result<ResolvedLlm, LlmError> {
    resolve_settings_from(flags, contract, &SettingsSource::from_process())
}

/// [`resolve_settings`] with the environment and config dir given explicitly.
pub fn resolve_settings_from(
    flags: &LlmFlags,
    contract: &LlmSettings,
    source: &SettingsSource,
) -> Result<ResolvedLlm, LlmError> {
    let config = config_file::load(source.config_dir.as_deref())?;
    let provider = match (&flags.provider, source.var("FORGE_PROVIDER")) {
        (Some(f), _) => parse_provider(f, "--provider")?,
        (None, Some(e)) => parse_provider(&e, "FORGE_PROVIDER")?,
        (None, None) => match (contract.provider, &config.provider) {
            (Some(c), _) => c,
            (None, Some(c)) => parse_provider(c, "config.toml [llm] provider")?,
            (None, None) => DEFAULT_PROVIDER,
        },
    };
    let model = flags
        .model
        .clone()
        .or_else(|| source.var("FORGE_MODEL"))
        .or_else(|| contract.model.clone())
        .or_else(|| config.model.clone())
        .or_else(|| (provider == DEFAULT_PROVIDER).then(|| DEFAULT_MODEL.to_string()))
        .ok_or_else(|| {
            settings(&format!(
                "no model given for {}: give --model, FORGE_MODEL or `llm.model` in the contract{}",
                provider.as_str(),
                match provider {
                    ProviderKind::Ollama => " (`ollama list` shows the models pulled here)",
                    _ => "",
                }
            ))
        })?;
    if model.trim().is_empty() {
        return Err(settings(
            "the model name is empty: give --model or FORGE_MODEL",
        ));
    }
    let base_url = flags
        .base_url
        .clone()
        .or_else(|| source.var("FORGE_BASE_URL"))
        .or_else(|| contract.base_url.clone())
        .or_else(|| config.base_url.clone())
        .unwrap_or_else(|| default_base_url(provider).to_string());
    let temperature = contract.temperature.or(config.temperature);
    if let Some(temperature) = temperature.filter(|t| !(0.0..=2.0).contains(t)) {
        return Err(settings(&format!(
            "temperature {temperature} is out of range: expected 0 to 2"
        )));
    }
    let max_output_tokens = contract
        .max_output_tokens
        .or(config.max_output_tokens)
        .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS);
    if max_output_tokens == 0 {
        return Err(settings("max_output_tokens is 0: expected at least 1"));
    }
    let api_key = key_var(provider)
        .and_then(|v| source.var(v))
        .map(ApiKey::new);
    Ok(ResolvedLlm {
        provider,
        model: model.trim().to_string(),
        base_url: check_base_url(&base_url)?,
        temperature,
        max_output_tokens,
        options: options(&config)?,
        api_key,
    })
}

fn parse_provider(value: &str, from: &str) -> Result<ProviderKind, LlmError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "openai" => Ok(ProviderKind::Openai),
        "anthropic" => Ok(ProviderKind::Anthropic),
        "ollama" => Ok(ProviderKind::Ollama),
        _ => Err(settings(&format!(
            "unknown provider `{value}` in {from}: expected openai, anthropic or ollama"
        ))),
    }
}

/// The URL without its trailing slash, refusing anything that is not http(s).
fn check_base_url(url: &str) -> Result<String, LlmError> {
    let trimmed = url.trim().trim_end_matches('/');
    match reqwest::Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(trimmed.to_string())
        }
        _ => Err(settings(&format!(
            "base URL `{url}` is not an http(s) URL: expected e.g. https://api.openai.com/v1"
        ))),
    }
}

fn options(c: &ConfigLlm) -> Result<ClientOptions, LlmError> {
    let d = ClientOptions::default();
    let ms = |v: Option<u64>, default: Duration| v.map(Duration::from_millis).unwrap_or(default);
    let o = ClientOptions {
        max_attempts: c.max_attempts.unwrap_or(d.max_attempts),
        backoff_base: ms(c.backoff_base_ms, d.backoff_base),
        backoff_max: ms(c.backoff_max_ms, d.backoff_max),
        retry_after_cap: ms(c.retry_after_cap_ms, d.retry_after_cap),
        connect_timeout: ms(c.connect_timeout_ms, d.connect_timeout),
        request_timeout: ms(c.request_timeout_ms, d.request_timeout),
        idle_timeout: ms(c.idle_timeout_ms, d.idle_timeout),
        stream: c.stream.unwrap_or(d.stream),
        max_tokens_param: c.max_tokens_param,
    };
    if o.max_attempts == 0 {
        return Err(settings(
            "config.toml [llm] max_attempts is 0: expected at least 1",
        ));
    }
    if o.max_attempts > MAX_ATTEMPTS {
        return Err(settings(&format!(
            "config.toml [llm] max_attempts is {}: expected at most {MAX_ATTEMPTS}",
            o.max_attempts
        )));
    }
    for (name, v) in [
        ("connect_timeout_ms", o.connect_timeout),
        ("request_timeout_ms", o.request_timeout),
        ("idle_timeout_ms", o.idle_timeout),
    ] {
        if v.is_zero() {
            return Err(settings(&format!(
                "config.toml [llm] {name} is 0: expected a positive number of milliseconds"
            )));
        }
    }
    // A deadline is `now + timeout`: an absurd value would overflow the clock (a panic).
    for (name, v) in [
        ("backoff_base_ms", o.backoff_base),
        ("backoff_max_ms", o.backoff_max),
        ("retry_after_cap_ms", o.retry_after_cap),
        ("connect_timeout_ms", o.connect_timeout),
        ("request_timeout_ms", o.request_timeout),
        ("idle_timeout_ms", o.idle_timeout),
    ] {
        if v > MAX_WAIT {
            return Err(settings(&format!(
                "config.toml [llm] {name} is {} ms: expected at most {} (a day)",
                v.as_millis(),
                MAX_WAIT.as_millis()
            )));
        }
    }
    Ok(o)
}

fn settings(message: &str) -> LlmError {
    LlmError::Settings {
        message: message.to_string(),
    }
}
