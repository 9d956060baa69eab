//! The detector: one `RegexSet` pass says which rules can match, then only those rules run to
//! find each value, its checks, the allow list and overlaps decide what is reported.

use super::PrivacyError;
use super::allow::AllowList;
use super::checks::{self, Candidate};
use super::kind::{Category, Kind};
use super::rules::{Check, FirstPass, RULES};
use regex::bytes::{Regex, RegexSet};
use std::ops::Range;
use std::sync::LazyLock;

/// A line carrying this marker is never reported (as gitleaks' `gitleaks:allow` and
/// detect-secrets' `pragma: allowlist secret`), for fixtures that hold fake values on purpose.
pub const ALLOW_MARKER: &[u8] = b"forge:allow";

/// One value found: its kind and where its bytes are in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub range: Range<usize>,
}

/// The compiled rules.
#[derive(Debug)]
pub struct Detector {
    /// The rules without a literal to skip to, in one pass; `set_rules[i]` is the rule of
    /// the set's pattern `i`.
    set: RegexSet,
    set_rules: Vec<usize>,
    rules: Vec<(Kind, Regex, Check, FirstPass)>,
}

static SHARED: LazyLock<Result<Detector, String>> =
    LazyLock::new(|| Detector::compile().map_err(|e| e.to_string()));

impl Detector {
    /// The detector every caller shares, compiled on first use. A rule that does not compile
    /// is a bug, and reported as an error rather than silently matching nothing.
    pub fn shared() -> Result<&'static Detector, PrivacyError> {
        SHARED
            .as_ref()
            .map_err(|message| PrivacyError::Rules(message.clone()))
    }

    fn compile() -> Result<Detector, regex::Error> {
        let set_rules: Vec<usize> = (0..RULES.len())
            .filter(|&i| RULES[i].first_pass == FirstPass::Set)
            .collect();
        let set = RegexSet::new(set_rules.iter().map(|&i| RULES[i].pattern))?;
        let rules = RULES
            .iter()
            .map(|r| Ok((r.kind, Regex::new(r.pattern)?, r.check, r.first_pass)))
            .collect::<Result<_, regex::Error>>()?;
        Ok(Detector {
            set,
            set_rules,
            rules,
        })
    }

    /// Every value in `text` of a category `wanted` accepts, in order, never overlapping.
    pub fn find(
        &self,
        text: &[u8],
        wanted: &dyn Fn(Category) -> bool,
        allow: &AllowList,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        let set_wanted = self
            .set_rules
            .iter()
            .any(|&i| wanted(self.rules[i].0.category()));
        let in_set: Vec<usize> = if set_wanted {
            self.set
                .matches(text)
                .iter()
                .map(|i| self.set_rules[i])
                .collect()
        } else {
            Vec::new()
        };
        for (i, (kind, re, check, first_pass)) in self.rules.iter().enumerate() {
            if !wanted(kind.category()) || (*first_pass == FirstPass::Set && !in_set.contains(&i)) {
                continue;
            }
            for caps in re.captures_iter(text) {
                let Some(whole) = caps.get(0) else {
                    continue;
                };
                let value = caps.name("v").unwrap_or(whole);
                let bytes = |name: &str| caps.name(name).map_or(&b""[..], |m| m.as_bytes());
                let candidate = Candidate {
                    whole: whole.as_bytes(),
                    value: value.as_bytes(),
                    name: caps
                        .name("n")
                        .map_or(&b""[..], |n| &text[name_start(text, n.start())..n.end()]),
                    after: bytes("after"),
                    host: bytes("host"),
                };
                if checks::passes(*check, &candidate)
                    && !allow.allows(value.as_bytes())
                    && !line_allows(text, value.start())
                {
                    hits.push(Hit {
                        kind: *kind,
                        range: value.range(),
                    });
                }
            }
        }
        resolve_overlaps(hits)
    }
}

/// Where the name that ends in a key-like word starts: `MY_API_` before `KEY`.
fn name_start(text: &[u8], at: usize) -> usize {
    text[..at]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        .map_or(0, |i| i + 1)
}

/// Whether the line around `at` carries [`ALLOW_MARKER`].
fn line_allows(text: &[u8], at: usize) -> bool {
    let start = text[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = text[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i);
    text[start..end]
        .windows(ALLOW_MARKER.len())
        .any(|w| w == ALLOW_MARKER)
}

/// Sort by position; where two hits overlap keep the more specific kind, then the longer one.
fn resolve_overlaps(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.range.start, std::cmp::Reverse(h.range.end)));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        match kept.last_mut() {
            Some(last) if h.range.start < last.range.end => {
                let rank = |x: &Hit| (x.kind.specificity(), x.range.end - x.range.start);
                if rank(&h) > rank(last) {
                    *last = h;
                }
            }
            _ => kept.push(h),
        }
    }
    kept
}

/// 1-based line number of each hit, counting newlines once over the text.
pub fn line_numbers(text: &[u8], hits: &[Hit]) -> Vec<usize> {
    let mut line = 1;
    let mut pos = 0;
    hits.iter()
        .map(|h| {
            line += text[pos..h.range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            pos = h.range.start;
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        let d = Detector::shared().unwrap();
        d.find(text.as_bytes(), &|_| true, &AllowList::default())
            .into_iter()
            .map(|h| h.kind.as_str())
            .collect()
    }

    const JWT: &str = "token = \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\""; // forge:allow
    const URL: &str = "url = \"https://admin:Zq8vLx2mTp4wR7kN@db.acme.io\""; // forge:allow

    #[test]
    fn the_most_specific_kind_wins_an_overlap() {
        let cases: &[(&str, &[&str])] = &[
            (JWT, &["jwt"]),
            ("auth_token: glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn", &["gitlab_token"]), // forge:allow
            (URL, &["url_credentials"]),
            (
                "mail me: jane.doe@acme-mail.de, twice jane.doe@acme-mail.de",
                &["email", "email"],
            ),
            (
                "sha = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
                &[],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(kinds(text), *want, "{text}");
        }
    }

    #[test]
    fn the_allow_marker_silences_its_line_only() {
        let text = "a = 'ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb' # forge:allow\nb = 'ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb'\n"; // forge:allow
        let d = Detector::shared().unwrap();
        let hits = d.find(text.as_bytes(), &|_| true, &AllowList::default());
        assert_eq!(line_numbers(text.as_bytes(), &hits), [2]);
    }
}
