//! Placeholders: each value becomes `FORGE_MASK_<KIND>_<12 hex>`, derived with the root's key
//! so the same value reads the same in every request and run, and mapped back in answers.

use super::key::MaskKey;
use super::kind::Kind;
use hmac::{Hmac, Mac};
use regex::Regex;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::LazyLock;

const PREFIX: &str = "FORGE_MASK_";

static PLACEHOLDER: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"FORGE_MASK_[A-Z_]+_[0-9a-f]{12}").ok());

/// The placeholders handed out in this run and the values they stand for. Values live only
/// here, in memory; Debug shows how many there are, never them.
pub struct Masker {
    key: MaskKey,
    values: HashMap<String, String>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Masker({} values, <redacted>)", self.values.len())
    }
}

impl Masker {
    pub fn new(key: MaskKey) -> Masker {
        Masker {
            key,
            values: HashMap::new(),
        }
    }

    /// The placeholder for `value`, remembered for mapping back.
    pub fn mask(&mut self, kind: Kind, value: &str) -> String {
        // HMAC takes keys of any length, so new_from_slice cannot fail; the fallback only
        // avoids a panic path.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.bytes())
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        mac.update(kind.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let tag = hex::encode(mac.finalize().into_bytes());
        let placeholder = format!(
            "{PREFIX}{}_{}",
            kind.as_str().to_ascii_uppercase(),
            &tag[..12]
        );
        self.values
            .entry(placeholder.clone())
            .or_insert_with(|| value.to_string());
        placeholder
    }

    /// `text` with every placeholder this masker handed out replaced by its value; anything
    /// else that looks like a placeholder (say, one the model made up) is left as it is.
    pub fn restore(&self, text: &str) -> String {
        if self.values.is_empty() || !text.contains(PREFIX) {
            return text.to_string();
        }
        let Some(re) = PLACEHOLDER.as_ref() else {
            return text.to_string();
        };
        re.replace_all(text, |c: &regex::Captures| {
            let p = &c[0];
            self.values.get(p).cloned().unwrap_or_else(|| p.to_string())
        })
        .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_value_keyed_and_reversible() {
        let mut a = Masker::new(MaskKey::from_bytes(vec![1; 32]));
        let mut b = Masker::new(MaskKey::from_bytes(vec![1; 32]));
        let mut other = Masker::new(MaskKey::from_bytes(vec![2; 32]));
        let p = a.mask(Kind::GithubToken, "ghp_value");
        assert!(
            p.starts_with("FORGE_MASK_GITHUB_TOKEN_") && p.len() == 24 + 12,
            "{p}"
        );
        assert_eq!(p, a.mask(Kind::GithubToken, "ghp_value"));
        assert_eq!(p, b.mask(Kind::GithubToken, "ghp_value"));
        assert_ne!(p, other.mask(Kind::GithubToken, "ghp_value"));
        assert_ne!(p, a.mask(Kind::GithubToken, "ghp_other"));
        let answer = format!("token = \"{p}\"\nkeep FORGE_MASK_EMAIL_000000000000 as is");
        assert_eq!(
            a.restore(&answer),
            "token = \"ghp_value\"\nkeep FORGE_MASK_EMAIL_000000000000 as is"
        );
        assert!(!format!("{a:?}").contains("ghp_value"));
    }
}
