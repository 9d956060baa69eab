//! Atomic file writes: a reader sees the old bytes or the new ones, never half of either.

use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` through a temp file in the same folder and a rename, then sync.
/// Keeps the permissions of an existing file unless `mode` is given (unix permission bits).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    replace(path, bytes, mode, true)
}

/// [`write_atomic`] without waiting for the disk: for a private workspace, thrown away with its
/// run, and for a run folder, which is made durable once, as a whole, when it is sealed
/// ([`seal_folder`]).
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    replace(path, bytes, mode, false)
}

/// Write `files` (names and bytes) into `dir`, each atomically, and make everything under `dir`
/// durable with them: the files are synced before they are renamed into place, so after a
/// crash each is whole or absent, and the folder's earlier, unsynced files are synced too.
pub fn seal_folder(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let mut tmp = tempfile::Builder::new()
            .prefix(".forge-tmp-")
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        staged.push((tmp, dir.join(name)));
    }
    let folders = sync_files(dir)?;
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| e.error)?;
    }
    sync_folders(dir, &folders)
}

/// Make every file and folder under `dir`, and `dir`'s own entry in its parent, durable.
pub fn sync_tree(dir: &Path) -> std::io::Result<()> {
    let folders = sync_files(dir)?;
    sync_folders(dir, &folders)
}

/// Sync every regular file under `dir`; the folders met on the way, `dir` first.
///
/// Writeback of every file is started before the first one is waited for, so the file system
/// can write them together: on ext4 the first fsync commits the journal transaction that holds
/// all of them, and the others find their data on disk and their inodes committed.
fn sync_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let mut i = 0;
    while let Some(folder) = folders.get(i).cloned() {
        i += 1;
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                let file = std::fs::File::open(entry.path())?;
                start_writeback(&file);
                files.push(file);
            }
        }
    }
    for file in &files {
        file.sync_all()?;
    }
    Ok(folders)
}

/// Sync `folders` deepest first, so a folder's entries are durable before the entry naming it,
/// then `dir`'s parent, which names `dir`.
fn sync_folders(dir: &Path, folders: &[std::path::PathBuf]) -> std::io::Result<()> {
    for folder in folders.iter().rev() {
        std::fs::File::open(folder)?.sync_all()?;
    }
    std::fs::File::open(folder_of(dir))?.sync_all()
}

/// Ask the kernel to start writing `file` out without waiting (a hint; errors show in fsync).
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: sync_file_range only reads the descriptor, which `file` keeps open.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File) {}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Make a rename in `dir` durable; a folder that cannot be opened is left to the next sync.
fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn replace(path: &Path, bytes: &[u8], mode: Option<u32>, synced: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-tmp-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    let perms = match mode {
        Some(m) => Some(std::fs::Permissions::from_mode(m)),
        None => std::fs::metadata(path).ok().map(|m| m.permissions()),
    };
    if let Some(p) = perms {
        tmp.as_file().set_permissions(p)?;
    }
    if synced {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if synced {
        sync_folder(dir);
    }
    Ok(())
}

/// `write_atomic`, but only where nothing is, or a regular file is: a symlink, device, FIFO or
/// folder at `path` is refused, never replaced or written through.
pub fn replace_regular_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it exists and is not a regular file (a symlink, folder, device or FIFO is never replaced)",
        )),
        _ => write_atomic(path, bytes, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.sh");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_atomic(&p, b"new", None).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn a_tree_written_unsynced_is_synced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let (a, b) = (run.join("a.json"), run.join("x/y/b.md"));
        write_atomic_unsynced(&a, b"new a", None).unwrap();
        write_atomic_unsynced(&b, b"new b", Some(0o600)).unwrap();
        sync_tree(&run).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(
            std::fs::metadata(&b).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let leftovers: Vec<_> = std::fs::read_dir(&run)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".forge-tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        let missing = sync_tree(&dir.path().join("gone")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn explicit_mode_and_missing_parent() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x/y/key");
        write_atomic(&p, b"k", Some(0o600)).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
