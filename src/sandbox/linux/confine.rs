//! The validator process's own limits, applied just before `sh` starts: rlimits, a Landlock
//! ruleset, and no capabilities or privilege gains.

use super::super::ResourceLimits;
use landlock::{
    ABI, Access, AccessFs, BitFlags, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
    path_beneath_rules,
};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use std::path::PathBuf;

/// Newest file-system rights forge asks for; older kernels enforce what they know.
const LANDLOCK_ABI: ABI = ABI::V5;

/// Grace between the soft CPU limit (SIGXCPU, which a tool may report) and the hard one.
const CPU_GRACE_SECS: u64 = 5;

pub fn rlimits(l: &ResourceLimits) -> Result<(), String> {
    let cpu = l.cpu_time.as_secs().max(1);
    let limits = [
        (Resource::RLIMIT_DATA, l.memory, l.memory),
        (Resource::RLIMIT_NPROC, l.processes, l.processes),
        (
            Resource::RLIMIT_CPU,
            cpu,
            cpu.saturating_add(CPU_GRACE_SECS),
        ),
        (Resource::RLIMIT_FSIZE, l.file_size, l.file_size),
    ];
    for (resource, soft, hard) in limits {
        // Never above what forge itself was given: raising a hard limit needs privileges.
        let (_, current_hard) = getrlimit(resource).map_err(|e| format!("getrlimit: {e}"))?;
        let hard = hard.min(current_hard);
        setrlimit(resource, soft.min(hard), hard)
            .map_err(|e| format!("cannot limit {resource:?}: {e}"))?;
    }
    Ok(())
}

/// Writes only beneath `writable` (and to devices), reads anywhere the mounts allow.
pub fn landlock(writable: &[PathBuf]) -> Result<(), String> {
    let all = AccessFs::from_all(LANDLOCK_ABI);
    let devices: BitFlags<AccessFs> = AccessFs::ReadFile
        | AccessFs::WriteFile
        | AccessFs::ReadDir
        | AccessFs::Truncate
        | AccessFs::IoctlDev;
    let mut full: Vec<PathBuf> = writable.to_vec();
    full.push(PathBuf::from("/dev/shm"));
    let status = Ruleset::default()
        .handle_access(all)
        .and_then(|r| r.create())
        .and_then(|r| r.add_rules(path_beneath_rules(["/"], AccessFs::from_read(LANDLOCK_ABI))))
        .and_then(|r| r.add_rules(path_beneath_rules(["/dev", "/proc"], devices)))
        .and_then(|r| r.add_rules(path_beneath_rules(full.iter().filter(|p| p.exists()), all)))
        .and_then(|r| r.restrict_self())
        .map_err(|e| e.to_string())?;
    match status.ruleset {
        RulesetStatus::NotEnforced => Err("not supported by this kernel".into()),
        RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => Ok(()),
    }
}

/// No capabilities survive `exec`, and nothing (setuid binaries, file capabilities) can
/// grant new ones: the validator cannot undo its mounts.
pub fn drop_privileges() -> Result<(), String> {
    nix::sys::prctl::set_no_new_privs().map_err(|e| format!("no_new_privs: {e}"))?;
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse::<libc::c_ulong>().ok())
        .unwrap_or(63);
    for cap in 0..=last {
        // SAFETY: prctl with integer arguments only; EINVAL for unknown capabilities is fine.
        unsafe {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
    }
    // SAFETY: as above.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
    }
    clear_capabilities()
}

/// capset(2) with every set empty (the inheritable set would otherwise survive `exec` as root).
fn clear_capabilities() -> Result<(), String> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: libc::c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let data = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: the header and two data structs are the layout capset(2) expects for version 3.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!(
            "cannot drop capabilities: {}",
            std::io::Error::last_os_error()
        ))
    }
}
