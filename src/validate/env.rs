//! The environment a validator sees: the parent's, minus anything that looks like a secret.

use std::ffi::OsString;

/// Words that mark a variable as a secret wherever they appear in its name.
const SECRET_WORDS: &[&str] = &[
    "KEY",
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "PRIVATE",
];

/// Prefixes of cloud providers' credential variables (e.g. `AWS_SESSION_TOKEN`, `AWS_PROFILE`).
const SECRET_PREFIXES: &[&str] = &["AWS_", "AZURE_", "GOOGLE_APPLICATION_", "VAULT_"];

/// Names that grant access without containing a secret word.
const SECRET_NAMES: &[&str] = &["SSH_AUTH_SOCK", "NETRC", "DATABASE_URL"];

/// True when a variable of this name must not reach a validator (case-insensitive).
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
        || SECRET_PREFIXES.iter().any(|p| upper.starts_with(p))
        || SECRET_NAMES.contains(&upper.as_str())
}

/// The parent's environment without secrets; PATH, HOME, LANG, LC_*, TERM, TMPDIR, USER, SHELL
/// and other ordinary variables pass through unchanged.
pub fn scrubbed_env() -> Vec<(OsString, OsString)> {
    std::env::vars_os()
        .filter(|(name, _)| !is_secret_name(&name.to_string_lossy()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn api_keys_and_credentials_are_secrets() {
        for name in [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "FORGE_EVIDENCE_KEY",
            "GITHUB_TOKEN",
            "aws_access_key_id",
            "AWS_PROFILE",
            "DB_PASSWORD",
            "MY_Secret",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "SSH_AUTH_SOCK",
        ] {
            assert!(is_secret_name(name), "{name} should be scrubbed");
        }
    }

    #[test]
    fn ordinary_variables_pass() {
        for name in [
            "PATH",
            "HOME",
            "LANG",
            "LC_ALL",
            "TERM",
            "TMPDIR",
            "USER",
            "SHELL",
            "CI",
            "PYTHONPATH",
        ] {
            assert!(!is_secret_name(name), "{name} should be kept");
        }
    }
}
