//! The probe's answer kept across forge processes, so a pre-commit hook or a CI step running
//! `forge check` pays for the probe once per boot, binary and kernel setting, not on every call.
//!
//! The answer is filed under a key made of everything it depends on: the forge binary (path,
//! size, mtime, inode), the boot, the user, the namespaces forge itself runs in, its cgroups and
//! the cgroup mounts, and the kernel switches for unprivileged user namespaces and Landlock.
//! Change any of them and the key changes, so the probe runs again. A sandboxed validator sees
//! the cache read-only, and nothing outside a sandbox needs a cache to do harm.

use super::availability::Availability;
use sha2::{Digest, Sha256};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Files whose contents decide what the probe would find.
const INPUTS: &[&str] = &[
    "/proc/sys/kernel/random/boot_id",
    "/proc/self/cgroup",
    "/proc/sys/kernel/unprivileged_userns_clone",
    "/proc/sys/user/max_user_namespaces",
    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
    "/sys/kernel/security/lsm",
];

/// The namespaces forge runs in: inside a container or another sandbox, the answer differs.
const NAMESPACES: &[&str] = &["user", "mnt", "pid", "net", "cgroup"];

/// The cached answer for this process's circumstances, if one was stored.
pub fn load() -> Option<Availability> {
    let bytes = std::fs::read(path()?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keep `available` for later processes; a cache that cannot be written only costs a probe.
pub fn store(available: &Availability) {
    let Some(path) = path() else { return };
    let Ok(json) = serde_json::to_vec(available) else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = crate::fsutil::write_atomic(&path, &json, Some(0o600));
}

/// `$XDG_CACHE_HOME/forge/sandbox-probe-KEY.json` (else `~/.cache/forge/...`).
fn path() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".cache"),
    };
    Some(
        base.join("forge")
            .join(format!("sandbox-probe-{}.json", key()?)),
    )
}

fn key() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let mut h = Sha256::new();
    let mut part = |name: &str, value: &[u8]| {
        h.update(name.as_bytes());
        h.update((value.len() as u64).to_le_bytes());
        h.update(value);
    };
    part("exe", exe.as_os_str().as_encoded_bytes());
    part(
        "exe-meta",
        format!(
            "{} {} {} {} {}",
            meta.dev(),
            meta.ino(),
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec()
        )
        .as_bytes(),
    );
    part(
        "ids",
        format!("{} {}", nix::unistd::getuid(), nix::unistd::getgid()).as_bytes(),
    );
    for input in INPUTS {
        part(input, &std::fs::read(input).unwrap_or_default());
    }
    for ns in NAMESPACES {
        let link = std::fs::read_link(Path::new("/proc/self/ns").join(ns)).unwrap_or_default();
        part(ns, link.as_os_str().as_encoded_bytes());
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for line in mounts.lines().filter(|l| l.contains(" - cgroup")) {
        part("cgroup-mount", line.as_bytes());
    }
    Some(hex::encode(&h.finalize()[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_stable_within_a_process_and_names_no_path() {
        let (a, b) = (key(), key());
        assert_eq!(a, b);
        let k = a.unwrap_or_default();
        assert_eq!(k.len(), 32, "{k}");
        assert!(k.chars().all(|c| c.is_ascii_hexdigit()), "{k}");
    }
}
