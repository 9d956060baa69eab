//! What forge tells its sandbox helper: one validator's confinement, as JSON on the command line.

use super::ResourceLimits;
use std::path::PathBuf;

/// The hidden first argument that turns `forge` into the sandbox helper.
pub const HELPER_ARG: &str = "__sandbox-init";

/// Given after [`HELPER_ARG`]: set everything up, report what took effect, and run nothing.
pub const PROBE_ARG: &str = "--probe";

/// One validator's confinement. Paths are absolute and canonical.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// The validator's `run:`, started as `sh -c RUN` in the current directory.
    pub run: String,
    /// User, mount, PID (and, without `network`, network) namespaces.
    pub namespaces: bool,
    /// Keep the host's network.
    pub network: bool,
    /// Stay writable; everything else becomes read-only.
    pub writable: Vec<PathBuf>,
    /// Covered by an empty read-only folder (or an empty file).
    pub hidden: Vec<PathBuf>,
    pub limits: ResourceLimits,
    /// cgroup folders the helper joins before it starts anything.
    pub cgroups: Vec<PathBuf>,
    /// Add a Landlock layer where the kernel has it.
    pub landlock: bool,
}

/// One layer of confinement, in the words the pack and the notice use.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    UserNamespace,
    MountNamespace,
    PidNamespace,
    NetworkNamespace,
    Landlock,
    Rlimits,
    Cgroup,
}

impl Mechanism {
    pub const ALL: [Mechanism; 7] = [
        Mechanism::UserNamespace,
        Mechanism::MountNamespace,
        Mechanism::PidNamespace,
        Mechanism::NetworkNamespace,
        Mechanism::Landlock,
        Mechanism::Rlimits,
        Mechanism::Cgroup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::UserNamespace => "user_namespace",
            Mechanism::MountNamespace => "mount_namespace",
            Mechanism::PidNamespace => "pid_namespace",
            Mechanism::NetworkNamespace => "network_namespace",
            Mechanism::Landlock => "landlock",
            Mechanism::Rlimits => "rlimits",
            Mechanism::Cgroup => "cgroup",
        }
    }
}

/// What the helper managed to set up, printed as JSON by a probe.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub mechanisms: Vec<Mechanism>,
    /// Why a layer the plan asked for is missing, e.g. "landlock: not supported by this kernel".
    pub notes: Vec<String>,
}
