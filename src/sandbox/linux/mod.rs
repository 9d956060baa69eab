//! The sandbox helper (`forge __sandbox-init PLAN`): forge re-executed, still single-threaded,
//! so it may enter new namespaces, then run the validator's shell as the child of a tiny init.
//!
//! Process tree: the helper (outside the PID namespace, waits and passes the exit code on) →
//! init, PID 1 of the new namespace (reaps, and its end kills every descendant, `setsid` or
//! not) → `sh -c RUN` (rlimits, Landlock, no capabilities).

mod confine;
mod mounts;
mod net;

use super::plan::{HELPER_ARG, Mechanism, PROBE_ARG, Plan, Report};
use nix::sched::CloneFlags;
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

/// Exit code of the helper when it could not set the sandbox up (as `env` and `timeout` do).
const SETUP_FAILED: u8 = 125;

/// Run the helper; `args` are the process's arguments after [`HELPER_ARG`].
pub fn helper_main(args: &[OsString]) -> ExitCode {
    let (probe, plan) = match args {
        [flag, plan] if flag == PROBE_ARG => (true, plan),
        [plan] => (false, plan),
        _ => {
            return fail(&format!(
                "usage: forge {HELPER_ARG} [{PROBE_ARG}] PLAN_JSON"
            ));
        }
    };
    let plan: Plan = match serde_json::from_str(&plan.to_string_lossy()) {
        Ok(p) => p,
        Err(e) => return fail(&format!("unreadable plan: {e}")),
    };
    match start(&plan, probe) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("forge sandbox: {message}");
    ExitCode::from(SETUP_FAILED)
}

fn start(plan: &Plan, probe: bool) -> Result<u8, String> {
    let mut report = Report::default();
    for dir in &plan.cgroups {
        let procs = dir.join("cgroup.procs");
        std::fs::write(&procs, std::process::id().to_string())
            .map_err(|e| format!("cannot join cgroup {}: {e}", dir.display()))?;
    }
    if !plan.cgroups.is_empty() {
        report.mechanisms.push(Mechanism::Cgroup);
    }
    if !plan.namespaces {
        return Err(shell(plan, report, probe));
    }
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    let mut flags = CloneFlags::CLONE_NEWUSER
        | CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWIPC;
    if !plan.network {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    nix::sched::unshare(flags).map_err(|e| format!("cannot create namespaces: {e}"))?;
    // The same ids inside as outside: files keep their owner, so git and others trust the tree.
    write_proc("setgroups", "deny")?;
    write_proc("uid_map", &format!("{uid} {uid} 1\n"))?;
    write_proc("gid_map", &format!("{gid} {gid} 1\n"))?;
    report.mechanisms.push(Mechanism::UserNamespace);
    mounts::confine(plan)?;
    report.mechanisms.push(Mechanism::MountNamespace);
    if !plan.network {
        net::loopback_up()?;
        report.mechanisms.push(Mechanism::NetworkNamespace);
    }
    report.mechanisms.push(Mechanism::PidNamespace);
    // SAFETY: the helper is single-threaded (it is dispatched before any runtime starts).
    match unsafe { fork() }.map_err(|e| format!("cannot start the sandbox's init: {e}"))? {
        ForkResult::Child => Err(init(plan, report, probe)),
        ForkResult::Parent { child } => {
            // Only now: an ignored signal would be inherited by the validator.
            // SAFETY: SIG_IGN installs no handler code.
            unsafe {
                let _ = signal(Signal::SIGTERM, SigHandler::SigIgn);
                let _ = signal(Signal::SIGINT, SigHandler::SigIgn);
            }
            Ok(wait_for(child))
        }
    }
}

fn write_proc(name: &str, contents: &str) -> Result<(), String> {
    std::fs::write(format!("/proc/self/{name}"), contents)
        .map_err(|e| format!("cannot write /proc/self/{name}: {e}"))
}

/// PID 1 of the new namespace: start the shell, reap whatever is orphaned, and end with the
/// shell, which makes the kernel kill every process left in the namespace.
fn init(plan: &Plan, report: Report, probe: bool) -> String {
    if let Err(e) = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL) {
        return format!("cannot tie the sandbox to forge: {e}");
    }
    if let Err(e) = mounts::fresh_proc() {
        return e;
    }
    // SAFETY: still single-threaded.
    match unsafe { fork() } {
        Err(e) => format!("cannot start the validator: {e}"),
        Ok(ForkResult::Child) => shell(plan, report, probe),
        Ok(ForkResult::Parent { child }) => {
            let code = wait_for(child);
            std::process::exit(i32::from(code))
        }
    }
}

/// Wait for `child`, reaping any other process that ends meanwhile; its exit code, or 128+N
/// when signal N ended it.
fn wait_for(child: Pid) -> u8 {
    loop {
        match waitpid(None, None) {
            Ok(WaitStatus::Exited(pid, code)) if pid == child => {
                return u8::try_from(code).unwrap_or(SETUP_FAILED);
            }
            Ok(WaitStatus::Signaled(pid, sig, _)) if pid == child => {
                return 128u8.saturating_add(sig as u8);
            }
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return SETUP_FAILED,
        }
    }
}

/// The last step, in the validator's own process: limits, Landlock, no capabilities, then
/// `sh -c RUN` (or, for a probe, the report). Returns only the reason it failed.
fn shell(plan: &Plan, mut report: Report, probe: bool) -> String {
    if let Err(e) = confine::rlimits(&plan.limits) {
        return e;
    }
    report.mechanisms.push(Mechanism::Rlimits);
    if plan.landlock {
        match confine::landlock(&plan.writable) {
            Ok(()) => report.mechanisms.push(Mechanism::Landlock),
            Err(note) => report.notes.push(format!("landlock: {note}")),
        }
    }
    if let Err(e) = confine::drop_privileges() {
        return e;
    }
    if probe {
        report.mechanisms.sort();
        return match serde_json::to_string(&report) {
            Ok(json) => {
                println!("{json}");
                std::process::exit(0)
            }
            Err(e) => e.to_string(),
        };
    }
    let e = std::process::Command::new("sh")
        .arg("-c")
        .arg(&plan.run)
        .exec();
    format!("cannot start `sh`: {e}")
}
