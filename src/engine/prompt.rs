//! Prompts from the templates in templates/: the stable part first so provider prompt caches hit.

use crate::contract::Contract;

const SYSTEM: &str = include_str!("../../templates/system.md");
const FIRST: &str = include_str!("../../templates/first.md");
const REFINE: &str = include_str!("../../templates/refine.md");
const REVIEW: &str = include_str!("../../templates/review.md");

/// A file shown to the model: its path and text, or None when it does not exist yet.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownFile {
    pub path: String,
    pub text: Option<String>,
}

/// What the model is told about the previous iteration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feedback {
    pub iteration: u32,
    pub score: f64,
    /// The allowed files as they stand after the previous answer was applied.
    pub current_files: Vec<ShownFile>,
    /// `(validator name, digest)` for each failed validator, already capped.
    pub failures: Vec<(String, String)>,
    /// Refused paths, missed SEARCH blocks, "no usable file": one line or block each.
    pub problems: Vec<String>,
}

pub fn system() -> String {
    SYSTEM.to_string()
}

/// The first prompt: task, allowed files with contents, context, validators. It never changes
/// during a run, so it is the cacheable prefix of every call.
pub fn first(
    contract: &Contract,
    threshold: f64,
    allowed: &[ShownFile],
    context: &[ShownFile],
) -> String {
    let validators = contract
        .validators
        .iter()
        .map(|v| {
            let req = if v.required { ", required" } else { "" };
            format!(
                "- `{}` ({}, weight {}{req}): `{}`",
                v.name,
                v.kind.as_str(),
                v.weight,
                v.run
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    fill(
        FIRST,
        &[
            ("name", &contract.name),
            ("task", contract.task.trim_end()),
            ("allowed_files", &show_files(allowed, "(none yet)")),
            ("context_files", &show_files(context, "(none)")),
            ("threshold", &format_score(threshold)),
            ("validators", &validators),
        ],
    )
}

/// The part appended after the first prompt from the second iteration on.
pub fn refine(fb: &Feedback, threshold: f64) -> String {
    let failures = if fb.failures.is_empty() {
        "No validator failed, but the score is below the threshold.".to_string()
    } else {
        fb.failures
            .iter()
            .map(|(name, digest)| format!("### {name}\n{}", digest.trim_end()))
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let problems = if fb.problems.is_empty() {
        String::new()
    } else {
        format!(
            "\n## Problems with your previous answer\n{}\n",
            fb.problems.join("\n")
        )
    };
    fill(
        REFINE,
        &[
            ("iteration", &fb.iteration.to_string()),
            ("score", &format_score(fb.score)),
            ("threshold", &format_score(threshold)),
            ("current_files", &show_files(&fb.current_files, "(none)")),
            ("failures", &failures),
            ("problems", &problems),
        ],
    )
}

/// The prompt asking the model to judge a criterion whose validator's breaker is open.
pub fn review(contract: &Contract, v: &crate::contract::Validator, files: &[ShownFile]) -> String {
    fill(
        REVIEW,
        &[
            ("validator", &v.name),
            ("kind", v.kind.as_str()),
            ("command", &v.run),
            ("task", contract.task.trim_end()),
            ("files", &show_files(files, "(none)")),
        ],
    )
}

pub fn format_score(s: f64) -> String {
    format!("{s:.2}")
}

fn show_files(files: &[ShownFile], empty: &str) -> String {
    if files.is_empty() {
        return empty.to_string();
    }
    files
        .iter()
        .map(|f| match &f.text {
            Some(t) => {
                let fence = fence_for(t);
                format!(
                    "### FILE: {}\n{fence}\n{}\n{fence}",
                    f.path,
                    t.trim_end_matches('\n')
                )
            }
            None => format!("### FILE: {}\n(does not exist yet)", f.path),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A backtick fence longer than any run of backticks inside the text.
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Replace each `{{key}}` in one pass, so a value that itself contains `{{x}}` is left alone.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let key = &after[..end];
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_keys_once() {
        assert_eq!(
            fill("a {{x}} b {{y}}", &[("x", "{{y}}"), ("y", "2")]),
            "a {{y}} b 2"
        );
        assert_eq!(fill("{{unknown}} {{", &[]), "{{unknown}} {{");
    }

    #[test]
    fn fence_outgrows_backticks_in_content() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("has ```` four"), "`````");
    }

    #[test]
    fn templates_have_no_unfilled_placeholders() {
        let fb = Feedback {
            iteration: 2,
            score: 0.5,
            current_files: vec![ShownFile {
                path: "a.py".into(),
                text: Some("x = 1\n".into()),
            }],
            failures: vec![("tests".into(), "FAIL: test_a".into())],
            problems: vec!["- refused /etc/passwd: absolute path".into()],
        };
        let r = refine(&fb, 0.85);
        assert!(!r.contains("{{"), "{r}");
        assert!(r.contains("### FILE: a.py\n```\nx = 1\n```"), "{r}");
        assert!(
            r.contains("FAIL: test_a") && r.contains("refused /etc/passwd"),
            "{r}"
        );
    }
}
