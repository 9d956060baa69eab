//! Why a model call or its setup failed. Messages say what to check and never contain a key.

use super::Usage;

/// Why a model call failed after retries, or why the client could not be set up.
/// Every variant that ends a call carries `spent`: tokens used by failed attempts still count.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// A flag, environment variable or config file value is wrong.
    #[error("{message}")]
    Settings { message: String },
    #[error(
        "{provider} needs an API key: set the environment variable {var} (keys are read only from the environment)"
    )]
    MissingKey {
        provider: &'static str,
        var: &'static str,
    },
    #[error(
        "{provider} rejected the request as unauthorised (HTTP {status}): check the API key in {check}. Provider said: {detail}"
    )]
    Auth {
        provider: &'static str,
        status: u16,
        /// The environment variable holding the key, or what else to check.
        check: String,
        detail: String,
        spent: Usage,
    },
    #[error(
        "{provider} answered 404 Not Found for model `{model}` at {url}: check the model name and the base URL. Provider said: {detail}"
    )]
    NotFound {
        provider: &'static str,
        model: String,
        url: String,
        detail: String,
        spent: Usage,
    },
    #[error("{provider} refused the request (HTTP {status}): {detail}")]
    BadRequest {
        provider: &'static str,
        status: u16,
        detail: String,
        spent: Usage,
    },
    #[error(
        "{provider} says the account is out of quota or credit: check billing and spend limits for the key. Provider said: {detail}"
    )]
    Quota {
        provider: &'static str,
        detail: String,
        spent: Usage,
    },
    #[error("{provider} call failed after {attempts} attempt(s); last error: {last}")]
    Exhausted {
        provider: &'static str,
        attempts: u32,
        last: String,
        spent: Usage,
    },
    #[error("cassette {path}: {message}")]
    Cassette {
        path: String,
        message: String,
        spent: Usage,
    },
}

impl LlmError {
    /// Bad settings (an unknown provider, a malformed config file, a missing cassette) are bad
    /// input; everything else is a provider or environment failure.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, LlmError::Settings { .. })
    }

    /// Attempts the failed call made (0 when it never reached a provider).
    pub fn attempts(&self) -> u32 {
        match self {
            LlmError::Settings { .. } | LlmError::MissingKey { .. } => 0,
            LlmError::Exhausted { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// Tokens used by the attempts of the failed call (zero for set-up errors).
    pub fn spent(&self) -> Usage {
        match self {
            LlmError::Settings { .. } | LlmError::MissingKey { .. } => Usage::default(),
            LlmError::Auth { spent, .. }
            | LlmError::NotFound { spent, .. }
            | LlmError::BadRequest { spent, .. }
            | LlmError::Quota { spent, .. }
            | LlmError::Exhausted { spent, .. }
            | LlmError::Cassette { spent, .. } => *spent,
        }
    }

    /// The same error with the tokens of every attempt of the call attached.
    pub(crate) fn with_spent(mut self, total: Usage) -> Self {
        match &mut self {
            LlmError::Settings { .. } | LlmError::MissingKey { .. } => {}
            LlmError::Auth { spent, .. }
            | LlmError::NotFound { spent, .. }
            | LlmError::BadRequest { spent, .. }
            | LlmError::Quota { spent, .. }
            | LlmError::Exhausted { spent, .. }
            | LlmError::Cassette { spent, .. } => *spent = total,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_usage_errors_and_the_rest_provider_failures() {
        let settings = LlmError::Settings {
            message: "x".into(),
        };
        assert!(settings.is_bad_input());
        let key = LlmError::MissingKey {
            provider: "openai",
            var: "OPENAI_API_KEY",
        };
        assert!(!key.is_bad_input());
        assert_eq!(key.attempts(), 0);
    }
}
