//! The validated, resolved form of a contract that the rest of forge works with.

use std::path::PathBuf;
use std::time::Duration;

/// A loaded contract with every default filled in and its root resolved.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The contract file as given (absolute).
    pub path: PathBuf,
    /// sha256 (hex) of the contract file's bytes.
    pub sha256: String,
    /// The contract file's bytes as loaded (kept with each run as `contract.yaml`).
    pub source: Vec<u8>,
    pub name: String,
    pub description: Option<String>,
    pub task: String,
    /// Globs (relative to `root`) the model may create or change.
    pub files: Vec<String>,
    /// Globs (relative to `root`) shown to the model read-only.
    pub context: Vec<String>,
    /// Absolute, canonical workspace root.
    pub root: PathBuf,
    pub validators: Vec<Validator>,
    pub threshold: f64,
    pub limits: Limits,
    pub llm: LlmSettings,
    pub fallback: Fallback,
    pub evidence: EvidenceSettings,
    /// Whether a converged run waits for `forge apply` before writing back (SPEC §12).
    pub approval: Approval,
    pub privacy: PrivacySettings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Validator {
    pub name: String,
    pub kind: ValidatorKind,
    /// Run with `sh -c` in the workspace root.
    pub run: String,
    pub weight: f64,
    pub required: bool,
    pub timeout: Duration,
    pub parse: Parser,
    /// Variables passed through although their name or value looks like a secret.
    pub env: Vec<String>,
    /// The contract's `sandbox:` overridden by the validator's own.
    pub sandbox: crate::sandbox::SandboxSettings,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ValidatorKind {
    Syntax,
    UnitTest,
    TypeCheck,
    Security,
    Performance,
    Custom,
}

impl ValidatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValidatorKind::Syntax => "syntax",
            ValidatorKind::UnitTest => "unit_test",
            ValidatorKind::TypeCheck => "type_check",
            ValidatorKind::Security => "security",
            ValidatorKind::Performance => "performance",
            ValidatorKind::Custom => "custom",
        }
    }
}

/// How a validator's output is turned into partial credit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parser {
    ExitCode,
    Unittest,
    Pytest,
    CargoTest,
    Tap,
    /// JUnit XML at this path, relative to the workspace root.
    Junit(String),
}

impl Parser {
    pub fn spec_name(&self) -> String {
        match self {
            Parser::ExitCode => "exit_code".into(),
            Parser::Unittest => "unittest".into(),
            Parser::Pytest => "pytest".into(),
            Parser::CargoTest => "cargo_test".into(),
            Parser::Tap => "tap".into(),
            Parser::Junit(p) => format!("junit:{p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub max_iterations: u32,
    pub stagnation: u32,
    pub token_budget: u64,
    pub run_timeout: Duration,
    /// US dollars; `None`: no limit.
    pub cost_budget: Option<f64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_iterations: 15,
            stagnation: 3,
            token_budget: 50_000,
            run_timeout: Duration::from_secs(30 * 60),
            cost_budget: None,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Openai,
    Anthropic,
    Ollama,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Ollama => "ollama",
        }
    }
}

/// The contract's `llm:` section; every field optional because flags, env and config also set them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmSettings {
    pub provider: Option<ProviderKind>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub temperature: Option<f64>,
    pub max_output_tokens: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fallback {
    pub llm_review: bool,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Synthesis {
    #[default]
    Llm,
    Template,
    Off,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceSettings {
    pub synthesis: Synthesis,
    /// The model that writes the summary when it is not the run's own.
    pub synthesis_model: Option<String>,
}

/// `approval:` — `required` keeps a converged run's files until someone approves them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// A converged run is written back at once (unless `--no-apply` or `--confirm`).
    #[default]
    None,
    /// A converged run is written back only once approved: asked on a terminal, else later
    /// with `forge apply RUN_ID`.
    Required,
}

/// What the privacy guard does with a value it finds (SPEC §10).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyMode {
    /// Not looked for.
    Off,
    /// Sent as it is; recorded.
    Detect,
    /// Replaced by a stable placeholder; the answer's placeholders are mapped back.
    Mask,
    /// The run stops before the first model call.
    Block,
}

impl PrivacyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyMode::Off => "off",
            PrivacyMode::Detect => "detect",
            PrivacyMode::Mask => "mask",
            PrivacyMode::Block => "block",
        }
    }
}

/// The contract's `privacy:` section.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivacySettings {
    pub secrets: PrivacyMode,
    pub pii: PrivacyMode,
    /// Literal values, or `/regex/`, never flagged.
    pub allow: Vec<String>,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        PrivacySettings {
            secrets: PrivacyMode::Mask,
            pii: PrivacyMode::Detect,
            allow: Vec::new(),
        }
    }
}

pub const DEFAULT_THRESHOLD: f64 = 0.85;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest validator weight. Weights are ratios; a cap keeps their sum finite (two weights
/// of 1e308 add up to infinity and the score to NaN, which no pack can be signed with).
pub const MAX_WEIGHT: f64 = 1_000_000.0;
/// The longest duration a contract may give (validator timeouts, `run_timeout`): a week is more
/// than any run needs, and deadlines computed from it cannot overflow the clock.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
