//! A cgroup per validator, where forge may create one: memory and process caps on the
//! validator as a whole (rlimits count per process, and not at all for root's processes).
//! cgroup v2 when forge's own cgroup delegates `memory` and `pids`; else the v1 `memory` and
//! `pids` hierarchies when they are writable (hybrid systems).

use super::ResourceLimits;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static NEXT: AtomicU64 = AtomicU64::new(0);
static SWEPT: std::sync::Once = std::sync::Once::new();

/// How long removal waits for killed processes to leave.
const REMOVE_TRIES: u32 = 100;
const REMOVE_PAUSE: Duration = Duration::from_millis(5);

/// The cgroup folders made for one validator; [`Cgroups::remove`] kills what is left in them.
#[derive(Debug, Default)]
pub struct Cgroups {
    dirs: Vec<PathBuf>,
}

impl Cgroups {
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Kill every process still in the cgroups and remove them.
    pub async fn remove(self) {
        for dir in &self.dirs {
            let _ = std::fs::write(dir.join("cgroup.kill"), "1");
            for _ in 0..REMOVE_TRIES {
                kill_members(dir);
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                tokio::time::sleep(REMOVE_PAUSE).await;
            }
        }
    }
}

fn kill_members(dir: &Path) {
    let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) else {
        return;
    };
    for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Make the cgroups for one validator, or say why forge cannot.
pub fn create(limits: &ResourceLimits) -> Result<Cgroups, String> {
    let name = format!(
        "forge-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("cannot read mountinfo: {e}"))?;
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .map_err(|e| format!("cannot read /proc/self/cgroup: {e}"))?;
    let hierarchies = hierarchies(&mounts, &own);
    let v2 = hierarchies.iter().find(|h| h.v2).filter(|h| {
        std::fs::read_to_string(h.dir.join("cgroup.subtree_control"))
            .is_ok_and(|c| c.contains("memory") && c.contains("pids"))
    });
    let wanted: Vec<(PathBuf, Vec<(&str, String)>)> = match v2 {
        Some(h) => vec![(
            h.dir.join(&name),
            vec![
                ("memory.max", limits.memory.to_string()),
                ("memory.swap.max", "0".into()),
                ("pids.max", limits.processes.to_string()),
            ],
        )],
        None => {
            let v1 = |controller: &str| {
                hierarchies
                    .iter()
                    .find(|h| !h.v2 && h.controllers.iter().any(|c| c == controller))
                    .map(|h| h.dir.join(&name))
            };
            match (v1("memory"), v1("pids")) {
                (Some(memory), Some(pids)) => vec![
                    (
                        memory,
                        vec![("memory.limit_in_bytes", limits.memory.to_string())],
                    ),
                    (pids, vec![("pids.max", limits.processes.to_string())]),
                ],
                _ => return Err("no cgroup with memory and pids controllers to use".into()),
            }
        }
    };
    // Once per process: what a killed forge left behind does not come back between validators.
    SWEPT.call_once(|| {
        for (dir, _) in &wanted {
            if let Some(parent) = dir.parent() {
                sweep(parent);
            }
        }
    });
    let mut made = Cgroups::default();
    for (dir, settings) in wanted {
        if let Err(e) = std::fs::create_dir(&dir) {
            cleanup(&made);
            return Err(format!("cannot create cgroup {}: {e}", dir.display()));
        }
        made.dirs.push(dir.clone());
        for (file, value) in settings {
            // Optional knobs (swap accounting) may be absent; the limits that matter may not.
            let optional = file == "memory.swap.max";
            if let Err(e) = std::fs::write(dir.join(file), &value) {
                if !optional {
                    cleanup(&made);
                    return Err(format!("cannot set {file}: {e}"));
                }
            }
        }
    }
    Ok(made)
}

/// A forge killed without warning (SIGKILL, power) leaves its validators' cgroups behind:
/// remove those of processes that are gone, once they are empty and a minute old (a cgroup
/// whose owner runs in another PID namespace looks ownerless here, but is never that old
/// before its validator joins it, and rmdir refuses a cgroup that still has members).
fn sweep(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = owner_pid(&name.to_string_lossy()) else {
            continue;
        };
        if owner == own || Path::new("/proc").join(owner.to_string()).exists() {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if old {
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// How old an ownerless cgroup must be before [`sweep`] removes it.
const STALE_AFTER: Duration = Duration::from_secs(60);

/// The pid in a cgroup name forge made, `forge-PID-N`.
fn owner_pid(name: &str) -> Option<u32> {
    let (pid, n) = name.strip_prefix("forge-")?.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse().ok()
}

fn cleanup(made: &Cgroups) {
    for d in &made.dirs {
        let _ = std::fs::remove_dir(d);
    }
}

/// A cgroup hierarchy mounted here, with forge's own cgroup folder in it.
#[derive(Debug, PartialEq)]
struct Hierarchy {
    v2: bool,
    controllers: Vec<String>,
    dir: PathBuf,
}

/// Pair each cgroup mount (mountinfo) with forge's own path in it (/proc/self/cgroup).
fn hierarchies(mountinfo: &str, own: &str) -> Vec<Hierarchy> {
    let mut out = Vec::new();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let (Some(point), Some(fstype), Some(options)) = (
            left.split(' ').nth(4),
            right.split(' ').next(),
            right.split(' ').nth(2),
        ) else {
            continue;
        };
        let v2 = fstype == "cgroup2";
        if !v2 && fstype != "cgroup" {
            continue;
        }
        let controllers: Vec<String> = if v2 {
            Vec::new()
        } else {
            options
                .split(',')
                .filter(|o| !o.contains('=') && !matches!(*o, "rw" | "ro"))
                .map(str::to_string)
                .collect()
        };
        let path = own.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, list, path) = (parts.next()?, parts.next()?, parts.next()?);
            let matches = if v2 {
                list.is_empty()
            } else {
                list.split(',').any(|c| controllers.iter().any(|m| m == c))
            };
            matches.then(|| path.trim_start_matches('/').to_string())
        });
        if let Some(path) = path {
            out.push(Hierarchy {
                v2,
                controllers,
                dir: Path::new(point).join(path),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_forge_made_have_an_owner() {
        let cases = [
            ("forge-123-0", Some(123)),
            ("forge-9-17", Some(9)),
            ("forge-x-1", None),
            ("forge-123", None),
            ("forge-123-a", None),
            ("user.slice", None),
            ("forgery-1-2", None),
        ];
        for (name, want) in cases {
            assert_eq!(owner_pid(name), want, "{name}");
        }
    }

    #[test]
    fn hybrid_hierarchies_pair_mounts_with_own_paths() {
        let mounts = "\
30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids
32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
40 1 8:1 / / rw - ext4 /dev/vda rw";
        let own = "4:memory:/jobs/a\n8:pids:/\n0::/user.slice\n";
        let h = hierarchies(mounts, own);
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].dir, PathBuf::from("/sys/fs/cgroup/memory/jobs/a"));
        assert_eq!(h[0].controllers, vec!["memory".to_string()]);
        assert_eq!(h[1].dir, PathBuf::from("/sys/fs/cgroup/pids/"));
        assert!(h[2].v2);
        assert_eq!(h[2].dir, PathBuf::from("/sys/fs/cgroup/unified/user.slice"));
    }
}
