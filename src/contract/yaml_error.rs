//! Turning a YAML parse or type error into a located diagnostic in the user's words, with a
//! "did you mean" for misspelt keys and values.

use super::Diagnostic;
use serde_saphyr::{Error, MessageFormatter, UserMessageFormatter};

/// The diagnostic for an error from parsing the contract into its document types.
pub fn diagnostic(err: &Error) -> Diagnostic {
    let (line, column) = err
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .filter(|&(l, _)| l > 0)
        .unwrap_or((1, 1));
    let (message, help) = describe(original(err));
    Diagnostic {
        line,
        column: column.max(1),
        message,
        help,
    }
}

/// Whether serde stopped at an unknown key (there may be more after it).
pub fn is_unknown_key(err: &Error) -> bool {
    matches!(original(err), Error::SerdeUnknownField { .. })
}

fn original(mut err: &Error) -> &Error {
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = err {
        err = error;
    }
    err
}

fn describe(err: &Error) -> (String, Option<String>) {
    match err {
        Error::SerdeUnknownField {
            field, expected, ..
        } => (
            format!("unknown key `{}`", clean(field)),
            Some(suggest(field, expected)),
        ),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            format!("unknown value `{}`", clean(variant)),
            Some(suggest(variant, expected)),
        ),
        Error::Budget { .. } => (
            "the YAML expands beyond forge's limits (too many aliases, anchors or nodes)".into(),
            Some(
                "a contract needs no deeply nested anchors or aliases; write the values out".into(),
            ),
        ),
        Error::Eof { .. } => (
            "the contract is empty".into(),
            Some(format!("start with {STARTER}")),
        ),
        Error::Unexpected { expected, .. } => (
            format!("wrong type: expected {}", expected_words(expected)),
            None,
        ),
        Error::InvalidScalar { ty, .. } => {
            (format!("wrong type: expected {}", scalar_words(ty)), None)
        }
        Error::InvalidBooleanStrict { .. } => ("wrong type: expected true or false".into(), None),
        Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => {
            ("wrong type: expected a single name".into(), None)
        }
        Error::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("duplicate key `{}`", clean(k)),
                None => "duplicate key".into(),
            },
            Some("each key may appear once in a mapping".into()),
        ),
        other => {
            let text = UserMessageFormatter.format_message(other);
            (user_words(&clean(&text)), None)
        }
    }
}

/// The keys every contract needs, for messages about an empty or shapeless document.
pub const STARTER: &str =
    "`version: 1`, `name`, `task`, `files` and `validators` (try `forge init`)";

/// "did you mean" when one expected name is close, then the full list.
pub fn suggest(got: &str, expected: &[&str]) -> String {
    let all = expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(got, expected) {
        Some(name) => format!("did you mean `{name}`? expected one of {all}"),
        None => format!("expected one of {all}"),
    }
}

/// The candidate a typo most likely meant: similar overall, or one or two edits away.
fn closest<'a>(got: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(got, c), *c))
        .filter(|(score, c)| {
            *score >= 0.8 || strsim::damerau_levenshtein(got, c) <= (c.len() / 4).max(1)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// serde names the Rust types it expected; say what they are in the YAML instead.
fn user_words(msg: &str) -> String {
    const TYPES: [(&str, &str); 10] = [
        ("struct RawContract", "a mapping of contract keys"),
        (
            "struct RawValidator",
            "a validator mapping (name, run, ...)",
        ),
        ("struct RawLimits", "a mapping of limits"),
        ("struct RawLlm", "a mapping of llm settings"),
        ("struct RawFallback", "a mapping of fallback settings"),
        ("struct RawEvidence", "a mapping of evidence settings"),
        ("enum ValidatorKind", "a validator kind"),
        ("enum ProviderKind", "a provider name"),
        ("enum Synthesis", "llm, template or off"),
        ("a span-aware newtype wrapper", "a value"),
    ];
    TYPES
        .iter()
        .fold(msg.to_string(), |m, (rust, yaml)| m.replace(rust, yaml))
}

/// The YAML word for what the parser expected at a node.
fn expected_words(expected: &str) -> &str {
    match expected {
        "mapping start" => "a mapping",
        "sequence start" => "a list",
        "string scalar" => "a string",
        "scalar" => "a single value",
        other => other,
    }
}

/// The YAML word for the Rust scalar type serde-saphyr names.
fn scalar_words(ty: &str) -> &'static str {
    match ty {
        t if t.starts_with('f') || t.contains("float") => "a number",
        t if t.starts_with('i') || t.starts_with('u') || t.contains("integer") => "a whole number",
        t if t.contains("bool") => "true or false",
        _ => "a single value",
    }
}

/// Keep terminal control characters from the input out of our output.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_key_is_suggested() {
        let h = suggest("threshhold", &["version", "threshold", "limits"]);
        assert!(h.starts_with("did you mean `threshold`?"), "{h}");
    }

    #[test]
    fn one_edit_on_a_short_key_is_suggested() {
        assert!(suggest("rn", &["name", "run"]).starts_with("did you mean `run`?"));
    }

    #[test]
    fn far_key_lists_all() {
        let h = suggest("zzz", &["version", "threshold"]);
        assert_eq!(h, "expected one of `version`, `threshold`");
    }
}
