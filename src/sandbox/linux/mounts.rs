//! The validator's view of the file system, built in its own mount namespace: the writable
//! paths bound onto themselves, every other mount remounted read-only, private `/dev/shm`,
//! hidden paths covered, and a `/proc` of the new PID namespace.

use super::super::plan::Plan;
use nix::errno::Errno;
use nix::mount::{MsFlags, mount};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Mounts whose read-only remount may fail without leaving a write open: /proc is replaced,
/// and sysfs and its cgroup folders refuse writes from a user namespace anyway.
const TOLERATED: &[&str] = &["/proc", "/sys"];

pub fn confine(plan: &Plan) -> Result<(), String> {
    let none: Option<&str> = None;
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    // Nothing done here may propagate back to the host's mounts.
    mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none)
        .map_err(|e| format!("cannot make mounts private: {e}"))?;
    for w in &plan.writable {
        bind(w, w)?;
    }
    for m in mount_points()? {
        let keep =
            plan.writable.iter().any(|w| m.path.starts_with(w)) || m.path.starts_with("/proc");
        if keep {
            continue;
        }
        let flags = MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY | m.flags;
        if let Err(e) = mount(none, &m.path, none, flags, none) {
            // A mount point the validator cannot even reach is no way out either.
            let unreachable = matches!(e, Errno::EACCES | Errno::ENOENT);
            if !unreachable && !TOLERATED.iter().any(|t| m.path.starts_with(t)) {
                return Err(format!("cannot make {} read-only: {e}", m.path.display()));
            }
        }
    }
    if Path::new(SHM).is_dir() {
        private_shm(plan)?;
    }
    for h in &plan.hidden {
        hide(h)?;
    }
    // The working directory still points into the mount it was opened on; enter it again so
    // it resolves through the new (writable) bind.
    std::env::set_current_dir(&cwd).map_err(|e| format!("cannot enter {}: {e}", cwd.display()))
}

const SHM: &str = "/dev/shm";

/// A fresh, empty `/dev/shm`. Writable paths inside it (a TMPDIR there holds the workspace and
/// the validator's HOME) would vanish under it: each is held open first and bound back in.
fn private_shm(plan: &Plan) -> Result<(), String> {
    let inside = plan
        .writable
        .iter()
        .filter(|w| w.starts_with(SHM))
        .map(|w| {
            std::fs::File::open(w)
                .map(|f| (w, f))
                .map_err(|e| format!("cannot open {}: {e}", w.display()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    mount(
        Some("tmpfs"),
        SHM,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=1777"),
    )
    .map_err(|e| format!("cannot mount a private {SHM}: {e}"))?;
    for (path, held) in inside {
        let made = if held.metadata().is_ok_and(|m| m.is_dir()) {
            std::fs::create_dir_all(path)
        } else {
            path.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::File::create(path).map(drop))
        };
        made.map_err(|e| format!("cannot make {} in the private {SHM}: {e}", path.display()))?;
        let handle = PathBuf::from(format!("/proc/self/fd/{}", held.as_raw_fd()));
        bind(&handle, path)?;
    }
    Ok(())
}

/// Mount a `/proc` that shows only the new PID namespace; called by its PID 1.
pub fn fresh_proc() -> Result<(), String> {
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("cannot mount /proc: {e}"))
}

fn bind(from: &Path, to: &Path) -> Result<(), String> {
    mount(
        Some(from),
        to,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(|e| format!("cannot bind {}: {e}", to.display()))
}

/// Cover a folder with an empty read-only tmpfs, a file with an empty file. A path the
/// validator's view does not have (under the private `/dev/shm`) is hidden already.
fn hide(path: &Path) -> Result<(), String> {
    let none: Option<&str> = None;
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(());
    }
    let covered = if path.is_dir() {
        mount(
            Some("tmpfs"),
            path,
            Some("tmpfs"),
            MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some("size=4k,mode=755"),
        )
    } else {
        mount(Some("/dev/null"), path, none, MsFlags::MS_BIND, none).and_then(|()| {
            let ro = MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY;
            mount(none, path, none, ro, none)
        })
    };
    covered.map_err(|e| format!("cannot hide {}: {e}", path.display()))
}

struct MountPoint {
    path: PathBuf,
    /// The flags a remount must keep: a user namespace may not clear them.
    flags: MsFlags,
}

fn mount_points() -> Result<Vec<MountPoint>, String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("cannot read /proc/self/mountinfo: {e}"))?;
    Ok(text.lines().filter_map(parse_line).collect())
}

/// `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS ...` (proc(5)).
fn parse_line(line: &str) -> Option<MountPoint> {
    let mut fields = line.split(' ');
    let point = fields.nth(4)?;
    let options = fields.next()?;
    let flags = options
        .split(',')
        .map(|o| match o {
            "nosuid" => MsFlags::MS_NOSUID,
            "nodev" => MsFlags::MS_NODEV,
            "noexec" => MsFlags::MS_NOEXEC,
            "noatime" => MsFlags::MS_NOATIME,
            "nodiratime" => MsFlags::MS_NODIRATIME,
            "relatime" => MsFlags::MS_RELATIME,
            _ => MsFlags::empty(),
        })
        .fold(MsFlags::empty(), |a, b| a | b);
    Some(MountPoint {
        path: PathBuf::from(unescape(point)),
        flags,
    })
}

/// Mount points escape space, tab, newline and backslash as `\ooo`.
fn unescape(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            std::str::from_utf8(d)
                .ok()
                .and_then(|d| u8::from_str_radix(d, 8).ok())
        });
        match (bytes[i], octal) {
            (b'\\', Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_give_point_and_locked_flags() {
        let m = parse_line(
            "36 35 98:0 /mnt1 /mnt/my\\040disk rw,nosuid,noatime master:1 - ext3 /dev/root rw",
        )
        .unwrap();
        assert_eq!(m.path, PathBuf::from("/mnt/my disk"));
        assert_eq!(m.flags, MsFlags::MS_NOSUID | MsFlags::MS_NOATIME);
        assert!(parse_line("garbage").is_none());
    }
}
