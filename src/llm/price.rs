//! What a model call costs in dollars: the price table (templates/prices.toml, overridden by
//! `[prices]` in config.toml) and the cost of a [`Usage`] under it.

use super::{LlmError, Usage};
use crate::contract::ProviderKind;
use std::collections::BTreeMap;

const BUILT_IN: &str = include_str!("../../templates/prices.toml");

/// One model's list prices in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub input: f64,
    pub output: f64,
    /// Tokens read from the provider's prompt cache; `input` when the provider gives no discount.
    pub cached_input: Option<f64>,
    /// Tokens written to the prompt cache (Anthropic bills them above `input`).
    pub cache_write: Option<f64>,
}

impl ModelPrice {
    /// Dollars for `u`. `u.input` includes cached reads and cache writes, each billed at its rate.
    pub fn cost(&self, u: &Usage) -> f64 {
        let written = u64::from(u.cache_written);
        let plain = u.input.saturating_sub(u.cached + written);
        let per_million = plain as f64 * self.input
            + u.cached as f64 * self.cached_input.unwrap_or(self.input)
            + written as f64 * self.cache_write.unwrap_or(self.input)
            + u.output as f64 * self.output;
        per_million / 1_000_000.0
    }

    fn check(&self, what: &str) -> Result<(), String> {
        let fields = [
            ("input", Some(self.input)),
            ("output", Some(self.output)),
            ("cached_input", self.cached_input),
            ("cache_write", self.cache_write),
        ];
        for (name, v) in fields {
            if let Some(v) = v.filter(|v| !v.is_finite() || *v < 0.0) {
                return Err(format!(
                    "{what} {name} = {v}: expected dollars per million tokens, 0 or more"
                ));
            }
        }
        Ok(())
    }
}

/// Model name → price, per provider name (`openai`, `anthropic`, `ollama`).
pub(crate) type PriceEntries = BTreeMap<String, BTreeMap<String, ModelPrice>>;

/// Every known price: the built-in table with the user's overrides on top.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    entries: PriceEntries,
}

impl PriceTable {
    /// The table shipped with forge.
    pub fn built_in() -> Self {
        // The built-in table is checked by a unit test; an unreadable one would price nothing.
        let entries = toml::from_str(BUILT_IN).unwrap_or_default();
        PriceTable { entries }
    }

    /// The built-in table with `overrides` (from config.toml) replacing or adding models.
    pub(crate) fn with_overrides(overrides: PriceEntries, from: &str) -> Result<Self, LlmError> {
        let mut table = Self::built_in();
        for (provider, models) in overrides {
            if !matches!(provider.as_str(), "openai" | "anthropic" | "ollama") {
                return Err(LlmError::Settings {
                    message: format!(
                        "{from} [prices.{provider}]: unknown provider, expected openai, anthropic or ollama"
                    ),
                });
            }
            for (model, price) in models {
                price
                    .check(&format!("{from} [prices.{provider}.\"{model}\"]"))
                    .map_err(|message| LlmError::Settings { message })?;
                table
                    .entries
                    .entry(provider.clone())
                    .or_default()
                    .insert(model, price);
            }
        }
        Ok(table)
    }

    /// The price of `model`: its own entry, else the entry it is a dated snapshot of
    /// (`gpt-4o-2024-08-06` → `gpt-4o`), else the provider's `"*"`; `None` when unknown.
    pub fn lookup(&self, provider: ProviderKind, model: &str) -> Option<ModelPrice> {
        let models = self.entries.get(provider.as_str())?;
        let model = model.trim();
        if let Some(p) = models.get(model) {
            return Some(*p);
        }
        models
            .iter()
            .filter(|(name, _)| {
                model
                    .strip_prefix(name.as_str())
                    .is_some_and(is_snapshot_suffix)
            })
            .max_by_key(|(name, _)| name.len())
            .map(|(_, p)| *p)
            .or_else(|| models.get("*").copied())
    }

    /// Dollars for `usage` on `model`, or `None` when the model has no known price.
    pub fn cost(&self, provider: ProviderKind, model: &str, usage: &Usage) -> Option<f64> {
        self.lookup(provider, model).map(|p| p.cost(usage))
    }
}

/// `-20250929`, `-2024-08-06` or `-latest`: the same model, pinned or floating.
fn is_snapshot_suffix(rest: &str) -> bool {
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    if rest == "latest" {
        return true;
    }
    let digits: String = rest.chars().filter(|c| *c != '-').collect();
    digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit())
}

/// "$0.0123", "$1.50", or "unknown" for a model without a price; for people, not machines.
pub fn format_cost(cost: Option<f64>) -> String {
    match cost {
        None => "cost unknown".to_string(),
        Some(0.0) => "$0".to_string(),
        Some(c) if c < 0.01 => format!("${c:.4}"),
        Some(c) if c < 1.0 => format!("${c:.3}"),
        Some(c) => format!("${c:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, cached: u64, written: u32, output: u64) -> Usage {
        Usage {
            input,
            output,
            cached,
            cache_written: written,
            estimated: false,
        }
    }

    #[test]
    fn built_in_table_is_valid_and_has_every_provider() {
        let entries: PriceEntries = toml::from_str(BUILT_IN).unwrap();
        for (provider, models) in &entries {
            for (model, p) in models {
                p.check(&format!("{provider}.{model}")).unwrap();
            }
        }
        for p in ["openai", "anthropic", "ollama"] {
            assert!(entries.contains_key(p), "{p} missing");
        }
    }

    #[test]
    fn lookup_by_name_snapshot_and_wildcard() {
        let t = PriceTable::built_in();
        let cases: &[(ProviderKind, &str, Option<f64>)] = &[
            (ProviderKind::Openai, "gpt-4o-mini", Some(0.15)),
            (ProviderKind::Openai, "gpt-4o-mini-2024-07-18", Some(0.15)),
            (ProviderKind::Openai, "gpt-4o-2024-08-06", Some(2.50)),
            (ProviderKind::Openai, "gpt-4o-mini-fast", None),
            (ProviderKind::Openai, "my-local-llama", None),
            (
                ProviderKind::Anthropic,
                "claude-sonnet-4-5-20250929",
                Some(3.00),
            ),
            (
                ProviderKind::Anthropic,
                "claude-3-5-haiku-latest",
                Some(0.80),
            ),
            (ProviderKind::Anthropic, "gpt-4o", None),
            (ProviderKind::Ollama, "llama3.1:8b", Some(0.0)),
        ];
        for (provider, model, input) in cases {
            assert_eq!(
                t.lookup(*provider, model).map(|p| p.input),
                *input,
                "{provider:?} {model}"
            );
        }
    }

    #[test]
    fn cost_prices_cached_reads_and_cache_writes_apart() {
        let sonnet = PriceTable::built_in()
            .lookup(ProviderKind::Anthropic, "claude-sonnet-4-5")
            .unwrap();
        // 1M plain at $3 + 1M read at $0.30 + 1M written at $3.75 + 1M out at $15.
        let c = sonnet.cost(&usage(3_000_000, 1_000_000, 1_000_000, 1_000_000));
        assert!((c - 22.05).abs() < 1e-9, "{c}");
        let mini = PriceTable::built_in()
            .lookup(ProviderKind::Openai, "gpt-4o-mini")
            .unwrap();
        // 1,000 in (600 of them cached) and 100 out.
        let c = mini.cost(&usage(1000, 600, 0, 100));
        let expected = (400.0 * 0.15 + 600.0 * 0.075 + 100.0 * 0.60) / 1e6;
        assert!((c - expected).abs() < 1e-12, "{c}");
        let no_discount = ModelPrice {
            input: 1.0,
            output: 2.0,
            cached_input: None,
            cache_write: None,
        };
        assert_eq!(no_discount.cost(&usage(1_000_000, 500_000, 0, 0)), 1.0);
    }

    #[test]
    fn unknown_model_has_no_cost() {
        let t = PriceTable::built_in();
        assert_eq!(
            t.cost(ProviderKind::Openai, "nobody-knows", &usage(10, 0, 0, 10)),
            None
        );
        assert_eq!(format_cost(None), "cost unknown");
    }

    #[test]
    fn overrides_replace_and_add_and_bad_values_name_the_key() {
        let overrides: PriceEntries = toml::from_str(
            "[openai.\"gpt-4o-mini\"]\ninput = 1.0\noutput = 2.0\n[openai.\"mine\"]\ninput = 0.5\noutput = 0.5\n",
        )
        .unwrap();
        let t = PriceTable::with_overrides(overrides, "config.toml").unwrap();
        assert_eq!(
            t.lookup(ProviderKind::Openai, "gpt-4o-mini").unwrap().input,
            1.0
        );
        assert_eq!(t.lookup(ProviderKind::Openai, "mine").unwrap().output, 0.5);
        assert!(t.lookup(ProviderKind::Openai, "gpt-4o").is_some());

        let bad: PriceEntries =
            toml::from_str("[openai.\"m\"]\ninput = -1.0\noutput = 2.0\n").unwrap();
        let msg = PriceTable::with_overrides(bad, "config.toml")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("[prices.openai.\"m\"] input = -1"), "{msg}");
        let provider: PriceEntries =
            toml::from_str("[openia.\"m\"]\ninput = 1.0\noutput = 2.0\n").unwrap();
        let msg = PriceTable::with_overrides(provider, "config.toml")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("openia"), "{msg}");
    }

    #[test]
    fn costs_read_naturally() {
        assert_eq!(format_cost(Some(0.0)), "$0");
        assert_eq!(format_cost(Some(0.000_42)), "$0.0004");
        assert_eq!(format_cost(Some(0.123)), "$0.123");
        assert_eq!(format_cost(Some(12.5)), "$12.50");
    }
}
