//! A validator's resolved `sandbox:` settings (SPEC §11): the contract's, overridden key by key
//! by the validator's own.

use std::path::PathBuf;
use std::time::Duration;

/// How strictly a validator is confined.
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
pub enum Mode {
    /// Run as a plain `sh -c`, as forge did before it had a sandbox.
    Off,
    /// Use every layer the machine allows; say once what was missing.
    #[default]
    Auto,
    /// Refuse to run (exit 3) unless namespaces are available.
    Required,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Auto => "auto",
            Mode::Required => "required",
        }
    }
}

/// Caps on what one validator may consume; each applies as an rlimit to every process and,
/// where forge can create a cgroup, memory and processes also to the validator as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResourceLimits {
    /// Bytes of writable memory.
    pub memory: u64,
    /// Processes and threads.
    pub processes: u64,
    /// CPU time of one process.
    pub cpu_time: Duration,
    /// Largest file a process may write, in bytes.
    pub file_size: u64,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        const GIB: u64 = 1 << 30;
        ResourceLimits {
            memory: 4 * GIB,
            processes: 512,
            cpu_time: Duration::from_secs(10 * 60),
            file_size: GIB,
        }
    }
}

/// Everything the sandbox needs to know about one validator.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SandboxSettings {
    pub mode: Mode,
    /// The host's network instead of a private loopback.
    pub network: bool,
    /// Absolute paths writable beyond the workspace and the private HOME and TMPDIR.
    pub writable: Vec<PathBuf>,
    pub limits: ResourceLimits,
    /// Absolute paths the validator must not see (the root's `.forge/`); forge's own config
    /// folder is added when the sandbox starts.
    pub hidden: Vec<PathBuf>,
}
