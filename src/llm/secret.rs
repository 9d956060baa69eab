//! An API key that cannot be printed by accident.

/// An API key read from the environment. Debug and Display print `[redacted]`; only the
/// transport reads the value, to put it in a request header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(value: impl Into<String>) -> Self {
        ApiKey(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced, for anything a provider echoes back.
    /// Only whole tokens are replaced: a key is never part of a longer word, and a short key
    /// (a local server's `x`) must not turn "expected" into "e[redacted]pected".
    pub fn scrub(&self, text: &str) -> String {
        let key = self.0.as_str();
        if key.is_empty() {
            return text.to_string();
        }
        let word =
            |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_'));
        let (first, last) = (key.chars().next(), key.chars().next_back());
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for (at, _) in text.match_indices(key) {
            let end = at + key.len();
            let joined_before = word(text[..at].chars().next_back()) && word(first);
            let joined_after = word(text[end..].chars().next()) && word(last);
            if !joined_before && !joined_after {
                out.push_str(&text[done..at]);
                out.push_str("[redacted]");
                done = end;
            }
        }
        out.push_str(&text[done..]);
        out
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_key() {
        let k = ApiKey::new("sk-very-secret");
        assert_eq!(format!("{k:?} {k}"), "[redacted] [redacted]");
        assert_eq!(k.scrub("bad key sk-very-secret!"), "bad key [redacted]!");
    }

    #[test]
    fn only_whole_tokens_are_scrubbed() {
        let cases = [
            (
                "x",
                "expected x, got x-ray and max",
                "expected [redacted], got x-ray and max",
            ),
            ("x", "x", "[redacted]"),
            (
                "sk-abc",
                "key=sk-abc; Bearer sk-abc.",
                "key=[redacted]; Bearer [redacted].",
            ),
            (
                "sk-abc",
                "sk-abcdef is another key",
                "sk-abcdef is another key",
            ),
            ("abc", "\"abc\"abc", "\"[redacted]\"[redacted]"),
            ("sk-abc", "sk-abcsk-abc", "sk-abcsk-abc"),
        ];
        for (key, text, want) in cases {
            assert_eq!(ApiKey::new(key).scrub(text), want, "{key} in {text}");
        }
    }
}
