//! The `[llm]` and `[prices]` sections of `$XDG_CONFIG_HOME/forge/config.toml`.

use super::price::PriceEntries;
use super::{LlmError, MaxTokensParam};
use std::path::Path;

/// Every key of `[llm]`, all optional. Unknown keys are errors so a typo is not silently ignored.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigLlm {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub temperature: Option<f64>,
    pub max_output_tokens: Option<u32>,
    pub max_attempts: Option<u32>,
    pub backoff_base_ms: Option<u64>,
    pub backoff_max_ms: Option<u64>,
    pub retry_after_cap_ms: Option<u64>,
    pub connect_timeout_ms: Option<u64>,
    pub request_timeout_ms: Option<u64>,
    pub idle_timeout_ms: Option<u64>,
    pub stream: Option<bool>,
    pub max_tokens_param: Option<MaxTokensParam>,
}

/// Other sections belong to other parts of forge and are left alone here.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ConfigFile {
    #[serde(default)]
    pub llm: ConfigLlm,
    /// `[prices.PROVIDER."MODEL"]`: dollars per million tokens, over the built-in table.
    #[serde(default)]
    pub prices: PriceEntries,
}

/// The sections of the config file in `dir` that model calls use, or all-unset when there is
/// no file.
pub(crate) fn load(dir: Option<&Path>) -> Result<ConfigFile, LlmError> {
    let Some(dir) = dir else {
        return Ok(ConfigFile::default());
    };
    let path = dir.join("config.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => {
            return Err(LlmError::Settings {
                message: format!("cannot read config file {}: {e}", path.display()),
            });
        }
    };
    let file: ConfigFile = toml::from_str(&text).map_err(|e| LlmError::Settings {
        message: format!(
            "config file {} is not valid: {}",
            path.display(),
            e.to_string().trim_end()
        ),
    })?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_empty_and_bad_key_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(Some(dir.path())).unwrap().llm, ConfigLlm::default());
        std::fs::write(dir.path().join("config.toml"), "[llm]\nmodle = \"x\"\n").unwrap();
        let msg = load(Some(dir.path())).unwrap_err().to_string();
        assert!(msg.contains("config.toml"), "{msg}");
        assert!(msg.contains("modle"), "{msg}");
    }

    #[test]
    fn reads_tuning_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "[other]\nx = 1\n[llm]\nmodel = \"m\"\nmax_attempts = 2\nmax_tokens_param = \"max_tokens\"\n",
        )
        .unwrap();
        let c = load(Some(dir.path())).unwrap().llm;
        assert_eq!(c.model.as_deref(), Some("m"));
        assert_eq!(c.max_attempts, Some(2));
        assert_eq!(c.max_tokens_param, Some(MaxTokensParam::MaxTokens));
    }

    #[test]
    fn reads_prices_and_refuses_unknown_price_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[prices.openai.\"mine\"]\ninput = 0.5\noutput = 1.5\ncached_input = 0.1\n",
        )
        .unwrap();
        let p = load(Some(dir.path())).unwrap().prices;
        assert_eq!(p["openai"]["mine"].cached_input, Some(0.1));
        std::fs::write(&path, "[prices.openai.\"mine\"]\ninput = 0.5\noutptu = 1\n").unwrap();
        let msg = load(Some(dir.path())).unwrap_err().to_string();
        assert!(msg.contains("outptu"), "{msg}");
    }
}
