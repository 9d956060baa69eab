//! A request's overrides turned into the engine's settings, with the same ranges as the CLI's
//! flags, and the rule that keeps the server's API key on the server's provider host.

use super::api::ConvergeBody;
use super::error::ApiError;
use crate::contract::Contract;
use crate::engine::RunSettings;
use axum::http::StatusCode;
use std::time::Duration;

fn invalid(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_config",
        format!("`{field}`: {message}"),
    )
}

/// The contract's settings with the request's `config` over them. Server runs write back only
/// with `"apply": true`.
pub fn run_settings(contract: &Contract, body: &ConvergeBody) -> Result<RunSettings, ApiError> {
    let mut s = RunSettings::from_contract(contract);
    let c = &body.config;
    if let Some(n) = c.max_iterations {
        if n == 0 {
            return Err(invalid("config.maxIterations", "expected at least 1"));
        }
        s.rules.max_iterations = n;
    }
    if let Some(t) = c.min_score {
        if !(t > 0.0 && t <= 1.0) {
            return Err(invalid(
                "config.minScore",
                format!("{t} is out of range: expected 0 < X <= 1"),
            ));
        }
        s.threshold = t;
    }
    if let Some(ms) = c.timeout {
        if ms == 0 {
            return Err(invalid("config.timeout", "expected at least 1 millisecond"));
        }
        s.run_timeout = Duration::from_millis(ms);
    }
    if let Some(b) = c.token_budget {
        s.rules.token_budget = b;
    }
    s.apply = body.apply;
    Ok(s)
}

/// The model settings for a run. A caller may pick the provider and model, but not send the
/// server's API key to a host of its choosing: `llm.baseUrl` must match the server's own unless
/// no key goes with it (Ollama, or a replay).
pub fn llm(
    contract: &Contract,
    body: &ConvergeBody,
    replay: bool,
) -> Result<crate::llm::ResolvedLlm, ApiError> {
    let flags = crate::llm::LlmFlags {
        provider: body.llm.provider.clone(),
        model: body.llm.model.clone(),
        base_url: body.llm.base_url.clone(),
    };
    let llm_error = |e: crate::llm::LlmError| invalid("llm", e);
    let resolved = crate::llm::resolve_settings(&flags, &contract.llm).map_err(llm_error)?;
    if body.llm.base_url.is_some() && !replay && resolved.api_key.is_some() {
        let own = crate::llm::resolve_settings(
            &crate::llm::LlmFlags {
                base_url: None,
                ..flags
            },
            &contract.llm,
        )
        .map_err(llm_error)?;
        if own.base_url != resolved.base_url {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "base_url_not_allowed",
                format!(
                    "`llm.baseUrl`: the server's API key goes only to {}; leave baseUrl out",
                    own.host()
                ),
            ));
        }
    }
    Ok(resolved)
}
