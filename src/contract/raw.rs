//! The contract document exactly as written in YAML: the serde types it is parsed into and the
//! JSON Schema is generated from, each value carrying the line and column it came from.

use super::model::{PrivacyMode, ProviderKind, Synthesis, ValidatorKind};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;

/// A value with the 1-based line and column of the YAML node it was read from, so that every
/// later check can point at the offending node.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(At {
            value: s.value,
            line: s.referenced.line() as usize,
            column: s.referenced.column() as usize,
        })
    }
}

/// The position is parsing bookkeeping; the schema is that of the value itself.
impl<T: JsonSchema> JsonSchema for At<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// An Answer Contract (forge, version 1): what the code must do, which files the model may
/// change, and the validators that decide whether it is done.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "forge Answer Contract")]
pub struct RawContract {
    /// Contract format version; must be 1.
    #[schemars(required, extend("const" = 1))]
    pub version: Option<At<i64>>,
    /// Contract name: letters, digits, `_`, `.` and `-`.
    #[schemars(required, regex(pattern = r"^[A-Za-z0-9_.-]+$"))]
    pub name: Option<At<String>>,
    /// One-line description for people.
    pub description: Option<At<String>>,
    /// What the code must do; sent to the model.
    #[schemars(required)]
    pub task: Option<At<String>>,
    /// Paths or globs (relative to the root) the model may create or change.
    #[schemars(required, length(min = 1))]
    pub files: Option<At<Vec<At<String>>>>,
    /// Paths or globs (relative to the root) shown to the model, read-only.
    pub context: Option<At<Vec<At<String>>>>,
    /// Workspace root, relative to this file's folder (default: the git top level, else the
    /// current folder).
    pub root: Option<At<String>>,
    /// The checks that score each attempt; at least one, names unique.
    #[schemars(required, length(min = 1))]
    pub validators: Option<At<Vec<At<RawValidator>>>>,
    /// Score (weighted mean of the validators, 0 < t <= 1) at which a run converges; default 0.85.
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 1))]
    pub threshold: Option<At<f64>>,
    /// When a run gives up.
    pub limits: Option<At<RawLimits>>,
    /// Model settings; flags and environment override them.
    pub llm: Option<At<RawLlm>>,
    /// What to do when a validator keeps timing out.
    pub fallback: Option<At<RawFallback>>,
    /// How the evidence pack is written.
    pub evidence: Option<At<RawEvidence>>,
    /// What may reach a model: secrets and personal data found in what is sent.
    pub privacy: Option<At<RawPrivacy>>,
    /// How validators are confined (SPEC §11); a validator's own `sandbox:` overrides keys.
    pub sandbox: Option<At<RawSandbox>>,
    /// `required`: a converged run is written back only once approved (`forge apply`);
    /// default none.
    pub approval: Option<At<super::model::Approval>>,
}

impl RawContract {
    /// True for a document with no keys at all, e.g. only comments.
    pub fn is_empty(&self) -> bool {
        self.version.is_none()
            && self.name.is_none()
            && self.description.is_none()
            && self.task.is_none()
            && self.files.is_none()
            && self.context.is_none()
            && self.root.is_none()
            && self.validators.is_none()
            && self.threshold.is_none()
            && self.limits.is_none()
            && self.llm.is_none()
            && self.fallback.is_none()
            && self.evidence.is_none()
            && self.privacy.is_none()
            && self.sandbox.is_none()
            && self.approval.is_none()
    }
}

/// One validator: a shell command run in the workspace root.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawValidator {
    /// Unique name of this validator.
    #[schemars(required)]
    pub name: Option<At<String>>,
    /// What the validator checks; default custom.
    pub kind: Option<At<ValidatorKind>>,
    /// Command run with `sh -c` in the workspace root.
    #[schemars(required, length(min = 1))]
    pub run: Option<At<String>>,
    /// Weight in the iteration's score (0 < weight <= 1000000); default 1.
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 1_000_000))]
    pub weight: Option<At<f64>>,
    /// Must pass (exit 0) for the run to converge; default false.
    pub required: Option<At<bool>>,
    /// Time limit, e.g. "500ms", "30s", "2m"; default 30s.
    pub timeout: Option<At<HumanDuration>>,
    /// How partial credit is read from the output; default exit_code.
    pub parse: Option<At<ParseSpec>>,
    /// Environment variables passed to this validator although their name or value looks
    /// like a secret (every other such variable is removed).
    pub env: Option<At<Vec<At<String>>>>,
    /// This validator's sandbox keys, overriding the contract's one by one.
    pub sandbox: Option<At<RawSandbox>>,
}

/// How validators are confined (SPEC §11).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSandbox {
    /// off, auto (use what the machine allows; default) or required (refuse without namespaces).
    pub mode: Option<At<crate::sandbox::Mode>>,
    /// Give validators the host's network instead of a private loopback; default false.
    pub network: Option<At<bool>>,
    /// Extra writable paths: absolute, `~/...`, or relative to the root.
    pub writable: Option<At<Vec<At<String>>>>,
    /// Writable memory per process (and for the whole validator where a cgroup is possible),
    /// e.g. "4GiB", "512MiB"; default 4GiB.
    pub memory: Option<At<ByteSize>>,
    /// Most processes and threads; default 512.
    #[schemars(range(min = 1))]
    pub processes: Option<At<i64>>,
    /// CPU time per process, e.g. "10m"; default 10m.
    pub cpu_time: Option<At<HumanDuration>>,
    /// Largest file a validator may write, e.g. "1GiB"; default 1GiB.
    pub file_size: Option<At<ByteSize>>,
}

/// A size in bytes: a whole number, or a number with a unit such as "512MiB" or "4GB".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ByteSize {
    Bytes(u64),
    Text(String),
}

impl JsonSchema for ByteSize {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "ByteSize".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": r"^\s*[0-9.]+\s*[A-Za-z]*\s*$" }
            ],
            "examples": ["4GiB", "512MiB", "1GB"]
        })
    }
}

/// Run limits.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Most iterations before giving up; default 15.
    #[schemars(range(min = 1))]
    pub max_iterations: Option<At<i64>>,
    /// Stop after this many iterations without a better best score; default 3.
    #[schemars(range(min = 1))]
    pub stagnation: Option<At<i64>>,
    /// Total input+output tokens over the run; default 50000.
    #[schemars(range(min = 1))]
    pub token_budget: Option<At<i64>>,
    /// Wall clock for the whole run, e.g. "30m"; default 30m.
    pub run_timeout: Option<At<HumanDuration>>,
    /// Most US dollars the run's model calls may cost, priced from the price table; no limit
    /// by default.
    #[schemars(range(min = 0))]
    pub cost_budget: Option<At<f64>>,
}

/// Model settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLlm {
    /// openai (any OpenAI-compatible endpoint), anthropic or ollama.
    pub provider: Option<At<ProviderKind>>,
    /// Model name, e.g. gpt-4o-mini.
    pub model: Option<At<String>>,
    /// The provider's API root, e.g. https://api.openai.com/v1.
    #[schemars(regex(pattern = r"^https?://"))]
    pub base_url: Option<At<String>>,
    /// Sampling temperature, 0 to 2.
    #[schemars(range(min = 0, max = 2))]
    pub temperature: Option<At<f64>>,
    /// Most tokens the model may write per answer.
    #[schemars(range(min = 1))]
    pub max_output_tokens: Option<At<i64>>,
}

/// Fallbacks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFallback {
    /// When a validator's breaker opens, the model judges that criterion instead; default false.
    pub llm_review: Option<At<bool>>,
}

/// Evidence pack settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    /// Who writes the pack's executive summary; default llm.
    pub synthesis: Option<At<Synthesis>>,
    /// A (cheaper) model of the same provider for the summary; default the run's model.
    pub synthesis_model: Option<At<String>>,
}

/// The privacy guard's settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPrivacy {
    /// Provider and cloud keys, private keys, JWTs, credentials in URLs, high-entropy values
    /// assigned to key-like names; default mask.
    pub secrets: Option<At<PrivacyMode>>,
    /// E-mail addresses, phone numbers, IBANs, payment card numbers; default detect.
    pub pii: Option<At<PrivacyMode>>,
    /// Values never flagged: a literal value, or a regex written between slashes (`/^AKIA/`).
    pub allow: Option<At<Vec<At<String>>>>,
}

/// A humantime duration such as "500ms", "30s" or "2m".
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct HumanDuration(pub String);

impl JsonSchema for HumanDuration {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "HumanDuration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": r"^\s*[0-9]+\s*[a-zA-Zµ]+(\s*[0-9]+\s*[a-zA-Zµ]+)*\s*$",
            "examples": ["500ms", "30s", "2m", "1h 30m"]
        })
    }
}

/// A partial-credit parser name: exit_code, unittest, pytest, cargo_test, tap or junit:<path>.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct ParseSpec(pub String);

/// The parser names that take no argument, as written in a contract.
pub const PARSER_NAMES: [&str; 5] = ["exit_code", "unittest", "pytest", "cargo_test", "tap"];

impl JsonSchema for ParseSpec {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "ParseSpec".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "anyOf": [
                { "enum": PARSER_NAMES },
                { "pattern": "^junit:.+$", "description": "JUnit XML at this path, relative to the root" }
            ]
        })
    }
}
