//! Which provider, model and tuning a run uses: flag > env > contract > config file > defaults.

use super::config_file::{self, ConfigLlm};
use super::{ApiKey, ClientOptions, LlmError, PriceTable, Usage};
use crate::contract::{LlmSettings, ProviderKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
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
    /// Built-in prices with config.toml's `[prices]` over them.
    pub prices: Arc<PriceTable>,
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
            prices: Arc::new(PriceTable::built_in()),
        }
    }

    /// Dollars `usage` cost when `answered_by` answered a request for `requested`: priced as the
    /// answering model (a dated snapshot, say), else as the one asked for; `None` when neither
    /// has a price.
    pub fn cost_of(&self, requested: &str, answered_by: &str, usage: &Usage) -> Option<f64> {
        self.prices
            .cost(self.provider, answered_by, usage)
            .or_else(|| self.prices.cost(self.provider, requested, usage))
    }

    /// Dollars a call of `input` and `output` tokens to `model` would cost with no cache
    /// discount: the estimate a cost budget is checked against before the call.
    pub fn estimate_cost(&self, model: &str, input: u64, output: u64) -> Option<f64> {
        let usage = Usage {
            input,
            output,
            ..Usage::default()
        };
        self.prices.cost(self.provider, model, &usage)
    }

    /// The same settings for another model of the same provider (e.g. a cheaper one for the
    /// evidence synthesis).
    pub fn with_model(&self, model: &str) -> Self {
        ResolvedLlm {
            model: model.trim().to_string(),
            ..self.clone()
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

/// Where a setting's value came from, in `forge config show`'s words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    Contract,
    ConfigFile,
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "flag {name}"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::Contract => f.write_str("contract"),
            Origin::ConfigFile => f.write_str("config file"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// One effective setting as shown to the user: never a secret's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub key: &'static str,
    pub value: String,
    pub origin: Origin,
}

/// The first candidate that is set, in precedence order, else the default.
fn pick<T>(candidates: Vec<(Option<T>, Origin)>, default: T) -> (T, Origin) {
    candidates
        .into_iter()
        .find_map(|(v, o)| v.map(|v| (v, o)))
        .unwrap_or((default, Origin::Default))
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
    explain_settings_from(flags, contract, source).map(|(resolved, _)| resolved)
}

/// The resolved settings and, for each, its value and where it came from: the one place where
/// precedence (flag > env > contract > config file > defaults) is applied.
pub fn explain_settings_from(
    flags: &LlmFlags,
    contract: &LlmSettings,
    source: &SettingsSource,
) -> Result<(ResolvedLlm, Vec<Setting>), LlmError> {
    let file = config_file::load(source.config_dir.as_deref())?;
    let prices = PriceTable::with_overrides(file.prices, "config.toml")?;
    let config = file.llm;
    let (provider_text, provider_origin) = pick(
        vec![
            (flags.provider.clone(), Origin::Flag("--provider")),
            (source.var("FORGE_PROVIDER"), Origin::Env("FORGE_PROVIDER")),
            (
                contract.provider.map(|p| p.as_str().to_string()),
                Origin::Contract,
            ),
            (config.provider.clone(), Origin::ConfigFile),
        ],
        DEFAULT_PROVIDER.as_str().to_string(),
    );
    let provider = parse_provider(&provider_text, &origin_label(&provider_origin, "provider"))?;
    let (model, model_origin) = pick(
        vec![
            (flags.model.clone(), Origin::Flag("--model")),
            (source.var("FORGE_MODEL"), Origin::Env("FORGE_MODEL")),
            (contract.model.clone(), Origin::Contract),
            (config.model.clone(), Origin::ConfigFile),
        ],
        DEFAULT_MODEL.to_string(),
    );
    // Only the default provider has a default model: another provider's default would be a
    // name it does not know.
    if matches!(model_origin, Origin::Default) && provider != DEFAULT_PROVIDER {
        return Err(settings(&format!(
            "no model given for {}: give --model, FORGE_MODEL or `llm.model` in the contract{}",
            provider.as_str(),
            match provider {
                ProviderKind::Ollama => " (`ollama list` shows the models pulled here)",
                _ => "",
            }
        )));
    }
    if model.trim().is_empty() {
        return Err(settings(
            "the model name is empty: give --model or FORGE_MODEL",
        ));
    }
    let (base_url, base_url_origin) = pick(
        vec![
            (flags.base_url.clone(), Origin::Flag("--base-url")),
            (source.var("FORGE_BASE_URL"), Origin::Env("FORGE_BASE_URL")),
            (contract.base_url.clone(), Origin::Contract),
            (config.base_url.clone(), Origin::ConfigFile),
        ],
        default_base_url(provider).to_string(),
    );
    let (temperature, temperature_origin) = pick(
        vec![
            (contract.temperature, Origin::Contract),
            (config.temperature, Origin::ConfigFile),
        ],
        // Only shown as where an unset value comes from; an unset temperature is not sent.
        0.0,
    );
    // Sampling parameters are sent only when set: newer models reject some of them.
    let temperature = (!matches!(temperature_origin, Origin::Default)).then_some(temperature);
    if let Some(temperature) = temperature.filter(|t| !(0.0..=2.0).contains(t)) {
        return Err(settings(&format!(
            "temperature {temperature} is out of range: expected 0 to 2"
        )));
    }
    let (max_output_tokens, max_output_origin) = pick(
        vec![
            (contract.max_output_tokens, Origin::Contract),
            (config.max_output_tokens, Origin::ConfigFile),
        ],
        DEFAULT_MAX_OUTPUT_TOKENS,
    );
    if max_output_tokens == 0 {
        return Err(settings("max_output_tokens is 0: expected at least 1"));
    }
    let key_name = key_var(provider);
    let api_key = key_name.and_then(|v| source.var(v)).map(ApiKey::new);
    let resolved = ResolvedLlm {
        provider,
        model: model.trim().to_string(),
        base_url: check_base_url(&base_url)?,
        temperature,
        max_output_tokens,
        options: options(&config)?,
        api_key,
        prices: Arc::new(prices),
    };

    let mut shown = vec![
        setting("provider", provider.as_str(), provider_origin),
        setting("model", &resolved.model, model_origin),
        setting("base_url", &resolved.base_url, base_url_origin),
        setting(
            "temperature",
            &temperature.map_or_else(
                || "not sent (the provider's default)".to_string(),
                |t| t.to_string(),
            ),
            temperature_origin,
        ),
        setting(
            "max_output_tokens",
            &max_output_tokens.to_string(),
            max_output_origin,
        ),
    ];
    shown.push(match key_name {
        Some(var) if resolved.api_key.is_some() => {
            setting("api_key", &format!("set (from {var})"), Origin::Env(var))
        }
        Some(var) => setting("api_key", &format!("not set ({var})"), Origin::Default),
        None => setting("api_key", "not needed", Origin::Default),
    });
    shown.extend(option_settings(&config, &resolved.options));
    Ok((resolved, shown))
}

fn setting(key: &'static str, value: &str, origin: Origin) -> Setting {
    Setting {
        key,
        value: value.to_string(),
        origin,
    }
}

/// Where the error message should say a bad provider name came from.
fn origin_label(origin: &Origin, key: &str) -> String {
    match origin {
        Origin::Flag(name) | Origin::Env(name) => name.to_string(),
        Origin::Contract => format!("the contract's llm.{key}"),
        Origin::ConfigFile => format!("config.toml [llm] {key}"),
        Origin::Default => "the default".to_string(),
    }
}

/// The client tuning keys of `[llm]`, each from the config file or its default.
fn option_settings(c: &ConfigLlm, o: &ClientOptions) -> Vec<Setting> {
    let from = |set: bool| {
        if set {
            Origin::ConfigFile
        } else {
            Origin::Default
        }
    };
    let ms = |d: Duration| d.as_millis().to_string();
    vec![
        setting(
            "max_attempts",
            &o.max_attempts.to_string(),
            from(c.max_attempts.is_some()),
        ),
        setting(
            "backoff_base_ms",
            &ms(o.backoff_base),
            from(c.backoff_base_ms.is_some()),
        ),
        setting(
            "backoff_max_ms",
            &ms(o.backoff_max),
            from(c.backoff_max_ms.is_some()),
        ),
        setting(
            "retry_after_cap_ms",
            &ms(o.retry_after_cap),
            from(c.retry_after_cap_ms.is_some()),
        ),
        setting(
            "connect_timeout_ms",
            &ms(o.connect_timeout),
            from(c.connect_timeout_ms.is_some()),
        ),
        setting(
            "request_timeout_ms",
            &ms(o.request_timeout),
            from(c.request_timeout_ms.is_some()),
        ),
        setting(
            "idle_timeout_ms",
            &ms(o.idle_timeout),
            from(c.idle_timeout_ms.is_some()),
        ),
        setting("stream", &o.stream.to_string(), from(c.stream.is_some())),
        setting(
            "max_tokens_param",
            o.max_tokens_param.map_or("auto", |p| p.field()),
            from(c.max_tokens_param.is_some()),
        ),
    ]
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
