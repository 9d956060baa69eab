//! Sandbox for validators (SPEC §11): a policy that wraps the command the validator runner
//! spawns, so model-written code cannot reach the network, the user's files or forge's keys.

mod availability;
mod cgroup;
#[cfg(target_os = "linux")]
mod linux;
mod plan;
mod policy;
mod probe_cache;
mod record;
mod settings;

pub use availability::{Availability, availability};
pub use plan::{HELPER_ARG, Mechanism};
pub use policy::{Guard, Policy, Sandbox, Unconfined, Wrapped};
pub use record::SandboxRecord;
pub use settings::{Mode, ResourceLimits, SandboxSettings};

/// Why a validator could not be started in its sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "validator `{validator}` requires a sandbox, but this system does not allow forge's namespaces: {reason}\n  help: set `sandbox: {{mode: auto}}` to run with what is available"
    )]
    Unavailable { validator: String, reason: String },
    #[error("cannot prepare the sandbox: {message}")]
    Setup { message: String },
}

/// Run forge as its sandbox helper when invoked as `forge __sandbox-init ...`; None otherwise.
/// Called first thing in `main`, while the process is still single-threaded.
pub fn helper_main() -> Option<std::process::ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_none_or(|a| a != HELPER_ARG) {
        return None;
    }
    #[cfg(target_os = "linux")]
    {
        Some(linux::helper_main(&args[1..]))
    }
    #[cfg(not(target_os = "linux"))]
    {
        eprintln!("forge sandbox: this system has no sandbox helper");
        Some(std::process::ExitCode::from(125))
    }
}
