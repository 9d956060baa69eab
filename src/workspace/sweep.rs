//! Leftover private folders: a run killed with SIGKILL (or a crash) never drops its copy of the
//! root, nor its validators' private HOME/TMPDIR. Each such folder's name carries its owner's
//! pid and start time, so a later run can remove the folders whose owner is gone — and only those.

use crate::history::liveness;
use std::path::Path;

/// A run's copy of the root.
pub const WORKSPACE: &str = "forge-workspace-";
/// A sandboxed validator's private HOME and TMPDIR.
pub const SANDBOX: &str = "forge-sandbox-";

/// The prefix of a new private folder's name: `KIND-PID-START-` for this process.
pub fn owned_prefix(kind: &str) -> String {
    // Read once: a server names a folder for every run and validator.
    static START: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let pid = std::process::id();
    let start = *START.get_or_init(|| liveness::start_time(pid));
    match start {
        Some(start) => format!("{kind}{pid}-{start}-"),
        // Without /proc the owner cannot be told from a reused pid: never swept.
        None => kind.to_string(),
    }
}

/// Remove every private folder in `temp_dir` that belongs to this user and whose owner process is
/// gone; returns how many were removed. Failures are skipped: sweeping is a courtesy.
pub fn sweep(temp_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(temp_dir) else {
        return 0;
    };
    let me = nix::unistd::geteuid().as_raw();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((pid, start)) = name.to_str().and_then(owner) else {
            continue;
        };
        if liveness::still_running(pid, Some(start)) {
            continue;
        }
        // A real folder of ours, not a symlink someone planted to make us delete elsewhere.
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_dir() || std::os::unix::fs::MetadataExt::uid(&meta) != me {
            continue;
        }
        if std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The (pid, start time) a private folder's name records, if it is one of forge's.
fn owner(name: &str) -> Option<(i64, i64)> {
    let rest = [WORKSPACE, SANDBOX]
        .iter()
        .find_map(|kind| name.strip_prefix(kind))?;
    let mut parts = rest.splitn(3, '-');
    let pid = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    parts.next()?;
    Some((pid, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_is_read_from_the_name_and_old_names_are_not_ours() {
        assert_eq!(
            owner("forge-workspace-4242-987654-Ab12Cd"),
            Some((4242, 987654))
        );
        assert_eq!(owner("forge-workspace-Ab12Cd"), None);
        assert_eq!(owner("forge-workspace-12-x-y"), None);
        assert_eq!(owner("other-4242-987654-x"), None);
        assert_eq!(owner("forge-sandbox-7-1234-Xy"), Some((7, 1234)));
        assert_eq!(owner("forge-sandbox-probe-Xy"), None);
        let mine = owned_prefix(WORKSPACE);
        assert!(owner(&format!("{mine}zz")).is_some() || mine == WORKSPACE);
    }

    #[test]
    fn only_copies_of_dead_owners_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join(format!("{}live", owned_prefix(WORKSPACE)));
        // pid 1's start time is never 1 tick after boot plus an absurd offset.
        let dead = tmp.path().join("forge-workspace-1-999999999999-dead");
        let dead_sandbox = tmp.path().join("forge-sandbox-1-999999999999-dead");
        let legacy = tmp.path().join("forge-workspace-legacy");
        let target = tempfile::tempdir().unwrap();
        std::fs::write(target.path().join("keep"), "x").unwrap();
        let planted = tmp.path().join("forge-workspace-2-999999999999-link");
        for d in [&mine, &dead, &dead_sandbox, &legacy] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("f"), "x").unwrap();
        }
        std::os::unix::fs::symlink(target.path(), &planted).unwrap();
        assert_eq!(sweep(tmp.path()), 2);
        assert!(mine.exists() && legacy.exists() && planted.exists());
        assert!(!dead.exists() && !dead_sandbox.exists());
        assert!(target.path().join("keep").exists());
    }
}
