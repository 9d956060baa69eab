//! The environment a validator sees (SPEC §10): the parent's, minus every variable whose name
//! or value looks like a secret, except those the validator lists in `env:`.

use crate::privacy::{AllowList, Category, Detector};
use std::ffi::{OsStr, OsString};

/// A name part containing one of these marks a secret (`NPM_AUTH_TOKEN`, `DB_PASSWORD`).
const SECRET_WORDS: &[&str] = &[
    "KEY",
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "CREDENTIAL",
    "COOKIE",
];

/// A name part equal to one of these marks a secret (`GITHUB_PAT`, `SLACK_WEBHOOK_URL`), while
/// `PATH` or `XAUTHORITY` stay.
const SECRET_PARTS: &[&str] = &[
    "AUTH",
    "AUTHORIZATION",
    "CREDS",
    "PAT",
    "SESSION",
    "WEBHOOK",
    "PRIVATE",
];

/// True when a variable of this name must not reach a validator: split at `_`, a part
/// contains a secret word or equals a secret part (case-insensitive).
pub fn is_secret_name(name: &str) -> bool {
    name.to_ascii_uppercase()
        .split('_')
        .any(|part| SECRET_WORDS.iter().any(|w| part.contains(w)) || SECRET_PARTS.contains(&part))
}

/// True when the value holds something the privacy detector calls a secret (a provider key,
/// a private key block, credentials in a URL, ...). Personal data in values is kept.
pub fn is_secret_value(value: &OsStr) -> bool {
    let Ok(detector) = Detector::shared() else {
        // Without the rules nothing can be told apart; err on the side of not leaking.
        return true;
    };
    let secrets = |c: Category| c == Category::Secret;
    !detector
        .find(value.as_encoded_bytes(), &secrets, &AllowList::default())
        .is_empty()
}

/// `vars` without secrets, except the names in `pass` (exact, case-sensitive as the
/// environment is).
pub fn scrub(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
    pass: &[String],
) -> Vec<(OsString, OsString)> {
    vars.into_iter()
        .filter(|(name, value)| {
            let name = name.to_string_lossy();
            pass.iter().any(|p| *p == name) || !(is_secret_name(&name) || is_secret_value(value))
        })
        .collect()
}

/// The parent's environment without secrets, except the names in `pass`.
pub fn scrubbed_env(pass: &[String]) -> Vec<(OsString, OsString)> {
    scrub(std::env::vars_os(), pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_spec_drops() {
        for name in [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "FORGE_EVIDENCE_KEY",
            "GITHUB_TOKEN",
            "GITHUB_PAT",
            "NPM_AUTH",
            "NPM_CONFIG__AUTH",
            "AUTHORIZATION",
            "SESSION_COOKIE",
            "SLACK_WEBHOOK_URL",
            "aws_access_key_id",
            "AWS_SESSION_TOKEN",
            "DB_PASSWORD",
            "GPG_PASSPHRASE",
            "MY_Secret",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "DOCKER_CREDS",
            "SSH_AUTH_SOCK",
            "PRIVATE_REGISTRY",
            "KEYCHAIN",
            "APIKEY",
            "XDG_SESSION_ID",
        ] {
            assert!(is_secret_name(name), "{name} should be dropped");
        }
    }

    #[test]
    fn names_the_spec_keeps() {
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
            "XAUTHORITY",
            "AUTHOR_NAME",
            "PATCH_LEVEL",
            "AWS_REGION",
            "AWS_PROFILE",
            "SESSIONS_DIR",
            "CARGO_TARGET_DIR",
        ] {
            assert!(!is_secret_name(name), "{name} should be kept");
        }
    }

    const FAKE_PAT: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345"; // forge:allow
    const FAKE_DB_URL: &str = "postgres://app:Zq8vLx2mTp4w@db.internal/app"; // forge:allow

    #[test]
    fn secret_values_go_listed_names_stay() {
        let os = |s: &str| OsString::from(s);
        let vars = vec![
            (os("PATH"), os("/usr/bin:/bin")),
            (os("DATABASE_URL"), os(FAKE_DB_URL)),
            (os("SOME_VALUE"), os(FAKE_PAT)),
            (os("NPM_TOKEN"), os("npm_ok")),
            (os("GITHUB_PAT"), os(FAKE_PAT)),
            (os("GIT_AUTHOR_EMAIL"), os("jane.doe@acme-mail.de")),
        ];
        let kept: Vec<String> = scrub(vars, &["NPM_TOKEN".into()])
            .into_iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept, ["PATH", "NPM_TOKEN", "GIT_AUTHOR_EMAIL"]);
    }
}
